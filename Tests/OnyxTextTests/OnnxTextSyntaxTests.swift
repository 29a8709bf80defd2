import Foundation
import OnyxIR
import OnyxONNX
import OnyxConformanceSupport
import OnyxTestSupport
import OnyxText
import Testing

func parse(_ text: String) throws(OnnxTextError) -> Model { try OnnxTextParser.parseModel(Array(text.utf8)) }

func printed(_ model: Model) throws -> String { String(decoding: try OnnxTextPrinter().print(model), as: UTF8.self) }

/// The grammar's corners: linking, what Onyx writes beyond onnx's printer,
/// elided weights and what cannot be written.
@Suite struct OnnxTextSyntaxTests {
    /// A model header as the printer writes it.
    static let header = "<\n   ir_version: 10,\n   opset_import: [\"\" : 21]\n>\n"

    @Test func namesLinkAcrossGraphsAndOrder() throws {
        // The If branch reads `late`, made after the If in the outer graph;
        // `b` is read before the node that makes it.
        let model = try parse(Self.header + """
            g (bool c, float[2] x) => (float[2] y) {
               y = If (c) <then_branch: graph = t () => (float[2] o) { o = Identity (late) },
                           else_branch: graph = e () => (float[2] o2) { o2 = Identity (x) }>
               late = Neg (b)
               b = Abs (x)
            }
            """)
        let graph = try #require(model.graph)
        let (ifNode, neg, abs) = (graph.nodes[0], graph.nodes[1], graph.nodes[2])
        let thenBranch = try #require(ifNode.attribute("then_branch")?.g)
        #expect(thenBranch.nodes[0].inputs[0] === neg.outputs[0])
        #expect(neg.inputs[0] === abs.outputs[0])
        #expect(graph.outputs[0] === ifNode.outputs[0])
        #expect(graph.inputs[1].uses.count == 2)
        #expect(Set(thenBranch.capturedValues.map(\.name)) == ["late"])
    }

    @Test func aNameDefinedTwiceIsItsLastDefinitionAsInBinary() throws {
        // Not SSA, but files like this exist; both readers agree.
        let text = Self.header + """
            g (float[2] x) => (float[2] y) {
               y = Neg (x)
               z = Abs (y)
               y = Relu (x)
            }

            """
        let model = try parse(text)
        let graph = try #require(model.graph)
        #expect(graph.nodes[1].inputs[0] === graph.nodes[2].outputs[0])
        #expect(graph.outputs[0] === graph.nodes[2].outputs[0])
        let binary = try ModelDecoder.decode(ModelEncoder.encode(model))
        let binaryGraph = try #require(binary.graph)
        #expect(binaryGraph.nodes[1].inputs[0] === binaryGraph.nodes[2].outputs[0])
        #expect(try printed(model) == text)
    }

    @Test func functionsKeepDefaultsValueInfoAndDocs() throws {
        let text = Self.header + """
            g (float[2] x) => (float[2] y) {
               y = local.Scale <factor: float = 2> (x)
            }
            <
              domain: "local",
              doc_string: "y = x * factor",
              opset_import: ["" : 21]
            >
            Scale <factor,bias: float = 0.5>(x) => (y) <float[2] k>
            {
               k = Constant <value_float: float = @factor> ()
               m = Constant <value_float = @bias> ()
               y = Mul (x, k)
            }

            """
        let model = try parse(text)
        let function = try #require(model.functions.first)
        #expect(function.attributeNames == ["factor"])
        #expect(function.attributeDefaults.map(\.name) == ["bias"] && function.attributeDefaults[0].f == 0.5)
        #expect(function.body.valueInfo.map(\.name) == ["k"])
        #expect(function.body.valueInfo[0] === function.body.nodes[0].outputs[0])
        #expect(function.docString == "y = x * factor")
        #expect(function.body.nodes[0].attributes[0].refAttrName == "factor")
        #expect(function.body.nodes[1].attributes[0].type == nil)
        #expect(try printed(model) == text)
    }

