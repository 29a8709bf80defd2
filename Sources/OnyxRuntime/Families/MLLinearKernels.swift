#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import OnyxIR

/// Kernels of the `ai.onnx.ml` linear family: the linear and SVM models
/// (LinearClassifier, LinearRegressor, SVMClassifier, SVMRegressor) and the
/// feature preprocessors (Scaler, Normalizer, Binarizer, Imputer). The
/// helpers every `ai.onnx.ml` family shares (the feature rows, the score
/// transforms, the class labels) are at the end of this file.
///
/// Scores are computed in double precision and written as float32, the
/// type the schemas give them.
enum MLLinearKernels {
    static let table: [KernelRegistration] = [
        KernelRegistration("LinearClassifier", domain: ML.domain) { call throws(RuntimeError) in
            try linearClassifier(call)
        },
        KernelRegistration("LinearRegressor", domain: ML.domain) { call throws(RuntimeError) in
            try linearRegressor(call)
        },
        KernelRegistration("SVMClassifier", domain: ML.domain) { call throws(RuntimeError) in try svmClassifier(call) },
        KernelRegistration("SVMRegressor", domain: ML.domain) { call throws(RuntimeError) in try svmRegressor(call) },
        KernelRegistration("Scaler", domain: ML.domain) { call throws(RuntimeError) in try scaler(call) },
        KernelRegistration("Normalizer", domain: ML.domain) { call throws(RuntimeError) in try normalizer(call) },
        KernelRegistration("Binarizer", domain: ML.domain) { call throws(RuntimeError) in try binarizer(call) },
        KernelRegistration("Imputer", domain: ML.domain) { call throws(RuntimeError) in try imputer(call) },
    ]

    // MARK: Linear models

    /// `rows` linear functions of the features: `weights` holds one row of
    /// `x.width` coefficients per function, `intercepts` none or one per
    /// function. Row-major [x.count, rows] results.
    private static func linearScores(
        _ x: FeatureRows, weights: [Double], intercepts: [Double], _ call: KernelCall
    ) throws(RuntimeError) -> (scores: [Double], rows: Int) {
        guard x.width > 0 else { throw call.failure("X has no features") }
        guard !weights.isEmpty, weights.count % x.width == 0 else {
            throw call.failure("\(weights.count) coefficients are not whole rows of the \(x.width) features of X")
        }
        let rows = weights.count / x.width
        guard intercepts.isEmpty || intercepts.count == rows else {
            throw call.failure("\(intercepts.count) intercepts for \(rows) rows of coefficients")
        }
        var scores = [Double](repeating: 0, count: x.count * rows)
        for n in 0..<x.count {
            let features = x.row(n)
            for k in 0..<rows {
                var sum = intercepts.isEmpty ? 0 : intercepts[k]
                for (f, value) in features.enumerated() { sum += value * weights[k * x.width + f] }
                scores[n * rows + k] = sum
            }
        }
        return (scores, rows)
    }

    /// One score per row of coefficients (with its intercept), then the
    /// post transform; the label is the class of the highest score before
    /// the transform (as for every classifier here). A binary model with
    /// one row of coefficients scores the second class s and the first -s
    /// before the transform, as the onnx reference does (onnxruntime agrees
    /// under LOGISTIC, but otherwise writes 1 - s and skips the transform);
    /// a single score with other than two labels gives the labels 1 and 0,
    /// as onnxruntime does (the spec is silent).
    static func linearClassifier(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try FeatureRows(call, try call.input(0))
        let labels = try ClassLabels(call, ints: "classlabels_ints")
        let transform = try PostTransform(call)
        var (scores, width) = try linearScores(
            x, weights: (call.floats("coefficients") ?? []).map { Double($0) },
            intercepts: (call.floats("intercepts") ?? []).map { Double($0) }, call)
        if width == 1 && labels.count == 2 {
            scores = scores.flatMap { [-$0, $0] }
            width = 2
        }
        guard width == 1 || width == labels.count else {
            throw call.failure("\(width) rows of coefficients for \(labels.count) class labels")
        }
        let classes = width == 1 ? scores.map { $0 > 0 ? 1 : 0 } : ML.argmaxes(scores, width: width)
        transform.apply(&scores, width: width)
        return [(width == 1 ? labels.zeroAndOne : labels).tensor(classes), ML.floatTensor(scores, rows: x.count, width: width)]
    }

