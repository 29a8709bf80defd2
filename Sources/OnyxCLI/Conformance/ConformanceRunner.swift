#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxIR
import OnyxONNX
import OnyxRuntime
import OnyxVerify

/// ONNX backend-style test folders (`model.onnx` beside `test_data_set_N`
/// folders of `input_K.pb` and `output_K.pb`) run on the runtime and
/// compared as onnx's backend runner compares them.
public enum ConformanceRunner {
    /// How one test folder went.
    public enum Outcome: Equatable, Sendable {
        case passed
        case failed(String)
        case skipped(String)
    }

    /// The test folders under `paths`: a folder with a `model.onnx` is one
    /// test; any other folder holds tests one level down. Sorted by name.
    public static func tests(in paths: [String]) -> [String] {
        var found: [String] = []
        for path in paths {
            if isFile(path + "/model.onnx") {
                found.append(path)
            } else {
                found += entries(of: path).map { path + "/" + $0 }.filter { isFile($0 + "/model.onnx") }
            }
        }
        return found.sorted()
    }

    /// Runs the test in `folder` on every data set; floats compare within
    /// `tolerance` (onnx's backend runner's by default).
    public static func run(_ folder: String, threads: Int = 1, tolerance: ElementTolerance? = nil) -> Outcome {
        let model: Model
        do { model = try ModelFile.load(folder + "/model.onnx") } catch { return .failed("loading the model: \(error)") }
        guard let graph = model.graph else { return .failed("the model has no graph") }
        let runner: ModelRunner
        do { runner = try ModelRunner(model, threads: threads) } catch { return .failed("\(error)") }
        let inputs = graph.inputs.filter { $0.initializer == nil }
        let sets = entries(of: folder).filter { $0.hasPrefix("test_data_set_") }.sorted()
        guard !sets.isEmpty else { return .skipped("no test_data_set_N folder") }
        for set in sets {
            let directory = folder + "/" + set
            do {
                let given = try numbered("input", in: directory)
                let expected = try numbered("output", in: directory)
                var feeds: [String: RuntimeValue] = [:]
                for (index, bytes) in given.enumerated() where index < inputs.count {
                    feeds[inputs[index].name] = try RuntimeValue(try DataValueCodec.decode(bytes, as: inputs[index].type))
                }
                let outputs = try runner.run(values: feeds)
                guard outputs.count == expected.count else {
                    return .failed("\(set): the model has \(outputs.count) outputs, the data set \(expected.count)")
                }
                for (index, (name, actual)) in outputs.enumerated() {
                    let wanted = try RuntimeValue(try DataValueCodec.decode(expected[index], as: graph.outputs[index].type))
                    guard let actual else { return .failed("\(set): output '\(name)' was not computed") }
                    if let difference = OutputComparison.difference(actual, wanted, tolerance: tolerance) {
                        return .failed("\(set): output '\(name)': \(difference)")
                    }
                }
            } catch let error as RuntimeError {
                return .failed("\(set): \(error)")
            } catch {
                return .failed("\(set): \(error)")
            }
        }
        return .passed
    }

    /// Whether the test's model has a random operator without a seed (in
    /// its graphs or functions): its outputs are draws, equal to the
    /// expected ones only by chance.
    public static func drawsUnseededRandomNumbers(_ folder: String) -> Bool {
        guard let model = try? ModelFile.load(folder + "/model.onnx", loadExternalData: false) else { return false }
        func unseeded(_ graph: Graph) -> Bool {
            graph.nodes.contains { node in
                (KernelTable.randomOperators.contains(node.opType ?? "") && node.attribute("seed") == nil)
                    || node.subgraphs.contains(where: unseeded)
            }
        }
        return (model.graph.map(unseeded) ?? false) || model.functions.contains { unseeded($0.body) }
    }

    /// The contents of the `prefix_K.pb` files of `directory` in order of K.
    private static func numbered(_ prefix: String, in directory: String) throws -> [[UInt8]] {
        try numberedFiles(prefix, in: directory).map { try readBytes(directory + "/" + $0.name) }
    }

    /// The `prefix_K.pb` files of a backend-style data set (`input_0.pb`,
    /// `input_1.pb`, …, `input_10.pb`), in order of K.
    static func numberedFiles(_ prefix: String, in directory: String) -> [(number: Int, name: String)] {
        entries(of: directory).compactMap { name -> (number: Int, name: String)? in
            guard name.hasPrefix(prefix + "_"), name.hasSuffix(".pb"),
                let number = Int(name.dropFirst(prefix.count + 1).dropLast(3))
            else { return nil }
            return (number, name)
        }.sorted { $0.number < $1.number }
    }

    private static func readBytes(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure("cannot read \(path)") }
        return [UInt8](data)
    }

    private static func entries(of path: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    }

    private static func isFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG
    }
}

/// Output comparison as onnx's backend runner makes it: same element type
/// and shape; floats within rtol 1e-3 and atol 1e-7 (bfloat16 rtol 2^-6),
/// NaN equal to NaN; integers, booleans and strings exactly. The
/// comparison itself is `onyx verify`'s (`ValueComparison`); only the
/// tolerances and the one-line message are the backend runner's.
public enum OutputComparison {
    /// Why `actual` is not `expected`, or nil when it is: sequences element
    /// by element, maps key by key, optionals by presence then value.
    public static func difference(_ actual: RuntimeValue, _ expected: RuntimeValue, tolerance: ElementTolerance? = nil)
        -> String?
    {
        let parts = ValueComparison.compare(actual, expected) { type in Self.tolerance(for: type, given: tolerance) }
        return parts.first { !$0.passed }.map(message)
    }

    /// Why tensor `actual` is not `expected`, or nil when it is; `tolerance`
    /// replaces the backend runner's for floats.
    public static func difference(_ actual: DenseTensor, _ expected: DenseTensor, tolerance given: ElementTolerance? = nil)
        -> String?
    {
        difference(.tensor(actual), .tensor(expected), tolerance: given)
    }

    private static func tolerance(for type: DataType, given: ElementTolerance?) -> ElementTolerance {
        guard VerifyTolerance.isFloating(type) else { return .exact }
        return given ?? ElementTolerance(rtol: type == .bfloat16 ? 1.0 / 64 : 1e-3, atol: 1e-7)
    }

    private static func message(_ part: TensorComparison) -> String {
        let place = part.path.map { step in
            switch step {
            case .element(let index): return "element \(index): "
            case .keys: return "keys: "
            case .values: return "values (by key): "
            }
        }.joined()
        if let problem = part.problem { return place + problem }
        let first = part.firstMismatch
        return place + "\(part.mismatches) of \(part.elements) elements differ (first at \(first?.offset ?? 0): "
            + "\(first?.actual ?? "?"), expected \(first?.expected ?? "?")"
            + (part.maxAbsError.map { "; max abs diff \($0)" } ?? "") + ")"
    }
}
