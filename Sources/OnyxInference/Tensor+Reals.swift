import OnyxIR

extension Tensor {
    /// The elements of a small constant of a float or integer type as
    /// doubles (Resize's scales, OneHot's depth), each exactly as stored
    /// (a float widens without rounding); nil for other types, for tensors
    /// longer than `PropagatedValue.maxElements`, and for undecodable ones.
    var smallReals: [Double]? {
        guard let count = elementCount, count <= PropagatedValue.maxElements, let elements = try? elements() else { return nil }
        switch elements {
        case .float(let v): return v.map(Double.init)
        case .double(let v): return v
        case .int64(let v): return v.map(Double.init)
        case .int32(let v): return v.map(Double.init)
        case .int16(let v): return v.map(Double.init)
        case .int8(let v): return v.map(Double.init)
        case .uint8(let v): return v.map(Double.init)
        case .uint16(let v): return v.map(Double.init)
        case .uint32(let v): return v.map(Double.init)
        default: return nil
        }
    }
}
