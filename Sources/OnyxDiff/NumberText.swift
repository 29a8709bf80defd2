/// Integers without a fraction; otherwise the shortest text that reads
/// back to the same value, as a float32 when the value is one (so a float
/// attribute 0.2 prints as 0.2, not 0.20000000298023224).
func formatNumber(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    if let single = Float(exactly: value) { return single.description }
    return value.description
}
