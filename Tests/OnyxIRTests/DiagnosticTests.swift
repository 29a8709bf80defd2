import OnyxIR
import Testing

@Suite struct DiagnosticTests {
    @Test func oneTextForEveryKindOfPlace() {
        let path = IRPath([
            .graph("main"), .node(index: 3, name: "fc1", opType: "Gemm"), .attribute("then_branch"),
            .graph("then"), .node(index: 0, name: nil, opType: "Relu"), .input(1),
        ])
        let inGraph = Diagnostic.error("check.type", "expects FLOAT, found INT64", at: DiagnosticLocation(file: "m.onnx", path: path))
        #expect(inGraph.description
            == "m.onnx: graph 'main' › node 3 'fc1' (Gemm) › attribute 'then_branch' › graph 'then' › node 0 (Relu) › input 1: expects FLOAT, found INT64")

        var syntax = Diagnostic.error(
            "text.syntax", "expected ')'",
            at: DiagnosticLocation(file: "a.onnxtxt", position: .text(line: 2, column: 5, sourceLine: "  y = Relu(x")),
            hint: "close the input list")
        syntax.notes = [Diagnostic.Note("the list opens here", at: DiagnosticLocation(file: "a.onnxtxt", position: .text(line: 2, column: 12, sourceLine: nil)))]
        #expect(syntax.description == [
            "a.onnxtxt:2:5: expected ')'", "    y = Relu(x", "      ^", "  note: a.onnxtxt:2:12: the list opens here",
            "  hint: close the input list",
        ].joined(separator: "\n"))

        let warning = Diagnostic.warning("onnx.external-data.key", "unknown key 'foo'", at: DiagnosticLocation(steps: .tensor("w")))
        #expect(warning.description == "warning: tensor 'w': unknown key 'foo'")
        #expect(Diagnostic.error("io", "cannot open", at: DiagnosticLocation(file: "x.pb", position: .byteOffset(12))).description
            == "x.pb at byte 12: cannot open")
    }

    @Test func severitiesOrder() {
        #expect(Diagnostic.Severity.note < .warning && Diagnostic.Severity.warning < .error)
    }

    @Test func readersPlaceWhatPartsFound() {
        let inner = Diagnostic.error("tensor.data", "holds 4 bytes", at: DiagnosticLocation(steps: .tensor("w")))
        let placed = inner.within(.node(index: 2, name: "c", opType: "Constant")).inFile("m.onnx")
        #expect(placed.description == "m.onnx: node 2 'c' (Constant) › tensor 'w': holds 4 bytes")
        #expect(placed.inFile("other.onnx").location.file == "m.onnx")
    }
}
