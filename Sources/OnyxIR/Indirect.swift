/// Keeps a large, rarely set optional field on the heap, so that the type
/// holding it stays small (an `Attribute` with an inline `Tensor?` is
/// hundreds of bytes, and models have tens of thousands of attributes).
/// Value semantics are kept: setting the field replaces the box.
@propertyWrapper
public struct Indirect<Wrapped> {
    private indirect enum Box {
        case value(Wrapped)
    }

    private var box: Box?

    public init(wrappedValue: Wrapped?) { box = wrappedValue.map(Box.value) }

    /// True when a value is set; asks without copying it out of its box.
    public var isSet: Bool {
        if case .none = box { return false }
        return true
    }

    public var wrappedValue: Wrapped? {
        get {
            guard case .value(let value)? = box else { return nil }
            return value
        }
        set { box = newValue.map(Box.value) }
    }
}
