import COnnxProto
import OnyxIR

/// The ONNX binary a model was decoded from (a model's `sourceEncoding`),
/// kept alive with the mapping or buffer that holds it.
final class EncodedSource {
    let bytes: UnsafeRawBufferPointer
    private let owner: AnyObject

    init(_ bytes: UnsafeRawBufferPointer, owner: AnyObject) {
        self.bytes = bytes
        self.owner = owner
    }
}

/// A model's encoding made from its source file's bytes, with only the
/// declarations (graph inputs, outputs and value_info) encoded anew: what
/// `onyx infer` writes. Everything else is copied, so it comes back byte
/// for byte however the source encoded it, and the cost of writing a model
/// is the cost of its declarations: 20,000 nodes are one copy, not 20,000
/// messages built and packed. A node that holds subgraphs (whose own
/// declarations may have changed) is encoded anew whole.
///
/// For a source written in field order, as onnx and protobuf-c write, the
/// result is byte for byte what `ModelEncoder` makes of the model.
struct SplicedEncoding {
    enum Piece {
        case source(Range<Int>)
        case encoded(Range<Int>)

        var range: Range<Int> {
            switch self {
            case .source(let range), .encoded(let range): range
            }
        }
    }

    let source: EncodedSource
    private(set) var pieces: [Piece] = []
    /// The bytes the `.encoded` pieces point into.
    private(set) var encoded: [UInt8] = []
    private(set) var count = 0

    /// nil when the model did not come from ONNX binary, or when its source
    /// does not have the structure of the model (the graph's node count, a
    /// single graph field), so the caller must encode it in full.
    init?(_ model: Model) throws(ONNXError) {
        guard let source = model.sourceEncoding as? EncodedSource else { return nil }
        self.source = source
        let arena = try ProtoArena()
        let reader = WireReader(bytes: source.bytes)
        guard let fields = reader.fields(in: 0..<source.bytes.count) else { return nil }
        var graphs = 0
        for field in fields {
            guard field.number == ModelField.graph else {
                append(.source(field.range))
                continue
            }
            guard let graph = model.graph, field.wireType == WireField.lengthDelimited, graphs == 0,
                let body = splice(graph, field.payload, reader: reader, arena: arena)
            else { return nil }
            graphs += 1
            appendLengthDelimited(ModelField.graph, body)
        }
        guard (graphs == 1) == (model.graph != nil) else { return nil }
        try ModelEncoder.checkLimit(UInt64(count))
    }

    /// The splice a writer uses in place of the full encoder: only for ONNX
    /// binary whose external data stays as it is, and only on the caller's
    /// word that nothing but declarations changed since the model was read
    /// (`ModelFile.save`'s `onlyDeclarationsChanged`).
    init?(
        _ model: Model, format: ModelFormat, externalData policy: ExternalDataPolicy, onlyDeclarationsChanged: Bool
    ) throws(ONNXError) {
        guard onlyDeclarationsChanged, format == .onnx, policy == .keep else { return nil }
        try self.init(model)
    }

    /// Writes the encoding to `fd`.
    func write(to fd: Int32, file: String) throws(ONNXError) {
        try forEachChunk { chunk throws(ONNXError) in try writeAll(fd, chunk, file: file) }
    }

    /// The encoding in one array.
    var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        forEachChunk { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Calls `body` with the bytes of each piece, in order.
    private func forEachChunk<E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> Void) throws(E) {
        let done = encoded.withUnsafeBytes { encoded in
            Result { () throws(E) in
                for piece in pieces {
                    switch piece {
                    case .source(let range): try body(UnsafeRawBufferPointer(rebasing: source.bytes[range]))
                    case .encoded(let range): try body(UnsafeRawBufferPointer(rebasing: encoded[range]))
                    }
                }
            }
        }
        try done.get()
    }

    private enum ModelField {
        static let graph: UInt64 = 7
    }

