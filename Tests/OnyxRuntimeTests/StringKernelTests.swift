import OnyxIR
import OnyxTestSupport
import Testing

import OnyxRuntime

/// The string family (StringNormalizer, StringSplit, StringConcat,
/// RegexFullMatch, TfIdfVectorizer) on one-node models, with values worked
/// out by hand (the RE2 and n-gram ones checked against RE2 itself and
/// onnx's reference implementation), and the inputs each must refuse.
@Suite struct StringKernelTests {
    private func run(_ graph: String, opset: Int64 = 21, _ feeds: [String: DenseTensor]) throws -> [DenseTensor] {
        let runner = try ModelRunner(try TestModels.graph(graph, opset: opset))
        return try runner.run(feeds).map { try #require($0.tensor) }
    }

    /// The failure `graph` must give on `feeds`: its description, which
    /// names the node.
    private func refusal(_ graph: String, opset: Int64 = 21, _ feeds: [String: DenseTensor]) -> String {
        do {
            _ = try run(graph, opset: opset, feeds)
            return "no failure"
        } catch {
            return "\(error)"
        }
    }

    private func strings(_ values: [String], shape: [Int]? = nil) -> DenseTensor {
        DenseTensor(shape: shape ?? [values.count], elements: .string(values.map { Array($0.utf8) }))
    }

    private func texts(_ tensor: DenseTensor) -> [String] {
        guard case .string(let values) = tensor.elements else { return [] }
        return values.map { String(decoding: $0, as: UTF8.self) }
    }

    private func floats(_ tensor: DenseTensor) -> [Float] {
        guard case .float(let values) = tensor.elements else { return [] }
        return values
    }

    private let numbers = DenseTensor([1, 2] as [Float], shape: [2])

    // MARK: StringNormalizer

    @Test func normalizerDropsStopwordsWhateverTheirCaseThenUppercases() throws {
        let y = try run(
            #"g (string[5] x) => (string[?] y) { y = StringNormalizer <case_change_action = "UPPER", stopwords = ["monday", "STRASSE"]> (x) }"#,
            opset: 10, ["x": strings(["Monday", "tuesday", "MONDAY", "Straße", "weg"])])
        // Straße is a stopword too: straße and STRASSE both fold to strasse.
        #expect(y[0].shape == [2])
        #expect(texts(y[0]) == ["TUESDAY", "WEG"])
    }

    @Test func normalizerComparesExactlyWhenCaseSensitive() throws {
        let y = try run(
            #"g (string[1,4] x) => (string[1,?] y) { y = StringNormalizer <case_change_action = "LOWER", is_case_sensitive = 1, stopwords = ["monday"]> (x) }"#,
            opset: 10, ["x": strings(["Monday", "monday", "ÉCOLE", "ΟΔΟΣ"], shape: [1, 4])])
        #expect(y[0].shape == [1, 3])
        // The final sigma lowercases to ς, the others to σ.
        #expect(texts(y[0]) == ["monday", "école", "οδος"])
    }

    @Test func normalizerHonoursTurkishDottedAndDotlessI() throws {
        let model = { (action: String, locale: String) in
            #"g (string[2] x) => (string[?] y) { y = StringNormalizer <case_change_action = "\#(action)", locale = "\#(locale)"> (x) }"#
        }
        let words = ["istanbul", "DİYARBAKIR"]
        let upper = try run(model("UPPER", "tr_TR.UTF-8"), opset: 10, ["x": strings(words)])
        #expect(texts(upper[0]) == ["İSTANBUL", "DİYARBAKIR"])
        let lower = try run(model("LOWER", "tr-TR"), opset: 10, ["x": strings(words)])
        #expect(texts(lower[0]) == ["istanbul", "diyarbakır"])
        // Any other locale (installed or not) gets Unicode's default mapping.
        let english = try run(model("UPPER", "en_US.UTF-8"), opset: 10, ["x": strings(["istanbul", "straße"])])
        #expect(texts(english[0]) == ["ISTANBUL", "STRASSE"])
    }

    @Test func normalizerLeavesOneEmptyStringWhenEverythingIsDropped() throws {
        let graph = { (shape: String) in
            #"g (string\#(shape) x) => (string[?] y) { y = StringNormalizer <stopwords = ["a"]> (x) }"#
        }
        let matrix = try run(graph("[1,2]"), opset: 10, ["x": strings(["a", "A"], shape: [1, 2])])
        #expect(matrix[0].shape == [1, 1])
        #expect(texts(matrix[0]) == [""])
        let vector = try run(graph("[2]"), opset: 10, ["x": strings(["A", "a"])])
        #expect(vector[0].shape == [1])
        #expect(texts(vector[0]) == [""])
    }

    @Test func normalizerRefusesNumbersShapesAndUnknownActions() {
        let numeric = refusal(
            #"g (float[2] x) => (string[?] y) { [cleaner] y = StringNormalizer <stopwords = ["a"]> (x) }"#, opset: 10,
            ["x": numbers])
        #expect(numeric.contains("cleaner") && numeric.contains("must be a string tensor"))
        let square = refusal(
            "g (string[2,2] x) => (string[?] y) { [cleaner] y = StringNormalizer (x) }", opset: 10,
            ["x": strings(["a", "b", "c", "d"], shape: [2, 2])])
        #expect(square.contains("cleaner") && square.contains("[C] or [1, C]"))
        let title = refusal(
            #"g (string[1] x) => (string[?] y) { [cleaner] y = StringNormalizer <case_change_action = "TITLE"> (x) }"#,
            opset: 10, ["x": strings(["a"])])
        #expect(title.contains("cleaner") && title.contains("TITLE"))
    }

    // MARK: StringSplit

    @Test func splitOnADelimiterKeepsEmptyPiecesAndPads() throws {
        let out = try run(
            #"g (string[3] x) => (string[3,?] y, int64[3] z) { y, z = StringSplit <delimiter = ","> (x) }"#, opset: 20,
            ["x": strings(["a,b,,c", "", "é"])])
        #expect(out[0].shape == [3, 4])
        #expect(texts(out[0]) == ["a", "b", "", "c", "", "", "", "", "é", "", "", ""])
        #expect(out[1] == DenseTensor([4, 1, 1] as [Int64], shape: [3]))
        let long = try run(
            #"g (string[1] x) => (string[1,?] y, int64[1] z) { y, z = StringSplit <delimiter = "--"> (x) }"#, opset: 20,
            ["x": strings(["a--b---c"])])
        #expect(texts(long[0]) == ["a", "b", "-c"])
    }

    @Test func splitOnWhitespaceLikePythonWithMaxsplit() throws {
        // U+3000 (ideographic space) is whitespace; the rest after the one
        // split keeps its trailing space. A blank string gives no pieces.
        let out = try run(
            "g (string[2] x) => (string[2,?] y, int64[2] z) { y, z = StringSplit <maxsplit = 1> (x) }", opset: 20,
            ["x": strings(["  α β\u{3000}γ ", " \t "])])
        #expect(out[0].shape == [2, 2])
        #expect(texts(out[0]) == ["α", "β\u{3000}γ ", "", ""])
        #expect(out[1] == DenseTensor([2, 0] as [Int64], shape: [2]))
    }

    @Test func splitOfAnEmptyTensorAddsAnEmptyAxis() throws {
        let out = try run(
            "g (string[2,0] x) => (string[2,0,?] y, int64[2,0] z) { y, z = StringSplit (x) }", opset: 20,
            ["x": strings([], shape: [2, 0])])
        #expect(out[0].shape == [2, 0, 0])
        #expect(out[1].shape == [2, 0])
    }

    @Test func splitRefusesNumbers() {
        let message = refusal(
            "g (float[2] x) => (string[2,?] y, int64[2] z) { [splitter] y, z = StringSplit (x) }", opset: 20, ["x": numbers])
        #expect(message.contains("splitter") && message.contains("must be a string tensor"))
    }

    // MARK: StringConcat

    @Test func concatBroadcasts() throws {
        let grid = try run(
            "g (string[2,1] a, string[3] b) => (string[2,3] c) { c = StringConcat (a, b) }", opset: 20,
            ["a": strings(["a", "的"], shape: [2, 1]), "b": strings(["x", "", "é"])])
        #expect(grid[0].shape == [2, 3])
        #expect(texts(grid[0]) == ["ax", "a", "aé", "的x", "的", "的é"])
        let scalar = try run(
            "g (string a, string[2] b) => (string[2] c) { c = StringConcat (a, b) }", opset: 20,
            ["a": strings(["pre-"], shape: []), "b": strings(["fix", "view"])])
        #expect(texts(scalar[0]) == ["pre-fix", "pre-view"])
    }

    @Test func concatRefusesNumbersAndShapesThatDoNotBroadcast() {
        let numeric = refusal(
            "g (string[2] a, float[2] b) => (string[2] c) { [joiner] c = StringConcat (a, b) }", opset: 20,
            ["a": strings(["a", "b"]), "b": numbers])
        #expect(numeric.contains("joiner") && numeric.contains("Y must be a string tensor"))
        let shapes = refusal(
            "g (string[2] a, string[3] b) => (string[?] c) { [joiner] c = StringConcat (a, b) }", opset: 20,
            ["a": strings(["a", "b"]), "b": strings(["x", "y", "z"])])
        #expect(shapes.contains("joiner") && shapes.contains("do not broadcast"))
    }

    // MARK: RegexFullMatch

    private func fullMatch(_ pattern: String, _ values: [String]) throws -> [Bool] {
        let out = try run(
            #"g (string[N] x) => (bool[N] y) { y = RegexFullMatch <pattern = "\#(pattern)"> (x) }"#, opset: 20,
            ["x": strings(values)])
        guard case .bool(let matches) = out[0].elements else { return [] }
        return matches
    }

    @Test func regexFollowsRE2() throws {
        // Digits are word characters for \b; \d and \w are ASCII.
        #expect(try fullMatch(#"\\b\\d+\\b"#, ["123", "a123", "12 3", "٣"]) == [true, false, false, false])
        #expect(try fullMatch(#"\\p{Nd}\\p{Greek}+"#, ["٣αβ", "3ab"]) == [true, false])
        // $ never matches before a final newline unless (?m) says so.
        #expect(try fullMatch(#"a$\\n?"#, ["a\n", "a"]) == [false, true])
        #expect(try fullMatch(#"(?m)a$\\n"#, ["a\n"]) == [true])
        // Matching is over scalars: a decomposed é is two of them.
        #expect(try fullMatch(".", ["e\u{301}", "\u{E9}"]) == [false, true])
        // Simple case folding: σ, ς and Σ; ß and ẞ; not ß and ss.
        #expect(try fullMatch("(?i)σ+", ["Σςσ"]) == [true])
        #expect(try fullMatch("(?i)straße", ["STRAẞE", "strasse"]) == [true, false])
        #expect(try fullMatch("(?i)[^k]", ["K", "\u{212A}", "x"]) == [false, false, true])
    }

    @Test func regexIsLinearInTheText() throws {
        // A backtracking matcher takes 2^40 steps here.
        #expect(try fullMatch("(a+)+b", [String(repeating: "a", count: 40)]) == [false])
    }

    @Test func regexKeepsTheShapeOfAnEmptyInput() throws {
        let out = try run(
            #"g (string[2,0] x) => (bool[2,0] y) { y = RegexFullMatch <pattern = "a"> (x) }"#, opset: 20,
            ["x": strings([], shape: [2, 0])])
        #expect(out[0] == DenseTensor(shape: [2, 0], elements: .bool([])))
    }

    /// Backreferences, lookaround, possessive and stacked quantifiers,
    /// counts past 1000 (also multiplied through nesting), the x flag and
    /// malformed patterns: refused with RE2's own reason and the node named.
    @Test(arguments: [
        (#"(a)\\1"#, "invalid escape sequence"), ("(?=a)a", "invalid perl operator: (?="),
        ("(?<=a)b", "invalid perl operator: (?<"), ("a*+", "bad repetition operator: *+"),
        ("a**", "bad repetition operator: **"), ("a{1001}", "invalid repetition size"),
        ("(?:a{100}){100}", "invalid repetition size"), ("(?x)a", "invalid perl operator: (?x"), ("[z-a]", "z-a"),
        ("(a", "missing )"), ("*", "no argument for repetition operator"), (#"\\p{Klingon}"#, "Klingon"),
    ])
    func regexRefusesWhatRE2Refuses(pattern: String, reason: String) {
        let message = refusal(
            #"g (string[1] x) => (bool[1] y) { [emailcheck] y = RegexFullMatch <pattern = "\#(pattern)"> (x) }"#, opset: 20,
            ["x": strings(["a"])])
        #expect(message.contains("emailcheck") && message.contains(reason), "\(message)")
    }

    @Test func regexRefusesNumbers() {
        let message = refusal(
            #"g (float[2] x) => (bool[2] y) { [emailcheck] y = RegexFullMatch <pattern = "a"> (x) }"#, opset: 20,
            ["x": numbers])
        #expect(message.contains("emailcheck") && message.contains("must be a string tensor"))
    }

    // MARK: TfIdfVectorizer

    /// Pool: the 1-grams a, b and the 2-grams "a b", "b a", at coordinates 0 to 3.
    private func vectorizer(_ mode: String, weights: String = "", input: String = "string[2,5]") -> String {
        #"""
        g (\#(input) x) => (float[?,4] y) {
            [bagofwords] y = TfIdfVectorizer <mode = "\#(mode)", min_gram_length = 1, max_gram_length = 2, max_skip_count = 1,
                ngram_counts = [0, 2], ngram_indexes = [0, 1, 2, 3], pool_strings = ["a", "b", "a", "b", "b", "a"]\#(weights)> (x)
        }
        """#
    }

    private let rows = DenseTensor(
        shape: [2, 5], elements: .string(["a", "b", "a", "c", "b", "c", "c", "c", "c", "c"].map { Array($0.utf8) }))

    @Test func tfIdfCountsSkippingNgramsInEachMode() throws {
        // Row a b a c b: unigrams a ×2, b ×2 (once, not once per skip);
        // adjacent pairs ab ba ac cb; pairs two apart aa bc ab. So "a b" ×2,
        // "b a" ×1. The row of c's has none.
        let tf = try run(vectorizer("TF"), ["x": rows])
        #expect(tf[0] == DenseTensor([2, 2, 2, 1, 0, 0, 0, 0] as [Float], shape: [2, 4]))
        let weights = ", weights = [0.5, 1.0, 2.0, 4.0]"
        let idf = try run(vectorizer("IDF", weights: weights), ["x": rows])
        #expect(floats(idf[0]) == [0.5, 1, 2, 4, 0, 0, 0, 0])
        let tfidf = try run(vectorizer("TFIDF", weights: weights), ["x": rows])
        #expect(floats(tfidf[0]) == [1, 2, 4, 4, 0, 0, 0, 0])
    }

    @Test func tfIdfOnAVectorOfIntegersWeighsByOutputCoordinate() throws {
        // 5 goes to coordinate 1 (twice), 6 to coordinate 0 (once); weights
        // scale coordinates, as onnxruntime and the reference do.
        let y = try run(
            """
            g (int32[3] x) => (float[2] y) {
                y = TfIdfVectorizer <mode = "TFIDF", min_gram_length = 1, max_gram_length = 1, max_skip_count = 0,
                    ngram_counts = [0], ngram_indexes = [1, 0], pool_int64s = [5, 6], weights = [10.0, 100.0]> (x)
            }
            """, ["x": DenseTensor(shape: [3], elements: .int32([5, 5, 6]))])
        #expect(y[0] == DenseTensor([10, 200] as [Float], shape: [2]))
    }

    @Test(arguments: [
        (#"ngram_counts = [0, 2], ngram_indexes = [0, 1, 2], pool_strings = ["a", "b", "a", "b", "b", "a"]"#,
            "ngram_indexes has 3 entries but the pool holds 4"),
        (#"ngram_counts = [0, 2], ngram_indexes = [0, 1, 2], pool_strings = ["a", "b", "a", "b", "b"]"#, "whole n-grams"),
        (#"ngram_counts = [0, 2], ngram_indexes = [0, 1, 2, 3], pool_strings = ["a", "b", "a", "b", "b", "a"], pool_int64s = [1]"#,
            "only one of pool_strings and pool_int64s"),
        ("ngram_counts = [0], ngram_indexes = [0]", "one of pool_strings and pool_int64s must be set"),
        (#"ngram_counts = [0], ngram_indexes = [0, 1], pool_strings = ["a", "b"], weights = [1.0]"#, "weights has 1 entries"),
        (#"ngram_counts = [0], ngram_indexes = [0, -1], pool_strings = ["a", "b"]"#, "non-negative"),
        ("ngram_counts = [0], ngram_indexes = [0, 1], pool_int64s = [1, 2]", "must be int32 or int64"),
    ])
    func tfIdfRefusesAttributesThatDisagree(attributes: String, reason: String) {
        let message = refusal(
            #"""
            g (string[5] x) => (float[?] y) {
                [bagofwords] y = TfIdfVectorizer <mode = "TF", min_gram_length = 1, max_gram_length = 2, max_skip_count = 0, \#(attributes)> (x)
            }
            """#, ["x": strings(["a", "b", "a", "c", "b"])])
        #expect(message.contains("bagofwords") && message.contains(reason), "\(message)")
    }

    @Test func tfIdfRefusesNumbersForAStringPoolAndBadModes() {
        let numeric = refusal(vectorizer("TF", input: "float[2]"), ["x": numbers])
        #expect(numeric.contains("bagofwords") && numeric.contains("must be a string tensor"))
        let mode = refusal(vectorizer("BM25"), ["x": rows])
        #expect(mode.contains("bagofwords") && mode.contains("BM25"))
        let rank3 = refusal(
            vectorizer("TF", input: "string[1,1,5]"), ["x": strings(["a", "b", "a", "c", "b"], shape: [1, 1, 5])])
        #expect(rank3.contains("bagofwords") && rank3.contains("rank 1 or 2"))
    }
}
