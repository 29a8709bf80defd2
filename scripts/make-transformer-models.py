"""Export transformer-style models with onnxscript, for inference tests.

Called by scripts/gen-onnx-tests (which owns the venv, the pins and the
up-to-date check):  python make-transformer-models.py OUT_DIR STAMP

Every model has a symbolic batch and sequence ("batch", "seq") and computes
its attention reshape targets from Shape(x), as exporters write them, so
that inference has to carry symbols through shape arithmetic:

- gpt_block_range_mask: a pre-norm decoder block written as one @script
  function; the Q, K and V heads are reshaped through three spellings of
  [batch, seq] (Shape with start/end, a Slice of Shape, two Gathers
  unsqueezed), the causal mask is Range/Unsqueeze/Greater/Where, the MLP a
  GELU written with Erf, and the heads are merged with Reshape [0, 0, -1].
- encoder_local_functions: two encoder layers calling model-local functions
  (SelfAttention, whose head count and head size are function attributes,
  and Mlp with the Gelu op), opset 20.
- decoder_loop_if: one decoder block applied by a Loop (weights shared
  between passes), with the causal mask chosen by an If on a bool input.
- encoder_ir_builder: built with onnxscript's IR builder and its nn.Module
  classes: the mask is a Trilu of ones expanded to [seq, seq] and then to
  [batch, 1, seq, seq], opset 21.

Each attention reshape output is named q_heads, k_heads or v_heads and is
[batch, seq, 4, 16]. Weights come from a fixed seed; writing twice gives the
same bytes. Writes OUT_DIR/<name>.onnx, then OUT_DIR/.stamp (holding STAMP)
last.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

import numpy as np
import onnx
import onnx_ir as ir
import onnxscript
from onnxscript import BOOL, FLOAT, script
from onnxscript.values import Opset
from onnxscript import opset18 as op
from onnxscript import opset20 as op20

MODEL = 64
HEADS = 4
HEAD_DIM = 16
HIDDEN = 4 * MODEL
LAYERS = 2


def weights(seed: int, names_and_shapes: list[tuple[str, tuple[int, ...]]]) -> dict[str, np.ndarray]:
    """Small random weights, drawn in order from one seeded generator."""
    rng = np.random.default_rng(seed)
    return {name: (rng.standard_normal(shape) * 0.1).astype(np.float32) for name, shape in names_and_shapes}


def block_weights() -> list[tuple[str, tuple[int, ...]]]:
    """Names and shapes of one pre-norm block's parameters."""
    return [
        ("ln1_scale", (MODEL,)), ("ln1_bias", (MODEL,)),
        ("wq", (MODEL, MODEL)), ("bq", (MODEL,)),
        ("wk", (MODEL, MODEL)), ("bk", (MODEL,)),
        ("wv", (MODEL, MODEL)), ("bv", (MODEL,)),
        ("wo", (MODEL, MODEL)), ("bo", (MODEL,)),
        ("ln2_scale", (MODEL,)), ("ln2_bias", (MODEL,)),
        ("w1", (MODEL, HIDDEN)), ("b1", (HIDDEN,)),
        ("w2", (HIDDEN, MODEL)), ("b2", (MODEL,)),
    ]


def inputs_to_initializers(model: onnx.ModelProto, tensors: dict[str, np.ndarray]) -> onnx.ModelProto:
    """Moves the graph inputs named in `tensors` to initializers holding them.

    @script functions take their weights as parameters; exporters write
    weights as initializers.
    """
    graph = model.graph
    kept = [value for value in graph.input if value.name not in tensors]
    missing = set(tensors) - {value.name for value in graph.input}
    if missing:
        raise ValueError(f"no graph inputs named {sorted(missing)}")
    del graph.input[:]
    graph.input.extend(kept)
    graph.initializer.extend(onnx.numpy_helper.from_array(array, name) for name, array in tensors.items())
    return model


# MARK: - gpt_block_range_mask


