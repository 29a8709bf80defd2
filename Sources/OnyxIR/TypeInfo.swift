/// The type of a value (`TypeProto`): a tensor, a sparse tensor, a sequence,
/// a map, an optional or an opaque type, with an optional denotation.
///
/// Each field that ONNX marks optional is optional here too, so that what a
/// file leaves unsaid stays unsaid when it is written back.
public struct TypeInfo: Hashable, Sendable, CustomStringConvertible {
    // NOTE: only the nesting and the rare kinds are boxed: a tensor type,
    // most of a model's, is built, copied and dropped at every node by
    // inference, import and export, and a box is an allocation each time.
    public enum Kind: Hashable, Sendable {
        case tensor(elementType: DataType?, shape: Shape?)
        case sparseTensor(elementType: DataType?, shape: Shape?)
        indirect case sequence(TypeInfo?)
        indirect case map(keyType: DataType?, valueType: TypeInfo?)
        indirect case optional(TypeInfo?)
        indirect case opaque(domain: String?, name: String?)
        /// A TypeProto with no kind set.
        case unspecified
    }

    public var kind: Kind
    public var denotation: String?

    public init(_ kind: Kind, denotation: String? = nil) {
        self.kind = kind
        self.denotation = denotation
    }

    /// A dense tensor type.
    public static func tensor(_ elementType: DataType, _ shape: Shape?) -> TypeInfo {
        TypeInfo(.tensor(elementType: elementType, shape: shape))
    }

    /// The element type of a tensor or sparse tensor type.
    public var tensorElementType: DataType? {
        switch kind {
        case .tensor(let t, _), .sparseTensor(let t, _): return t
        default: return nil
        }
    }

    /// The shape of a tensor or sparse tensor type.
    public var tensorShape: Shape? {
        switch kind {
        case .tensor(_, let s), .sparseTensor(_, let s): return s
        default: return nil
        }
    }

    /// `tensor(FLOAT)[N,3]`, `seq(tensor(INT64))`, `map(STRING, tensor(FLOAT))`…
    public var description: String {
        func element(_ t: DataType?) -> String { t?.name ?? "?" }
        func inner(_ t: TypeInfo?) -> String { t?.description ?? "?" }
        switch kind {
        case .tensor(let t, let s): return "tensor(\(element(t)))" + (s?.description ?? "")
        case .sparseTensor(let t, let s): return "sparse_tensor(\(element(t)))" + (s?.description ?? "")
        case .sequence(let e): return "seq(\(inner(e)))"
        case .map(let k, let v): return "map(\(element(k)), \(inner(v)))"
        case .optional(let e): return "optional(\(inner(e)))"
        case .opaque(let d, let n): return "opaque(\(d ?? ""), \(n ?? ""))"
        case .unspecified: return "?"
        }
    }
}