    @Test func listAttributesOfTensorsGraphsAndTypesAreKept() throws {
        // onnx's parser reads these lists and drops them; Onyx keeps them.
        let model = try parse(Self.header + """
            g (float[2] x) => (float[2] y) {
               y = Custom <ts: tensors = [float[2] {1,2}, int64 t {5}], tps: type_protos = [float[N], seq(int64)],
                           gs: graphs = [a () => (float o) { o = Constant <value_float = 1.5> () }]> (x)
            }
            """)
        let attributes = try #require(model.graph?.nodes.first?.attributes)
        #expect(attributes[0].type == .tensors && attributes[0].tensors.map(\.storage) == [.field(.float([1, 2])), .field(.int64([5]))])
        #expect(attributes[0].tensors[1].name == "t")
        #expect(attributes[1].type == .typeProtos && attributes[1].typeProtos.count == 2)
        #expect(attributes[2].type == .graphs && attributes[2].graphs[0].nodes.count == 1)
        let again = try parse(try printed(model))
        #expect(try printed(again) == printed(model))
    }

    @Test func subgraphNamesThatNeedQuotesReadBack() throws {
        // onnx's parser takes a quoted graph value for a string; the type
        // annotation says it is a graph.
        let text = Self.header + """
            g (bool c) => (float y) {
               y = If (c) <else_branch: graph = "else branch" () => (float a) {
                  a = Constant <value_float: float = 0> ()
               }, then_branch: graph = "" () => (float b) {
                  b = Constant <value_float: float = 1> ()
               }>
            }

            """
        let model = try parse(text)
        #expect(model.graph?.nodes[0].attribute("else_branch")?.g?.name == "else branch")
        #expect(try printed(model) == text)
    }

    @Test func rawDataOnnxPrintsAsDotsIsWrittenAsNumbers() throws {
        let graph = Graph(name: "g")
        func initializer(_ name: String, _ type: DataType, _ dims: [Int64], _ bytes: [UInt8]) {
            let value = Value(name: name)
            value.initializer = Tensor(name: name, dataType: type, dims: dims, rawData: bytes)
            graph.appendInitializer(value)
        }
        initializer("c", .complex64, [1], Array(Float(1.5).bitPattern.littleEndianBytes + Float(-2).bitPattern.littleEndianBytes))
        initializer("q", .int4, [3], [0x21, 0x0F])
        // Raw 6-bit floats are packed four to three bytes; the typed field
        // the parser fills holds one code per entry.
        initializer("f", .float6e2m3, [5], [31, 25, 8, 3])
        let model = Model(graph: graph)
        model.irVersion = 10
        model.opsetImports = [OpsetImport(domain: "", version: 21)]
        let text = try printed(model)
        #expect(text.contains("<complex64[1] c =  {1.5,-2}, int4[3] q =  {33,15}, float6e2m3[5] f =  {31,36,1,2,3}>"))
        // The pinned onnx reads it, into the values the raw bytes held.
        let check = try PythonOracle.run(
            """
            import sys, onnx.parser
            from onnx import numpy_helper
            m = onnx.parser.parse_model(sys.stdin.read() if False else sys.argv[1])
            c, q, f = (numpy_helper.to_array(t) for t in m.graph.initializer)
            print(c.tolist(), q.tolist(), [float(x) for x in f])
            """, [text])
        #expect(check.out == "[(1.5-2j)] [1, 2, -1] [7.5, -0.5, 0.125, 0.25, 0.375]\n", "\(check.err)")
    }