    /// `targets` linear functions of the features, then the post transform.
    static func linearRegressor(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try FeatureRows(call, try call.input(0))
        let targets = try call.requiredInt("targets")
        let weights = (call.floats("coefficients") ?? []).map { Double($0) }
        guard targets > 0, let rows = Int(exactly: targets), RuntimeBudget.elementCount([rows, x.width]) == weights.count else {
            throw call.failure("\(weights.count) coefficients are not \(targets) targets of \(x.width) features")
        }
        var (scores, width) = try linearScores(
            x, weights: weights, intercepts: (call.floats("intercepts") ?? []).map { Double($0) }, call)
        try PostTransform(call).apply(&scores, width: width)
        return [ML.floatTensor(scores, rows: x.count, width: width)]
    }

    // MARK: Support vector machines

    /// The SVM kernel of kernel_type and kernel_params (gamma, coef0, degree).
    private struct SVMKernel {
        enum Kind { case linear, poly, rbf, sigmoid }
        let kind: Kind
        let gamma: Double, coef0: Double, degree: Double

        init(_ call: KernelCall, linearOnly: Bool) throws(RuntimeError) {
            let params = (call.floats("kernel_params") ?? []).map { Double($0) }
            guard params.isEmpty || params.count == 3 else {
                throw call.failure("kernel_params must be gamma, coef0 and degree, not \(params.count) values")
            }
            (gamma, coef0, degree) = params.isEmpty ? (0, 0, 0) : (params[0], params[1], params[2].rounded(.towardZero))
            guard let name = call.string("kernel_type") else { throw call.failure("attribute 'kernel_type' is missing") }
            let named: Kind
            switch name {
            case "LINEAR": named = .linear
            case "POLY": named = .poly
            case "RBF": named = .rbf
            case "SIGMOID": named = .sigmoid
            default: throw call.failure("unknown kernel_type '\(name)' (LINEAR, POLY, RBF or SIGMOID)")
            }
            // Without support vectors the coefficients are the model's weight
            // rows, and the score is their dot product with the features.
            kind = linearOnly ? .linear : named
        }

        /// The kernel of features `x` and row `v` (of `vectors`, each `x.count` long).
        func callAsFunction(_ x: ArraySlice<Double>, _ vectors: [Double], row v: Int) -> Double {
            let base = v * x.count
            if kind == .rbf {
                var distance = 0.0
                for (f, value) in x.enumerated() {
                    let d = value - vectors[base + f]
                    distance += d * d
                }
                return exp(-gamma * distance)
            }
            var dot = 0.0
            for (f, value) in x.enumerated() { dot += value * vectors[base + f] }
            switch kind {
            case .linear, .rbf: return dot
            case .poly: return pow(gamma * dot + coef0, degree)
            case .sigmoid: return tanh(gamma * dot + coef0)
            }
        }
    }

