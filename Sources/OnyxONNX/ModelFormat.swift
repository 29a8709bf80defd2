import COnnxProto
#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxIR
import OnyxText

/// The file formats a model can be read from and written to.
public enum ModelFormat: String, CaseIterable, Sendable {
    /// ONNX binary (`ModelProto` on the wire).
    case onnx
    /// protobuf's JSON mapping of `ModelProto`.
    case json
    /// protobuf's text format of `ModelProto`.
    case textproto
    /// The ONNX textual syntax (`onnx.parser` / `onnx.printer`).
    case onnxtxt

    /// The format a file name's extension names, if any.
    public init?(pathExtension ext: String) {
        switch ext.lowercased() {
        case "onnx", "pb": self = .onnx
        case "json": self = .json
        case "textproto", "pbtxt", "txtpb", "prototxt": self = .textproto
        case "onnxtxt": self = .onnxtxt
        default: return nil
        }
    }

    /// The format of `path`, by extension.
    public init?(path: String) { self.init(pathExtension: URL(fileURLWithPath: path).pathExtension) }

    /// Guesses the format of bytes whose name says nothing: JSON starts
    /// with `{`; other text is the ONNX textual syntax when it starts with
    /// its model header `<` or with a graph name and `(`, and protobuf's
    /// text format otherwise (`ir_version: 8`, `graph {`); anything else is
    /// binary.
    public static func sniff(_ bytes: UnsafeRawBufferPointer) -> ModelFormat {
        guard isTextual(bytes) else { return .onnx }
        var tokens = significantBytes(bytes.prefix(Self.sniffedBytes)).makeIterator()
        guard let first = tokens.next() else { return .onnx }
        if first == UInt8(ascii: "{") { return .json }
        if first == UInt8(ascii: "<") || first == UInt8(ascii: "\"") { return .onnxtxt }
        // A name: what follows it tells the two text syntaxes apart.
        while let next = tokens.next() {
            if next == UInt8(ascii: ":") || next == UInt8(ascii: "{") || next == UInt8(ascii: "<") { return .textproto }
            if next == UInt8(ascii: "(") { return .onnxtxt }
        }
        return .textproto
    }

    /// How much of a file sniffing looks at.
    static let sniffedBytes = 256

    /// True when the first bytes are all printable ASCII, whitespace or
    /// UTF-8: what both sniffing and the binary reader's "this is text"
    /// explanation go by.
    static func isTextual(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.prefix(sniffedBytes).allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || (32...126).contains($0) || $0 >= 0x80 }
    }

    /// The bytes outside whitespace and `#` comments.
    private static func significantBytes(_ bytes: Slice<UnsafeRawBufferPointer>) -> [UInt8] {
        var result: [UInt8] = []
        var inComment = false
        for byte in bytes {
            if inComment {
                inComment = byte != 0x0A
            } else if byte == UInt8(ascii: "#") {
                inComment = true
            } else if ![0x20, 0x09, 0x0A, 0x0D].contains(byte) {
                result.append(byte)
            }
        }
        return result
    }
}

/// Models to and from every `ModelFormat`, in memory.
public enum ModelCodec {
    /// Decodes `bytes` in `format`.
    public static func decode(_ bytes: UnsafeRawBufferPointer, as format: ModelFormat) throws(ONNXError) -> Model {
        try decode(bytes, as: format, lendingOwner: nil)
    }

    /// Decodes `bytes`, which `owner` (when given) keeps alive and unchanged
    /// for the model's lifetime, so that large binary raw data can stay in
    /// them (`ModelDecoder.decode(_:lendingOwner:)`).
    static func decode(_ bytes: UnsafeRawBufferPointer, as format: ModelFormat, lendingOwner owner: AnyObject?)
        throws(ONNXError) -> Model
    {
        switch format {
        case .onnx:
            return try ModelDecoder.decode(bytes, lendingOwner: owner)
        case .onnxtxt:
            do {
                return try OnnxTextParser.parseModel(bytes)
            } catch {
                throw ONNXError(.syntax, error.diagnostic)
            }
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
            try checkBudgets(proto)
            let model = importModel(proto, owner: buffer)
            try buffer.refuseInvalidFields(of: "the model")
            return model
        }
    }

    /// Encodes `model` in `format`.
    public static func encode(_ model: Model, as format: ModelFormat) throws(ONNXError) -> [UInt8] {
        try encode(model, as: format, transform: nil)
    }

    static func encode(_ model: Model, as format: ModelFormat, transform: ((Tensor) -> Tensor)?) throws(ONNXError) -> [UInt8] {
        // Binary goes through ModelEncoder, which refuses the 2 GiB overflow.
        switch format {
        case .onnx: return try ModelEncoder.encode(model, transform: transform)
        case .onnxtxt:
            do {
                return try OnnxTextPrinter(tensorTransform: transform).print(model)
            } catch {
                var diagnostic = error.diagnostic
                diagnostic.message = "cannot write the ONNX textual syntax: " + diagnostic.message
                throw ONNXError(.unwritable, diagnostic)
            }
        case .json, .textproto: break
        }
        let arena = try ProtoArena()
        arena.tensorTransform = transform
        let proto = arena.model(model)
        let message = ProtoMessage(reading: UnsafeRawPointer(proto), onyx_model_proto_descriptor()!)
        return format == .json ? ProtoJSON.print(message) : ProtoText.print(message)
    }
}
