/// A key/value pair (`StringStringEntryProto`): metadata, external-data
/// locations, training bindings. Either side may be absent on the wire.
public struct StringPair: Hashable, Sendable {
    public var key: String?
    public var value: String?

    public init(_ key: String?, _ value: String?) {
        self.key = key
        self.value = value
    }
}

extension Array where Element == StringPair {
    /// The value of the last entry with `key` (later entries win, as in onnx).
    public subscript(key key: String) -> String? {
        last(where: { $0.key == key })?.value
    }
}

/// A field this version of Onyx does not know, kept as it was read so that
/// it is written back unchanged (protobuf-c moves such fields to the end).
public struct UnknownField: Hashable, Sendable {
    public var tag: UInt32
    public var wireType: UInt8
    public var bytes: [UInt8]

    public init(tag: UInt32, wireType: UInt8, bytes: [UInt8]) {
        self.tag = tag
        self.wireType = wireType
        self.bytes = bytes
    }
}

/// An operator set a model or function imports (`OperatorSetIdProto`).
public struct OpsetImport: Hashable, Sendable {
    /// `""` or nil both mean the default domain `ai.onnx`.
    public var domain: String?
    public var version: Int64?

    public init(domain: String?, version: Int64?) {
        self.domain = domain
        self.version = version
    }
}