    /// A support vector classifier, one-vs-one: every pair of classes (i, j)
    /// has a decision value over the support vectors of both, which votes
    /// for i when positive and j otherwise; the label is the class with the
    /// most votes. The scores are the decision values (for two classes -s
    /// and s), or with prob_a and prob_b the class probabilities, coupled
    /// from each pair's Platt sigmoid as libsvm does. Without support
    /// vectors (liblinear) each class scores the dot product of its row of
    /// coefficients plus rho[0], and the best score wins.
    static func svmClassifier(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try FeatureRows(call, try call.input(0))
        let labels = try ClassLabels(call, ints: "classlabels_ints")
        let transform = try PostTransform(call)
        let classes = labels.count
        let counts = call.ints("vectors_per_class") ?? []
        guard counts.allSatisfy({ $0 >= 0 && $0 <= Int64(Int32.max) }) else {
            throw call.failure("vectors_per_class holds a negative or oversized count: \(counts)")
        }
        let perClass = counts.map { Int($0) }
        let coefficients = (call.floats("coefficients") ?? []).map { Double($0) }
        let rho = (call.floats("rho") ?? []).map { Double($0) }
        let vectorCount = perClass.reduce(0, +)
        let kernel = try SVMKernel(call, linearOnly: vectorCount == 0)
        guard !rho.isEmpty else { throw call.failure("attribute 'rho' is missing") }

        if vectorCount == 0 {
            guard RuntimeBudget.elementCount([classes, x.width]) == coefficients.count else {
                throw call.failure("\(coefficients.count) coefficients are not \(classes) classes of \(x.width) features")
            }
            var scores = [Double](repeating: 0, count: x.count * classes)
            for n in 0..<x.count {
                for c in 0..<classes { scores[n * classes + c] = kernel(x.row(n), coefficients, row: c) + rho[0] }
            }
            let chosen = ML.argmaxes(scores, width: classes)
            transform.apply(&scores, width: classes)
            return [labels.tensor(chosen), ML.floatTensor(scores, rows: x.count, width: classes)]
        }

        guard perClass.count == classes else {
            throw call.failure("vectors_per_class must give a count for each of the \(classes) classes")
        }
        let vectors = (call.floats("support_vectors") ?? []).map { Double($0) }
        let pairs = classes * (classes - 1) / 2
        guard RuntimeBudget.elementCount([vectorCount, x.width]) == vectors.count else {
            throw call.failure("\(vectors.count) support vector values are not \(vectorCount) vectors of \(x.width) features")
        }
        guard RuntimeBudget.elementCount([classes - 1, vectorCount]) == coefficients.count else {
            throw call.failure("\(coefficients.count) coefficients are not \(classes - 1) rows of \(vectorCount) vectors")
        }
        guard rho.count == pairs else { throw call.failure("\(rho.count) rho values for \(pairs) class pairs") }
        let probA = call.floats("prob_a") ?? [], probB = call.floats("prob_b") ?? []
        guard probA.count == probB.count, probA.isEmpty || probA.count == pairs else {
            throw call.failure("prob_a and prob_b must both hold one value per class pair (\(pairs)), not \(probA.count) and \(probB.count)")
        }
        var start = [Int](), next = 0
        for count in perClass {
            start.append(next)
            next += count
        }

        let width = probA.isEmpty ? (pairs == 1 ? 2 : pairs) : classes
        var scores = [Double](repeating: 0, count: x.count * width)
        var chosen = [Int](repeating: 0, count: x.count)
        var kernels = [Double](repeating: 0, count: vectorCount)
        var decisions = [Double](repeating: 0, count: pairs)
        for n in 0..<x.count {
            let features = x.row(n)
            for v in 0..<vectorCount { kernels[v] = kernel(features, vectors, row: v) }
            var votes = [Int](repeating: 0, count: classes)
            var pair = 0
            for i in 0..<classes {
                for j in (i + 1)..<classes {
                    var sum = rho[pair]
                    for m in start[i]..<(start[i] + perClass[i]) { sum += coefficients[(j - 1) * vectorCount + m] * kernels[m] }
                    for m in start[j]..<(start[j] + perClass[j]) { sum += coefficients[i * vectorCount + m] * kernels[m] }
                    decisions[pair] = sum
                    votes[sum > 0 ? i : j] += 1
                    pair += 1
                }
            }
            chosen[n] = ML.argmax(votes.map(Double.init)[...])
            let row: [Double]
            if !probA.isEmpty {
                row = coupledProbabilities(decisions, probA: probA, probB: probB, classes: classes)
            } else {
                row = pairs == 1 ? [-decisions[0], decisions[0]] : decisions
            }
            scores.replaceSubrange((n * width)..<((n + 1) * width), with: row)
        }
        transform.apply(&scores, width: width)
        return [labels.tensor(chosen), ML.floatTensor(scores, rows: x.count, width: width)]
    }

