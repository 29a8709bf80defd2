import Foundation
import OnyxConformanceSupport
import OnyxIR
import OnyxONNX
import OnyxTestSupport
import Testing

/// A model loaded from a file keeps large raw_data in the file's mapping
/// instead of copying it; everything it reads must be what decoding the
/// same bytes from memory (which copies) reads.
@Suite struct LiftedRawDataTests {
    static let big = 1024 / 4 + 3  // floats: just over the lift's threshold

    static func floats(_ count: Int, from start: Float) -> TensorElements {
        .float((0..<count).map { start + Float($0) })
    }

    static func tensor(_ name: String, _ count: Int, from start: Float) -> Tensor {
        Tensor(name: name, dims: [Int64(count)], elements: floats(count, from: start))
    }

    /// Large raw tensors in every place a TensorProto can sit, beside small ones.
    static func modelWithTensorsEverywhere() throws -> Model {
        let graph = Graph(name: "g")
        let x = Value(name: "x", type: .tensor(.float, Shape(static: [Int64(big)])))
        graph.appendInput(x)
        for (name, count) in [("w", big), ("small", 4)] {
            let value = Value(name: name)
            value.initializer = tensor(name, count, from: Float(count))
            graph.appendInitializer(value)
        }
        let sparse = Value(name: "sp")
        sparse.sparseInitializer = SparseTensor(
            values: tensor("sp", big, from: 7),
            indices: Tensor(name: "", dims: [Int64(big)], elements: .int64((0..<Int64(big)).map { $0 * 2 })),
            dims: [Int64(big * 2)])
        graph.appendSparseInitializer(sparse)

        let constant = Node(opType: "Constant", outputs: ["k"])
        constant.attributes = [.tensor("value", tensor("", big, from: 100))]
        var list = Attribute(name: "list", type: .tensors)
        list.tensors = [tensor("a", big, from: 200), tensor("b", 2, from: 300)]
        let custom = Node(opType: "Custom", inputs: [x], outputs: ["c"])
        custom.domain = "local"
        custom.attributes = [list]

        func branch(_ name: String) throws -> Graph {
            let branch = Graph(name: name)
            let inner = Node(opType: "Constant", outputs: [name + "_t"])
            inner.attributes = [.tensor("value", tensor("", big, from: 400))]
            try branch.append(inner)
            branch.appendOutput(inner.outputs[0])
            return branch
        }
        let cond = Value(name: "cond", type: .tensor(.bool, Shape(static: [])))
        graph.appendInput(cond)
        let ifNode = Node(opType: "If", inputs: [cond], outputs: ["r"])
        ifNode.attributes = [.graph("then_branch", try branch("then")), .graph("else_branch", try branch("else"))]
        for node in [constant, custom, ifNode] { try graph.append(node) }
        graph.appendOutput(ifNode.outputs[0])

        let model = Model(graph: graph)
        model.irVersion = 10
        model.opsetImports = [OpsetImport(domain: "", version: 21), OpsetImport(domain: "local", version: 1)]
        let function = Function(name: "Custom", domain: "local")
        let body = Node(opType: "Constant", outputs: ["f"])
        body.attributes = [.tensor("value", tensor("", big, from: 500))]
        try function.body.append(body)
        function.body.appendOutput(body.outputs[0])
        function.opsetImports = [OpsetImport(domain: "", version: 21)]
        model.functions = [function]
        return model
    }

    @Test func largeTensorsEverywhereReadTheSameAndStayInTheFile() throws {
        let folder = TemporaryDirectory()
        let path = folder.path("model.onnx")
        try ModelFile.save(try Self.modelWithTensorsEverywhere(), to: path)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))

        let fromFile = try ModelFile.load(path)
        let fromMemory = try ModelDecoder.decode(bytes)
        #expect(try ModelEncoder.encode(fromFile) == bytes)
        let tensors = fromFile.allTensors
        #expect(tensors.count == 10)
        for (read, expected) in zip(tensors, fromMemory.allTensors) {
            #expect(try read.elements() == expected.elements(), "\(read.name ?? "")")
        }

        // Large payloads are borrowed from the mapped file, small ones from
        // the decode arena: two owners, and the large ones share theirs.
        func owner(_ tensor: Tensor) -> ObjectIdentifier? {
            guard case .raw(let storage as BorrowedStorage) = tensor.storage else { return nil }
            return ObjectIdentifier(storage.owner)
        }
        let large = Set(tensors.filter { ($0.storage.rawBytes?.count ?? 0) >= 1024 }.compactMap(owner))
        let small = Set(tensors.filter { ($0.storage.rawBytes?.count ?? 0) < 1024 }.compactMap(owner))
        #expect(tensors.filter { ($0.storage.rawBytes?.count ?? 0) >= 1024 }.count == 8)
        #expect(large.count == 1 && small.count == 1 && large != small)
    }

    /// Cut anywhere, a file fails to load as the same bytes fail to decode.
    @Test func truncatedFilesFailAsTheirBytesDo() throws {
        let folder = TemporaryDirectory()
        let whole = try ModelEncoder.encode(try Self.modelWithTensorsEverywhere())
        for length in stride(from: 1, to: whole.count, by: max(1, whole.count / 97)) {
            let path = folder.path("cut-\(length).onnx")
            try Data(whole.prefix(length)).write(to: URL(fileURLWithPath: path))
            let fromFile = Result { () throws(ONNXError) in try ModelEncoder.encode(ModelFile.load(path, loadExternalData: false)) }
            let fromMemory = Result { () throws(ONNXError) in try ModelEncoder.encode(ModelDecoder.decode(Array(whole.prefix(length)))) }
            switch (fromFile, fromMemory) {
            case (.success(let a), .success(let b)): #expect(a == b, "cut at \(length)")
            case (.failure(let a), .failure(let b)): #expect(a.kind == b.kind, "cut at \(length)")
            default: Issue.record("cut at \(length): file \(fromFile), memory \(fromMemory)")
            }
        }
    }

    /// Every model of the node suite and the fixtures reads the same from
    /// its file as from its bytes.
    @Test func everySuiteModelReadsTheSameFromItsFile() throws {
        try #require(ConformanceData.isAvailable, "\(ConformanceData.missingMessage)")
        let files = ConformanceData.modelFiles + ConformanceData.fixtureModels
        #expect(files.count > 1000)
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: file))
            guard let fromMemory = try? ModelDecoder.decode(bytes) else { continue }
            let fromFile = try ModelFile.load(file.path, loadExternalData: false)
            #expect(try ModelEncoder.encode(fromFile) == ModelEncoder.encode(fromMemory), "\(file.path)")
        }
    }
}
