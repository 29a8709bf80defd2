"""Export small scikit-learn models with skl2onnx, as ONNX backend test folders.

    .cache/venv/bin/python scripts/sklearn_models.py OUT_DIR

Installs the pinned scikit-learn, skl2onnx and onnxruntime into the running
interpreter with pip when they are missing (or of another version). Every
model is trained on seeded synthetic data, exported with ZipMap disabled,
and written as

    OUT_DIR/<name>/model.onnx
    OUT_DIR/<name>/test_data_set_0/input_0.pb
    OUT_DIR/<name>/test_data_set_0/output_K.pb   (onnxruntime's outputs)

so that `onyx conformance OUT_DIR` checks the ai.onnx.ml kernels against
onnxruntime on what a real exporter writes. Besides the exports as they
are, a few are rewritten (see `variants`) to reach the tree semantics
skl2onnx never writes: AVERAGE/MIN/MAX, other post transforms, *_as_tensor
doubles, the opset-5 TreeEnsemble, missing-value tracks.

onnxruntime runs with one thread: a tree ensemble's float32 sums then come
in tree order, as ours do, instead of in per-thread partial sums (for one
row, onnxruntime splits the trees between its threads). Writing twice gives
the same bytes.
"""

from __future__ import annotations

import copy
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile

PINS = {"scikit-learn": "1.9.1", "skl2onnx": "1.20.0", "onnxruntime": "1.31.1"}


