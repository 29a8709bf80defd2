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
                if let shape = inferred.tensorShape, shape.dims.allSatisfy({ dim in
                    if case .symbol(let name) = dim.extent { return !isUnknownName(name) }
                    return dim.extent != .unknown
                }) {
                    tally.shaped += 1
                }
            }
        }
        return tally
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
        #expect(tally.shaped >= 1942)
        print("inference on the node suite: \(tally.outputs) outputs, \(tally.typed) typed, \(tally.shaped) fully shaped")
    }
}
