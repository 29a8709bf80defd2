"""Models for `onyx check --full`, and onnx's full-check verdict on them.

    full_check_models.py OUT_DIR

Writes OUT_DIR/<case>.onnx and prints one line per case:
`case<TAB>expected Onyx rule<TAB>onnx verdict`, the verdict `valid` or
`invalid: <first line of the message>` as
onnx.checker.check_model(path, full_check=True) of the pinned onnx gives it.

Two corpora: models that pass onnx's plain check but each break one rule of
shape inference (a `-` rule marks one onnx's full check accepts and Onyx
must too), each checked here to pass the plain check; and the checker's own
corpus (invalid_models.py), whose rules are the checker's, under the full
check.
"""

import os
import sys

import onnx
import onnx.parser

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import invalid_models  # noqa: E402

HEADER = '<ir_version: 8, opset_import: ["" : {opset}]>\n'


def parsed(text, opset=17):
    return onnx.parser.parse_model(HEADER.format(opset=opset) + text)


def inference_cases():
    """(case, rule, model text, opset): outputs are declared with symbolic
    dims of the right rank, so that only the rule named can fail."""
    # Broadcasting and equal dims.
    yield "add-shapes-differ", "infer.broadcast", "g (float[2,3] a, float[4,5] b) => (float[A,B] y) { y = Add(a, b) }", 17
    yield "expand-to-another-shape", "infer.broadcast", (
        "g (float[2,3] a) => (float[A,B] y) <int64[2] s = {4,5}> { y = Expand(a, s) }"
    ), 17
    yield "where-shapes-differ", "infer.broadcast", (
        "g (bool[2] c, float[3] a, float[3] b) => (float[A] y) { y = Where(c, a, b) }"
    ), 17
    yield "matmul-inner-dims-differ", "infer.dim-mismatch", (
        "g (float[2,3] a, float[4,5] b) => (float[A,B] y) { y = MatMul(a, b) }"
    ), 17
    yield "gemm-inner-dims-differ", "infer.dim-mismatch", (
        "g (float[2,3] a, float[4,5] b) => (float[A,B] y) { y = Gemm(a, b) }"
    ), 17
    yield "concat-other-dims-differ", "infer.dim-mismatch", (
        "g (float[2,3] a, float[2,4] b) => (float[A,B] y) { y = Concat<axis=0>(a, b) }"
    ), 17
    yield "batchnorm-channels-differ", "infer.dim-mismatch", (
        "g (float[1,3,4,4] x, float[2] s, float[2] b, float[2] m, float[2] v) => (float[N,C,H,W] y) "
        "{ y = BatchNormalization(x, s, b, m, v) }"
    ), 17
    # Ranks.
    yield "concat-ranks-differ", "infer.rank", "g (float[2,3] a, float[2] b) => (float[A,B] y) { y = Concat<axis=0>(a, b) }", 17
    yield "conv-input-rank-2", "infer.rank", "g (float[1,5] x, float[1,1,3] w) => (float[A,B,C] y) { y = Conv(x, w) }", 17
    yield "gemm-rank-3", "infer.rank", "g (float[2,3,1] a, float[3,5] b) => (float[A,B] y) { y = Gemm(a, b) }", 17
    yield "gather-of-scalar", "infer.rank", "g (float a, int64[2] i) => (float[A] y) { y = Gather(a, i) }", 17
    yield "gathernd-tuple-too-long", "infer.rank", (
        "g (float[2,3] a, int64[2,3] i) => (float[A] y) { y = GatherND(a, i) }"
    ), 17
    yield "softmax-of-scalar", "infer.rank", "g (float a) => (float y) { y = Softmax(a) }", 17
    # Convolution kernels and windows.
    yield "conv-kernel-rank-below-input", "infer.conv-kernel-rank", (
        "g (float[1,1,5,5] x, float[1,1,3] w) => (float[A,B,C,D] y) { y = Conv(x, w) }"
    ), 17
    # onnx#8036: a kernel of more spatial axes than the input's read past its dims.
    yield "conv-kernel-rank-above-input", "infer.conv-kernel-rank", (
        "g (float[1,1,5] x, float[1,1,3,3] w) => (float[A,B,C] y) { y = Conv(x, w) }"
    ), 17
    yield "conv-kernel-shape-count", "infer.conv-kernel-rank", (
        "g (float[1,1,5,5] x, float[1,1,3,3] w) => (float[A,B,C,D] y) { y = Conv<kernel_shape=[3]>(x, w) }"
    ), 17
    yield "conv-strides-count", "infer.window", (
        "g (float[1,1,5,5] x, float[1,1,3,3] w) => (float[A,B,C,D] y) { y = Conv<strides=[1]>(x, w) }"
    ), 17
    yield "conv-negative-pads", "infer.window", (
        "g (float[1,1,5,5] x, float[1,1,3,3] w) => (float[A,B,C,D] y) { y = Conv<pads=[-1,0,0,0]>(x, w) }"
    ), 17
    yield "maxpool-pads-count", "infer.window", (
        "g (float[1,1,5,5] x) => (float[A,B,C,D] y) { y = MaxPool<kernel_shape=[2,2], pads=[1,1]>(x) }"
    ), 17
    # Split lengths (onnx#3642, fixed in the pinned onnx).
    yield "split-lengths-short-of-axis", "infer.split-lengths", (
        "g (float[6] x) => (float[A] a, float[B] b) <int64[2] s = {2,2}> { a, b = Split(x, s) }"
    ), 17
    yield "split-lengths-not-one-per-output", "infer.split-lengths", (
        "g (float[6] x) => (float[A] a, float[B] b) <int64[3] s = {2,2,2}> { a, b = Split(x, s) }"
    ), 17
    yield "split-equal-parts-indivisible", "infer.split-lengths", (
        "g (float[5] x) => (float[A] a, float[B] b) { a, b = Split(x) }"
    ), 13
    yield "split-attribute-lengths-short", "infer.split-lengths", (
        "g (float[6] x) => (float[A] a, float[B] b) { a, b = Split<split=[2,2]>(x) }"
    ), 11
    # Axes.
    yield "gather-axis-out-of-range", "infer.axis", (
        "g (float[2,3] a, int64[2] i) => (float[A,B] y) { y = Gather<axis=2>(a, i) }"
    ), 17
    yield "concat-axis-out-of-range", "infer.axis", (
        "g (float[2,3] a, float[2,3] b) => (float[A,B] y) { y = Concat<axis=2>(a, b) }"
    ), 17
    yield "softmax-axis-out-of-range", "infer.axis", "g (float[2,3] a) => (float[A,B] y) { y = Softmax<axis=2>(a) }", 17
    yield "squeeze-dim-not-one", "infer.axis", (
        "g (float[2,3] a) => (float[A] y) <int64[1] ax = {0}> { y = Squeeze(a, ax) }"
    ), 17
    yield "unsqueeze-axis-twice", "infer.axis", (
        "g (float[2,3] a) => (float[A,B,C,D] y) <int64[2] ax = {0,0}> { y = Unsqueeze(a, ax) }"
    ), 17
    yield "reduce-axis-out-of-range", "infer.axis", (
        "g (float[2,3] a) => (float[A,B] y) <int64[1] ax = {4}> { y = ReduceSum(a, ax) }"
    ), 17
    yield "flatten-axis-out-of-range", "infer.axis", "g (float[2,3] a) => (float[A,B] y) { y = Flatten<axis=3>(a) }", 17
    yield "slice-axis-out-of-range", "infer.axis", (
        "g (float[2,3] a) => (float[A,B] y) <int64[1] st = {0}, int64[1] en = {1}, int64[1] ax = {5}> "
        "{ y = Slice(a, st, en, ax) }"
    ), 17
    yield "topk-axis-out-of-range", "infer.axis", (
        "g (float[2,3] a) => (float[A,B] v, int64[A,B] i) <int64[1] k = {1}> { v, i = TopK<axis=3>(a, k) }"
    ), 17
    yield "argmax-axis-out-of-range", "infer.axis", "g (float[2,3] a) => (int64[A,B] y) { y = ArgMax<axis=2>(a) }", 17
    # Transpose perms.
    yield "transpose-perm-too-long", "infer.permutation", (
        "g (float[2,3] a) => (float[A,B] y) { y = Transpose<perm=[1,0,2]>(a) }"
    ), 17
    yield "transpose-perm-repeated", "infer.permutation", "g (float[2,3] a) => (float[A,B] y) { y = Transpose<perm=[0,0]>(a) }", 17
    # Reshape targets.
    yield "reshape-two-minus-ones", "infer.reshape-target", (
        "g (float[2,3] a) => (float[A,B] y) <int64[2] s = {-1,-1}> { y = Reshape(a, s) }"
    ), 17
    yield "reshape-dim-below-minus-one", "infer.reshape-target", (
        "g (float[2,3] a) => (float[A,B] y) <int64[2] s = {-2,3}> { y = Reshape(a, s) }"
    ), 17
    yield "reshape-minus-one-indivisible", "infer.reshape-target", (
        "g (float[2,3] a) => (float[A,B] y) <int64[2] s = {4,-1}> { y = Reshape(a, s) }"
    ), 17
    yield "reshape-zero-past-rank", "infer.reshape-target", (
        "g (float[6] a) => (float[A,B] y) <int64[2] s = {0,0}> { y = Reshape(a, s) }"
    ), 17
    yield "reshape-minus-one-beside-zero", "infer.reshape-target", (
        "g (float[2,3] a) => (float[A,B] y) <int64[2] s = {0,-1}> { y = Reshape<allowzero=1>(a, s) }"
    ), 17
    # Other attributes and constant inputs.
    yield "topk-k-above-axis", "infer.argument", (
        "g (float[2,3] a) => (float[A,B] v, int64[A,B] i) <int64[1] k = {5}> { v, i = TopK(a, k) }"
    ), 17
    yield "tile-repeats-not-one-per-dim", "infer.argument", (
        "g (float[2,3] a) => (float[A,B] y) <int64[3] r = {1,2,3}> { y = Tile(a, r) }"
    ), 17
    yield "pad-pads-count", "infer.argument", "g (float[2,3] a) => (float[A,B] y) <int64[2] p = {1,1}> { y = Pad(a, p) }", 17
    yield "slice-step-zero", "infer.argument", (
        "g (float[2,3] a) => (float[A,B] y) <int64[1] st = {0}, int64[1] en = {1}, int64[1] ax = {0}, int64[1] sp = {0}> "
        "{ y = Slice(a, st, en, ax, sp) }"
    ), 17
    # Type constraints (onnx's check_type).
    yield "add-of-float-and-int64", "infer.type-constraint", (
        "g (float[2,3] a, int64[2,3] b) => (float[A,B] y) { y = Add(a, b) }"
    ), 17
    yield "relu-of-string", "infer.type-constraint", "g (string[2,3] a) => (string[A,B] y) { y = Relu(a) }", 17
    yield "reshape-int32-target", "infer.type-constraint", (
        "g (float[2,3] a, int32[2] s) => (float[A,B] y) { y = Reshape(a, s) }"
    ), 17
    yield "layernorm-double-statistics", "infer.type-constraint", (
        "g (float[2,3] x, float[3] s) => (float[A,B] y, double[A,C] m) { y, m = LayerNormalization<stash_type=11>(x, s) }"
    ), 18
    # Declarations that inference contradicts: onnx rejects them, Onyx warns (an error under --strict).
    yield "output-shape-contradicted", "infer.declaration-conflict", "g (float[2,3] a) => (float[3,2] y) { y = Relu(a) }", 17
    yield "output-rank-contradicted", "infer.declaration-conflict", "g (float[2,3] a) => (float[6] y) { y = Relu(a) }", 17
    yield "output-type-contradicted", "infer.declaration-conflict", "g (float[2,3] a) => (double[2,3] y) { y = Relu(a) }", 17
    yield "value-info-contradicted", "infer.declaration-conflict", (
        "g (float[2,3] a) => (float[A,B] y) <float[5] t> { t = Relu(a) y = Relu(t) }"
    ), 17
    yield "cast-output-type-contradicted", "infer.declaration-conflict", (
        "g (float[2,3] a) => (int64[2,3] y) { y = Cast<to=1>(a) }"
    ), 17
    # Where onnx's full check lets through what cannot run; Onyx rejects it.
    yield "reshape-other-element-count", "infer.reshape-target", (
        "g (float[2,3] a) => (float[4,2] y) <int64[2] s = {4,2}> { y = Reshape(a, s) }"
    ), 17
    yield "conv-window-larger-than-input", "infer.window", (
        "g (float[1,1,2,2] x, float[1,1,3,3] w) => (float[A,B,C,D] y) { y = Conv(x, w) }"
    ), 17
    yield "depthtospace-channels-indivisible", "infer.argument", (
        "g (float[1,5,2,2] a) => (float[A,B,C,D] y) { y = DepthToSpace<blocksize=2>(a) }"
    ), 17
    yield "topk-negative-k", "infer.argument", (
        "g (float[2,3] a) => (float[A,B] v, int64[A,B] i) <int64[1] k = {-1}> { v, i = TopK(a, k) }"
    ), 17
    # In a subgraph.
    yield "add-shapes-differ-in-then-branch", "infer.broadcast", (
        "g (bool c, float[2,3] a, float[4,5] b) => (float[A,B] y) { y = If(c) <then_branch = t () => (float[A,B] z) "
        "{ z = Add(a, b) }, else_branch = e () => (float[A,B] w) { w = Identity(a) }> }"
    ), 17
    # What the full check accepts, and Onyx must too.
    yield "symbolic-declaration-of-known-dims", "-", "g (float[2,3] a) => (float[N,M] y) { y = Relu(a) }", 17
    yield "concat-of-symbolic-dims", "-", "g (float[N,3] a, float[M,3] b) => (float[A,B] y) { y = Concat<axis=1>(a, b) }", 17
    yield "reshape-minus-one-of-symbolic-input", "-", (
        "g (float[N,3] a) => (float[A,B] y) <int64[2] s = {4,-1}> { y = Reshape(a, s) }"
    ), 17
    yield "reshape-target-from-shape", "-", (
        "g (float[2,3] a, float[3,2] b) => (float[A,B] y) { s = Shape(b) y = Reshape(a, s) }"
    ), 17
    yield "gather-negative-axis", "-", "g (float[2,3] a, int64[2] i) => (float[A,B] y) { y = Gather<axis=-2>(a, i) }", 17
    yield "flatten-axis-at-rank", "-", "g (float[2,3] a) => (float[A,B] y) { y = Flatten<axis=2>(a) }", 17
    yield "squeeze-axis-twice", "-", "g (float[1,3] a) => (float[A] y) <int64[2] ax = {0,0}> { y = Squeeze(a, ax) }", 17
    yield "reduce-axis-twice", "-", "g (float[2,3] a) => (float[A,B] y) <int64[2] ax = {1,-1}> { y = ReduceSum(a, ax) }", 17
    yield "slice-attribute-axis-unchecked-before-10", "-", (
        "g (float[2,3] a) => (float[A,B] y) { y = Slice<starts=[0], ends=[1], axes=[5]>(a) }"
    ), 9
    yield "reshape-attribute-unchecked-before-5", "-", "g (float[2,3] a) => (float[A,B] y) { y = Reshape<shape=[-1,-1]>(a) }", 4