@script()
def gpt_block(
    x: FLOAT["batch", "seq", MODEL],
    ln1_scale: FLOAT[MODEL], ln1_bias: FLOAT[MODEL],
    wq: FLOAT[MODEL, MODEL], bq: FLOAT[MODEL],
    wk: FLOAT[MODEL, MODEL], bk: FLOAT[MODEL],
    wv: FLOAT[MODEL, MODEL], bv: FLOAT[MODEL],
    wo: FLOAT[MODEL, MODEL], bo: FLOAT[MODEL],
    ln2_scale: FLOAT[MODEL], ln2_bias: FLOAT[MODEL],
    w1: FLOAT[MODEL, HIDDEN], b1: FLOAT[HIDDEN],
    w2: FLOAT[HIDDEN, MODEL], b2: FLOAT[MODEL],
) -> FLOAT["batch", "seq", MODEL]:
    h = op.LayerNormalization(x, ln1_scale, ln1_bias, axis=-1, epsilon=1e-5)
    q = op.Add(op.MatMul(h, wq), bq)
    k = op.Add(op.MatMul(h, wk), bk)
    v = op.Add(op.MatMul(h, wv), bv)
    head_split = op.Constant(value_ints=[HEADS, HEAD_DIM])
    # Three ways exporters spell [batch, seq]:
    q_heads = op.Reshape(q, op.Concat(op.Shape(h, start=0, end=2), head_split, axis=0))
    shape = op.Shape(h)
    k_heads = op.Reshape(k, op.Concat(shape[0:2], head_split, axis=0))
    batch = op.Unsqueeze(op.Gather(shape, 0), [0])
    seq_1d = op.Unsqueeze(op.Gather(shape, 1), [0])
    v_heads = op.Reshape(v, op.Concat(batch, seq_1d, head_split, axis=0))
    qt = op.Transpose(q_heads, perm=[0, 2, 1, 3])
    kt = op.Transpose(k_heads, perm=[0, 2, 3, 1])
    vt = op.Transpose(v_heads, perm=[0, 2, 1, 3])
    scores = op.Div(op.MatMul(qt, kt), op.Constant(value_float=4.0))
    # Causal mask: position j is hidden from position i when j > i.
    positions = op.Range(0, op.Gather(shape, 1), 1)
    future = op.Greater(op.Unsqueeze(positions, [0]), op.Unsqueeze(positions, [1]))
    masked = op.Where(future, op.Constant(value_float=-1e9), scores)
    probs = op.Softmax(masked, axis=-1)
    context = op.Transpose(op.MatMul(probs, vt), perm=[0, 2, 1, 3])
    merged = op.Reshape(context, op.Constant(value_ints=[0, 0, -1]))
    attended = op.Add(x, op.Add(op.MatMul(merged, wo), bo))
    h2 = op.LayerNormalization(attended, ln2_scale, ln2_bias, axis=-1, epsilon=1e-5)
    up = op.Add(op.MatMul(h2, w1), b1)
    gelu = op.Mul(op.Mul(up, 0.5), op.Add(op.Erf(op.Div(up, 1.4142135)), 1.0))
    return op.Add(attended, op.Add(op.MatMul(gelu, w2), b2))


def gpt_block_range_mask() -> onnx.ModelProto:
    return inputs_to_initializers(gpt_block.to_model_proto(), weights(1, block_weights()))


# MARK: - encoder_local_functions

local = Opset("transformer.local", 1)


@script(local, default_opset=op20)
def SelfAttention(
    x: FLOAT["batch", "seq", MODEL],
    wq: FLOAT[MODEL, MODEL], wk: FLOAT[MODEL, MODEL], wv: FLOAT[MODEL, MODEL], wo: FLOAT[MODEL, MODEL],
    heads: int, head_dim: int,
) -> FLOAT["batch", "seq", MODEL]:
    # The head split comes from the call's attributes.
    head_split = op20.Concat(
        op20.Unsqueeze(op20.Constant(value_int=heads), [0]), op20.Unsqueeze(op20.Constant(value_int=head_dim), [0]), axis=0)
    batch_seq = op20.Shape(x, start=0, end=2)
    target = op20.Concat(batch_seq, head_split, axis=0)
    q_heads = op20.Reshape(op20.MatMul(x, wq), target)
    k_heads = op20.Reshape(op20.MatMul(x, wk), target)
    v_heads = op20.Reshape(op20.MatMul(x, wv), target)
    scores = op20.MatMul(op20.Transpose(q_heads, perm=[0, 2, 1, 3]), op20.Transpose(k_heads, perm=[0, 2, 3, 1]))
    probs = op20.Softmax(op20.Div(scores, op20.Sqrt(op20.CastLike(op20.Constant(value_int=head_dim), scores))), axis=-1)
    context = op20.Transpose(op20.MatMul(probs, op20.Transpose(v_heads, perm=[0, 2, 1, 3])), perm=[0, 2, 1, 3])
    merged = op20.Reshape(context, op20.Concat(batch_seq, op20.Constant(value_ints=[-1]), axis=0))
    return op20.MatMul(merged, wo)


