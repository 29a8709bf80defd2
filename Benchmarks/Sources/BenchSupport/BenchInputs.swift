import CBenchSupport
import Foundation
import OnyxIR
import OnyxONNX
import OnyxText

/// Where the generated inputs live, shared by the benchmark suite, the
/// helper tools and `python_onnx_load.py`: `Benchmarks/.data/` (git-ignored),
/// or `$ONYX_BENCH_DATA` when set.
public enum BenchPaths {
    public static let dataDirectory: String = {
        if let custom = ProcessInfo.processInfo.environment["ONYX_BENCH_DATA"], !custom.isEmpty { return custom }
        // .../Benchmarks/Sources/BenchSupport/BenchInputs.swift → .../Benchmarks/.data
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".data").path
    }()

    /// ~300 MB of float32 initializers in one file.
    public static var large: String { dataDirectory + "/large.onnx" }
    /// 20,000 small nodes.
    public static var nodes: String { dataDirectory + "/nodes20k.onnx" }
    /// The same model re-exported: every value and node renamed, the node
    /// list reversed, and one attribute changed (the diff benchmark's pair).
    public static var nodesReexported: String { dataDirectory + "/nodes20k-reexported.onnx" }
    /// `nodes20k.onnx` in the ONNX textual syntax, as Onyx's printer writes
    /// it (the text benchmarks' input; `onnx.printer.to_text` of the same
    /// file plus a newline is expected to be the same bytes).
    public static var nodesText: String { dataDirectory + "/nodes20k.onnxtxt" }
    /// 48 transformer decoder blocks (make_transformer.py, which compare.sh
    /// runs; the benchmarks of this input are skipped without it).
    public static var transformer: String { dataDirectory + "/transformer.onnx" }
    /// ResNet-18 with 45 MB of pseudo-random float32 weights in raw_data
    /// (make_runtime_models.py --resnet18, which compare.sh runs): the
    /// weight-heavy input of the text-format benchmarks, skipped without it.
    public static var weights: String { dataDirectory + "/resnet18.onnx" }
    /// Where the save and write benchmarks put their output (same file system as the inputs).
    public static var scratch: String { dataDirectory + "/scratch" }
}

/// The generated models, and the textual form of `nodes20k`.
public enum BenchInputs {
    public static let largeTensorCount = 75
    public static let largeTensorSide = 1024 // 1024 × 1024 floats = 4 MiB per tensor

    public static let nodeCount = 20_000

