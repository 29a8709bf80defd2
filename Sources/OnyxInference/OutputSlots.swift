/// What a rule finds of a node's outputs besides their types (propagated
/// values, constants), slot by slot. Most nodes find nothing, so nothing
/// is allocated until a rule sets a slot.
public struct OutputSlots<Element> {
    /// The node's number of outputs; setting a slot past it does nothing.
    public let count: Int
    private var slots: [Element?] = []

    init(count: Int) { self.count = count }

    /// The slots `elements` gives, for `count` outputs.
    public init(_ elements: [Element?], count: Int) {
        self.count = count
        slots = Array(elements.prefix(count))
    }

    public subscript(index: Int) -> Element? {
        get { index < slots.count ? slots[index] : nil }
        set {
            guard index < count else { return }
            if index >= slots.count {
                guard newValue != nil else { return }
                slots += Array(repeating: nil, count: count - slots.count)
            }
            slots[index] = newValue
        }
    }
}