    /// Class probabilities from one-vs-one decision values: each pair's
    /// Platt sigmoid 1 / (1 + exp(A·s + B)), clamped to [1e-7, 1 - 1e-7],
    /// coupled by libsvm's iterative method (Wu, Lin and Weng 2004, method
    /// 2). Computed in float32 as libsvm and onnxruntime do: the iteration
    /// stops on a tolerance, so a wider type can stop on another step.
    private static func coupledProbabilities(
        _ decisions: [Double], probA: [Float], probB: [Float], classes k: Int
    ) -> [Double] {
        var r = [Float](repeating: 0, count: k * k)
        var pair = 0
        for i in 0..<k {
            for j in (i + 1)..<k {
                let sigmoid = 1 - Float(ML.logistic(Double(Float(decisions[pair]) * probA[pair] + probB[pair])))
                let clamped = min(max(sigmoid, 1e-7), 1 - 1e-7)
                r[i * k + j] = clamped
                r[j * k + i] = 1 - clamped
                pair += 1
            }
        }
        var q = [Float](repeating: 0, count: k * k)
        for t in 0..<k {
            for j in 0..<t {
                q[t * k + t] += r[j * k + t] * r[j * k + t]
                q[t * k + j] = q[j * k + t]
            }
            for j in (t + 1)..<k {
                q[t * k + t] += r[j * k + t] * r[j * k + t]
                q[t * k + j] = -r[j * k + t] * r[t * k + j]
            }
        }
        var p = [Float](repeating: 1 / Float(k), count: k)
        var qp = [Float](repeating: 0, count: k)
        let tolerance = 0.005 / Float(k)
        for _ in 0..<max(100, k) {
            var pqp: Float = 0
            for t in 0..<k {
                qp[t] = 0
                for j in 0..<k { qp[t] += q[t * k + j] * p[j] }
                pqp += p[t] * qp[t]
            }
            if qp.allSatisfy({ abs($0 - pqp) < tolerance }) { break }
            for t in 0..<k {
                let diff = (-qp[t] + pqp) / q[t * k + t]
                p[t] += diff
                pqp = (pqp + diff * (diff * q[t * k + t] + 2 * qp[t])) / (1 + diff) / (1 + diff)
                for j in 0..<k {
                    qp[j] = (qp[j] + diff * q[t * k + j]) / (1 + diff)
                    p[j] /= 1 + diff
                }
            }
        }
        return p.map { Double($0) }
    }

    /// A support vector regression: Σ coefficient·kernel(x, vector) + rho[0]
    /// over the n_supports vectors, or without them the dot product with the
    /// coefficients plus rho[0]; a one-class SVM gives the sign, ±1.
    static func svmRegressor(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try FeatureRows(call, try call.input(0))
        let supports = try call.requiredInt("n_supports")
        let coefficients = (call.floats("coefficients") ?? []).map { Double($0) }
        let vectors = (call.floats("support_vectors") ?? []).map { Double($0) }
        guard let rho = call.floats("rho")?.first.map({ Double($0) }) else { throw call.failure("attribute 'rho' is missing") }
        let kernel = try SVMKernel(call, linearOnly: supports <= 0)
        if supports > 0 {
            guard Int64(coefficients.count) == supports,
                RuntimeBudget.elementCount([coefficients.count, x.width]) == vectors.count
            else {
                throw call.failure(
                    "\(supports) support vectors need \(supports) coefficients and \(supports) × \(x.width) vector values, not \(coefficients.count) and \(vectors.count)")
            }
        } else {
            guard coefficients.count == x.width else {
                throw call.failure("\(coefficients.count) coefficients for the \(x.width) features of X")
            }
        }
        let oneClass = try call.requiredInt("one_class") != 0
        var scores = (0..<x.count).map { n in
            let features = x.row(n)
            var sum = rho
            if supports > 0 {
                for v in 0..<Int(supports) { sum += coefficients[v] * kernel(features, vectors, row: v) }
            } else {
                sum += kernel(features, coefficients, row: 0)
            }
            return oneClass ? (sum > 0 ? 1 : -1) : sum
        }
        try PostTransform(call).apply(&scores, width: 1)
        return [ML.floatTensor(scores, rows: x.count, width: 1)]
    }