    /// Writes the inputs when missing (or always, with `force`), and makes
    /// the scratch folder. Returns what it wrote. The text file is printed
    /// from `nodes20k.onnx` as loaded back from disk, and rewritten whenever
    /// that file is.
    @discardableResult
    public static func ensure(force: Bool = false, log: (String) -> Void = { _ in }) throws -> [String] {
        try FileManager.default.createDirectory(atPath: BenchPaths.scratch, withIntermediateDirectories: true)
        var written: [String] = []
        for (path, make) in [
            (BenchPaths.large, makeLargeModel), (BenchPaths.nodes, makeNodesModel),
            (BenchPaths.nodesReexported, makeReexportedNodesModel),
        ] {
            if !force, FileManager.default.fileExists(atPath: path) { continue }
            let start = Date()
            try ModelFile.save(try make(), to: path)
            log("wrote \(path) (\(fileSize(path)) bytes) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
            written.append(path)
        }
        let text = BenchPaths.nodesText
        if force || written.contains(BenchPaths.nodes) || !FileManager.default.fileExists(atPath: text) {
            let start = Date()
            let bytes = try OnnxTextPrinter().print(ModelFile.load(BenchPaths.nodes))
            bytes.withUnsafeBytes { writeWholeFile(text, $0) }
            log("wrote \(text) (\(fileSize(text)) bytes) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
            written.append(text)
        }
        return written
    }

    /// A chain of 75 MatMuls over [1024, 1024] float32 weights: 75 × 4 MiB =
    /// 300 MiB of `raw_data` initializers, pseudo-random (incompressible)
    /// values.
    public static func makeLargeModel() throws -> Model {
        let side = Int64(largeTensorSide)
        let graph = Graph(name: "large_weights")
        let x = Value(name: "x", type: .tensor(.float, Shape(static: [1, side])))
        graph.appendInput(x)
        var rng = XorShift(seed: 0x9E37_79B9_7F4A_7C15)
        var current = x
        for index in 0..<largeTensorCount {
            let name = "w\(index)"
            let count = largeTensorSide * largeTensorSide
            var tensor = Tensor(name: name, dataType: .float, dims: [side, side])
            tensor.storage = .raw(OwnedStorage(count: count * 4) { buffer in
                let floats = buffer.bindMemory(to: Float.self)
                for i in 0..<count { floats[i] = rng.nextFloat() * 0.05 }
            })
            let weight = Value(name: name)
            weight.initializer = tensor
            graph.appendInitializer(weight)
            let node = Node(opType: "MatMul", name: "mm\(index)", inputs: [current, weight], outputs: ["h\(index)"])
            try graph.append(node)
            current = node.outputs[0]
        }
        current.type = .tensor(.float, Shape(static: [1, side]))
        graph.appendOutput(current)
        return finish(Model(graph: graph))
    }

    /// `makeNodesModel()` as a re-export would write it: renamed, reordered,
    /// with one attribute of a node in the middle changed.
    public static func makeReexportedNodesModel() throws -> Model {
        let model = try makeNodesModel()
        let graph = model.graph!
        let outputs = Set(graph.outputs.map(ObjectIdentifier.init))
        for (index, node) in graph.nodes.enumerated() {
            node.name = "node_\(index)"
            for output in node.outputs where !outputs.contains(ObjectIdentifier(output)) { output.name = "t\(index)" }
        }
        if let middle = graph.nodes[(graph.nodes.count / 2)...].first(where: { $0.attributes.first?.f != nil }) {
            middle.attributes[0].f! += 0.25
        }
        try graph.setNodes(graph.nodes.reversed())
        return model
    }

    /// A chain of 20,000 element-wise nodes over a [1, 16] float tensor,
    /// cycling through Add (with a constant), HardSigmoid (alpha, beta),
    /// Mul (with a constant), Selu (alpha, gamma), Shrink (bias, lambd):
    /// short names, 1.2 attributes per node on average. Valid ONNX (opset 21).
    public static func makeNodesModel() throws -> Model {
        let graph = Graph(name: "nodes20k")
        let x = Value(name: "x", type: .tensor(.float, Shape(static: [1, 16])))
        graph.appendInput(x)
        func constant(_ name: String, _ value: Float) -> Value {
            let v = Value(name: name)
            let bytes = (0..<16).flatMap { _ in withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }
            v.initializer = Tensor(name: name, dataType: .float, dims: [16], rawData: bytes)
            return v
        }
        let bias = constant("b", 0.25)
        let scale = constant("s", 0.75)
        graph.appendInitializer(bias)
        graph.appendInitializer(scale)
        var current = x
        for index in 0..<nodeCount {
            let node: Node
            let name = "n\(index)"
            let output = "v\(index)"
            switch index % 5 {
            case 0: node = Node(opType: "Add", name: name, inputs: [current, bias], outputs: [output])
            case 1:
                node = Node(
                    opType: "HardSigmoid", name: name, inputs: [current], outputs: [output],
                    attributes: [.float("alpha", 0.2), .float("beta", 0.5)])
            case 2: node = Node(opType: "Mul", name: name, inputs: [current, scale], outputs: [output])
            case 3:
                node = Node(
                    opType: "Selu", name: name, inputs: [current], outputs: [output],
                    attributes: [.float("alpha", 1.67), .float("gamma", 1.05)])
            default:
                node = Node(
                    opType: "Shrink", name: name, inputs: [current], outputs: [output],
                    attributes: [.float("bias", 0.0), .float("lambd", 0.5)])
            }
            try graph.append(node)
            current = node.outputs[0]
        }
        current.type = .tensor(.float, Shape(static: [1, 16]))
        graph.appendOutput(current)
        return finish(Model(graph: graph))
    }

    private static func finish(_ model: Model) -> Model {
        model.irVersion = 10
        model.opsetImports = [OpsetImport(domain: "", version: 21)]
        model.producerName = "onyx-benchmarks"
        return model
    }
}

/// xorshift64*: cheap, deterministic, incompressible enough.
struct XorShift {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
    /// Uniform in [-1, 1).
    mutating func nextFloat() -> Float { Float(Int32(truncatingIfNeeded: next() >> 32)) / 2_147_483_648 }
}

// MARK: - Files and memory

public func fileSize(_ path: String) -> Int {
    var info = stat()
    return stat(path, &info) == 0 ? Int(info.st_size) : -1
}

/// Reads the whole file with read(2) into a fresh buffer the caller frees:
/// the "read bytes" baseline for `load`.
public func readWholeFile(_ path: String) -> UnsafeMutableRawBufferPointer {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    precondition(fd >= 0, "cannot open \(path)")
    defer { close(fd) }
    let size = fileSize(path)
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 16)
    var done = 0
    while done < size {
        let n = read(fd, buffer.baseAddress! + done, min(size - done, 1 << 30))
        if n < 0, errno == EINTR { continue }
        precondition(n > 0, "read failed on \(path)")
        done += n
    }
    return UnsafeMutableRawBufferPointer(rebasing: buffer[0..<size])
}

/// Writes `bytes` to `path` (created or truncated) with write(2): the
/// "write bytes" baseline for `save`.
public func writeWholeFile(_ path: String, _ bytes: UnsafeRawBufferPointer) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    precondition(fd >= 0, "cannot create \(path)")
    var done = 0
    while done < bytes.count {
        let n = write(fd, bytes.baseAddress! + done, min(bytes.count - done, 1 << 30))
        if n < 0, errno == EINTR { continue }
        precondition(n > 0, "write failed on \(path)")
        done += n
    }
    close(fd)
}

/// Hands memory that malloc keeps for reuse back to the system (glibc
/// `malloc_trim(0)`), so that the next iteration faults in fresh pages like
/// a one-shot load in a new process, instead of reusing warm ones.
public func releaseFreeMemory() {
    _ = cbench_release_free_memory()
}

/// `RssAnon` from /proc/self/status, in bytes (0 where unavailable):
/// resident anonymous memory, which excludes mapped file pages.
public func rssAnonBytes() -> Int {
    statusField("RssAnon:")
}

/// `RssFile` from /proc/self/status, in bytes.
public func rssFileBytes() -> Int {
    statusField("RssFile:")
}

private func statusField(_ key: String) -> Int {
    let fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return 0 }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 8192)
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
    guard n > 0 else { return 0 }
    let text = String(decoding: buffer[0..<n], as: UTF8.self)
    for line in text.split(separator: "\n") where line.hasPrefix(key) {
        let digits = line.dropFirst(key.count).filter(\.isNumber)
        return (Int(digits) ?? 0) * 1024 // the kernel reports kB
    }
    return 0
}
