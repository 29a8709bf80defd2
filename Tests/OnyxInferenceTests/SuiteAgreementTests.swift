import Foundation
import OnyxConformanceSupport
import OnyxIR
import OnyxInference
import OnyxONNX
import Testing

/// Inference on every model of the node suite against what the suite
/// declares for the graph outputs and the tensors its reference computed
/// for them: never a different element type, rank or dim, and never a
/// conflict where onnx found none. The counts of outputs
/// typed and shaped only grow as op families are added.
@Suite struct SuiteAgreementTests {
    struct Tally {
        var outputs = 0, typed = 0, shaped = 0
        var disagreements: [String] = []
        /// Outputs typed but not fully shaped ("case output"), with the
        /// reason when the test can tell it (nil: the list must give it).
        var unshaped: [String: String?] = [:]
    }

    static func tally() throws -> Tally {
        var tally = Tally()
        for file in ConformanceData.modelFiles where file.path.contains("/node/") {
            let model = try ModelFile.load(file.path, loadExternalData: false)
            let case_ = file.deletingLastPathComponent().lastPathComponent
            // What the suite declares for the outputs is the answer: hidden
            // from inference, then compared.
            let produced = (model.graph?.outputs ?? []).filter { $0.producer != nil }
            let answers = produced.map(\.type)
            var withConstants: [String: TypeInfo]?
            for output in produced { output.type = nil }
            for finding in ShapeInference().infer(model) { tally.disagreements.append("\(case_): \(finding.message)") }
            let outputs = model.graph?.outputs ?? []
            for (output, answer) in zip(produced, answers) {
                tally.outputs += 1
                guard let inferred = output.inferredType, let declared = answer else { continue }
                if let problem = disagreement(inferred, declared) {
                    tally.disagreements.append("\(case_) output '\(output.name)': \(problem)")
                    continue
                }
                // The tensor the reference computed for this output, too.
                if declared.tensorShape != nil, let slot = outputs.firstIndex(where: { $0 === output }),
                    let expected = try? expectedTensor(file.deletingLastPathComponent(), slot),
                    let problem = disagreement(inferred, TypeInfo(.tensor(elementType: expected.dataType, shape: Shape(static: expected.dims))))
                {
                    tally.disagreements.append("\(case_) output '\(output.name)' against its expected tensor: \(problem)")
                    continue
                }
                switch inferred.kind {
                case .tensor(let element, _): if element != nil { tally.typed += 1 }
                case .unspecified: break
                default: tally.typed += 1
                }
                // A dim the rules left unknown is named, but not known.
                if isFullyShaped(inferred) {
                    tally.shaped += 1
                } else {
                    // Inferred again once per case, only for cases that need it.
                    if withConstants == nil { withConstants = try outputTypesWithInputsAsConstants(file) }
                    tally.unshaped["\(case_) \(output.name)"] = withConstants?[output.name].map(isFullyShaped) == true
                        ? Self.dependsOnInputs : nil
                }
            }
        }
        return tally
    }

    /// The reason of an output that is fully shaped once the case's
    /// runtime inputs are constants: its shape is data-dependent.
    static let dependsOnInputs = "its shape depends on the values of the runtime inputs (fully shaped when they are constants)"

    /// Whether every dim of `type` (of a tensor, or the tensors a sequence
    /// or optional holds) is known: a constant or a symbol the model or a
    /// rule named, not a placeholder for an unknown dim.
    static func isFullyShaped(_ type: TypeInfo) -> Bool {
        switch type.kind {
        case .sequence(let element?), .optional(let element?): return isFullyShaped(element)
        default:
            guard let shape = type.tensorShape else { return false }
            return shape.dims.allSatisfy { dim in
                if case .symbol(let name) = dim.extent { return !isUnknownName(name) }
                return dim.extent != .unknown
            }
        }
    }

