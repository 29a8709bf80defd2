import OnyxIR
import OnyxTestSupport
import Testing

/// The pure test support: models from the textual syntax, and expected
/// diagnostics marked beside the line they are about.
@Suite struct TestSupportTests {
    static let text = """
        g (float[2] x) => (float[2] z) {
           [relu] y = Relu (x)     # expected-error {{does not name}}
           # expected-warning@+1 {{never read}}
           [neg] z = Neg (y)
        }
        """

    @Test func markersPointAtTheirLines() {
        let markers = DiagnosticMarker.parse(Self.text)
        #expect(markers.map(\.line) == [2, 4])
        #expect(markers.map(\.severity) == [.error, .warning])
        #expect(markers.map(\.nodeName) == ["relu", "neg"])
        #expect(markers.map(\.message) == ["does not name", "never read"])
    }

    @Test func markersMatchByNodeOrByPosition() throws {
        let model = try TestModels.graph(Self.text)
        let graph = try #require(model.graph)
        #expect(graph.nodes.map(\.name) == ["relu", "neg"])
        let found = [
            Diagnostic.error("x", "y does not name its producer", at: DiagnosticLocation(steps: .graph("g"), graph.nodes[0].pathStep)),
            Diagnostic.warning("x", "z is never read", at: DiagnosticLocation(position: .text(line: 4, column: 4, sourceLine: nil))),
        ]
        expectDiagnostics(found, markedIn: Self.text)
        #expect(!DiagnosticMarker.parse(Self.text)[0].matches(found[1]))
        #expect(!DiagnosticMarker.parse(Self.text)[1].matches(found[0]))
    }
}
