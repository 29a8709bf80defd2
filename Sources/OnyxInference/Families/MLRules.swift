import OnyxIR
import OnyxSymbolic

/// The operators of `ai.onnx.ml`, the traditional machine-learning domain
/// that scikit-learn and other converters write: classifiers, regressors,
/// encoders and the map and sequence plumbing around them.
///
/// Where onnx's own inference (onnx/defs/traditionalml) has a rule, this
/// follows it: the same element types, shapes and errors, the binary
/// special case of LinearClassifier's scores included. Where onnx has none
/// (Imputer, Scaler, Normalizer, the regressors, SVMClassifier's shapes,
/// FeatureVectorizer) or only types (the first TreeEnsemble and
/// LabelEncoder versions, ArrayFeatureExtractor of a 1-D tensor), shapes
/// are added only where onnx's reference implementation, onnxruntime and
/// the operator's documentation agree on them.
enum MLRules {
    static let domain = "ai.onnx.ml"

    static let rules: [InferenceRule] = [
        rule(["Binarizer", "Imputer", "Scaler", "Normalizer"]) { context in
            // Element-wise: Scaler and Normalizer give float (the schema fixes it).
            context.setOutputShape(0, context.inputShape(0))
        },
        rule(["ArrayFeatureExtractor"], arrayFeatureExtractor),
        rule(["CastMap"]) { context in
            // One value per key, or max_map of them: a 1-D tensor in the
            // documentation, `[1, C]` in onnxruntime, so no shape.
            let target: [String: DataType] = ["TO_FLOAT": .float, "TO_INT64": .int64, "TO_STRING": .string]
            if let element = target[context.stringAttribute("cast_to") ?? "TO_FLOAT"] {
                context.setOutputElementType(0, element)
            }
        },
        // Strings to integers and integers to strings, element by element
        // (LabelEncoder's first version; later ones follow).
        rule(["CategoryMapper", "LabelEncoder"]) { context in
            switch context.inputElementType(0) {
            case .string?: context.setOutput(0, element: .int64, shape: context.inputShape(0))
            case .int64?: context.setOutput(0, element: .string, shape: context.inputShape(0))
            default: context.setOutputShape(0, context.inputShape(0))
            }
        },
        rule(["DictVectorizer"]) { context in
            // The map's values, one per vocabulary entry: the documentation
            // says both `[C]` and `[1, C]`, so no shape.
            guard case .map(_, let value?)? = context.inputTypes.first??.kind, let element = value.tensorElementType else {
                return
            }
            context.setOutputElementType(0, element)
        },
        rule(["FeatureVectorizer"], featureVectorizer),
        rule(["LabelEncoder"], since: 2) { context throws(InferenceError) in try labelEncoder(&context, tensors: false) },
        rule(["LabelEncoder"], since: 4) { context throws(InferenceError) in try labelEncoder(&context, tensors: true) },
        rule(["LinearClassifier"], linearClassifier),
        rule(["LinearRegressor"]) { context in
            // One score per target and row: `[N, targets]`.
            guard let rows = matrixRows(context) else { return }
            context.setOutputShape(0, SymbolicShape([rows, SymbolicDim(context.intAttribute("targets") ?? 1)]))
        },
        rule(["OneHotEncoder"], oneHotEncoder),
        rule(["SVMClassifier"]) { context in
            // onnx types the labels; the rows are the input's, but how many
            // scores a row gets depends on the kernel mode and probabilities.
            context.setOutputElementType(0, classLabels(context, ints: "classlabels_ints").strings ? .string : .int64)
            guard let rows = matrixRows(context) else { return }
            context.setOutputShape(0, SymbolicShape([rows]))
            context.setOutputShape(1, SymbolicShape([rows, nil]))
        },
        rule(["SVMRegressor"]) { context in
            // One target only: `[N, 1]`.
            guard let rows = matrixRows(context) else { return }
            context.setOutputShape(0, SymbolicShape([rows, SymbolicDim(1)]))
        },
        rule(["TreeEnsembleClassifier"], since: 1) { context throws(InferenceError) in
            try treeEnsembleClassifier(&context, asOnnx: false)
        },
        rule(["TreeEnsembleClassifier"], since: 3) { context throws(InferenceError) in
            try treeEnsembleClassifier(&context, asOnnx: true)
        },
        rule(["TreeEnsembleRegressor"], since: 1) { context throws(InferenceError) in
            try treeEnsembleRegressor(&context, asOnnx: false)
        },
        rule(["TreeEnsembleRegressor"], since: 3) { context throws(InferenceError) in
            try treeEnsembleRegressor(&context, asOnnx: true)
        },
        rule(["TreeEnsemble"], since: 5, treeEnsemble),
        rule(["ZipMap"], zipMap),
    ]

