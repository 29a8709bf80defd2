/// Why a model could not be read or written.
///
/// The description is one line meant for the user: the file, where in it
/// (byte offset, tensor, node) when that is known, and what was expected.
public struct ONNXError: Error, Equatable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// The bytes are not a ModelProto (or not one we can decode).
        case notAModel
        /// An external-data reference is unsafe or broken.
        case externalData
        /// The file system refused (open, read, write, rename).
        case io
        /// The model cannot be written the way it was asked (size limits).
        case unwritable
        /// A text format does not parse; the message starts with line:column.
        case syntax
    }

    public var kind: Kind
    /// The file concerned, when there is one.
    public var file: String?
    public var message: String

    public init(_ kind: Kind, file: String? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.message = message
    }

    public var description: String {
        let prefix = file.map { "\($0): " } ?? ""
        switch kind {
        case .notAModel: return prefix + "not an ONNX model: " + message
        case .syntax: return (file ?? "<input>") + ":" + message
        case .externalData, .io, .unwritable: return prefix + message
        }
    }

    func inFile(_ path: String) -> ONNXError {
        var copy = self
        if copy.file == nil { copy.file = path }
        return copy
    }
}
