import OnyxIR
import OnyxTestSupport
import Testing

import OnyxRuntime

/// The `ai.onnx.ml` kernels on one-node models, with values worked out by
/// hand from the operator docs (onnx/defs/traditionalml), and the models
/// they must refuse: a tree whose node points nowhere or loops, lists of
/// different lengths, indices outside their axis.
@Suite struct MLKernelTests {
    private func run(_ text: String, ml: Int64 = 3, _ feeds: [String: DenseTensor]) throws -> [DenseTensor] {
        let model = try TestModels.model("<ir_version: 10, opset_import: [\"\" : 21, \"ai.onnx.ml\" : \(ml)]>\n" + text)
        return try ModelRunner(model).run(feeds).map { try #require($0.tensor) }
    }

    /// The message of the failure running `text` gives (nil when it runs).
    private func failure(_ text: String, ml: Int64 = 3, _ feeds: [String: DenseTensor]) -> String? {
        do {
            _ = try run(text, ml: ml, feeds)
            return nil
        } catch let error as RuntimeError {
            return error.diagnostic.message
        } catch {
            return "\(error)"
        }
    }

    private func floats(_ tensor: DenseTensor) -> [Float] {
        if case .float(let v) = tensor.elements { return v }
        return []
    }

    private func doubles(_ tensor: DenseTensor) -> [Double] {
        if case .double(let v) = tensor.elements { return v }
        return []
    }

    private func ints(_ tensor: DenseTensor) -> [Int64] {
        if case .int64(let v) = tensor.elements { return v }
        return []
    }

    private func strings(_ tensor: DenseTensor) -> [String] {
        if case .string(let v) = tensor.elements { return v.map { String(decoding: $0, as: UTF8.self) } }
        return []
    }

    private func strings(_ values: [String]) -> DenseTensor {
        DenseTensor(shape: [values.count], elements: .string(values.map { Array($0.utf8) }))
    }

    private func close(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }

    // MARK: Linear models

    @Test func linearClassifierPicksTheFirstBestClassAndSoftmaxesScores() throws {
        // Scores x·w + b for w = [1, 0], [0, 1], [1, 1] and b = [0, 0, -1]:
        // [2, 1] → [2, 1, 2] (a tie: the first class), [0, 3] → [0, 3, 2].
        func model(_ extra: String) -> String {
            """
            g (float[2, 2] x) => (label, scores) {
               label, scores = ai.onnx.ml.LinearClassifier <coefficients = [1.0, 0.0, 0.0, 1.0, 1.0, 1.0], intercepts = [0.0, 0.0, -1.0], classlabels_strings = ["a", "b", "c"]\(extra)> (x)
            }
            """
        }
        let x = DenseTensor([2, 1, 0, 3] as [Float], shape: [2, 2])
        let plain = try run(model(""), ["x": x])
        #expect(strings(plain[0]) == ["a", "b"])
        #expect(plain[1].shape == [2, 3])
        #expect(floats(plain[1]) == [2, 1, 2, 0, 3, 2])
        // Softmax of [2, 1, 2]: e^0, e^-1, e^0 over 2 + e^-1.
        let softmax = try run(model(", post_transform = \"SOFTMAX\""), ["x": x])
        #expect(close(floats(softmax[1]), [0.422319, 0.155362, 0.422319, 0.035119, 0.705385, 0.259496]))
        // The label comes from the scores before the transform: PROBIT of a
        // score outside [0, 1] is NaN, of 0 and 1 -∞ and ∞.
        let probit = try run(model(", post_transform = \"PROBIT\""), ["x": x])
        #expect(strings(probit[0]) == ["a", "b"])
        #expect(floats(probit[1]).map { $0.isNaN ? "nan" : "\($0)" } == ["nan", "inf", "nan", "-inf", "nan", "nan"])
    }

    @Test func binaryLinearClassifierScoresBothClassesFromOneRow() throws {
        // s = x0 - x1 + 0.5: -0.5 and 2.5; the first class scores -s.
        func model(_ extra: String) -> String {
            """
            g (float[2, 2] x) => (label, scores) {
               label, scores = ai.onnx.ml.LinearClassifier <coefficients = [1.0, -1.0], intercepts = [0.5], classlabels_ints = [0, 1]\(extra)> (x)
            }
            """
        }
        let x = DenseTensor([1, 2, 3, 1] as [Float], shape: [2, 2])
        let plain = try run(model(""), ["x": x])
        #expect(ints(plain[0]) == [0, 1])
        #expect(floats(plain[1]) == [0.5, -0.5, -2.5, 2.5])
        let logistic = try run(model(", post_transform = \"LOGISTIC\""), ["x": x])
        #expect(ints(logistic[0]) == [0, 1])
        #expect(close(floats(logistic[1]), [0.622459, 0.377541, 0.075858, 0.924142]))
    }

    @Test func linearRegressorHasOneRowOfCoefficientsPerTarget() throws {
        let y = try run(
            """
            g (float[2, 2] x) => (y) {
               y = ai.onnx.ml.LinearRegressor <coefficients = [1.0, 2.0, 3.0, 4.0], intercepts = [1.0, -1.0], targets = 2> (x)
            }
            """, ["x": DenseTensor([1, 1, 0, 2] as [Float], shape: [2, 2])])
        #expect(y[0].shape == [2, 2])
        #expect(floats(y[0]) == [4, 6, 5, 7])
    }

    @Test func linearModelsRefuseCoefficientsThatAreNotWholeRows() {
        let message = failure(
            """
            g (float[1, 2] x) => (y) { y = ai.onnx.ml.LinearRegressor <coefficients = [1.0, 2.0, 3.0]> (x) }
            """, ["x": DenseTensor([1, 1] as [Float], shape: [1, 2])])
        #expect(message?.contains("3 coefficients") == true)
    }

    // MARK: Support vector machines

    @Test func svmClassifierVotesOneAgainstOne() throws {
        // Vectors v0 = [1, 0], v1 = [0, 1], v2 = [1, 1], one per class, linear
        // kernel. Pair (i, j) sums coefficient row j-1 over class i's vectors
        // and row i over class j's: for x = [0, 2], k = [0, 2, 2] and the
        // pairs score -2 (for b), 2 (a), 2·2 - 2 = 2 (b): b has two votes.
        let out = try run(
            """
            g (float[2, 2] x) => (label, scores) {
               label, scores = ai.onnx.ml.SVMClassifier <support_vectors = [1.0, 0.0, 0.0, 1.0, 1.0, 1.0], vectors_per_class = [1, 1, 1], coefficients = [1.0, -1.0, 1.0, 1.0, 2.0, -1.0], rho = [0.0, 0.0, 0.0], classlabels_strings = ["a", "b", "c"]> (x)
            }
            """, ["x": DenseTensor([2, 0, 0, 2] as [Float], shape: [2, 2])])
        #expect(strings(out[0]) == ["a", "b"])
        #expect(floats(out[1]) == [2, 4, -2, -2, 2, 2])
    }

    @Test func binarySvmClassifierGivesPlattProbabilities() throws {
        // s = k(x, v0) - k(x, v1) = 2 - 1 = 1 votes for class 0; its
        // probability is 1 - σ(A·s + B) = 1 - σ(-2) = 0.880797.
        func model(_ extra: String) -> String {
            """
            g (float[1, 2] x) => (label, scores) {
               label, scores = ai.onnx.ml.SVMClassifier <support_vectors = [1.0, 0.0, 0.0, 1.0], vectors_per_class = [1, 1], coefficients = [1.0, -1.0], rho = [0.0], classlabels_ints = [0, 1]\(extra)> (x)
            }
            """
        }
        let x = DenseTensor([2, 1] as [Float], shape: [1, 2])
        let scores = try run(model(""), ["x": x])
        #expect(ints(scores[0]) == [0])
        #expect(floats(scores[1]) == [-1, 1])
        let probabilities = try run(model(", prob_a = [-2.0], prob_b = [0.0]"), ["x": x])
        #expect(ints(probabilities[0]) == [0])
        #expect(close(floats(probabilities[1]), [0.880797, 0.119203]))
    }

    @Test func svmRegressorKernels() throws {
        let x = DenseTensor([1, 0] as [Float], shape: [1, 2])
        // RBF, γ = 0.5: 2·e^0 - e^(-0.5·2) + 0.5.
        func rbf(_ extra: String) -> String {
            """
            g (float[1, 2] x) => (y) {
               y = ai.onnx.ml.SVMRegressor <n_supports = 2, support_vectors = [1.0, 0.0, 0.0, 1.0], coefficients = [2.0, -1.0], rho = [0.5], kernel_type = "RBF", kernel_params = [0.5, 0.0, 0.0]\(extra)> (x)
            }
            """
        }
        #expect(close(floats(try run(rbf(""), ["x": x])[0]), [2.132121]))
        #expect(floats(try run(rbf(", one_class = 1"), ["x": x])[0]) == [1])
        // POLY, (γ·x·v + c)^d = (1·3 + 1)^2 = 16, times 0.5, minus 1.
        let poly = try run(
            """
            g (float[1, 2] x) => (y) {
               y = ai.onnx.ml.SVMRegressor <n_supports = 1, support_vectors = [1.0, 1.0], coefficients = [0.5], rho = [-1.0], kernel_type = "POLY", kernel_params = [1.0, 1.0, 2.0]> (x)
            }
            """, ["x": DenseTensor([1, 2] as [Float], shape: [1, 2])])
        #expect(floats(poly[0]) == [7])
        // Without support vectors: the dot product with the coefficients, plus rho.
        let linear = try run(
            """
            g (float[1, 2] x) => (y) { y = ai.onnx.ml.SVMRegressor <coefficients = [1.0, 2.0], rho = [3.0]> (x) }
            """, ["x": DenseTensor([1, 1] as [Float], shape: [1, 2])])
        #expect(floats(linear[0]) == [6])
    }

    @Test func svmClassifierRefusesSupportVectorsOfAnotherWidth() {
        let message = failure(
            """
            g (float[1, 3] x) => (label, scores) {
               label, scores = ai.onnx.ml.SVMClassifier <support_vectors = [1.0, 0.0, 0.0, 1.0], vectors_per_class = [1, 1], coefficients = [1.0, -1.0], rho = [0.0], classlabels_ints = [0, 1]> (x)
            }
            """, ["x": DenseTensor([1, 2, 3] as [Float], shape: [1, 3])])
        #expect(message?.contains("support vector") == true)
    }

    // MARK: Preprocessors

    @Test func scalerNormalizerBinarizer() throws {
        let scaled = try run(
            "g (float[1, 2] x) => (y) { y = ai.onnx.ml.Scaler <offset = [1.0, 2.0], scale = [2.0, 0.5]> (x) }",
            ["x": DenseTensor([3, 4] as [Float], shape: [1, 2])])
        #expect(floats(scaled[0]) == [4, 1])
        let x = DenseTensor([1, -3, 0, 0] as [Float], shape: [2, 2])
        func normalized(_ norm: String) throws -> [Float] {
            floats(try run("g (float[2, 2] x) => (y) { y = ai.onnx.ml.Normalizer <norm = \"\(norm)\"> (x) }", ["x": x])[0])
        }
        // MAX divides by the largest element (1), not the largest magnitude;
        // a row of zeros has a zero divisor and stays.
        #expect(try normalized("MAX") == [1, -3, 0, 0])
        #expect(try normalized("L1") == [0.25, -0.75, 0, 0])
        #expect(close(try normalized("L2"), [0.316228, -0.948683, 0, 0]))
        let binary = try run(
            "g (double[3] x) => (y) { y = ai.onnx.ml.Binarizer <threshold = 0.5> (x) }",
            ["x": DenseTensor(shape: [3], elements: .double([0.2, 0.5, 0.7]))])
        #expect(doubles(binary[0]) == [0, 0, 1])
    }

    @Test func imputerReplacesPerFeature() throws {
        let filled = try run(
            "g (float[2, 2] x) => (y) { y = ai.onnx.ml.Imputer <imputed_value_floats = [9.0, 8.0], replaced_value_float = nan> (x) }",
            ["x": DenseTensor([.nan, 1, 2, .nan] as [Float], shape: [2, 2])])
        #expect(floats(filled[0]) == [9, 1, 2, 8])
        let integers = try run(
            "g (int64[2] x) => (y) { y = ai.onnx.ml.Imputer <imputed_value_int64s = [0], replaced_value_int64 = -1> (x) }",
            ["x": DenseTensor([-1, 5] as [Int64])])
        #expect(ints(integers[0]) == [0, 5])
        let message = failure(
            "g (float[1, 3] x) => (y) { y = ai.onnx.ml.Imputer <imputed_value_floats = [1.0, 2.0]> (x) }",
            ["x": DenseTensor([0, 0, 0] as [Float], shape: [1, 3])])
        #expect(message?.contains("1 or 3 values") == true)
    }

    // MARK: Tree ensembles

    /// Tree 0: x0 <= 0.5 ? 1 : 2. Tree 1: x1 < 0 ? 10 : 20, a NaN x1 going
    /// to the true branch.
    private func regressor(
        _ extra: String = "", input: String = "float[4, 2]", features: String = "[0, 0, 0, 1, 0, 0]", whenTrue: String = "[1, 0, 0, 1, 0, 0]",
        whenFalse: String = "[2, 0, 0, 2, 0, 0]", weightNodes: String = "[1, 2, 1, 2]"
    ) -> String {
        """
        g (\(input) x) => (y) {
           y = ai.onnx.ml.TreeEnsembleRegressor <n_targets = 1,
               nodes_treeids = [0, 0, 0, 1, 1, 1], nodes_nodeids = [0, 1, 2, 0, 1, 2], nodes_featureids = \(features),
               nodes_modes = ["BRANCH_LEQ", "LEAF", "LEAF", "BRANCH_LT", "LEAF", "LEAF"], nodes_values = [0.5, 0.0, 0.0, 0.0, 0.0, 0.0],
               nodes_truenodeids = \(whenTrue), nodes_falsenodeids = \(whenFalse),
               nodes_missing_value_tracks_true = [0, 0, 0, 1, 0, 0],
               target_treeids = [0, 0, 1, 1], target_nodeids = \(weightNodes), target_ids = [0, 0, 0, 0], target_weights = [1.0, 2.0, 10.0, 20.0]\(extra)> (x)
        }
        """
    }

    @Test func treeRegressorAggregatesAndMissingValues() throws {
        // Rows: [0, -1] → 1 and 10; [1, 1] → 2 and 20; [1, NaN] → 2 and
        // (NaN tracks true) 10; [NaN, 1] → (NaN compares false) 2 and 20.
        let x = DenseTensor([0, -1, 1, 1, 1, .nan, .nan, 1] as [Float], shape: [4, 2])
        func scores(_ extra: String) throws -> [Float] { floats(try run(regressor(extra), ["x": x])[0]) }
        #expect(try scores("") == [11, 22, 12, 22])
        #expect(try scores(", aggregate_function = \"AVERAGE\"") == [5.5, 11, 6, 11])
        #expect(try scores(", aggregate_function = \"MIN\"") == [1, 2, 2, 2])
        #expect(try scores(", aggregate_function = \"MAX\"") == [10, 20, 10, 20])
        #expect(try scores(", base_values = [100.0]") == [111, 122, 112, 122])
        #expect(try scores(", base_values_as_tensor = double[1] {100.0}") == [111, 122, 112, 122])
    }

    @Test func treeClassifierMulticlassWithEveryComparison() throws {
        // x0 >= 1 ? (x1 == 5 ? {b: 0.6, c: 0.4} : {c: 1}) : {a: 1}.
        let out = try run(
            """
            g (float[3, 2] x) => (label, scores) {
               label, scores = ai.onnx.ml.TreeEnsembleClassifier <classlabels_strings = ["a", "b", "c"],
                   nodes_treeids = [0, 0, 0, 0, 0], nodes_nodeids = [0, 1, 2, 3, 4], nodes_featureids = [0, 1, 0, 0, 0],
                   nodes_modes = ["BRANCH_GTE", "BRANCH_EQ", "LEAF", "LEAF", "LEAF"], nodes_values = [1.0, 5.0, 0.0, 0.0, 0.0],
                   nodes_truenodeids = [1, 3, 0, 0, 0], nodes_falsenodeids = [2, 4, 0, 0, 0],
                   class_treeids = [0, 0, 0, 0], class_nodeids = [2, 3, 3, 4], class_ids = [0, 1, 2, 2], class_weights = [1.0, 0.6, 0.4, 1.0]> (x)
            }
            """, ["x": DenseTensor([0, 5, 1, 5, 2, 3] as [Float], shape: [3, 2])])
        #expect(strings(out[0]) == ["a", "b", "c"])
        #expect(floats(out[1]) == [1, 0, 0, 0, 0.6, 0.4, 0, 0, 1])
    }

    @Test func binaryTreeClassifierScoresTheOtherClassAsTheComplement() throws {
        // One class carries every weight: probabilities (0.2, 0.9) give
        // [1 - s, s]; mixed weights under LOGISTIC give [σ(-s), σ(s)] with
        // s = weight + 0.25.
        func model(_ weights: String, _ extra: String) -> String {
            """
            g (float[2, 1] x) => (label, scores) {
               label, scores = ai.onnx.ml.TreeEnsembleClassifier <classlabels_int64s = [0, 1],
                   nodes_treeids = [0, 0, 0], nodes_nodeids = [0, 1, 2], nodes_featureids = [0, 0, 0],
                   nodes_modes = ["BRANCH_GT", "LEAF", "LEAF"], nodes_values = [0.0, 0.0, 0.0],
                   nodes_truenodeids = [1, 0, 0], nodes_falsenodeids = [2, 0, 0],
                   class_treeids = [0, 0], class_nodeids = [1, 2], class_ids = [0, 0], class_weights = \(weights)\(extra)> (x)
            }
            """
        }
        let x = DenseTensor([-1, 1] as [Float], shape: [2, 1])
        let probabilities = try run(model("[0.9, 0.2]", ""), ["x": x])
        #expect(ints(probabilities[0]) == [0, 1])
        #expect(close(floats(probabilities[1]), [0.8, 0.2, 0.1, 0.9]))
        let logistic = try run(model("[1.5, -0.5]", ", base_values = [0.25], post_transform = \"LOGISTIC\""), ["x": x])
        #expect(ints(logistic[0]) == [0, 1])
        #expect(close(floats(logistic[1]), [0.562177, 0.437823, 0.148047, 0.851953]))
    }

    @Test func treeEnsembleSetMembershipAndOneLeafTrees() throws {
        // Tree at node 0: x0 in {1, 3} ? leaf 0 (target 0, 5) :
        // (x0 != 2 ? leaf 1 (target 1, 7) : leaf 2 (target 1, 9)). Tree at
        // node 2: both branches reach leaf 3 (target 0, 100).
        func model(_ aggregate: Int) -> String {
            """
            g (float[3, 1] x) => (y) {
               y = ai.onnx.ml.TreeEnsemble <n_targets = 2, aggregate_function = \(aggregate), post_transform = 0,
                   nodes_featureids = [0, 0, 0], nodes_modes = uint8[3] {6, 5, 0}, nodes_splits = float[3] {0, 2, 0},
                   membership_values = float[3] {1, 3, nan},
                   nodes_truenodeids = [0, 1, 3], nodes_trueleafs = [1, 1, 1], nodes_falsenodeids = [1, 2, 3], nodes_falseleafs = [0, 1, 1],
                   tree_roots = [0, 2], leaf_targetids = [0, 1, 1, 0], leaf_weights = float[4] {5, 7, 9, 100}> (x)
            }
            """
        }
        let x = DenseTensor([3, 2, 4] as [Float], shape: [3, 1])
        let sum = try run(model(1), ml: 5, ["x": x])
        #expect(sum[0].shape == [3, 2])
        #expect(floats(sum[0]) == [105, 0, 100, 9, 100, 7])
        let average = try run(model(0), ml: 5, ["x": x])
        #expect(floats(average[0]) == [52.5, 0, 50, 4.5, 50, 3.5])
    }

    @Test func treesThatPointNowhereOrLoopAreRefusedNamingTheNode() {
        let x = DenseTensor([0, 0, 0, 0, 0, 0, 0, 0] as [Float], shape: [4, 2])
        let nowhere = failure(regressor(whenTrue: "[5, 0, 0, 1, 0, 0]"), ["x": x])
        #expect(nowhere == "node 0 of tree 0: its true branch is node 5, which tree 0 does not have")
        // Tree 1's root is a branch whose false side is the root again.
        let loop = failure(regressor(whenFalse: "[2, 0, 0, 0, 0, 0]"), ["x": x])
        #expect(loop == "node 0 of tree 1 is on a cycle: a walk from its tree's root comes back to it")
        let short = failure(regressor(features: "[0, 0, 0, 1, 0]"), ["x": x])
        #expect(short == "nodes_featureids has 5 entries but nodes_nodeids has 6")
        let unknownWeight = failure(regressor(weightNodes: "[1, 2, 1, 7]"), ["x": x])
        #expect(unknownWeight == "target weight 3 is for node 7 of tree 1, which does not exist")
        let narrow = failure(regressor(input: "float[4, 1]"), ["x": DenseTensor([0, 0, 0, 0] as [Float], shape: [4, 1])])
        #expect(narrow == "node 0 of tree 1 reads feature 1, but X has 1 features")
    }

    @Test func treeEnsembleRefusesLeavesOutsideTheList() {
        let message = failure(
            """
            g (float[1, 1] x) => (y) {
               y = ai.onnx.ml.TreeEnsemble <n_targets = 1, nodes_featureids = [0], nodes_modes = uint8[1] {0}, nodes_splits = float[1] {0},
                   nodes_truenodeids = [0], nodes_trueleafs = [1], nodes_falsenodeids = [4], nodes_falseleafs = [1],
                   tree_roots = [0], leaf_targetids = [0], leaf_weights = float[1] {1}> (x)
            }
            """, ml: 5, ["x": DenseTensor([0] as [Float], shape: [1, 1])])
        #expect(message == "node 0: its false branch is leaf 4, outside [0, 1)")
    }

    // MARK: Encoders

    @Test func labelEncoderListsAndTensors() throws {
        // From opset 4 a NaN key matches NaN (before, NaN equals nothing); a
        // missing key gives the default.
        let nanKey = "g (float[3] x) => (y) { y = ai.onnx.ml.LabelEncoder <keys_floats = [1.5, nan], values_strings = [\"x\", \"nan\"], default_string = \"?\"> (x) }"
        let withNaN = DenseTensor([1.5, .nan, 2] as [Float])
        #expect(strings(try run(nanKey, ml: 4, ["x": withNaN])[0]) == ["x", "nan", "?"])
        #expect(strings(try run(nanKey, ml: 2, ["x": withNaN])[0]) == ["x", "?", "?"])
        // A repeated key maps as its last entry; default_float is -0.
        let floatValues = try run(
            "g (int64[3] x) => (y) { y = ai.onnx.ml.LabelEncoder <keys_int64s = [1, 2, 1], values_floats = [0.5, 0.25, 0.75]> (x) }",
            ml: 2, ["x": DenseTensor([1, 2, 3] as [Int64])])
        #expect(floats(floatValues[0]) == [0.75, 0.25, 0])
        #expect(floats(floatValues[0])[2].sign == .minus)
        let tensors = try run(
            "g (int32[2] x) => (y) { y = ai.onnx.ml.LabelEncoder <keys_tensor = int32[2] {1, 2}, values_tensor = int16[2] {10, 20}, default_tensor = int16[1] {-5}> (x) }",
            ml: 4, ["x": DenseTensor(shape: [2], elements: .int32([2, 7]))])
        #expect(tensors[0].elements == .int16([20, -5]))
        let doubleValues = try run(
            "g (string[2] x) => (y) { y = ai.onnx.ml.LabelEncoder <keys_strings = [\"a\"], values_tensor = double[1] {0.5}> (x) }",
            ml: 4, ["x": strings(["a", "b"])])
        #expect(doubles(doubleValues[0]) == [0.5, 0])
        // Opset 1: strings to their index in classes_strings and back.
        let toIndex = try run(
            "g (string[2] x) => (y) { y = ai.onnx.ml.LabelEncoder <classes_strings = [\"p\", \"q\"]> (x) }", ml: 1,
            ["x": strings(["q", "z"])])
        #expect(ints(toIndex[0]) == [1, -1])
        let toString = try run(
            "g (int64[2] x) => (y) { y = ai.onnx.ml.LabelEncoder <classes_strings = [\"p\", \"q\"]> (x) }", ml: 1,
            ["x": DenseTensor([0, 5] as [Int64])])
        #expect(strings(toString[0]) == ["p", "_Unused"])
    }

    @Test func labelEncoderRefusesKeysAndValuesOfDifferentLengths() {
        let message = failure(
            "g (string[1] x) => (y) { y = ai.onnx.ml.LabelEncoder <keys_strings = [\"a\", \"b\"], values_int64s = [1]> (x) }",
            ml: 2, ["x": strings(["a"])])
        #expect(message == "keys_strings has 2 entries but values_int64s has 1")
        let mismatch = failure(
            "g (int64[1] x) => (y) { y = ai.onnx.ml.LabelEncoder <keys_strings = [\"a\"], values_int64s = [1]> (x) }",
            ml: 2, ["x": DenseTensor([1] as [Int64])])
        #expect(mismatch == "X holds INT64 but the keys (keys_strings) are STRING")
    }

    @Test func oneHotEncoderAddsACategoryAxis() throws {
        func numbers(_ extra: String) -> String {
            "g (int64[2, 2] x) => (y) { y = ai.onnx.ml.OneHotEncoder <cats_int64s = [3, 1, 4]\(extra)> (x) }"
        }
        let x = DenseTensor([1, 4, 5, 3] as [Int64], shape: [2, 2])
        let encoded = try run(numbers(""), ["x": x])
        #expect(encoded[0].shape == [2, 2, 3])
        #expect(floats(encoded[0]) == [0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0])
        let strict = failure(numbers(", zeros = 0"), ["x": x])
        #expect(strict == "element 2 of X is in none of the 3 categories, and zeros is 0")
        // Floats are cast to integers toward zero.
        let truncated = try run(
            "g (float[2] x) => (y) { y = ai.onnx.ml.OneHotEncoder <cats_int64s = [0, 1]> (x) }",
            ["x": DenseTensor([1.7, -0.5] as [Float])])
        #expect(floats(truncated[0]) == [0, 1, 1, 0])
        let words = try run(
            "g (string[2] x) => (y) { y = ai.onnx.ml.OneHotEncoder <cats_strings = [\"r\", \"g\"]> (x) }",
            ["x": strings(["g", "b"])])
        #expect(floats(words[0]) == [0, 1, 0, 0])
    }

    @Test func categoryMapperBothWays() throws {
        func model(_ type: String) -> String {
            "g (\(type)[2] x) => (y) { y = ai.onnx.ml.CategoryMapper <cats_strings = [\"a\", \"b\"], cats_int64s = [1, 2]> (x) }"
        }
        let toInts = try run(model("string"), ["x": strings(["b", "z"])])
        #expect(ints(toInts[0]) == [2, -1])
        let toStrings = try run(model("int64"), ["x": DenseTensor([1, 9] as [Int64])])
        #expect(strings(toStrings[0]) == ["a", "_Unused"])
        let uneven = failure(
            "g (string[1] x) => (y) { y = ai.onnx.ml.CategoryMapper <cats_strings = [\"a\"], cats_int64s = [1, 2]> (x) }",
            ["x": strings(["a"])])
        #expect(uneven == "cats_strings has 1 entries but cats_int64s has 2")
    }

    @Test func arrayFeatureExtractorGathersTheLastAxis() throws {
        func model(_ type: String) -> String { "g (\(type) x, int64[2] i) => (y) { y = ai.onnx.ml.ArrayFeatureExtractor (x, i) }" }
        let matrix = try run(
            model("float[2, 3]"),
            ["x": DenseTensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3]), "i": DenseTensor([2, 0] as [Int64])])
        #expect(matrix[0].shape == [2, 2])
        #expect(floats(matrix[0]) == [3, 1, 6, 4])
        // A vector gives one row.
        let vector = try run(
            model("string[3]"),
            ["x": strings(["p", "q", "r"]), "i": DenseTensor([1, 1] as [Int64])])
        #expect(vector[0].shape == [1, 2])
        #expect(strings(vector[0]) == ["q", "q"])
        for index: Int64 in [3, -1] {
            let message = failure(
                model("float[2, 3]"),
                ["x": DenseTensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3]), "i": DenseTensor([0, index] as [Int64])])
            #expect(message == "index \(index) is outside the 3 elements of X's last axis")
        }
    }

    @Test func featureVectorizerCutsAndPads() throws {
        func model(_ dimensions: String) -> String {
            "g (float[2, 2] a, int64[2, 1] b) => (y) { y = ai.onnx.ml.FeatureVectorizer <inputdimensions = \(dimensions)> (a, b) }"
        }
        let feeds = ["a": DenseTensor([1, 2, 3, 4] as [Float], shape: [2, 2]), "b": DenseTensor([5, 6] as [Int64], shape: [2, 1])]
        let padded = try run(model("[3, 1]"), feeds)
        #expect(padded[0].shape == [2, 4])
        #expect(floats(padded[0]) == [1, 2, 0, 5, 3, 4, 0, 6])
        let cut = try run(model("[1, 1]"), feeds)
        #expect(floats(cut[0]) == [1, 5, 3, 6])
        let miscounted = failure(model("[1]"), feeds)
        #expect(miscounted?.contains("each of the 2 inputs") == true)
    }
}
