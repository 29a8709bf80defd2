import OnyxIR

/// The types schemas write in strings (`tensor(float)`, `seq(tensor(int64))`,
/// `optional(seq(tensor(uint8)))`, `map(string, tensor(float))`), as IR types
/// without shapes. Element names are the lowercase ONNX names.
enum SchemaTypeString {
    private static let elements: [String: DataType] = Dictionary(
        DataType.allKnown.filter { $0 != .undefined }.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })

    /// The type `text` names, or nil when it is not a type string (a
    /// type-constraint parameter such as `T`).
    static func type(_ text: Substring) -> TypeInfo? {
        guard let open = text.firstIndex(of: "("), text.last == ")" else { return nil }
        let head = text[..<open]
        let inner = text[text.index(after: open)..<text.index(before: text.endIndex)]
        switch head {
        case "tensor": return elements[String(inner)].map { TypeInfo(.tensor(elementType: $0, shape: nil)) }
        case "sparse_tensor": return elements[String(inner)].map { TypeInfo(.sparseTensor(elementType: $0, shape: nil)) }
        case "seq": return type(inner).map { TypeInfo(.sequence($0)) }
        case "optional": return type(inner).map { TypeInfo(.optional($0)) }
        case "map":
            guard let comma = inner.firstIndex(of: ","), let key = elements[String(inner[..<comma])] else { return nil }
            let value = inner[inner.index(after: comma)...].drop { $0 == " " }
            return type(value).map { TypeInfo(.map(keyType: key, valueType: $0)) }
        default: return nil
        }
    }
}
