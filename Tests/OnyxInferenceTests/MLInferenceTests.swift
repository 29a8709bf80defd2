import OnyxInference
import Testing

/// Types and shapes of the `ai.onnx.ml` operators, as onnx's own inference
/// gives them (onnx/defs/traditionalml) and, where it has none, as the
/// operators' semantics fix them.
@Suite struct MLInferenceTests {
    @Test func classifierLabelsAreStringsOrInt64AndScoresHaveAColumnPerClass() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18, "ai.onnx.ml" : 3]>
            g (float[N, 4] x, double[4] row) => (label, scores, ilabel, iscores, rlabel, rscores) {
               label, scores = ai.onnx.ml.LinearClassifier <coefficients = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 1.0, 2.0, 3.0], intercepts = [0.0, 0.0, 0.0], classlabels_strings = ["a", "b", "c"]> (x)
               ilabel, iscores = ai.onnx.ml.LinearClassifier <coefficients = [1.0, 2.0, 3.0, 4.0], intercepts = [0.5], classlabels_ints = [0, 1]> (x)
               rlabel, rscores = ai.onnx.ml.LinearClassifier <coefficients = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], intercepts = [0.0, 0.0], classlabels_ints = [3, 7]> (row)
            }
            """)
        #expect(findings.isEmpty)
        // One intercept with two labels is the binary case: two score columns all the same.
        #expect(types == [
            "tensor(STRING)[N]", "tensor(FLOAT)[N,3]", "tensor(INT64)[N]", "tensor(FLOAT)[N,2]", "tensor(INT64)[1]",
            "tensor(FLOAT)[1,2]",
        ])
    }

    @Test func classifiersRejectInputsOfAnotherRankAndTreesNeedLabels() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18, "ai.onnx.ml" : 3]>
            g (float[2, 3, 4] cube, float[4] row, float[N, 4] x) => (a, b, c, d, e, f, g, h) {
               [linear] a, b = ai.onnx.ml.LinearClassifier <coefficients = [1.0, 2.0, 3.0, 4.0], intercepts = [0.0], classlabels_ints = [0, 1]> (cube)
               [tree] c, d = ai.onnx.ml.TreeEnsembleClassifier <classlabels_int64s = [0, 1]> (row)
               [unlabelled] e, f = ai.onnx.ml.TreeEnsembleClassifier <nodes_modes = ["LEAF"]> (x)
               g, h = ai.onnx.ml.TreeEnsembleClassifier <classlabels_int64s = [0, 1], base_values = [0.0, 0.0], base_values_as_tensor = double[2] {0.0, 0.0}> (x)
            }
            """)
        #expect(findings.map(\.message) == [
            "LinearClassifier's input must be 1-D or 2-D; it has shape [2,3,4]",
            "TreeEnsembleClassifier's input must be 2-D, [N, F]; it has shape [4]",
            "TreeEnsembleClassifier needs classlabels_int64s or classlabels_strings",
            "TreeEnsembleClassifier gives both base_values and base_values_as_tensor; only one may be given",
        ])
        #expect(findings.prefix(3).map { $0.location.path.description } == [
            "graph 'g' › node 0 'linear' (ai.onnx.ml.LinearClassifier)",
            "graph 'g' › node 1 'tree' (ai.onnx.ml.TreeEnsembleClassifier)",
            "graph 'g' › node 2 'unlabelled' (ai.onnx.ml.TreeEnsembleClassifier)",
        ])
        // A conflict leaves what the schema's constraints say: the scores are float.
        #expect(types == Array(repeating: ["-", "tensor(FLOAT)"], count: 4).flatMap { $0 })
    }

    @Test func treeEnsemblesGiveARowPerInputRowAndAColumnPerClassOrTarget() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18, "ai.onnx.ml" : 3]>
            g (float[N, 12] x, double[7, F] y, int64[M, 2] z) => (label, proba, reg, open, wide) {
               label, proba = ai.onnx.ml.TreeEnsembleClassifier <classlabels_strings = ["cat", "dog", "eel"], nodes_modes = ["LEAF"]> (x)
               reg = ai.onnx.ml.TreeEnsembleRegressor <n_targets = 2> (y)
               open = ai.onnx.ml.TreeEnsembleRegressor (z)
               wide = ai.onnx.ml.TreeEnsembleRegressor <n_targets = 5> (x)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == [
            "tensor(STRING)[N]", "tensor(FLOAT)[N,3]", "tensor(FLOAT)[7,2]", "tensor(FLOAT)[M,?]", "tensor(FLOAT)[N,5]",
        ])
        // Version 1: onnx types the labels only; the shapes are the same ones.
        let (first, none) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18, "ai.onnx.ml" : 1]>
            g (float[N, 12] x, float[12] row) => (label, proba, reg, rowlabel, rowproba) {
               label, proba = ai.onnx.ml.TreeEnsembleClassifier <classlabels_int64s = [0, 1, 2, 3]> (x)
               reg = ai.onnx.ml.TreeEnsembleRegressor <n_targets = 1> (x)
               rowlabel, rowproba = ai.onnx.ml.TreeEnsembleClassifier <classlabels_int64s = [0, 1]> (row)
            }
            """)
        #expect(none.isEmpty)
        #expect(first == ["tensor(INT64)[N]", "tensor(FLOAT)[N,4]", "tensor(FLOAT)[N,1]", "tensor(INT64)", "tensor(FLOAT)"])
    }

    @Test func treeEnsembleFiveKeepsTheInputTypeAndChecksItsAttributes() throws {
        let tree = """
            leaf_targetids = [0, 1], nodes_falseleafs = [1], nodes_falsenodeids = [1], nodes_featureids = [0],
            nodes_modes = uint8[1] {0}, nodes_trueleafs = [1], nodes_truenodeids = [0], tree_roots = [0]
            """
        let (types, findings) = try inferred("""
            <ir_version: 10, opset_import: ["" : 21, "ai.onnx.ml" : 5]>
            g (double[N, 5] x) => (y, z) {
               y = ai.onnx.ml.TreeEnsemble <n_targets = 2, \(tree), leaf_weights = double[2] {1.0, 2.0}, nodes_splits = double[1] {0.5}> (x)
               z = ai.onnx.ml.TreeEnsemble <\(tree), leaf_weights = double[2] {1.0, 2.0}, nodes_splits = double[1] {0.5}> (x)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(DOUBLE)[N,2]", "tensor(DOUBLE)[N,?]"])
        let (_, problems) = try inferred("""
            <ir_version: 10, opset_import: ["" : 21, "ai.onnx.ml" : 5]>
            g (double[N, 5] x, double[5] row) => (a, b, c) {
               a = ai.onnx.ml.TreeEnsemble <n_targets = 2, \(tree), leaf_weights = float[2] {1.0, 2.0}, nodes_splits = double[1] {0.5}> (x)
               b = ai.onnx.ml.TreeEnsemble <n_targets = 2, \(tree), leaf_weights = double[3] {1.0, 2.0, 3.0}, nodes_splits = double[1] {0.5}> (x)
               c = ai.onnx.ml.TreeEnsemble <n_targets = 2, \(tree), leaf_weights = double[2] {1.0, 2.0}, nodes_splits = double[1] {0.5}> (row)
            }
            """)
        #expect(problems.map(\.message) == [
            "TreeEnsemble's leaf_weights is FLOAT but its input is DOUBLE",
            "TreeEnsemble's leaf_targetids has 2 entries; leaf_weights has 3",
            "TreeEnsemble's input must be 2-D, [N, F]; it has shape [5]",
        ])
    }

    @Test func zipMapMakesASequenceOfMapsFromTheLabelsToScalarScores() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18, "ai.onnx.ml" : 1]>
            g (float[N, 3] x, float[N, C] y) => (ints, strings, columns) {
               ints = ai.onnx.ml.ZipMap <classlabels_int64s = [0, 1, 2]> (x)
               strings = ai.onnx.ml.ZipMap <classlabels_strings = ["a", "b", "c"]> (x)
               columns = ai.onnx.ml.ZipMap <classlabels_strings = ["a", "b"]> (y)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == [
            "seq(map(INT64, tensor(FLOAT)[]))", "seq(map(STRING, tensor(FLOAT)[]))", "seq(map(STRING, tensor(FLOAT)[]))",
        ])
        let (_, problems) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18, "ai.onnx.ml" : 1]>
            g (float[N, 4] x, float[2, 3, 4] cube) => (a, b) {
               a = ai.onnx.ml.ZipMap <classlabels_int64s = [0, 1, 2]> (x)
               b = ai.onnx.ml.ZipMap <classlabels_int64s = [0, 1, 2, 3]> (cube)
            }
            """)
        #expect(problems.map(\.message) == [
            "ZipMap needs a column per label (3) in its input [N,4]: 4 and 3 differ",
            "ZipMap's input must be 1-D or 2-D; it has shape [2,3,4]",
        ])
    }

    @Test func labelEncoderTypesComeFromTheKeysAndValuesAttributes() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18, "ai.onnx.ml" : 2]>
            g (string[N, 5] s, int64[N] i, int64[3] v1) => (a, b, c) {
               a = ai.onnx.ml.LabelEncoder <keys_strings = ["x", "y"], values_int64s = [1, 2]> (s)
               b = ai.onnx.ml.LabelEncoder <keys_int64s = [1, 2], values_floats = [0.5, 1.5]> (i)
               c = ai.onnx.ml.LabelEncoder <keys_int64s = [1, 2, 3], values_strings = ["p", "q", "r"]> (v1)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(INT64)[N,5]", "tensor(FLOAT)[N]", "tensor(STRING)[3]"])
        // Version 4's tensor attributes: any listed element type.
        let (four, none) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18, "ai.onnx.ml" : 4]>
            g (int32[N, 5] x, double[K] d) => (a, b) {
               a = ai.onnx.ml.LabelEncoder <keys_tensor = int32[2] {1, 2}, values_tensor = int16[2] {7, 8}, default_tensor = int16[1] {0}> (x)
               b = ai.onnx.ml.LabelEncoder <keys_tensor = double[2] {1.0, 2.0}, values_strings = ["one", "two"]> (d)
            }
            """)
        #expect(none.isEmpty)
        #expect(four == ["tensor(INT16)[N,5]", "tensor(STRING)[K]"])
        // Version 1 maps strings to integers and back.
        let (one, _) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18, "ai.onnx.ml" : 1]>
            g (int64[N] i, string[N, 2] s) => (a, b) {
               a = ai.onnx.ml.LabelEncoder <classes_strings = ["a", "b"]> (i)
               b = ai.onnx.ml.LabelEncoder <classes_strings = ["a", "b"]> (s)
            }
            """)
        #expect(one == ["tensor(STRING)[N]", "tensor(INT64)[N,2]"])
    }

    @Test func labelEncoderKeysMustMatchTheInputAndTheValuesInNumber() throws {
        let (_, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18, "ai.onnx.ml" : 4]>
            g (int64[N] i, string[N] s) => (a, b, c, d, e) {
               a = ai.onnx.ml.LabelEncoder <keys_strings = ["x"], values_int64s = [1]> (i)
               b = ai.onnx.ml.LabelEncoder <keys_strings = ["x", "y"], values_int64s = [1]> (s)
               c = ai.onnx.ml.LabelEncoder <keys_strings = ["x"], keys_int64s = [1], values_int64s = [1]> (s)
               d = ai.onnx.ml.LabelEncoder <keys_strings = ["x"], values_int64s = [1], default_tensor = string[1] {"z"}> (s)
               e = ai.onnx.ml.LabelEncoder <keys_tensor = string[1, 1] {"x"}, values_int64s = [1]> (s)
            }
            """)
        #expect(findings.map(\.message) == [
            "LabelEncoder's keys are STRING but its input is INT64",
            "LabelEncoder has 2 keys and 1 values; they must be as many",
            "LabelEncoder needs one and only one of keys_tensor, keys_strings, keys_int64s, keys_floats",
            "LabelEncoder's default_tensor is STRING but its values are INT64",
            "LabelEncoder's keys_tensor must be a 1-D tensor; it has shape [1, 1]",
        ])
    }

    @Test func encodersAndExtractorsShapes() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18, "ai.onnx.ml" : 3]>
            g (string[N, 5] s, float[N] f, float[N, 5] x, int64[3] idx, int64[2, K] pairs, int64 one, int64[N, 2] ids, float[3] classes) => (oh, ohf, afe, afe2, afe3, afe4, cm, cm2) {
               oh = ai.onnx.ml.OneHotEncoder <cats_strings = ["a", "b", "c"]> (s)
               ohf = ai.onnx.ml.OneHotEncoder <cats_int64s = [1, 2]> (f)
               afe = ai.onnx.ml.ArrayFeatureExtractor (x, idx)
               afe2 = ai.onnx.ml.ArrayFeatureExtractor (x, pairs)
               afe3 = ai.onnx.ml.ArrayFeatureExtractor (x, one)
               afe4 = ai.onnx.ml.ArrayFeatureExtractor (classes, idx)
               cm = ai.onnx.ml.CategoryMapper <cats_strings = ["a"], cats_int64s = [1]> (s)
               cm2 = ai.onnx.ml.CategoryMapper <cats_strings = ["a"], cats_int64s = [1]> (ids)
            }
            """)
        #expect(findings.isEmpty)
        // A 1-D data tensor gives one row, as onnxruntime and onnx's reference make it.
        #expect(types == [
            "tensor(FLOAT)[N,5,3]", "tensor(FLOAT)[N,2]", "tensor(FLOAT)[N,3]", "tensor(FLOAT)[N,2*K]", "tensor(FLOAT)[N,1]",
            "tensor(FLOAT)[1,3]", "tensor(INT64)[N,5]", "tensor(STRING)[N,2]",
        ])
        let (_, problems) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18, "ai.onnx.ml" : 3]>
            g (string[N, 5] s) => (a, b) {
               a = ai.onnx.ml.OneHotEncoder <cats_strings = ["a"], cats_int64s = [1]> (s)
               b = ai.onnx.ml.OneHotEncoder (s)
            }
            """)
        #expect(problems.map(\.message) == Array(repeating: "OneHotEncoder needs one and only one of cats_int64s and cats_strings", count: 2))
    }

    @Test func elementwiseTransformsAndRegressorsWithoutAnOnnxRule() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18, "ai.onnx.ml" : 3]>
            g (int64[N, 4] i, double[N, 4] d, float[4] row, float[N, 2] a, float[N, 3] b) => (bin, imp, sc, norm, lin, linrow, svr, svl, svs, fv) {
               bin = ai.onnx.ml.Binarizer <threshold = 0.5> (i)
               imp = ai.onnx.ml.Imputer <imputed_value_floats = [0.0], replaced_value_float = 1.0> (d)
               sc = ai.onnx.ml.Scaler <offset = [1.0], scale = [2.0]> (i)
               norm = ai.onnx.ml.Normalizer <norm = "L2"> (d)
               lin = ai.onnx.ml.LinearRegressor <coefficients = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 1.0, 2.0, 3.0], targets = 3> (d)
               linrow = ai.onnx.ml.LinearRegressor <coefficients = [1.0, 2.0, 3.0, 4.0]> (row)
               svr = ai.onnx.ml.SVMRegressor <coefficients = [1.0], support_vectors = [1.0, 2.0, 3.0, 4.0], n_supports = 1, rho = [0.0]> (d)
               svl, svs = ai.onnx.ml.SVMClassifier <classlabels_strings = ["no", "yes"], coefficients = [1.0]> (d)
               fv = ai.onnx.ml.FeatureVectorizer <inputdimensions = [2, 3]> (a, b)
            }
            """)
        #expect(findings.isEmpty)
        // A 1-D input is one row to the documentation, not to onnx's reference: no shape.
        #expect(types == [
            "tensor(INT64)[N,4]", "tensor(DOUBLE)[N,4]", "tensor(FLOAT)[N,4]", "tensor(FLOAT)[N,4]", "tensor(FLOAT)[N,3]",
            "tensor(FLOAT)", "tensor(FLOAT)[N,1]", "tensor(STRING)[N]", "tensor(FLOAT)[N,?]", "tensor(FLOAT)[N,5]",
        ])
    }

    @Test func mapInputsGiveTheirValueOrCastToType() throws {
        let (types, findings) = try inferred("""
            <ir_version: 8, opset_import: ["" : 18, "ai.onnx.ml" : 3]>
            g (map(int64, float) m, map(string, double) words) => (f, i, s, dv) {
               f = ai.onnx.ml.CastMap (m)
               i = ai.onnx.ml.CastMap <cast_to = "TO_INT64"> (m)
               s = ai.onnx.ml.CastMap <cast_to = "TO_STRING", map_form = "SPARSE", max_map = 7> (m)
               dv = ai.onnx.ml.DictVectorizer <string_vocabulary = ["a", "b", "c"]> (words)
            }
            """)
        #expect(findings.isEmpty)
        #expect(types == ["tensor(FLOAT)", "tensor(INT64)", "tensor(STRING)", "tensor(DOUBLE)"])
    }
}