    // MARK: Preprocessors

    /// (X - offset) · scale, each attribute one value for all features or
    /// one per feature (the last axis).
    static func scaler(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        let values = try call.doubles(x, "X")
        let features = x.rank == 0 ? 1 : x.shape[x.rank - 1]
        let offset = try ML.perFeature(call, "offset", features: features, absent: 0)
        let scale = try ML.perFeature(call, "scale", features: features, absent: 1)
        let y = values.indices.map { (values[$0] - offset[$0 % features]) * scale[$0 % features] }
        return [DenseTensor(shape: x.shape, doubles: y, as: .float)]
    }

    /// Each row divided by its largest element (MAX), the sum of its
    /// absolute values (L1) or its Euclidean length (L2); a row whose
    /// divisor is zero is kept as it is.
    static func normalizer(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let input = try call.input(0)
        let x = try FeatureRows(call, input)
        guard let norm = call.string("norm") else { throw call.failure("attribute 'norm' is missing") }
        let divisor: (ArraySlice<Double>) -> Double
        switch norm {
        case "MAX": divisor = { $0.max() ?? 0 }
        case "L1": divisor = { $0.reduce(0) { $0 + abs($1) } }
        case "L2": divisor = { sqrt($0.reduce(0) { $0 + $1 * $1 }) }
        default: throw call.failure("unknown norm '\(norm)' (MAX, L1 or L2)")
        }
        var y = x.values
        for n in 0..<x.count {
            let d = divisor(x.row(n))
            guard d != 0 else { continue }
            for f in (n * x.width)..<((n + 1) * x.width) { y[f] /= d }
        }
        return [DenseTensor(shape: input.shape, doubles: y, as: .float)]
    }

    /// 1 where X is greater than the threshold, else 0, in X's type.
    static func binarizer(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        guard let threshold = call.float("threshold").map({ Double($0) }) else {
            throw call.failure("attribute 'threshold' is missing")
        }
        let y = try call.doubles(x, "X").map { $0 > threshold ? 1.0 : 0.0 }
        return [DenseTensor(shape: x.shape, doubles: y, as: x.dataType)]
    }

    /// X with every element equal to the replaced value (NaN matches NaN)
    /// set to the imputed value of its feature (the last axis): the float
    /// attributes for float inputs, the integer ones for integer inputs.
    static func imputer(_ call: KernelCall) throws(RuntimeError) -> [DenseTensor?] {
        let x = try call.input(0)
        let features = x.rank == 0 ? 1 : x.shape[x.rank - 1]
        guard let numbers = Numbers(x.elements) else { throw call.failure("X of type \(x.dataType) is not numeric") }
        switch numbers {
        case .float, .double:
            let imputed = try ML.perFeature(call, "imputed_value_floats", features: features, absent: nil)
            guard let replaced = call.float("replaced_value_float").map({ Double($0) }) else {
                throw call.failure("attribute 'replaced_value_float' is missing")
            }
            let y = numbers.doubles.enumerated().map { k, v in
                (v == replaced || (v.isNaN && replaced.isNaN)) ? imputed[k % features] : v
            }
            return [DenseTensor(shape: x.shape, doubles: y, as: x.dataType)]
        case .int, .uint:
            let imputed = call.ints("imputed_value_int64s") ?? []
            guard imputed.count == 1 || imputed.count == features else {
                throw call.failure("imputed_value_int64s must hold 1 or \(features) values (one per feature), not \(imputed.count)")
            }
            let replaced = try call.requiredInt("replaced_value_int64")
            let y = numbers.int64s.enumerated().map { k, v in v == replaced ? imputed[imputed.count == 1 ? 0 : k % features] : v }
            return [DenseTensor(shape: x.shape, elements: Numbers.int(y).elements(as: x.dataType))]
        }
    }
}