@script(local, default_opset=op20)
def Mlp(
    x: FLOAT["batch", "seq", MODEL], w1: FLOAT[MODEL, HIDDEN], b1: FLOAT[HIDDEN], w2: FLOAT[HIDDEN, MODEL], b2: FLOAT[MODEL]
) -> FLOAT["batch", "seq", MODEL]:
    return op20.Add(op20.MatMul(op20.Gelu(op20.Add(op20.MatMul(x, w1), b1)), w2), b2)


@script(default_opset=op20)
def encoder(
    x: FLOAT["batch", "seq", MODEL],
    l0_ln1_scale: FLOAT[MODEL], l0_ln1_bias: FLOAT[MODEL],
    l0_wq: FLOAT[MODEL, MODEL], l0_wk: FLOAT[MODEL, MODEL], l0_wv: FLOAT[MODEL, MODEL], l0_wo: FLOAT[MODEL, MODEL],
    l0_ln2_scale: FLOAT[MODEL], l0_ln2_bias: FLOAT[MODEL],
    l0_w1: FLOAT[MODEL, HIDDEN], l0_b1: FLOAT[HIDDEN], l0_w2: FLOAT[HIDDEN, MODEL], l0_b2: FLOAT[MODEL],
    l1_ln1_scale: FLOAT[MODEL], l1_ln1_bias: FLOAT[MODEL],
    l1_wq: FLOAT[MODEL, MODEL], l1_wk: FLOAT[MODEL, MODEL], l1_wv: FLOAT[MODEL, MODEL], l1_wo: FLOAT[MODEL, MODEL],
    l1_ln2_scale: FLOAT[MODEL], l1_ln2_bias: FLOAT[MODEL],
    l1_w1: FLOAT[MODEL, HIDDEN], l1_b1: FLOAT[HIDDEN], l1_w2: FLOAT[HIDDEN, MODEL], l1_b2: FLOAT[MODEL],
) -> FLOAT["batch", "seq", MODEL]:
    a0 = SelfAttention(
        op20.LayerNormalization(x, l0_ln1_scale, l0_ln1_bias), l0_wq, l0_wk, l0_wv, l0_wo, heads=HEADS, head_dim=HEAD_DIM)
    r0 = op20.Add(x, a0)
    y0 = op20.Add(r0, Mlp(op20.LayerNormalization(r0, l0_ln2_scale, l0_ln2_bias), l0_w1, l0_b1, l0_w2, l0_b2))
    a1 = SelfAttention(
        op20.LayerNormalization(y0, l1_ln1_scale, l1_ln1_bias), l1_wq, l1_wk, l1_wv, l1_wo, heads=HEADS, head_dim=HEAD_DIM)
    r1 = op20.Add(y0, a1)
    return op20.Add(r1, Mlp(op20.LayerNormalization(r1, l1_ln2_scale, l1_ln2_bias), l1_w1, l1_b1, l1_w2, l1_b2))


def encoder_local_functions() -> onnx.ModelProto:
    names = [
        (f"l{layer}_{name}", shape) for layer in range(LAYERS) for name, shape in block_weights()
        if name not in ("bq", "bk", "bv", "bo")
    ]
    return inputs_to_initializers(encoder.to_model_proto(), weights(2, names))


# MARK: - decoder_loop_if


