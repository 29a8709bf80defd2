import OnyxDiff
import OnyxIR
import OnyxRuntime

/// The inputs of one run, by graph input name, and (when they are stored)
/// the outputs expected, in graph-output order.
public struct InputSet: Sendable {
    /// `random seed 0`, `test_data_set_0`, `given`: how reports name it.
    public var name: String
    public var feeds: [String: RuntimeValue]
    public var expected: [RuntimeValue?]?

    public init(name: String, feeds: [String: RuntimeValue], expected: [RuntimeValue?]? = nil) {
        self.name = name
        self.feeds = feeds
        self.expected = expected
    }
}

/// How far a verification has got, for a progress bar.
public struct VerifyProgress: Sendable {
    public var done: Int
    public var total: Int
    /// What is being done now: `running the original`, `json: converting`.
    public var step: String
}

/// Verifies models numerically with the reference runtime: through every
/// format (`roundTrips`), against a second model (`compare(_:_:)`), or
/// against outputs from elsewhere (`compare(_:with:)`). Every result is
/// data (`VerifyReport`); nothing is printed.
///
/// No work is done twice: each model is planned once and run once per
/// input set, each format converted once.
public struct Verifier {
    public var tolerance: VerifyTolerance
    /// Threads for the runtime's kernels.
    public var threads: Int
    /// Called as each step starts (and once at the end).
    public var progress: ((VerifyProgress) -> Void)?

    public init(tolerance: VerifyTolerance = VerifyTolerance(), threads: Int = 1) {
        self.tolerance = tolerance
        self.threads = threads
    }

    // MARK: Round trips

    /// Writes `model` in each of `formats`, reads it back, and compares
    /// the two: as graphs, through the diff, and by running both on each
    /// input set. The original is run once per set.
    public func roundTrips(_ model: Model, named name: String, formats: [VerifyFormat] = VerifyFormat.allCases, inputs: [InputSet])
        -> VerifyReport
    {
        let clock = ContinuousClock(), started = clock.now
        var report = VerifyReport(verdict: .verified, model: name)
        report.inputSetSummaries(inputs)
        var counter = Counter(total: inputs.count + formats.count * (2 + inputs.count), progress: progress)
        counter.step("planning the model")
        let reference: [[(name: String, value: RuntimeValue?)]]
        do throws(VerifyError) {
            var outputs: [[(name: String, value: RuntimeValue?)]] = []
            // Planning is part of a run's cost (weights decoded, constants folded).
            report.runSeconds = try timed { () throws(VerifyError) in
                let runner = try plan(model)
                for set in inputs {
                    counter.step("running the original on \(set.name)")
                    outputs.append(try run(runner, set.feeds))
                }
            }
            reference = outputs
        } catch {
            return report.notVerifiable(error, since: started)
        }
        for format in formats {
            var result = FormatResult(format: format, verdict: .verified, losses: format.losses(of: model))
            defer { report.formats.append(result) }
            counter.step("\(format.rawValue): converting")
            var converted: Model?
            result.convertSeconds = timed {
                do throws(RoundTrip.Failure) { converted = try RoundTrip.convert(model, through: format) } catch {
                    switch error {
                    case .write(let why): result.problem = "the \(format.title) writer refused the model: \(why)"
                    case .read(let why): result.problem = "what the \(format.title) writer wrote does not read back: \(why)"
                    }
                }
            }
            guard let converted else {
                result.verdict = result.losses.isEmpty ? .mismatch : .lossy
                counter.skip(1 + inputs.count)
                continue
            }
            counter.step("\(format.rawValue): comparing structure")
            result.diffSeconds = timed {
                result.structure = ModelDiffer(options: DiffOptions(rtol: 0, atol: 0)).diff(
                    model, converted, nameA: name, nameB: format.rawValue)
            }
            do throws(VerifyError) {
                result.runSeconds = try timed { () throws(VerifyError) in
                    let runner = try plan(converted)
                    for (set, expected) in zip(inputs, reference) {
                        counter.step("\(format.rawValue): running on \(set.name)")
                        let outputs = try run(runner, set.feeds)
                        result.outputs += zip(outputs, expected).map { actual, wanted in
                            OutputResult(
                                inputSet: set.name, name: actual.name, referenceName: nil,
                                tensors: compare(actual.value, wanted.value))
                        }
                    }
                }
            } catch {
                result.problem = "the model read back does not run: \(error.diagnostic.description)"
            }
            if !result.structurallyIdentical || !result.numericallyEqual {
                result.verdict = result.losses.isEmpty ? .mismatch : .lossy
            }
        }
        counter.finish()
        if report.formats.contains(where: { $0.verdict == .mismatch }) { report.verdict = .mismatch }
        report.totalSeconds = (clock.now - started).seconds
        return report
    }