def ensure_packages() -> None:
    """pip-installs the pins that are missing or of another version."""
    wanted = []
    for name, version in PINS.items():
        try:
            if importlib.metadata.version(name) == version:
                continue
        except importlib.metadata.PackageNotFoundError:
            pass
        wanted.append(f"{name}=={version}")
    if wanted:
        print(f"sklearn_models: installing {' '.join(wanted)}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *wanted], check=True)


ensure_packages()

import warnings  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime  # noqa: E402
from onnx import helper, numpy_helper  # noqa: E402
from ml_map_models import data_proto  # noqa: E402
from skl2onnx import to_onnx  # noqa: E402
from sklearn.base import is_classifier  # noqa: E402
from sklearn.datasets import make_classification, make_regression  # noqa: E402
from sklearn.ensemble import (  # noqa: E402
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import Binarizer, LabelEncoder, Normalizer, OneHotEncoder, StandardScaler  # noqa: E402
from sklearn.svm import SVC, SVR, LinearSVC, OneClassSVM  # noqa: E402
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor  # noqa: E402

# scikit-learn 1.9 deprecates SVC(probability=True) (and its probA_/probB_)
# with FutureWarnings on every fit and export; the models are still what
# skl2onnx exports.
warnings.filterwarnings("ignore", category=FutureWarning)

FEATURES = 6
ROWS = 40
TEST_ROWS = 12
# ONNX opsets to export at: the default domain at the newest opset onnx
# 1.23 defines, ai.onnx.ml at 3 (TreeEnsembleClassifier/Regressor with the
# *_as_tensor attributes; skl2onnx writes the opset-5 TreeEnsemble only
# when asked for it).
TARGET_OPSET = {"": 21, "ai.onnx.ml": 3}


def classification(classes: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    x, y = make_classification(
        n_samples=ROWS + TEST_ROWS, n_features=FEATURES, n_informative=4, n_redundant=0,
        n_classes=classes, n_clusters_per_class=1, random_state=seed)
    return x.astype(np.float32), y


def regression(seed: int, targets: int = 1) -> tuple[np.ndarray, np.ndarray]:
    x, y = make_regression(
        n_samples=ROWS + TEST_ROWS, n_features=FEATURES, n_informative=4, n_targets=targets, noise=0.5,
        random_state=seed)
    return x.astype(np.float32), y.astype(np.float32)


def with_gaps(x: np.ndarray, seed: int) -> np.ndarray:
    """`x` with about one value in six replaced by NaN."""
    x = x.copy()
    x[np.random.default_rng(seed).random(x.shape) < 1 / 6] = np.nan
    return x


def models() -> list[tuple[str, object, np.ndarray, np.ndarray]]:
    """(name, estimator, features, labels): the estimators to fit and export."""
    binary = classification(2, 1)
    three = classification(3, 2)
    four = classification(4, 3)
    named = (three[0], np.array(["ant", "bee", "cat"])[three[1]])
    numbered = (three[0], np.array([10, 20, 30])[three[1]])
    reg = regression(4)
    reg2 = regression(5, targets=2)
    return [
        ("logistic_regression_binary", LogisticRegression(), *binary),
        ("logistic_regression_multiclass", LogisticRegression(), *three),
        ("logistic_regression_string_labels", LogisticRegression(), *named),
        ("linear_regression", LinearRegression(), *reg),
        ("linear_regression_two_targets", LinearRegression(), *reg2),
        ("linear_svc_binary", LinearSVC(random_state=0), *binary),
        ("linear_svc_multiclass", LinearSVC(random_state=0), *four),
        ("svc_rbf_probability", SVC(kernel="rbf", probability=True, random_state=0), *three),
        ("svc_rbf_binary_probability", SVC(kernel="rbf", probability=True, random_state=0), *binary),
        ("svc_poly_scores", SVC(kernel="poly", degree=3, random_state=0), *four),
        ("svc_sigmoid_string_labels", SVC(kernel="sigmoid", random_state=0), *named),
        ("svc_linear_binary", SVC(kernel="linear", random_state=0), *binary),
        ("svr_rbf", SVR(kernel="rbf", C=10.0), *reg),
        ("svr_linear", SVR(kernel="linear"), *reg),
        ("decision_tree_classifier", DecisionTreeClassifier(max_depth=5, random_state=0), *three),
        ("decision_tree_classifier_binary", DecisionTreeClassifier(max_depth=4, random_state=0), *binary),
        ("decision_tree_regressor", DecisionTreeRegressor(max_depth=5, random_state=0), *reg),
        ("random_forest_classifier", RandomForestClassifier(n_estimators=8, max_depth=4, random_state=0), *three),
        ("random_forest_classifier_strings", RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0),
         *named),
        ("random_forest_classifier_int_labels", RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0),
         *numbered),
        ("random_forest_regressor", RandomForestRegressor(n_estimators=8, max_depth=4, random_state=0), *reg),
        ("random_forest_regressor_two_targets", RandomForestRegressor(n_estimators=4, max_depth=3, random_state=0),
         *reg2),
        ("gradient_boosting_classifier_binary",
         GradientBoostingClassifier(n_estimators=10, max_depth=3, random_state=0), *binary),
        ("gradient_boosting_classifier_multiclass",
         GradientBoostingClassifier(n_estimators=10, max_depth=3, random_state=0), *four),
        ("gradient_boosting_regressor", GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=0),
         *reg),
        ("pipeline_scaler_logistic_regression", make_pipeline(StandardScaler(), LogisticRegression()), *three),
        ("pipeline_scaler_svr", make_pipeline(StandardScaler(), SVR()), *reg),
        ("one_class_svm", OneClassSVM(gamma=0.2, nu=0.3), reg[0], None),
        ("simple_imputer", SimpleImputer(strategy="mean"), with_gaps(reg[0], 8), None),
        ("binarizer", Binarizer(threshold=0.25), binary[0], None),
        ("normalizer_l1", Normalizer(norm="l1"), binary[0], None),
        ("normalizer_l2", Normalizer(norm="l2"), binary[0], None),
        ("normalizer_max", Normalizer(norm="max"), binary[0], None),
    ]


