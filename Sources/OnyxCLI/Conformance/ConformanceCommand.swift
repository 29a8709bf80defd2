import ArgumentParser
import Dispatch
import OnyxIR
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `onyx conformance DIR...`: runs ONNX backend-style test folders on the
/// reference runtime.
struct ConformanceCommand: ConsoleCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Run ONNX backend-style test folders on the reference runtime and compare the outputs.",
        discussion: """
            Each DIR is a test (a folder with model.onnx and test_data_set_N folders of input_K.pb and \
            output_K.pb) or a folder of tests. Outputs are compared as onnx's backend runner does: the same \
            element type and shape, floats within rtol 1e-3 and atol 1e-7 (bfloat16 rtol 2^-6; --rtol and \
            --atol change them) with NaN equal to NaN, everything else exactly. A line is printed per failing test, then "N passed, N failed, \
            N skipped". With --known-failures FILE (lines "test_name  reason"), a listed test that fails is \
            expected; the run fails on any other failure and on a listed test that now passes, so that the \
            list stays true. A line "? test_name  reason" lists a test that may pass or fail (its verdict \
            depends on the machine). Exit status: 0 all passed (or as listed), 1 a test failed (or a listed one \
            passed), 2 the folders could not be read.

            Examples:
              onyx conformance .cache/onnx-tests/node --filter relu
              onyx conformance .cache/onnx-tests/node --known-failures conformance/known-failures.txt --jobs 2
            """
    )

    @Argument(help: "Test folders, or folders of test folders.")
    var paths: [String]

    @Option(help: "Run only the tests whose folder name contains this text.")
    var filter: String?

    @Option(help: "Tests run at once (default 1).")
    var jobs: Int = 1

    @Option(help: "A list of tests expected to fail, one per line: the test's folder name, then the reason.")
    var knownFailures: String?

    @Option(help: "Relative tolerance for floats (default 1e-3, bfloat16 2^-6).")
    var rtol: Double?

    @Option(help: "Absolute tolerance for floats (default 1e-7).")
    var atol: Double?

    @Flag(help: "Print the results as JSON (schemaVersion 1).")
    var json = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs takes a count of at least 1") }
    }

    func execute(_ console: Console) throws -> ExitStatus {
        common.apply(to: console)
        var tests = ConformanceRunner.tests(in: paths)
        if let filter { tests = tests.filter { name(of: $0).contains(filter) } }
        guard !tests.isEmpty else { throw CommandFailure("no test folders (with a model.onnx) under \(paths.joined(separator: ", "))") }
        let expected = try knownFailures.map(Self.readKnownFailures) ?? [:]
        let tolerance = rtol == nil && atol == nil ? nil : ElementTolerance(rtol: rtol ?? 1e-3, atol: atol ?? 1e-7)
        let outcomes = Mutex([ConformanceRunner.Outcome?](repeating: nil, count: tests.count))
        // Worker threads do not inherit task locals: the budgets go along.
        let budgets = Budgets.current
        DispatchQueue.concurrentPerform(iterations: jobs) { worker in
            for index in stride(from: worker, to: tests.count, by: jobs) {
                let outcome = Budgets.$current.withValue(budgets) {
                    ConformanceRunner.run(tests[index], tolerance: tolerance)
                }
                outcomes.withLock { $0[index] = outcome }
            }
        }
        let results = outcomes.withLock { $0 }.map { $0 ?? .failed("not run") }
        var passed = 0, failed = 0, skipped = 0, unexpected = 0, fixed: [String] = []
        var report: [ConformanceReport.Test] = []
        for (test, outcome) in zip(tests, results) {
            let testName = name(of: test)
            let mayPass = expected[testName]
            let listed = mayPass != nil
            switch outcome {
            case .passed:
                passed += 1
                // A listed test whose outputs are unseeded random draws can
                // pass by chance (a Bernoulli of 10 draws does about one run
                // in 160): not a sign the list is stale.
                if mayPass == false, !ConformanceRunner.drawsUnseededRandomNumbers(test) { fixed.append(testName) }
                report.append(.init(name: testName, result: "passed", reason: nil, expected: listed))
            case .failed(let reason):
                failed += 1
                if !listed { unexpected += 1 }
                if !json && (!listed || knownFailures == nil) { console.out("FAIL \(testName): \(reason)\n") }
                report.append(.init(name: testName, result: "failed", reason: reason, expected: listed))
            case .skipped(let reason):
                skipped += 1
                report.append(.init(name: testName, result: "skipped", reason: reason, expected: listed))
            }
        }
        let summary = "\(passed) passed, \(failed) failed, \(skipped) skipped"
            + (knownFailures != nil ? " (\(failed - unexpected) of the failures listed as known)" : "")
        if json {
            console.out(try JSONOutput.encode(ConformanceReport(passed: passed, failed: failed, skipped: skipped, tests: report)))
        } else {
            for test in fixed { console.out("PASS \(test): listed as a known failure; take it off the list\n") }
            console.out(summary + "\n")
        }
        return unexpected == 0 && fixed.isEmpty ? .success : .negative
    }

    private func name(of folder: String) -> String { String(folder.split(separator: "/").last ?? "") }

    /// The tests of a list of `name  reason` and `? name  reason` lines
    /// (blank lines and lines starting with # skipped), each with whether
    /// it may pass too: listed with `?`, its verdict depends on the
    /// machine, so a pass does not make the list stale. The reasons are
    /// for the reader.
    static func readKnownFailures(_ path: String) throws -> [String: Bool] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("cannot read the known-failures list \(path)")
        }
        var list: [String: Bool] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            var text = line.trimmingWhitespace()
            guard !text.isEmpty, !text.hasPrefix("#") else { continue }
            let mayPass = text.hasPrefix("? ")
            if mayPass { text = text.dropFirst(2).trimmingWhitespace() }
            list[String(text.prefix { $0 != " " })] = mayPass
        }
        return list
    }
}

/// `onyx conformance --json`.
struct ConformanceReport: Encodable {
    struct Test: Encodable {
        var name: String
        var result: String
        var reason: String?
        var expected: Bool
    }

    var schemaVersion = 1
    var passed: Int
    var failed: Int
    var skipped: Int
    var tests: [Test]
}