    // MARK: Comparisons

    /// Runs `a` and `b` on each input set (fed to `b` through the inputs
    /// the diff pairs with `a`'s: by name, else by position) and compares
    /// their paired outputs. When they differ, `localize` finds the first
    /// node where they part ways.
    public func compare(_ a: Model, _ b: Model, names: (String, String), inputs: [InputSet], localize: Bool = true)
        -> VerifyReport
    {
        let clock = ContinuousClock(), started = clock.now
        var report = VerifyReport(verdict: .verified, model: names.0, reference: names.1)
        report.inputSetSummaries(inputs)
        var counter = Counter(total: 2 * inputs.count + (localize ? 2 : 0), progress: progress)
        guard let graphA = a.graph, let graphB = b.graph else {
            return report.notVerifiable(VerifyError("a model has no graph"), since: started)
        }
        let matcher = GraphMatcher(graphA, graphB)
        let runnerA: ModelRunner, runnerB: ModelRunner
        do throws(VerifyError) {
            counter.step("planning the models")
            runnerA = try plan(a, label: names.0)
            runnerB = try plan(b, label: names.1)
        } catch {
            return report.notVerifiable(error, since: started)
        }
        // Inputs of b by the name of their partner in a.
        var inputOfB: [String: String] = [:]
        for (va, vb) in matcher.inputPairs { if let va, let vb { inputOfB[va.name] = vb.name } }
        var firstMismatch: InputSet?
        for set in inputs {
            let feedsB = Dictionary(set.feeds.map { (inputOfB[$0.key] ?? $0.key, $0.value) }, uniquingKeysWith: { x, _ in x })
            let outputsA: [(name: String, value: RuntimeValue?)], outputsB: [(name: String, value: RuntimeValue?)]
            do throws(VerifyError) {
                counter.step("running \(names.0) on \(set.name)")
                var ranA: [(name: String, value: RuntimeValue?)] = []
                report.runSeconds += try timed { () throws(VerifyError) in ranA = try run(runnerA, set.feeds) }
                outputsA = ranA
                counter.step("running \(names.1) on \(set.name)")
                outputsB = try run(runnerB, feedsB)
            } catch {
                return report.notVerifiable(error, since: started)
            }
            let results = pairedOutputs(matcher, outputsA, outputsB, set: set.name)
            report.outputs += results
            if firstMismatch == nil, !results.allSatisfy(\.passed) { firstMismatch = set }
        }
        if let set = firstMismatch {
            report.verdict = .mismatch
            if localize {
                counter.step("localizing the divergence on \(set.name)")
                report.divergence = try? Localizer(
                    matcher: matcher, tolerance: tolerance, runners: (runnerA, runnerB), inputOfB: inputOfB
                ).divergence(on: set)
            }
        }
        counter.finish()
        report.totalSeconds = (clock.now - started).seconds
        return report
    }

    /// Runs `model` on each input set and compares its outputs with the
    /// set's `expected` ones (stored outputs, another runtime's), by
    /// position.
    public func compare(_ model: Model, named name: String, with reference: String, inputs: [InputSet]) -> VerifyReport {
        let clock = ContinuousClock(), started = clock.now
        var report = VerifyReport(verdict: .verified, model: name, reference: reference)
        report.inputSetSummaries(inputs)
        var counter = Counter(total: inputs.count, progress: progress)
        do throws(VerifyError) {
            let runner = try plan(model)
            for set in inputs {
                counter.step("running on \(set.name)")
                var outputs: [(name: String, value: RuntimeValue?)] = []
                report.runSeconds += try timed { () throws(VerifyError) in outputs = try run(runner, set.feeds) }
                let expected = set.expected ?? []
                for (index, output) in outputs.enumerated() {
                    let wanted = index < expected.count ? expected[index] : nil
                    var result = OutputResult(
                        inputSet: set.name, name: output.name, tensors: compare(output.value, wanted))
                    if index >= expected.count {
                        result.tensors = [TensorComparison(tolerance: .exact, problem: "no stored output to compare with")]
                    }
                    report.outputs.append(result)
                }
            }
        } catch {
            return report.notVerifiable(error, since: started)
        }
        counter.finish()
        if !report.outputs.allSatisfy(\.passed) { report.verdict = .mismatch }
        report.totalSeconds = (clock.now - started).seconds
        return report
    }

