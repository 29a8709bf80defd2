extension Tensor {
    /// The metadata key that marks a tensor whose data was left out of a
    /// text rendering (`--elide-weights`); its value is the data's size in
    /// bytes. Such a tensor is a placeholder, not a weight.
    public static let elisionMarker = "onyx.elided"

    /// True when this tensor's data was elided.
    public var isElided: Bool { metadataProps.contains { $0.key == Self.elisionMarker } }
}
