import Foundation
import OnyxConformanceSupport
import OnyxIR
import OnyxONNX
import OnyxRuntime
import OnyxVerify
import Testing

/// Every node-suite case the runtime passes (all but those in
/// `conformance/known-failures.txt`) verifies through every format on its
/// own data sets: structurally identical and numerically equal, or lossy
/// only where the textual syntax cannot carry something.
@Suite struct NodeSuiteVerifyTests {
    static var knownFailures: Set<String> {
        let path = ConformanceData.repositoryRoot.appendingPathComponent("conformance/known-failures.txt").path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return Set(text.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return nil }
            // "? name  reason" lists a test that may pass or fail.
            return trimmed.split(separator: " ").first { $0 != "?" }.map(String.init)
        })
    }

    /// The data sets of a backend test folder, inputs only (in the order
    /// of the graph inputs without initializers).
    static func inputSets(of folder: URL, model: Model) throws -> [InputSet] {
        let inputs = (model.graph?.inputs ?? []).filter { $0.initializer == nil }
        let sets = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("test_data_set_") }.sorted()
        return try sets.map { set in
            var feeds: [String: RuntimeValue] = [:]
            for (index, input) in inputs.enumerated() {
                let file = folder.appendingPathComponent("\(set)/input_\(index).pb")
                guard let data = FileManager.default.contents(atPath: file.path) else { continue }
                feeds[input.name] = try RuntimeValue(try DataValueCodec.decode([UInt8](data), as: input.type))
            }
            return InputSet(name: set, feeds: feeds)
        }
    }

    @Test func everyPassingCaseVerifiesThroughEveryFormat() throws {
        try #require(ConformanceData.isAvailable, "\(ConformanceData.missingMessage)")
        let node = ConformanceData.directory.appendingPathComponent("node")
        let skipped = Self.knownFailures
        let names = try FileManager.default.contentsOfDirectory(atPath: node.path).filter { !skipped.contains($0) }.sorted()
        var failures: [String] = []
        var verified = 0, lossy = 0
        for name in names {
            let folder = node.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.onnx").path) else { continue }
            let model = try ModelFile.load(folder.appendingPathComponent("model.onnx").path)
            let report = Verifier().roundTrips(model, named: name, inputs: try Self.inputSets(of: folder, model: model))
            switch report.verdict {
            case .verified:
                verified += 1
                if report.formats.contains(where: { $0.verdict == .lossy }) { lossy += 1 }
            case .mismatch:
                let formats = report.formats.filter { $0.verdict == .mismatch }
                failures.append(
                    "\(name): " + formats.map { "\($0.format.rawValue) (\($0.problem ?? "outputs or structure differ"))" }
                        .joined(separator: ", "))
            case .notVerifiable:
                failures.append("\(name): not verifiable: \(report.problem ?? "")")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(names.count) cases:\n\(failures.joined(separator: "\n"))")
        #expect(verified > 1000, "only \(verified) cases verified")
        print("node suite: \(verified) cases verified through every format (\(lossy) lossy in the textual syntax)")
    }
}