# Models of the checker's corpus that its checks pass but inference does not:
# Add(x, w) with x [2] and w [2, 2] makes [2, 2] where y is declared [2]
# (Concat(x, x) makes [4]), and the If's condition is declared FLOAT.
INFERENCE_RULES_OF_CHECKER_CASES = {
    "raw-data-long": "infer.declaration-conflict",
    "ref-attr-in-main-graph": "infer.declaration-conflict",
    "subgraph-reads-outer": "infer.type-constraint",
}


def full_verdict(path):
    try:
        onnx.checker.check_model(path, full_check=True)
        return "valid"
    except Exception as error:  # ValidationError, InferenceError, or anything onnx raises
        return "invalid: " + str(error).strip().splitlines()[0]


def main(out):
    os.makedirs(out, exist_ok=True)
    written = []
    for name, rule, text, opset in inference_cases():
        m = parsed(text, opset)
        onnx.checker.check_model(m)  # these break inference only
        written.append((name, rule, m))
    checker_corpus = (
        list(invalid_models.cases())
        + list(invalid_models.more_cases())
        + list(invalid_models.sparse_cases())
        + list(invalid_models.stricter_cases(out))
    )
    names = {name for name, _, _ in written}
    assert not names & {name for name, _, _ in checker_corpus}, "case names must differ between the corpora"
    for name, rule, m in written + checker_corpus:
        rule = INFERENCE_RULES_OF_CHECKER_CASES.get(name, rule)
        path = os.path.join(out, name + ".onnx")
        with open(path, "wb") as f:
            f.write(m.SerializeToString())
        print(f"{name}\t{rule}\t{full_verdict(path)}")


if __name__ == "__main__":
    main(sys.argv[1])
