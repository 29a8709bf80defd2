import OnyxSymbolic
import Testing

/// The one text syntax for `dim_param`: canonical text and anything that is
/// not an expression read back unchanged.
@Suite struct TextSyntaxTests {
    static let canonical = [
        "N", "2*N", "M + 2*N - 1", "M*N", "N*N - 1", "-N + 3", "0", "-5", "9223372036854775807",
        "-9223372036854775808", "floor(N/3)", "floor(2*H/3)", "floor((H + 1)/3) + 1", "ceil(W/2)", "-ceil(N/2)",
        "ceil((H + W)/4)", "mod(N, 4)", "2*mod(N, 2)", "min(N, 8)", "max(M, N)", "max(N - 1, 0)",
        "min(K, max(M, N))", "N*floor(M/2)", "\"batch size\" + 1", "2*\"a\\\"b\" + floor - min",
        "loop_body.NonZero_3_out0_dim1 + s0",
    ]

    @Test(arguments: canonical) func canonicalTextPrintsBackIdentically(text: String) {
        let dim = SymbolicDim(parsing: text)
        #expect(dim.description == text)
        #expect(dim.symbolName == nil || SymbolicDim(symbol: text) == dim)
    }

    static let plainSymbols = [
        "batch", "batch_size", "sequence_length", "unk__123", "N", "height", "Addoutput_dim_0", "s0", "input.1",
        "höhe", "批次", "floor", "min", "batch size", "2x", "N-", "?", "", "N +", "a/b", "floor(N/M)", "mod(N)",
        "(N", "\"unterminated", "N M", "-", "1.5", "N*99999999999999999999",
    ]

    @Test(arguments: plainSymbols) func anythingElseIsOneSymbolNamedByTheText(text: String) {
        let dim = SymbolicDim(parsing: text)
        #expect(dim.symbolName == text)
        #expect(dim.description == text)
    }

    @Test func otherExpressionsReadAsTheirCanonicalForm() {
        let cases = [
            "N*2": "2*N", "sequence_length + past": "past + sequence_length", "seq_len+1": "seq_len + 1",
            "(H - 1)//2 + 1": "ceil(H/2)", "floor((H + 2*1 - 3)/1) + 1": "H", "3": "3", " N ": "N",
            "ceil(H/2)": "ceil(H/2)", "floor((H + 1)/2)": "ceil(H/2)", "mod(4*N + 5, 4)": "1",
            "min(N, min(8, 4))": "min(N, 4)", "-(N - M)": "M - N", "--5": "5", "2*-N": "-2*N",
            "\"N\"": "N", "-7//2": "-4", "7 - 7//2": "4",
        ]
        for (text, printed) in cases {
            #expect(SymbolicDim(parsing: text).description == printed, "\(text)")
        }
        #expect(SymbolicDim(parsing: "3").constant == 3)
    }

    @Test func namesThatAreNotIdentifiersAreQuotedInsideExpressions() throws {
        let spaced = SymbolicDim(symbol: "batch size")
        #expect(spaced.description == "batch size")
        let sum = try spaced + 1
        #expect(sum.description == "\"batch size\" + 1")
        #expect(SymbolicDim(parsing: sum.description) == sum)
        // A name that would read as an expression is quoted even alone.
        for name in ["N+1", "3", "\"x\"", "(N)"] {
            let symbol = SymbolicDim(symbol: name)
            #expect(symbol.description != name)
            #expect(SymbolicDim(parsing: symbol.description) == symbol, "\(name)")
        }
    }

    @Test func aSmallerBudgetParsesLess() {
        let text = "N*N*N*N"
        #expect(SymbolicDim(parsing: text, budget: SymbolicBudget(maxSize: 3)).symbolName == text)
        #expect(SymbolicDim(parsing: text).symbolName == nil)
    }
}