@script()
def looped_decoder(
    x: FLOAT["batch", "seq", MODEL], causal: BOOL,
    ln1_scale: FLOAT[MODEL], ln1_bias: FLOAT[MODEL],
    wq: FLOAT[MODEL, MODEL], bq: FLOAT[MODEL],
    wk: FLOAT[MODEL, MODEL], bk: FLOAT[MODEL],
    wv: FLOAT[MODEL, MODEL], bv: FLOAT[MODEL],
    wo: FLOAT[MODEL, MODEL], bo: FLOAT[MODEL],
    ln2_scale: FLOAT[MODEL], ln2_bias: FLOAT[MODEL],
    w1: FLOAT[MODEL, HIDDEN], b1: FLOAT[HIDDEN],
    w2: FLOAT[HIDDEN, MODEL], b2: FLOAT[MODEL],
) -> FLOAT["batch", "seq", MODEL]:
    shape = op.Shape(x)
    seq = op.Gather(shape, 1)
    square = op.Concat(op.Unsqueeze(seq, [0]), op.Unsqueeze(seq, [0]), axis=0)
    if causal:
        positions = op.Range(0, seq, 1)
        hidden = op.Greater(op.Unsqueeze(positions, [0]), op.Unsqueeze(positions, [1]))
    else:
        hidden = op.Expand(op.Constant(value=onnx.helper.make_tensor("no", onnx.TensorProto.BOOL, [], [False])), square)
    head_target = op.Concat(shape[0:2], op.Constant(value_ints=[HEADS, HEAD_DIM]), axis=0)
    h = x
    for _ in range(LAYERS):
        n = op.LayerNormalization(h, ln1_scale, ln1_bias, axis=-1)
        q_heads = op.Reshape(op.Add(op.MatMul(n, wq), bq), head_target)
        k_heads = op.Reshape(op.Add(op.MatMul(n, wk), bk), head_target)
        v_heads = op.Reshape(op.Add(op.MatMul(n, wv), bv), head_target)
        scores = op.MatMul(op.Transpose(q_heads, perm=[0, 2, 1, 3]), op.Transpose(k_heads, perm=[0, 2, 3, 1]))
        probs = op.Softmax(op.Where(hidden, op.Constant(value_float=-1e9), op.Mul(scores, 0.25)), axis=-1)
        context = op.Transpose(op.MatMul(probs, op.Transpose(v_heads, perm=[0, 2, 1, 3])), perm=[0, 2, 1, 3])
        merged = op.Reshape(context, op.Concat(shape[0:2], op.Constant(value_ints=[MODEL]), axis=0))
        attended = op.Add(h, op.Add(op.MatMul(merged, wo), bo))
        up = op.Add(op.MatMul(op.LayerNormalization(attended, ln2_scale, ln2_bias, axis=-1), w1), b1)
        gelu = op.Mul(op.Mul(up, 0.5), op.Add(op.Erf(op.Mul(up, 0.70710677)), 1.0))
        h = op.Add(attended, op.Add(op.MatMul(gelu, w2), b2))
    return h


def decoder_loop_if() -> onnx.ModelProto:
    return inputs_to_initializers(looped_decoder.to_model_proto(), weights(3, block_weights()))


# MARK: - encoder_ir_builder


class Linear(onnxscript.nn.Module):
    def __init__(self, rng: np.random.Generator, inputs: int, outputs: int) -> None:
        super().__init__()
        self.weight = onnxscript.nn.Parameter(
            [inputs, outputs], data=ir.tensor((rng.standard_normal((inputs, outputs)) * 0.1).astype(np.float32)))
        self.bias = onnxscript.nn.Parameter([outputs], data=ir.tensor(np.zeros(outputs, np.float32)))

    def forward(self, op, x):
        return op.Add(op.MatMul(x, self.weight), self.bias)