    private static func rule(
        _ ops: [String], since: Int64 = 1,
        _ infer: @escaping @Sendable (inout InferenceContext) throws(InferenceError) -> Void
    ) -> InferenceRule {
        InferenceRule(ops, domain: domain, since: since, infer)
    }

    // MARK: Shared facts

    /// The rows of a `[N, F]` input 0, for the ops onnx has no rule for.
    /// The documentation reads a `[F]` input as one row, onnx's reference
    /// implementation does not (`[targets]` from LinearRegressor, `[F, 1]`
    /// from SVMRegressor), so it gets no shape: nil then, as for an unknown rank.
    private static func matrixRows(_ context: InferenceContext) -> SymbolicDim?? {
        guard let input = context.inputShape(0), input.rank == 2 else { return nil }
        return .some(input.dims[0])
    }

    /// Whether a classifier's labels are strings (classlabels_strings given
    /// and not empty, which is how onnx tells them from the integer ones,
    /// named `ints`), and how many labels there are.
    private static func classLabels(_ context: InferenceContext, ints: String) -> (strings: Bool, count: Int?) {
        if let strings = context.attribute("classlabels_strings")?.strings, !strings.isEmpty { return (true, strings.count) }
        return (false, context.attribute(ints)?.ints.count)
    }

    /// The element type and length of the first of `names` the node gives
    /// (a tensor attribute by its data type, lists by theirs), and how many
    /// of them it gives.
    private static func typedList(_ context: InferenceContext, _ names: [String]) throws(InferenceError) -> (
        element: DataType, count: Int, given: Int
    )? {
        var found: (element: DataType, count: Int)?
        var given = 0
        for name in names {
            guard let attribute = context.attribute(name) else { continue }
            let entry: (DataType, Int)?
            switch attribute.type {
            case .strings?: entry = (.string, attribute.strings.count)
            case .ints?: entry = (.int64, attribute.ints.count)
            case .floats?: entry = (.float, attribute.floats.count)
            case .tensor?:
                guard let tensor = attribute.t, let element = tensor.dataType else { entry = nil; break }
                guard tensor.dims.count == 1 else {
                    throw InferenceError("LabelEncoder's \(name) must be a 1-D tensor; it has shape \(tensor.dims)")
                }
                entry = (element, Int(tensor.dims[0]))
            default: entry = nil
            }
            guard let entry else { continue }
            given += 1
            if found == nil { found = entry }
        }
        return found.map { ($0.element, $0.count, given) }
    }

    // MARK: Encoders and extractors

    /// Elements picked along the last axis: the data's other dims, then as
    /// many as there are indices (a scalar index picks one). A 1-D data
    /// tensor gives one row, `[1, count]`, as onnxruntime and onnx's
    /// reference implementation both make it; onnx's inference leaves it unshaped.
    private static func arrayFeatureExtractor(_ context: inout InferenceContext) {
        guard let data = context.inputShape(0), data.rank > 0 else { return }
        let count = context.inputShape(1).flatMap { ShapeRules.product($0.dims) }
        let kept = data.rank == 1 ? [SymbolicDim(1)] : Array(data.dims.dropLast())
        context.setOutputShape(0, SymbolicShape(kept + [count]))
    }

    /// The inputs as rows of `inputdimensions[i]` columns each, side by
    /// side: `[N, sum of inputdimensions]`. N is the rows of 2-D inputs;
    /// a 1-D input is one row in the documentation and a column in onnx's
    /// reference implementation, so with one the rows are left unknown.
    private static func featureVectorizer(_ context: inout InferenceContext) throws(InferenceError) {
        let widths = context.intsAttribute("inputdimensions") ?? []
        let columns = widths.isEmpty ? nil : SymbolicDim(widths.reduce(0, +))
        var rows: [SymbolicDim?] = []
        var allMatrices = true
        for index in context.inputTypes.indices {
            guard let shape = context.inputShape(index), shape.rank == 2 else {
                allMatrices = false
                continue
            }
            rows.append(shape.dims[0])
        }
        var n: SymbolicDim?
        if allMatrices { n = try EqualDims.unify(rows, bindings: &context.bindings, "FeatureVectorizer's input rows") }
        context.setOutputShape(0, SymbolicShape([n, columns]))
    }

