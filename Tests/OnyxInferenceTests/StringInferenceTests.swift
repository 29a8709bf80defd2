import OnyxInference
import Testing

/// Shapes of the string operators and TfIdfVectorizer.
@Suite struct StringInferenceTests {
    @Test func stringConcatBroadcastsAndRegexFullMatchKeepsTheShape() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 20]>
            g (string[N, 1] a, string[3] b, string s, string[B, L] c) => (joined, scalar, matched) {
               joined = StringConcat (a, b)
               scalar = StringConcat (s, s)
               matched = RegexFullMatch <pattern = "a.*"> (c)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(STRING)[N,3]", "tensor(STRING)[]", "tensor(BOOL)[B,L]"])
        let (_, problems) = try inferred("""
            <ir_version: 8, opset_import: ["" : 20]>
            g (string[N, 2] a, string[3] b) => (c) {
               c = StringConcat (a, b)
            }
            """)
        #expect(problems.map(\.message) == ["cannot broadcast [N,2] with [3]: dims 2 and 3 differ"])
    }

    @Test func stringSplitAddsADimOnlyTheDataTellsAndCountsPerString() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 20]>
            g (string[N, 5] x, string s) => (parts, counts, one, count) {
               parts, counts = StringSplit <delimiter = ","> (x)
               one, count = StringSplit <maxsplit = 2> (s)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(STRING)[N,5,StringSplit_0_out0_dim2]", "tensor(INT64)[N,5]", "tensor(STRING)[StringSplit_1_out0_dim0]", "tensor(INT64)[]"])
    }

    /// onnx requires `[C]` or `[1, C]`; the strings left after dropping
    /// stopwords and empty ones are as many as the data says.
    @Test func stringNormalizerKeepsTheLayoutButNotTheCount() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 20]>
            g (string[5] v, string[1, 5] m, string[B, 5] b) => (a, c, d, same) {
               a = StringNormalizer <stopwords = ["the"]> (v)
               c = StringNormalizer <case_change_action = "LOWER"> (m)
               d = StringNormalizer (b)
               same = Identity (b)
            }
            """)
        #expect(findings.isEmpty)
        // A [B, 5] input has B = 1.
        #expect(types == [
            "tensor(STRING)[StringNormalizer_0_out0_dim0]", "tensor(STRING)[1,StringNormalizer_1_out0_dim1]",
            "tensor(STRING)[1,StringNormalizer_2_out0_dim1]", "tensor(STRING)[1,5]",
        ])
        let (_, problems) = try inferred("""
            <ir_version: 8, opset_import: ["" : 20]>
            g (string[2, 5] m, string[1, 2, 3] cube, string[0] none) => (a, b, c) {
               a = StringNormalizer (m)
               b = StringNormalizer (cube)
               c = StringNormalizer (none)
            }
            """)
        #expect(problems.map(\.message) == [
            "StringNormalizer's input must be [C] or [1, C] with C > 0; it has shape [2,5]: 2 and 1 differ",
            "StringNormalizer's input must be [C] or [1, C] with C > 0; it has shape [1,2,3]",
            "StringNormalizer's input must be [C] or [1, C] with C > 0; it has shape [0]",
        ])
    }

    @Test func tfIdfVectorizerHasAColumnPerNgramIndex() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 20]>
            g (int64[N, 12] batch, string[7] words, int32[] unknown) => (a, b, c) {
               a = TfIdfVectorizer <mode = "TF", min_gram_length = 1, max_gram_length = 2, max_skip_count = 0, ngram_counts = [0, 3], ngram_indexes = [0, 1, 2, 3, 6], pool_int64s = [2, 3, 5, 4, 5, 6, 7]> (batch)
               b = TfIdfVectorizer <mode = "IDF", min_gram_length = 1, max_gram_length = 1, max_skip_count = 0, ngram_counts = [0], ngram_indexes = [2, 0, 1], pool_strings = ["a", "b", "c"]> (words)
               c = TfIdfVectorizer <mode = "TF", min_gram_length = 1, max_gram_length = 1, max_skip_count = 0, ngram_counts = [0], ngram_indexes = [0], pool_int64s = [1]> (unknown)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)[N,7]", "tensor(FLOAT)[3]", "tensor(FLOAT)"])
        let (_, problems) = try inferred("""
            <ir_version: 8, opset_import: ["" : 20]>
            g (int64[2, 3, 4] cube) => (a) {
               a = TfIdfVectorizer <mode = "TF", min_gram_length = 1, max_gram_length = 1, max_skip_count = 0, ngram_counts = [0], ngram_indexes = [0], pool_int64s = [1]> (cube)
            }
            """)
        #expect(problems.map(\.message) == ["TfIdfVectorizer's input must be 1-D or 2-D; it has shape [2,3,4]"])
    }
}