// MARK: - Shared by the ai.onnx.ml families

/// What the `ai.onnx.ml` kernels share: the domain, score transforms and
/// the small helpers around them.
enum ML {
    static let domain = "ai.onnx.ml"

    /// 1 / (1 + e^-x), without overflow for large |x|.
    static func logistic(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    }

    /// √2 · erfinv(2p - 1), the inverse of the normal distribution, with
    /// erfinv by Winitzki's approximation (a = 0.147) as onnxruntime and the
    /// onnx reference compute it, so that PROBIT scores agree with theirs.
    static func probit(_ p: Double) -> Double {
        let x = 2 * p - 1
        let a = 0.147
        let l = log((1 - x) * (1 + x))
        let v = 2 / (Double.pi * a) + l / 2
        let root = sqrt(sqrt(v * v - l / a) - v)
        return 2.0.squareRoot() * (x < 0 ? -root : root)
    }

    /// The index of the first largest value.
    static func argmax(_ values: ArraySlice<Double>) -> Int {
        var best = values.startIndex
        for k in values.indices where values[k] > values[best] { best = k }
        return best - values.startIndex
    }

    /// The argmax of each row of `width` scores: a classifier's chosen
    /// classes, taken before the post transform (SOFTMAX_ZERO does not keep
    /// the order of scores, and PROBIT makes NaNs of scores outside [0, 1]).
    static func argmaxes(_ scores: [Double], width: Int) -> [Int] {
        guard width > 0 else { return [] }
        return stride(from: 0, to: scores.count, by: width).map { argmax(scores[$0..<($0 + width)]) }
    }

    /// [rows, width] float32 scores.
    static func floatTensor(_ scores: [Double], rows: Int, width: Int) -> DenseTensor {
        DenseTensor(shape: [rows, width], doubles: scores, as: .float)
    }

    /// The float attribute `name` for `features` features: one value for
    /// all or one per feature; `absent` for every feature when the node
    /// gives none (nil: the attribute is required).
    static func perFeature(_ call: KernelCall, _ name: String, features: Int, absent: Double?) throws(RuntimeError) -> [Double] {
        let values = (call.floats(name) ?? []).map { Double($0) }
        if values.isEmpty, let absent { return [Double](repeating: absent, count: features) }
        guard values.count == 1 || values.count == features else {
            throw call.failure("\(name) must hold 1 or \(features) values (one per feature), not \(values.count)")
        }
        return values.count == 1 ? [Double](repeating: values[0], count: features) : values
    }
}

/// A model's input X: `count` rows of `width` features, from a [N, C]
/// tensor or a [C] vector (one row), every element as a Double.
struct FeatureRows {
    let count: Int
    let width: Int
    let values: [Double]

    init(_ call: KernelCall, _ x: DenseTensor) throws(RuntimeError) {
        guard x.rank == 1 || x.rank == 2 else { throw call.failure("X must be [N, C] or [C], not of shape \(x.shape)") }
        values = try call.doubles(x, "X")
        count = x.rank == 1 ? 1 : x.shape[0]
        width = x.shape[x.rank - 1]
    }

    /// The features of row `n`.
    func row(_ n: Int) -> ArraySlice<Double> { values[(n * width)..<((n + 1) * width)] }
}

/// The transform a model applies to its scores, row by row (the
/// post_transform attribute: a name, or TreeEnsemble's code).
enum PostTransform {
    case none, softmax, logistic, softmaxZero, probit