    /// Versions 2 and 4: the input's element type is the keys', the
    /// output's the values'; one and only one keys_* and values_* attribute
    /// (version 4 adds the tensor ones, of any listed type, and a
    /// default_tensor of the values' type and shape `[1]`), the same number
    /// of keys as values (checked from version 4, as onnx does). Same shape.
    private static func labelEncoder(_ context: inout InferenceContext, tensors: Bool) throws(InferenceError) {
        let keyNames = (tensors ? ["keys_tensor"] : []) + ["keys_strings", "keys_int64s", "keys_floats"]
        let valueNames = (tensors ? ["values_tensor"] : []) + ["values_strings", "values_int64s", "values_floats"]
        guard let keys = try typedList(context, keyNames), keys.given == 1 else {
            throw InferenceError("LabelEncoder needs one and only one of \(keyNames.joined(separator: ", "))")
        }
        if let input = context.inputElementType(0), input != keys.element {
            throw InferenceError("LabelEncoder's keys are \(keys.element.name) but its input is \(input.name)")
        }
        guard let values = try typedList(context, valueNames), values.given == 1 else {
            throw InferenceError("LabelEncoder needs one and only one of \(valueNames.joined(separator: ", "))")
        }
        if tensors {
            if let fallback = context.attribute("default_tensor")?.t {
                if let element = fallback.dataType, element != values.element {
                    throw InferenceError(
                        "LabelEncoder's default_tensor is \(element.name) but its values are \(values.element.name)")
                }
                guard fallback.dims == [1] else {
                    throw InferenceError("LabelEncoder's default_tensor must have shape [1]; it has \(fallback.dims)")
                }
            }
            guard keys.count == values.count else {
                throw InferenceError("LabelEncoder has \(keys.count) keys and \(values.count) values; they must be as many")
            }
        }
        context.setOutput(0, element: values.element, shape: context.inputShape(0))
    }

    /// One more dim than the input, of one entry per category; one and only
    /// one cats_* attribute.
    private static func oneHotEncoder(_ context: inout InferenceContext) throws(InferenceError) {
        let ints = context.attribute("cats_int64s")
        let strings = context.attribute("cats_strings")
        guard (ints == nil) != (strings == nil) else {
            throw InferenceError("OneHotEncoder needs one and only one of cats_int64s and cats_strings")
        }
        let count = max(ints?.ints.count ?? 0, strings?.strings.count ?? 0)
        guard let input = context.inputShape(0) else { return }
        context.setOutputShape(0, SymbolicShape(input.dims + [SymbolicDim(Int64(count))]))
    }

    /// A sequence with one map per row, from the labels to that row's
    /// scores (scalars): string keys for classlabels_strings, int64 for
    /// classlabels_int64s (which wins when both are given, as in onnx). The
    /// input is `[N, C]` or `[C]`, with a column per label.
    private static func zipMap(_ context: inout InferenceContext) throws(InferenceError) {
        var key: DataType?
        var labels: Int?
        if let strings = context.attribute("classlabels_strings")?.strings, !strings.isEmpty {
            (key, labels) = (.string, strings.count)
        }
        if let ints = context.attribute("classlabels_int64s")?.ints, !ints.isEmpty {
            (key, labels) = (.int64, ints.count)
        }
        if let input = context.inputShape(0) {
            guard input.rank == 1 || input.rank == 2 else {
                throw InferenceError("ZipMap's input must be 1-D or 2-D; it has shape \(input)")
            }
            if let labels {
                _ = try EqualDims.unify(
                    [input.dims[input.rank - 1], SymbolicDim(Int64(labels))], bindings: &context.bindings,
                    "ZipMap needs a column per label (\(labels)) in its input \(input)")
            }
        }
        let score = TypeInfo(.tensor(elementType: .float, shape: Shape([])))
        context.setOutputType(0, TypeInfo(.sequence(TypeInfo(.map(keyType: key, valueType: score)))))
    }

    // MARK: Classifiers and regressors

    /// Labels `[N]` (strings for classlabels_strings, else int64) and
    /// scores `[N, classes]`, classes being the intercepts' count, or 2 for
    /// a binary classifier of one intercept and two labels. The input is
    /// `[N, C]` or `[C]` (one row).
    private static func linearClassifier(_ context: inout InferenceContext) throws(InferenceError) {
        let (strings, labels) = classLabels(context, ints: "classlabels_ints")
        context.setOutputElementType(0, strings ? .string : .int64)
        let intercepts = context.attribute("intercepts")?.floats.count ?? 0
        let classes = intercepts == 1 && labels == 2 ? 2 : intercepts
        var batch: SymbolicDim?
        if let input = context.inputShape(0) {
            guard input.rank == 1 || input.rank == 2 else {
                throw InferenceError("LinearClassifier's input must be 1-D or 2-D; it has shape \(input)")
            }
            batch = input.rank == 1 ? SymbolicDim(1) : input.dims[0]
        }
        context.setOutputShape(0, SymbolicShape([batch]))
        context.setOutputShape(1, SymbolicShape([batch, SymbolicDim(Int64(classes))]))
    }