    /// The types inference gives the outputs, by name, when the case's
    /// runtime inputs are made constants of their first data set's values.
    static func outputTypesWithInputsAsConstants(_ file: URL) throws -> [String: TypeInfo] {
        let model = try ModelFile.load(file.path, loadExternalData: false)
        guard let graph = model.graph else { return [:] }
        let set = file.deletingLastPathComponent().appendingPathComponent("test_data_set_0")
        for (index, input) in graph.inputs.filter({ $0.initializer == nil }).enumerated() {
            guard case .tensor? = input.type?.kind,
                let data = FileManager.default.contents(atPath: set.appendingPathComponent("input_\(index).pb").path)
            else { continue }
            var tensor = try TensorCodec.decode([UInt8](data))
            tensor.name = input.name
            input.initializer = tensor
            graph.appendInitializer(input)
        }
        let produced = graph.outputs.filter { $0.producer != nil }
        for output in produced { output.type = nil }
        _ = ShapeInference().infer(model)
        var types: [String: TypeInfo] = [:]
        for output in produced { types[output.name] = output.inferredType }
        return types
    }

    /// The expected value of output `slot` in the case's first data set.
    static func expectedTensor(_ folder: URL, _ slot: Int) throws -> Tensor? {
        let path = folder.appendingPathComponent("test_data_set_0/output_\(slot).pb").path
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try TensorCodec.decode([UInt8](data))
    }

    /// What the inferred type says that the declared one contradicts.
    static func disagreement(_ inferred: TypeInfo, _ declared: TypeInfo) -> String? {
        switch (inferred.kind, declared.kind) {
        case (.tensor(let e1, let s1), .tensor(let e2, let s2)):
            if let e1, let e2, e1 != e2 { return "element type \(e1.name), declared \(e2.name)" }
            guard let s1, let s2 else { return nil }
            if s1.rank != s2.rank { return "shape \(s1), declared \(s2)" }
            for (a, b) in zip(s1.dims, s2.dims) {
                if let x = a.value, let y = b.value, x != y { return "shape \(s1), declared \(s2)" }
            }
            return nil
        case (.tensor, _), (.sequence, .tensor), (.optional, .tensor):
            return "\(inferred), declared \(declared)"
        default:
            return nil
        }
    }

    @Test func inferenceNeverContradictsTheSuite() throws {
        try #require(ConformanceData.isAvailable, "\(ConformanceData.missingMessage)")
        let tally = try Self.tally()
        #expect(tally.disagreements.isEmpty, "\(tally.disagreements.count): \(tally.disagreements.prefix(20).joined(separator: "\n"))")
        // Measured with control flow, functions and the ML, sequence and
        // string families; raise as families come.
        #expect(tally.outputs > 2000)
        #expect(tally.typed >= 2321)
        #expect(tally.shaped >= 2033)
        print("inference on the node suite: \(tally.outputs) outputs, \(tally.typed) typed, \(tally.shaped) fully shaped")
        try checkUnshapedList(tally.unshaped)
    }

    /// The committed list of outputs inference leaves not fully shaped,
    /// each with its reason, must be exactly this run's: a listed output
    /// that is now shaped, or a new one, fails. RECORD_SNAPSHOTS=1 rewrites
    /// the list, keeping the reasons written by hand.
    func checkUnshapedList(_ unshaped: [String: String?]) throws {
        let list = ConformanceData.repositoryRoot.appendingPathComponent("conformance/inference-not-fully-shaped.txt")
        var listed: [String: String] = [:]
        for line in ((try? String(contentsOf: list, encoding: .utf8)) ?? "").split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            if parts.count == 2 { listed[parts[0]] = parts[1] }
        }
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil {
            var text = """
                # Node-suite outputs that shape inference leaves not fully shaped, each with its reason
                # (SuiteAgreementTests keeps this list true; RECORD_SNAPSHOTS=1 rewrites it, keeping the
                # reasons written by hand). "case output<TAB>reason".

                """
            for key in unshaped.keys.sorted() {
                text += "\(key)\t\((unshaped[key] ?? nil) ?? listed[key] ?? "REASON NEEDED")\n"
            }
            try text.write(to: list, atomically: true, encoding: .utf8)
        }
        let now = Set(unshaped.keys), before = Set(listed.keys)
        #expect(now.subtracting(before).isEmpty, "not fully shaped and not listed: \(now.subtracting(before).sorted().prefix(20))")
        #expect(before.subtracting(now).isEmpty, "listed but now fully shaped: \(before.subtracting(now).sorted().prefix(20))")
        for (key, reason) in unshaped {
            if let reason {
                #expect(listed[key] == reason, "\(key): listed as '\(listed[key] ?? "")'")
            } else {
                #expect(listed[key].map { $0 != Self.dependsOnInputs && $0 != "REASON NEEDED" } ?? false, "\(key) needs a reason")
            }
        }
    }
}