    /// The post_transform string attribute.
    init(_ call: KernelCall) throws(RuntimeError) {
        guard let name = call.string("post_transform") else { throw call.failure("attribute 'post_transform' is missing") }
        switch name {
        case "NONE": self = .none
        case "SOFTMAX": self = .softmax
        case "LOGISTIC": self = .logistic
        case "SOFTMAX_ZERO": self = .softmaxZero
        case "PROBIT": self = .probit
        default: throw call.failure("unknown post_transform '\(name)' (NONE, SOFTMAX, LOGISTIC, SOFTMAX_ZERO or PROBIT)")
        }
    }

    /// TreeEnsemble's post_transform code: 0 NONE, 1 SOFTMAX, 2 LOGISTIC,
    /// 3 SOFTMAX_ZERO, 4 PROBIT.
    init(code: Int64, _ call: KernelCall) throws(RuntimeError) {
        let all: [PostTransform] = [.none, .softmax, .logistic, .softmaxZero, .probit]
        guard code >= 0, code < all.count else { throw call.failure("unknown post_transform \(code) (0 to 4)") }
        self = all[Int(code)]
    }

    /// Transforms every row of `width` scores in place: SOFTMAX and
    /// SOFTMAX_ZERO across the row (SOFTMAX_ZERO leaves zeros at zero, and
    /// a row of zeros becomes 0.5s), LOGISTIC and PROBIT one by one.
    func apply(_ scores: inout [Double], width: Int) {
        guard width > 0 else { return }
        switch self {
        case .none: return
        case .logistic: for k in scores.indices { scores[k] = ML.logistic(scores[k]) }
        case .probit: for k in scores.indices { scores[k] = ML.probit(scores[k]) }
        case .softmax, .softmaxZero:
            for start in stride(from: 0, to: scores.count, by: width) {
                let row = start..<(start + width)
                let top = scores[row].max() ?? 0
                var sum = 0.0
                for k in row {
                    // SOFTMAX_ZERO: a (near) zero score stays (near) zero.
                    let keep = self == .softmaxZero && abs(scores[k]) <= 1e-7
                    scores[k] = keep ? scores[k] * exp(-top) : exp(scores[k] - top)
                    sum += scores[k]
                }
                for k in row { scores[k] = sum == 0 ? 0.5 : scores[k] / sum }
            }
        }
    }
}

/// A classifier's class labels (classlabels_strings, or the integer
/// attribute, classlabels_ints or classlabels_int64s), and the label
/// output made from chosen class indices.
enum ClassLabels {
    case ints([Int64]), strings([[UInt8]])

    /// The labels the node gives: exactly one of the two attributes.
    init(_ call: KernelCall, ints name: String) throws(RuntimeError) {
        let ints = call.ints(name) ?? [], strings = call.attribute("classlabels_strings")?.strings ?? []
        switch (ints.isEmpty, strings.isEmpty) {
        case (false, true): self = .ints(ints)
        case (true, false): self = .strings(strings)
        case (true, true): throw call.failure("the class labels are missing (\(name) or classlabels_strings)")
        case (false, false): throw call.failure("both \(name) and classlabels_strings are given; only one may be")
        }
    }

    var count: Int {
        switch self {
        case .ints(let v): v.count
        case .strings(let v): v.count
        }
    }

    /// Labels 0 and 1 of the same kind ("0" and "1" for strings), for a
    /// model with one score that does not name two classes.
    var zeroAndOne: ClassLabels {
        switch self {
        case .ints: .ints([0, 1])
        case .strings: .strings([Array("0".utf8), Array("1".utf8)])
        }
    }

    /// The [N] label output for the chosen class indices (each below `count`).
    func tensor(_ classes: [Int]) -> DenseTensor {
        switch self {
        case .ints(let v): DenseTensor(classes.map { v[$0] })
        case .strings(let v): DenseTensor(shape: [classes.count], elements: .string(classes.map { v[$0] }))
        }
    }
}