    /// The attribute pairs of which a node may give one only, the float
    /// list or the tensor (version 3's double-precision forms).
    private static func oneOfEach(_ context: InferenceContext, _ names: [String]) throws(InferenceError) {
        for name in names where context.attribute(name) != nil && context.attribute(name + "_as_tensor") != nil {
            throw InferenceError("\(context.opType) gives both \(name) and \(name)_as_tensor; only one may be given")
        }
    }

    /// Labels `[N]` and scores `[N, E]` for a `[N, F]` input, E the labels'
    /// count. From version 3 onnx requires rank 2 and one label list and
    /// checks the `_as_tensor` pairs; version 1 (types only in onnx) gets
    /// the same shapes without the errors.
    private static func treeEnsembleClassifier(_ context: inout InferenceContext, asOnnx: Bool) throws(InferenceError) {
        if asOnnx { try oneOfEach(context, ["nodes_values", "nodes_hitrates", "class_weights", "base_values"]) }
        let (strings, labels) = classLabels(context, ints: "classlabels_int64s")
        context.setOutputElementType(0, strings ? .string : .int64)
        if asOnnx, (labels ?? 0) == 0 {
            throw InferenceError("TreeEnsembleClassifier needs classlabels_int64s or classlabels_strings")
        }
        let rows = try treeRows(context, strict: asOnnx)
        guard asOnnx || rows != nil else { return }
        let classes = labels.flatMap { $0 > 0 ? SymbolicDim(Int64($0)) : nil }
        context.setOutputShape(0, SymbolicShape([rows ?? nil]))
        context.setOutputShape(1, SymbolicShape([rows ?? nil, classes]))
    }

    /// `[N, n_targets]` for a `[N, F]` input (the targets unknown without
    /// n_targets); version 1 as for the classifier.
    private static func treeEnsembleRegressor(_ context: inout InferenceContext, asOnnx: Bool) throws(InferenceError) {
        if asOnnx { try oneOfEach(context, ["nodes_values", "nodes_hitrates", "target_weights", "base_values"]) }
        let rows = try treeRows(context, strict: asOnnx)
        guard asOnnx || rows != nil else { return }
        context.setOutputShape(0, SymbolicShape([rows ?? nil, context.intAttribute("n_targets").map { SymbolicDim($0) }]))
    }

    /// The rows of a tree ensemble's `[N, F]` input: `.some(nil)` when
    /// the shape is unknown, nil for another rank unless `strict` (onnx's
    /// check) makes that an error.
    private static func treeRows(_ context: InferenceContext, strict: Bool) throws(InferenceError) -> SymbolicDim?? {
        guard let input = context.inputShape(0) else { return .some(nil) }
        guard input.rank == 2 else {
            if strict { throw InferenceError("\(context.opType)'s input must be 2-D, [N, F]; it has shape \(input)") }
            return nil
        }
        return .some(input.dims[0])
    }

    /// Version 5's single tree operator: `[N, n_targets]` of the input's
    /// type, with onnx's checks: a 2-D input; nodes_splits, leaf_weights
    /// and membership_values of the input's element type; nodes_modes of
    /// uint8; every nodes_* list as long as nodes_splits, and
    /// leaf_targetids as long as leaf_weights.
    private static func treeEnsemble(_ context: inout InferenceContext) throws(InferenceError) {
        if let element = context.inputElementType(0) {
            for name in ["nodes_splits", "leaf_weights", "membership_values"] {
                if let given = context.attribute(name)?.t?.dataType, given != element {
                    throw InferenceError("TreeEnsemble's \(name) is \(given.name) but its input is \(element.name)")
                }
            }
        }
        if let modes = context.attribute("nodes_modes")?.t?.dataType, modes != .uint8 {
            throw InferenceError("TreeEnsemble's nodes_modes must be uint8; it is \(modes.name)")
        }
        func length(_ name: String) -> Int? {
            guard let attribute = context.attribute(name) else { return nil }
            return attribute.type == .tensor ? attribute.t?.elementCount : attribute.ints.count
        }
        if let nodes = length("nodes_splits") {
            for name in [
                "nodes_featureids", "nodes_modes", "nodes_truenodeids", "nodes_falsenodeids", "nodes_trueleafs",
                "nodes_falseleafs", "nodes_missing_value_tracks_true", "nodes_hitrates",
            ] {
                if let count = length(name), count != nodes {
                    throw InferenceError("TreeEnsemble's \(name) has \(count) entries; nodes_splits has \(nodes)")
                }
            }
        }
        if let leaves = length("leaf_weights"), let targets = length("leaf_targetids"), leaves != targets {
            throw InferenceError("TreeEnsemble's leaf_targetids has \(targets) entries; leaf_weights has \(leaves)")
        }
        let rows = try treeRows(context, strict: true) ?? nil
        context.setOutputShape(0, SymbolicShape([rows, context.intAttribute("n_targets").map { SymbolicDim($0) }]))
    }
}