    private enum GraphField {
        static let node: UInt64 = 1
        static let input: UInt64 = 11
        static let output: UInt64 = 12
        static let valueInfo: UInt64 = 13
        /// The fields protobuf-c writes before the declarations; those after
        /// them are 14 to 16, then the unknown ones.
        static let beforeDeclarations: Set<UInt64> = [1, 2, 5, 10]
    }

    /// The pieces of `graph`'s encoding, its source in `range`; nil when the
    /// source's nodes are not the graph's.
    private mutating func splice(_ graph: Graph, _ range: Range<Int>, reader: WireReader, arena: ProtoArena)
        -> [Piece]?
    {
        guard let fields = reader.fields(in: range) else { return nil }
        let nodes = graph.nodes
        guard fields.lazy.filter({ $0.number == GraphField.node }).count == nodes.count else { return nil }
        // Where protobuf-c would write the declarations: in place of the
        // source's, else before the first field that follows them.
        let declarationsAt =
            fields.firstIndex { (GraphField.input...16).contains($0.number) }
            ?? fields.lastIndex { GraphField.beforeDeclarations.contains($0.number) }.map { $0 + 1 } ?? 0
        // The graph's pieces are gathered on their own, to be measured for
        // the length before them.
        let outer = (pieces, count)
        (pieces, count) = ([], 0)
        defer { (pieces, count) = outer }
        var nodeIndex = 0
        for (index, field) in fields.enumerated() {
            if index == declarationsAt { appendDeclarations(of: graph, arena: arena) }
            switch field.number {
            case GraphField.node:
                guard field.wireType == WireField.lengthDelimited else { return nil }
                let node = nodes[nodeIndex]
                nodeIndex += 1
                if !node.hasSubgraphs {
                    append(.source(field.range))
                } else {
                    append(GraphField.node, &arena.node(node).pointee.base)
                }
            case GraphField.input, GraphField.output, GraphField.valueInfo: continue
            default: append(.source(field.range))
            }
        }
        if declarationsAt == fields.count { appendDeclarations(of: graph, arena: arena) }
        return pieces
    }

    private mutating func appendDeclarations(of graph: Graph, arena: ProtoArena) {
        for (number, list) in [(GraphField.input, DeclarationList.inputs), (GraphField.output, .outputs), (GraphField.valueInfo, .valueInfo)] {
            let (count, messages) = arena.valueInfos(graph, list)
            for index in 0..<count { append(number, &messages![index]!.pointee.base) }
        }
    }

    /// Appends a message field `number` holding `message`, packed.
    private mutating func append(_ number: UInt64, _ message: UnsafeMutablePointer<ProtobufCMessage>) {
        let size = protobuf_c_message_get_packed_size(message)
        let start = encoded.count
        encoded.appendVarint(number << 3 | WireField.lengthDelimited)
        encoded.appendVarint(UInt64(size))
        let packedAt = encoded.count
        encoded.append(contentsOf: repeatElement(0, count: size))
        encoded.withUnsafeMutableBufferPointer { buffer in
            _ = protobuf_c_message_pack(message, buffer.baseAddress! + packedAt)
        }
        append(.encoded(start..<encoded.count))
    }

    /// Appends a message field `number` whose payload is `body`.
    private mutating func appendLengthDelimited(_ number: UInt64, _ body: [Piece]) {
        let length = body.reduce(0) { $0 + $1.range.count }
        let start = encoded.count
        encoded.appendVarint(number << 3 | WireField.lengthDelimited)
        encoded.appendVarint(UInt64(length))
        append(.encoded(start..<encoded.count))
        for piece in body { append(piece) }
    }

    /// Appends `piece`, merged into the last piece when it continues it.
    private mutating func append(_ piece: Piece) {
        count += piece.range.count
        switch (pieces.last, piece) {
        case (.source(let last)?, .source(let next)) where last.upperBound == next.lowerBound:
            pieces[pieces.count - 1] = .source(last.lowerBound..<next.upperBound)
        case (.encoded(let last)?, .encoded(let next)) where last.upperBound == next.lowerBound:
            pieces[pieces.count - 1] = .encoded(last.lowerBound..<next.upperBound)
        default:
            pieces.append(piece)
        }
    }
}