def encoder_models() -> list[tuple[str, object, np.ndarray]]:
    """(name, fitted encoder, test input): OneHotEncoder on string and
    integer columns (with a category never seen), LabelEncoder on strings."""
    rng = np.random.default_rng(7)
    colours = np.array(["red", "green", "blue", "teal"])
    sizes = np.array(["S", "M", "L"])
    x = np.stack([colours[rng.integers(0, 4, ROWS)], sizes[rng.integers(0, 3, ROWS)]], axis=1)
    test = np.stack([colours[rng.integers(0, 4, TEST_ROWS)], sizes[rng.integers(0, 3, TEST_ROWS)]], axis=1)
    # A category the encoder never saw: handle_unknown="ignore" gives zeros.
    test[0, 0] = "mauve"
    numbers = rng.integers(0, 5, (ROWS, 3))
    number_test = rng.integers(0, 5, (TEST_ROWS, 3))
    number_test[1, 2] = 9
    labels = colours[rng.integers(0, 4, ROWS)]
    label_test = colours[rng.integers(0, 4, TEST_ROWS)]
    return [
        ("one_hot_encoder_strings", OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(x), test),
        ("one_hot_encoder_ints", OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(numbers), number_test),
        ("label_encoder_strings", LabelEncoder().fit(labels), label_test),
    ]


# MARK: variants
#
# skl2onnx writes every tree ensemble with the opset-1 attributes, SUM and
# the default transforms. The variants below rewrite some of those exports
# (aggregate functions, post transforms, *_as_tensor doubles, the opset-5
# TreeEnsemble, missing-value tracks) so that the other semantics are
# checked against onnxruntime on real trees too.


def ml_node(model: onnx.ModelProto) -> onnx.NodeProto:
    return next(n for n in model.graph.node if n.domain == "ai.onnx.ml")


def attributes(node: onnx.NodeProto) -> dict:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def rewritten(model: onnx.ModelProto, changes: dict, ml_opset: int | None = None) -> onnx.ModelProto:
    """`model` with its ai.onnx.ml node's attributes changed (None drops one)."""
    model = copy.deepcopy(model)
    node = ml_node(model)
    kept = [a for a in node.attribute if a.name not in changes]
    del node.attribute[:]
    node.attribute.extend(kept + [helper.make_attribute(k, v) for k, v in changes.items() if v is not None])
    if ml_opset is not None:
        for opset in model.opset_import:
            if opset.domain == "ai.onnx.ml":
                opset.version = ml_opset
    return model


def as_tensor_doubles(model: onnx.ModelProto) -> onnx.ModelProto:
    """The opset-3 form for double inputs: X double, thresholds, weights and
    base values as float64 *_as_tensor attributes."""
    found = attributes(ml_node(model))
    changes = {}
    for name in ("nodes_values", "nodes_hitrates", "class_weights", "target_weights", "base_values"):
        if name in found:
            changes[name] = None
            changes[name + "_as_tensor"] = numpy_helper.from_array(np.array(found[name], np.float64))
    model = rewritten(model, changes, ml_opset=3)
    model.graph.input[0].type.tensor_type.elem_type = onnx.TensorProto.DOUBLE
    return model


MODES = {b"BRANCH_LEQ": 0, b"BRANCH_LT": 1, b"BRANCH_GTE": 2, b"BRANCH_GT": 3, b"BRANCH_EQ": 4, b"BRANCH_NEQ": 5}


