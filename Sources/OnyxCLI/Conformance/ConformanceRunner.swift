#if canImport(FoundationEssentials)
import FoundationEssentials
import Glibc
#else
import Foundation
#endif
import OnyxIR
import OnyxONNX
import OnyxRuntime

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
/// NaN equal to NaN; integers, booleans and strings exactly.
public enum OutputComparison {
    /// Why `actual` is not `expected`, or nil when it is: sequences element
    /// by element, maps key by key, optionals by presence then value.
    public static func difference(_ actual: RuntimeValue, _ expected: RuntimeValue, tolerance: ElementTolerance? = nil)
        -> String?
    {
        switch (actual, expected) {
        case (.tensor(let a), .tensor(let e)):
            return difference(a, e, tolerance: tolerance)
        case (.sequence(let a), .sequence(let e)):
            guard a.elements.count == e.elements.count else {
                return "a sequence of \(a.elements.count) elements, expected \(e.elements.count)"
            }
            for (index, (x, y)) in zip(a.elements, e.elements).enumerated() {
                if let difference = difference(x, y, tolerance: tolerance) { return "element \(index): \(difference)" }
            }
            return nil
        case (.map(let a), .map(let e)):
            guard a.keys.dataType == e.keys.dataType, a.values.dataType == e.values.dataType else {
                return "a map(\(a.keys.dataType), \(a.values.dataType)), expected map(\(e.keys.dataType), \(e.values.dataType))"
            }
            let sortedActual = a.sortedByKey(), sortedExpected = e.sortedByKey()
            if let difference = difference(sortedActual.keys, sortedExpected.keys, tolerance: .exact) { return "keys: \(difference)" }
            if let difference = difference(sortedActual.values, sortedExpected.values, tolerance: tolerance) {
                return "values (by key): \(difference)"
            }
            return nil
        case (.emptyOptional, .emptyOptional):
            return nil
        default:
            return "\(actual.kindDescription), expected \(expected.kindDescription)"
        }
    }

    /// Why tensor `actual` is not `expected`, or nil when it is; `tolerance`
    /// replaces the backend runner's for floats.
    public static func difference(_ actual: DenseTensor, _ expected: DenseTensor, tolerance given: ElementTolerance? = nil)
        -> String?
    {
        guard actual.dataType == expected.dataType else {
            return "element type \(actual.dataType), expected \(expected.dataType)"
        }
        guard actual.shape == expected.shape else { return "shape \(actual.shape), expected \(expected.shape)" }
        let rtol = actual.dataType == .bfloat16 ? 1.0 / 64 : 1e-3
        let tolerance = isFloating(actual.dataType) ? given ?? ElementTolerance(rtol: rtol, atol: 1e-7) : .exact
        guard let comparison = ElementComparison(actual.elements, expected.elements, tolerance: tolerance) else {
            return "elements cannot be compared"
        }
        guard !comparison.isEqual else { return nil }
        let index = comparison.firstDifference ?? 0
        let shown = actual.elements.values.descriptions(limit: index + 1).last ?? "?"
        let wanted = expected.elements.values.descriptions(limit: index + 1).last ?? "?"
        return "\(comparison.differing) of \(comparison.total) elements differ (first at \(index): \(shown), expected \(wanted)"
            + (comparison.maxAbsDiff.map { "; max abs diff \($0)" } ?? "") + ")"
    }

    private static let floating: Set<DataType> = [
        .float, .double, .float16, .bfloat16, .complex64, .complex128, .float8e4m3fn, .float8e4m3fnuz, .float8e5m2,
        .float8e5m2fnuz, .float8e8m0, .float4e2m1, .float6e2m3, .float6e3m2,
    ]

    private static func isFloating(_ type: DataType) -> Bool { floating.contains(type) }
}