    // MARK: Helpers

    /// Outputs paired as the diff pairs them (by name, else by position).
    private func pairedOutputs(
        _ matcher: GraphMatcher, _ a: [(name: String, value: RuntimeValue?)], _ b: [(name: String, value: RuntimeValue?)],
        set: String
    ) -> [OutputResult] {
        let valuesA = Dictionary(a.map { ($0.name, $0.value) }, uniquingKeysWith: { x, _ in x })
        let valuesB = Dictionary(b.map { ($0.name, $0.value) }, uniquingKeysWith: { x, _ in x })
        return matcher.outputPairs.map { pair in
            let name = pair.a?.name ?? "(none)", other = pair.b?.name
            guard let va = pair.a, let vb = pair.b else {
                let why = pair.a == nil ? "only the second model has this output" : "the second model has no such output"
                return OutputResult(
                    inputSet: set, name: pair.a?.name ?? other ?? "", referenceName: other,
                    tensors: [TensorComparison(tolerance: .exact, problem: why)])
            }
            return OutputResult(
                inputSet: set, name: name, referenceName: vb.name == va.name ? nil : vb.name,
                tensors: compare(valuesA[va.name] ?? nil, valuesB[vb.name] ?? nil))
        }
    }

    func compare(_ actual: RuntimeValue?, _ expected: RuntimeValue?) -> [TensorComparison] {
        ValueComparison.compare(actual, expected, tolerance: tolerance.tolerance(for:))
    }

    /// The model planned; a model the runtime cannot run (an op without a
    /// kernel, a domain with no function) is not verifiable.
    private func plan(_ model: Model, label: String? = nil) throws(VerifyError) -> ModelRunner {
        do { return try ModelRunner(model, threads: threads) } catch {
            var failure = VerifyError(error)
            if let label { failure.diagnostic.message = "\(label): " + failure.diagnostic.message }
            failure.diagnostic.message = "not verifiable: " + failure.diagnostic.message
            throw failure
        }
    }

    private func run(_ runner: ModelRunner, _ feeds: [String: RuntimeValue]) throws(VerifyError)
        -> [(name: String, value: RuntimeValue?)]
    {
        do { return try runner.run(values: feeds) } catch { throw VerifyError(error) }
    }

    private func timed<E: Error>(_ body: () throws(E) -> Void) throws(E) -> Double {
        let start = ContinuousClock.now
        try body()
        return (ContinuousClock.now - start).seconds
    }
}

/// Counts steps for `Verifier.progress`.
private struct Counter {
    let total: Int
    let progress: ((VerifyProgress) -> Void)?
    var done = 0

    mutating func step(_ what: String) {
        progress?(VerifyProgress(done: done, total: total, step: what))
        done += 1
    }

    mutating func skip(_ count: Int) { done += count }

    func finish() { progress?(VerifyProgress(done: total, total: total, step: "done")) }
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}

extension VerifyReport {
    fileprivate mutating func inputSetSummaries(_ sets: [InputSet]) {
        inputSets = sets.map { set in
            InputSetSummary(
                name: set.name,
                inputs: set.feeds.keys.sorted().map { InputSetSummary.Input(name: $0, type: set.feeds[$0]!.summary) })
        }
    }

    fileprivate func notVerifiable(_ error: VerifyError, since started: ContinuousClock.Instant) -> VerifyReport {
        var report = self
        report.verdict = .notVerifiable
        report.problem = error.diagnostic.description
        report.totalSeconds = (ContinuousClock.now - started).seconds
        return report
    }
}

extension RuntimeValue {
    /// `FLOAT[1,3,224,224]`, `seq(tensor(INT64)) of 3`, `map(STRING, FLOAT) of 2`, `optional (empty)`.
    var summary: String {
        switch self {
        case .tensor(let tensor):
            return "\(tensor.dataType)[\(tensor.shape.map(String.init).joined(separator: ","))]"
        case .sequence(let sequence):
            return "seq(\(sequence.elementType?.description ?? "?")) of \(sequence.elements.count)"
        case .map(let map):
            return "map(\(map.keys.dataType), \(map.values.dataType)) of \(map.keys.count)"
        case .emptyOptional:
            return "optional (empty)"
        }
    }
}