def tree_ensemble_5(model: onnx.ModelProto) -> onnx.ModelProto:
    """A one-target TreeEnsembleRegressor as the opset-5 TreeEnsemble: the
    branches by position, each weighted LEAF node a leaf, and base_values a
    last tree of one leaf (added last, as the regressor adds them)."""
    a = attributes(ml_node(model))
    keys = list(zip(a["nodes_treeids"], a["nodes_nodeids"], strict=True))
    branch = {k: i for i, k in enumerate(k for k, m in zip(keys, a["nodes_modes"], strict=True) if m != b"LEAF")}
    weight = dict(zip(zip(a["target_treeids"], a["target_nodeids"], strict=True), a["target_weights"], strict=True))
    leaf = {k: i for i, k in enumerate(k for k, m in zip(keys, a["nodes_modes"], strict=True) if m == b"LEAF")}
    out = {n: [] for n in ("featureids", "splits", "modes", "truenodeids", "trueleafs", "falsenodeids", "falseleafs")}
    for i, k in enumerate(keys):
        if k not in branch:
            continue
        out["featureids"].append(a["nodes_featureids"][i])
        out["splits"].append(a["nodes_values"][i])
        out["modes"].append(MODES[a["nodes_modes"][i]])
        for side in ("true", "false"):
            child = (k[0], a[f"nodes_{side}nodeids"][i])
            out[f"{side}leafs"].append(int(child in leaf))
            out[f"{side}nodeids"].append(leaf[child] if child in leaf else branch[child])
    roots = [branch[k] for k in dict.fromkeys((t, keys[[x[0] for x in keys].index(t)][1]) for t, _ in keys)]
    weights = [weight.get(k, 0.0) for k in leaf]
    if a.get("base_values"):
        # A degenerate tree: both branches of one node reach the same leaf.
        roots.append(len(out["modes"]))
        for name, value in (("featureids", 0), ("splits", 0.0), ("modes", 0), ("truenodeids", len(weights)),
                            ("trueleafs", 1), ("falsenodeids", len(weights)), ("falseleafs", 1)):
            out[name].append(value)
        weights.append(a["base_values"][0])
    node = helper.make_node(
        "TreeEnsemble", ["X"], [model.graph.output[0].name], domain="ai.onnx.ml",
        nodes_featureids=out["featureids"], nodes_splits=numpy_helper.from_array(np.array(out["splits"], np.float32)),
        nodes_modes=numpy_helper.from_array(np.array(out["modes"], np.uint8)),
        nodes_truenodeids=out["truenodeids"], nodes_trueleafs=out["trueleafs"],
        nodes_falsenodeids=out["falsenodeids"], nodes_falseleafs=out["falseleafs"], tree_roots=roots,
        leaf_targetids=[0] * len(weights), leaf_weights=numpy_helper.from_array(np.array(weights, np.float32)),
        n_targets=1, aggregate_function=1, post_transform=0)
    graph = helper.make_graph([node], "tree_ensemble", list(model.graph.input), list(model.graph.output))
    return helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid("ai.onnx.ml", 5)], ir_version=10)


def with_missing_tracks(model: onnx.ModelProto, tree) -> onnx.ModelProto:
    """The export of one scikit-learn tree fitted on data with NaNs, with
    nodes_missing_value_tracks_true set from where the tree sends a missing
    value (skl2onnx leaves them all 0): x <= t is the left, true, branch."""
    a = attributes(ml_node(model))
    left = tree.tree_.missing_go_to_left
    tracks = [int(m != b"LEAF" and left[n] == 1) for n, m in zip(a["nodes_nodeids"], a["nodes_modes"], strict=True)]
    return rewritten(model, {"nodes_missing_value_tracks_true": tracks})


def variants(fitted: dict) -> list[tuple[str, onnx.ModelProto, np.ndarray, np.ndarray | None]]:
    """(name, model, test features, scikit-learn's predictions or None)
    rewritten from the exports in `fitted` (name → (model, test features))."""
    forest, forest_x = fitted["random_forest_regressor"]
    classes, classes_x = fitted["random_forest_classifier"]
    out = [(f"random_forest_regressor_{f.lower()}", rewritten(forest, {"aggregate_function": f}), forest_x, None)
           for f in ("AVERAGE", "MIN", "MAX")]
    out += [(f"random_forest_classifier_{t.lower()}", rewritten(classes, {"post_transform": t}), classes_x, None)
            for t in ("LOGISTIC", "SOFTMAX", "SOFTMAX_ZERO", "PROBIT")]
    for name in ("random_forest_regressor_two_targets", "gradient_boosting_classifier_multiclass",
                 "gradient_boosting_classifier_binary"):
        model, x = fitted[name]
        out.append((f"{name}_as_tensor", as_tensor_doubles(model), x.astype(np.float64), None))
    for name in ("decision_tree_regressor", "random_forest_regressor", "gradient_boosting_regressor"):
        model, x = fitted[name]
        out.append((f"{name}_tree_ensemble_5", tree_ensemble_5(model), x, None))
    x, y = regression(6)
    x = with_gaps(x, 9)
    tree = DecisionTreeRegressor(max_depth=5, random_state=0).fit(x[:ROWS], y[:ROWS])
    model = with_missing_tracks(export(tree, x[:1]), tree)
    # The tracks are right when onnxruntime agrees with scikit-learn.
    out.append(("decision_tree_regressor_missing_values", model, x[ROWS:], tree.predict(x[ROWS:])))
    return out


