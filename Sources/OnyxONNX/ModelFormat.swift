import COnnxProto
import Foundation
import OnyxIR

/// The file formats a model can be read from and written to.
public enum ModelFormat: String, CaseIterable, Sendable {
    /// ONNX binary (`ModelProto` on the wire).
    case onnx
    /// protobuf's JSON mapping of `ModelProto`.
    case json
    /// protobuf's text format of `ModelProto`.
    case textproto

    /// The format a file name's extension names, if any.
    public init?(pathExtension ext: String) {
        switch ext.lowercased() {
        case "onnx", "pb": self = .onnx
        case "json": self = .json
        case "textproto", "pbtxt", "txtpb", "prototxt": self = .textproto
        default: return nil
        }
    }

    /// The format of `path`, by extension.
    public init?(path: String) { self.init(pathExtension: URL(fileURLWithPath: path).pathExtension) }

    /// Guesses the format of bytes whose name says nothing: JSON starts
    /// with `{`, other text is taken for the text format, anything else
    /// for binary.
    public static func sniff(_ bytes: UnsafeRawBufferPointer) -> ModelFormat {
        guard let first = bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return .onnx }
        if first == UInt8(ascii: "{") { return .json }
        let head = bytes.prefix(256)
        let isText = head.allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || (32...126).contains($0) || $0 >= 0x80 }
        return isText ? .textproto : .onnx
    }
}

/// Models to and from every `ModelFormat`, in memory.
public enum ModelCodec {
    /// Decodes `bytes` in `format`.
    public static func decode(_ bytes: UnsafeRawBufferPointer, as format: ModelFormat) throws(ONNXError) -> Model {
        switch format {
        case .onnx:
            return try ModelDecoder.decode(bytes)
        case .json, .textproto:
            let text = Array(bytes)
            let message: ProtoMessage
            let descriptor = onyx_model_proto_descriptor()!
            if format == .json {
                message = try ProtoJSON.parse(text, as: descriptor)
            } else {
                message = try ProtoText.parse(text, as: descriptor)
            }
            let buffer = try DecodedBuffer()
            let proto = message.build(in: buffer.arena).assumingMemoryBound(to: Onnx__ModelProto.self)
            try checkNesting(proto)
            return importModel(proto, owner: buffer)
        }
    }

    /// Encodes `model` in `format`.
    public static func encode(_ model: Model, as format: ModelFormat) throws(ONNXError) -> [UInt8] {
        try encode(model, as: format, transform: nil)
    }

    static func encode(_ model: Model, as format: ModelFormat, transform: ((Tensor) -> Tensor)?) throws(ONNXError) -> [UInt8] {
        // Binary goes through ModelEncoder, which refuses the 2 GiB overflow.
        guard format != .onnx else { return try ModelEncoder.encode(model, transform: transform) }
        let arena = try ProtoArena()
        arena.tensorTransform = transform
        let proto = arena.model(model)
        let message = ProtoMessage(reading: UnsafeRawPointer(proto), onyx_model_proto_descriptor()!)
        return Array((format == .json ? ProtoJSON.print(message) : ProtoText.print(message)).utf8)
    }
}