    @Test func elidedWeightsAreMarkedAndRefusedAsAModel() throws {
        let model = try parse(Self.header + "g (float[2] x) => (float[2] y)\n   <float[1000] w = {}, float[2] v = {1,2}>\n{\n   y = Add (x, v)\n}\n")
        let initializers = try #require(model.graph?.initializers)
        #expect(initializers[0].initializer?.isElided == true)
        #expect(initializers[0].initializer?.metadataProps == [StringPair(Tensor.elisionMarker, "4000")])
        #expect(initializers[1].initializer?.isElided == false)
        // Elements that take no bytes are still elements.
        let strings = try parse(Self.header + "g () => (string[2] s)\n   <string[2] s = {\"\", \"\"}>\n{\n}\n")
        #expect(strings.graph?.initializers[0].initializer?.isElided == false)
        let folder = TemporaryDirectory()
        #expect(throws: ONNXError.self) { try ModelFile.save(model, to: folder.path("m.onnx")) }
        #expect(!FileManager.default.fileExists(atPath: folder.path("m.onnx")))
    }

    @Test func whatCannotBeWrittenIsRefusedByName() throws {
        let node = Node(opType: "Constant", name: "sparse_const", outputs: ["y"])
        var attribute = Attribute(name: "sparse_value", type: .sparseTensor)
        attribute.sparseTensor = SparseTensor(values: nil, indices: nil, dims: [2])
        node.attributes = [attribute]
        let graph = Graph(name: "g")
        try graph.append(node)
        #expect {
            _ = try OnnxTextPrinter().print(Model(graph: graph))
        } throws: { error in
            (error as? OnnxTextError)?.description
                == "node 0 'sparse_const' (Constant): attribute 'sparse_value' is of type SPARSE_TENSOR, which the ONNX textual syntax cannot write"
        }
        // Saving says so, and leaves no file.
        let folder = TemporaryDirectory()
        #expect {
            try ModelFile.save(Model(graph: graph), to: folder.path("m.onnxtxt"))
        } throws: { error in
            "\(error)".hasPrefix("\(folder.path("m.onnxtxt")): node 0 'sparse_const' (Constant): cannot write the ONNX textual syntax: ")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path).isEmpty)
    }

    @Test func operatorsMustBeDottedIdentifiers() throws {
        let graph = Graph(name: "g")
        try graph.append(Node(opType: "Gelu", domain: "custom-ops", name: "act", outputs: ["y"]))
        #expect {
            _ = try OnnxTextPrinter().print(Model(graph: graph))
        } throws: { error in
            (error as? OnnxTextError)?.description
                == "node 0 'act' (custom-ops.Gelu): operator 'custom-ops.Gelu' is not made of identifiers, which the ONNX textual syntax requires"
        }
    }

    @Test func lossesAreListed() throws {
        let model = try ModelFile.load(fixture("kitchen-sink.onnx"))
        #expect(
            OnnxTextLosses.of(model) == [
                "training_info entries: 1", "device configurations: 1", "doc strings: 2", "metadata_props entries: 2",
                "sparse initializers: 1", "quantization annotations: 1",
            ])
        #expect(OnnxTextLosses.of(try ModelFile.load(fixture("mlp.onnx"))).isEmpty)
    }
}

func fixture(_ name: String) -> String { ConformanceData.fixtures.appendingPathComponent(name).path }

extension UInt32 {
    var littleEndianBytes: [UInt8] { withUnsafeBytes(of: littleEndian) { Array($0) } }
}

/// A text whose name says nothing is told apart by its first tokens.
@Suite struct FormatSniffingTests {
    func sniff(_ text: String) -> ModelFormat { Array(text.utf8).withUnsafeBytes { ModelFormat.sniff($0) } }

    @Test func textSyntaxesAreToldApart() {
        #expect(sniff("<\n   ir_version: 8,\n>\ng () => () {}") == .onnxtxt)
        #expect(sniff("# a comment\nmain_graph (float[N] x) => (float y) {}") == .onnxtxt)
        #expect(sniff("\"my graph\" () => () {}") == .onnxtxt)
        #expect(sniff("ir_version: 8\ngraph {\n}") == .textproto)
        #expect(sniff("# proto-file: onnx.proto\ngraph { name: \"g\" }") == .textproto)
        #expect(sniff("  {\"irVersion\": \"8\"}") == .json)
        #expect(sniff("\u{08}\u{12}\u{03}abc") == .onnx)
    }
}
