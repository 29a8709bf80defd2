import OnyxIR
import OnyxSymbolic

/// What several families read the same way: a scalar input known as a
/// constant or a propagated value (DFT's `dft_length`, a window's `size`),
/// a shape vector, and an element type an attribute names (RandomNormal's `dtype`, the
/// windows' `output_datatype`).
extension InferenceContext {
    /// Input `index` as one integer: nil when it is left out or its value
    /// is not known. A value or a shape of rank above 0 is an error, named
    /// `name`.
    func scalarInput(_ index: Int, _ name: String) throws(InferenceError) -> SymbolicDim? {
        guard hasInput(index) else { return nil }
        if let shape = inputShape(index), shape.rank != 0 {
            throw InferenceError("\(name) has shape \(shape); it must be a scalar")
        }
        guard let value = inputValue(index) else { return nil }
        guard value.isScalar else { throw InferenceError("\(name) has shape \(value.shape); it must be a scalar") }
        return value.elements[0]
    }

    /// Input `index` as a shape vector (Reshape's and Expand's target,
    /// AffineGrid's size): its propagated elements, else as many unknown
    /// elements as its declared length, which is held to the rank budget
    /// (a file can declare a length of 10⁹, onnx PR#8321); nil when
    /// neither is known. `name` names it in the budget's finding.
    func shapeVector(_ index: Int, _ name: String) throws(InferenceError) -> [SymbolicDim?]? {
        if let value = inputValue(index) { return value.elements }
        guard let shape = inputShape(index), shape.rank == 1, let length = shape.dims[0]?.constant else { return nil }
        return Array(repeating: nil, count: try InferenceBudget.check(rank: length, name))
    }

    /// The element type the int attribute `name` gives, schema default
    /// filled in; nil when there is neither. It must be one the schema's
    /// type constraint `parameter` allows.
    func elementTypeAttribute(_ name: String, allowedBy parameter: String) throws(InferenceError) -> DataType? {
        guard let code = intAttribute(name) else { return nil }
        let allowed = (schema.typeConstraints.first { $0.parameter == parameter }?.allowedTypes ?? [])
            .compactMap { SchemaTypeString.type($0[...])?.tensorElementType }
        guard let raw = Int32(exactly: code), allowed.contains(DataType(rawValue: raw)) else {
            let named = Int32(exactly: code).map { " (\(DataType(rawValue: $0).name))" } ?? ""
            throw InferenceError(
                "\(name) \(code)\(named) is not an element type \(opType) can give; it takes "
                    + allowed.map(\.name).joined(separator: ", "))
        }
        return DataType(rawValue: raw)
    }
}

extension InferenceContext {
    /// The one dim `dims` all stand for, recorded in the graph's bindings
    /// (`EqualDims.unify`); two that cannot be equal are an error, whose
    /// message `what` begins.
    @discardableResult
    mutating func unify(_ dims: [SymbolicDim?], _ what: @autoclosure () -> String) throws(InferenceError) -> SymbolicDim? {
        try EqualDims.unify(dims, bindings: &bindings, what())
    }
}