def export(estimator: object, sample: np.ndarray) -> onnx.ModelProto:
    """The ONNX model of `estimator`, its classifier's ZipMap disabled (the
    probabilities stay a tensor). Classifiers without probabilities
    (LinearSVC, SVC without probability=True) have no ZipMap and refuse
    the option."""
    if is_classifier(estimator):
        try:
            return to_onnx(estimator, sample, target_opset=TARGET_OPSET, options={"zipmap": False})
        except NameError as error:
            if "zipmap" not in str(error):
                raise
    return to_onnx(estimator, sample, target_opset=TARGET_OPSET)


def write_case(out: str, name: str, model: onnx.ModelProto, features: np.ndarray) -> list[np.ndarray]:
    """Writes the test folder OUT/name; returns onnxruntime's outputs."""
    # Errors only: onnxruntime warns that skl2onnx declares some outputs
    # [N, 1] that are [N, 2].
    onnxruntime.set_default_logger_severity(3)
    # skl2onnx lists the opsets in set order, which changes with the hash
    # seed: sorted, the same models are the same bytes.
    opsets = sorted(model.opset_import, key=lambda opset: (opset.domain, opset.version))
    del model.opset_import[:]
    model.opset_import.extend(opsets)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name
    outputs = session.run(None, {input_name: features})
    folder = os.path.join(out, name)
    data = os.path.join(folder, "test_data_set_0")
    os.makedirs(data)
    onnx.save(model, os.path.join(folder, "model.onnx"))
    onnx.save_tensor(numpy_helper.from_array(features, input_name), os.path.join(data, "input_0.pb"))
    for k, (info, value) in enumerate(zip(session.get_outputs(), outputs, strict=True)):
        # A ZipMap's probabilities are a list of dicts: a SequenceProto of MapProtos.
        proto = data_proto(value) if isinstance(value, list) else numpy_helper.from_array(np.asarray(value), info.name)
        with open(os.path.join(data, f"output_{k}.pb"), "wb") as f:
            f.write(proto.SerializeToString())
    return outputs


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: sklearn_models.py OUT_DIR")
    out = sys.argv[1]
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    # Written beside OUT_DIR and moved into place, so a failed run leaves
    # no half-written suite.
    staging = tempfile.mkdtemp(prefix=".sklearn-models-", dir=os.path.dirname(os.path.abspath(out)))
    try:
        fitted = {}
        for name, estimator, x, y in models():
            train, test = x[:ROWS], x[ROWS:]
            estimator.fit(train, None if y is None else y[:ROWS])
            fitted[name] = (export(estimator, train[:1]), test)
            write_case(staging, name, *fitted[name])
        # As skl2onnx exports classifiers by default: the probabilities as
        # one map per row, through ZipMap.
        unfitted = {name: (estimator, x, y) for name, estimator, x, y in models()}
        for name in ("logistic_regression_multiclass", "logistic_regression_string_labels", "random_forest_classifier",
                     "gradient_boosting_classifier_binary", "pipeline_scaler_logistic_regression"):
            estimator, x, y = unfitted[name]
            estimator.fit(x[:ROWS], y[:ROWS])
            write_case(staging, name + "_zipmap", to_onnx(estimator, x[:1], target_opset=TARGET_OPSET), x[ROWS:])
        for name, encoder, test in encoder_models():
            write_case(staging, name, to_onnx(encoder, test[:1], target_opset=TARGET_OPSET), test)
        for name, model, test, predicted in variants(fitted):
            outputs = write_case(staging, name, model, test)
            if predicted is not None and not np.allclose(outputs[0].ravel(), predicted, rtol=1e-5):
                raise AssertionError(f"{name}: onnxruntime does not agree with scikit-learn")
        if os.path.exists(out):
            shutil.rmtree(out)
        os.rename(staging, out)
    finally:
        if os.path.exists(staging):
            shutil.rmtree(staging)
    print(f"sklearn_models: wrote {len(os.listdir(out))} cases to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