class LayerNorm(onnxscript.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.scale = onnxscript.nn.Parameter([MODEL], data=ir.tensor(np.ones(MODEL, np.float32)))
        self.bias = onnxscript.nn.Parameter([MODEL], data=ir.tensor(np.zeros(MODEL, np.float32)))

    def forward(self, op, x):
        return op.LayerNormalization(x, self.scale, self.bias, axis=-1)


class CausalSelfAttention(onnxscript.nn.Module):
    def __init__(self, rng: np.random.Generator) -> None:
        super().__init__()
        self.query, self.key, self.value = Linear(rng, MODEL, MODEL), Linear(rng, MODEL, MODEL), Linear(rng, MODEL, MODEL)
        self.out = Linear(rng, MODEL, MODEL)

    def forward(self, op, x):
        shape = op.Shape(x)
        batch = op.Unsqueeze(op.Gather(shape, 0), [0])
        seq = op.Unsqueeze(op.Gather(shape, 1), [0])
        target = op.Concat(batch, seq, [HEADS], [HEAD_DIM], axis=0)
        q_heads = op.Reshape(self.query(op, x), target, _outputs=["q_heads"])
        k_heads = op.Reshape(self.key(op, x), target, _outputs=["k_heads"])
        v_heads = op.Reshape(self.value(op, x), target, _outputs=["v_heads"])
        scores = op.MatMul(op.Transpose(q_heads, perm=[0, 2, 1, 3]), op.Transpose(k_heads, perm=[0, 2, 3, 1]))
        # Ones below and on the diagonal: what a position may see.
        visible = op.Trilu(op.Expand(op.Constant(value_float=1.0), op.Concat(seq, seq, axis=0)), upper=0)
        mask = op.Expand(op.Equal(visible, 0.0), op.Concat(batch, [1], seq, seq, axis=0))
        probs = op.Softmax(op.Where(mask, -1e9, op.Mul(scores, 0.25)), axis=-1)
        context = op.Transpose(op.MatMul(probs, op.Transpose(v_heads, perm=[0, 2, 1, 3])), perm=[0, 2, 1, 3])
        return self.out(op, op.Reshape(context, op.Concat(batch, seq, [MODEL], axis=0)))


class EncoderLayer(onnxscript.nn.Module):
    def __init__(self, rng: np.random.Generator) -> None:
        super().__init__()
        self.norm1, self.attention, self.norm2 = LayerNorm(), CausalSelfAttention(rng), LayerNorm()
        self.up, self.down = Linear(rng, MODEL, HIDDEN), Linear(rng, HIDDEN, MODEL)

    def forward(self, op, x):
        attended = op.Add(x, self.attention(op, self.norm1(op, x)))
        return op.Add(attended, self.down(op, op.Gelu(self.up(op, self.norm2(op, attended)), approximate="tanh")))


def encoder_ir_builder() -> onnx.ModelProto:
    rng = np.random.default_rng(4)
    layers = [EncoderLayer(rng) for _ in range(LAYERS)]
    graph = ir.Graph(inputs=[], outputs=[], nodes=[], opset_imports={"": 21}, name="encoder_ir_builder")
    builder = onnxscript.GraphBuilder(graph)
    h = builder.input("x", ir.DataType.FLOAT, ["batch", "seq", MODEL])
    for index, layer in enumerate(layers):
        layer._set_name(f"layers.{index}")
        h = layer(builder.op, h)
    h.shape = ir.Shape(["batch", "seq", MODEL])
    builder.add_output(h, "y")
    return ir.to_proto(ir.Model(graph, ir_version=10))


MODELS = {
    "gpt_block_range_mask": gpt_block_range_mask,
    "encoder_local_functions": encoder_local_functions,
    "decoder_loop_if": decoder_loop_if,
    "encoder_ir_builder": encoder_ir_builder,
}


def main() -> None:
    out, stamp = os.path.abspath(sys.argv[1]), sys.argv[2]
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    # Written next to the target and renamed into place, so that an
    # interrupted run never leaves a half-written folder behind.
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(out)}.partial-", dir=parent)
    try:
        for name, make in MODELS.items():
            model = make()
            onnx.checker.check_model(model, full_check=True)
            with open(os.path.join(tmp, f"{name}.onnx"), "wb") as f:
                f.write(model.SerializeToString(deterministic=True))
        with open(os.path.join(tmp, ".stamp"), "w") as f:
            f.write(stamp + "\n")
        if os.path.exists(out):
            shutil.rmtree(out)
        os.rename(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"make-transformer-models: wrote {len(MODELS)} models to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
