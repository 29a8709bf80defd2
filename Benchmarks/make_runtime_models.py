#!/usr/bin/env python3
"""Builds the runtime benchmark's models with onnx.helper and seeded weights.

    Benchmarks/make_runtime_models.py OUT_DIR
    Benchmarks/make_runtime_models.py --resnet18 PATH

The second form writes only the ResNet-18 model, to PATH (the same weights:
it is the first model drawn from the generator), for the text-format
benchmarks (text_formats.py, the ModelIO suite's resnet18 benchmarks).

Writes, each as OUT_DIR/<name>/model.onnx with OUT_DIR/<name>/test_data_set_0/
input_0.pb (seeded random input, the backend layout `onyx run --inputs` and
`onyx conformance` read):

  resnet18      ResNet-18 as PyTorch's TorchScript exporter writes it in eval
                mode (batch norm folded into the convolutions): 7x7/2 stem,
                max pool, four stages of two basic blocks (64-512 channels),
                global average pool, a 1000-way Gemm; input 1x3x224x224.
  mobilenetv3   MobileNet-V3-Small's layout: depthwise 3x3 and 5x5
                convolutions in inverted residual blocks, HardSwish,
                squeeze-and-excitation (GlobalAveragePool, 1x1 convs, Relu,
                HardSigmoid, Mul); input 1x3x224x224.
  bert_block    one BERT-base encoder layer: sequence 128, hidden 768, 12
                heads, feed-forward 3072 with the Erf form of GELU exporters
                emit, LayerNormalization (opset 17); input 1x128x768.
  inception_v1  the onnx wheel's light_inception_v1 (copied), with a seeded
                input.
  lstm          one LSTM layer as Keras exports give through tf2onnx: sequence
                64, batch 8, input and hidden 256, every hidden state out;
                input 64x8x256.
  tree_ensemble a TreeEnsembleRegressor (ai.onnx.ml 3) of 500 trees of depth
                6 over 20 features, the shape of a gradient-boosted model;
                input 10000x20.

Weights are normal(0, 0.05) from numpy's seeded generator, so the outputs
mean nothing beyond being what the graph computes.
"""

import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(20261201)
OPSET = [helper.make_opsetid("", 17)]


class Builder:
    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}_{self.count}"

    def weight(self, shape, scale=0.05):
        n = self.name("w")
        self.inits.append(numpy_helper.from_array((RNG.standard_normal(shape) * scale).astype(np.float32), n))
        return n

    def const(self, values, dtype=np.int64):
        n = self.name("c")
        self.inits.append(numpy_helper.from_array(np.array(values, dtype=dtype), n))
        return n

    def op(self, op_type, inputs, **attrs):
        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def conv(self, x, cin, cout, k, stride=1, group=1, bias=True):
        w = self.weight([cout, cin // group, k, k])
        ins = [x, w] + ([self.weight([cout], 0.01)] if bias else [])
        return self.op("Conv", ins, kernel_shape=[k, k], strides=[stride, stride], pads=[k // 2] * 4, group=group)

    def model(self, x_name, x_shape, y, y_shape, graph_name):
        graph = helper.make_graph(
            self.nodes, graph_name,
            [helper.make_tensor_value_info(x_name, TensorProto.FLOAT, x_shape)],
            [helper.make_tensor_value_info(y, TensorProto.FLOAT, y_shape)], self.inits)
        model = helper.make_model(graph, opset_imports=OPSET, producer_name="onyx-benchmarks")
        model.ir_version = 8
        onnx.checker.check_model(model)
        return model


def resnet18():
    b = Builder()
    x = b.op("Relu", [b.conv("input", 3, 64, 7, stride=2)])
    x = b.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    cin = 64
    for stage, cout in enumerate([64, 128, 256, 512]):
        for block in range(2):
            stride = 2 if stage > 0 and block == 0 else 1
            y = b.op("Relu", [b.conv(x, cin, cout, 3, stride)])
            y = b.conv(y, cout, cout, 3)
            shortcut = x if stride == 1 and cin == cout else b.conv(x, cin, cout, 1, stride)
            x = b.op("Relu", [b.op("Add", [y, shortcut])])
            cin = cout
    x = b.op("Flatten", [b.op("GlobalAveragePool", [x])])
    y = b.op("Gemm", [x, b.weight([1000, 512]), b.weight([1000], 0.01)], transB=1)
    return b.model("input", [1, 3, 224, 224], y, [1, 1000], "resnet18")


def mobilenetv3():
    b = Builder()
    x = b.op("HardSwish", [b.conv("input", 3, 16, 3, stride=2)])
    # (kernel, expansion, out, squeeze-excite, hardswish, stride): MobileNet-V3-Small.
    blocks = [(3, 16, 16, True, False, 2), (3, 72, 24, False, False, 2), (3, 88, 24, False, False, 1),
              (5, 96, 40, True, True, 2), (5, 240, 40, True, True, 1), (5, 240, 40, True, True, 1),
              (5, 120, 48, True, True, 1), (5, 144, 48, True, True, 1), (5, 288, 96, True, True, 2),
              (5, 576, 96, True, True, 1), (5, 576, 96, True, True, 1)]
    cin = 16
    for k, exp, cout, se, hs, stride in blocks:
        act = "HardSwish" if hs else "Relu"
        y = x if exp == cin else b.op(act, [b.conv(x, cin, exp, 1)])
        y = b.op(act, [b.conv(y, exp, exp, k, stride, group=exp)])
        if se:
            s = b.op("GlobalAveragePool", [y])
            s = b.op("Relu", [b.conv(s, exp, max(8, exp // 4), 1)])
            s = b.op("HardSigmoid", [b.conv(s, max(8, exp // 4), exp, 1)], alpha=1 / 6, beta=0.5)
            y = b.op("Mul", [y, s])
        y = b.conv(y, exp, cout, 1)
        x = b.op("Add", [x, y]) if stride == 1 and cin == cout else y
        cin = cout
    x = b.op("HardSwish", [b.conv(x, cin, 576, 1)])
    x = b.op("Flatten", [b.op("GlobalAveragePool", [x])])
    x = b.op("HardSwish", [b.op("Gemm", [x, b.weight([1024, 576]), b.weight([1024], 0.01)], transB=1)])
    y = b.op("Gemm", [x, b.weight([1000, 1024]), b.weight([1000], 0.01)], transB=1)
    return b.model("input", [1, 3, 224, 224], y, [1, 1000], "mobilenetv3")


def bert_block(seq=128, hidden=768, heads=12, ffn=3072):
    b = Builder()
    head = hidden // heads

    def dense(x, n_in, n_out):
        return b.op("Add", [b.op("MatMul", [x, b.weight([n_in, n_out])]), b.weight([n_out], 0.01)])

    def split_heads(x):
        x = b.op("Reshape", [x, b.const([1, seq, heads, head])])
        return b.op("Transpose", [x], perm=[0, 2, 1, 3])

    x = "input"
    q, k, v = (split_heads(dense(x, hidden, hidden)) for _ in range(3))
    kt = b.op("Transpose", [k], perm=[0, 1, 3, 2])
    scores = b.op("Div", [b.op("MatMul", [q, kt]), b.const(np.sqrt(head), np.float32)])
    probs = b.op("Softmax", [scores], axis=-1)
    ctx = b.op("Transpose", [b.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
    ctx = b.op("Reshape", [ctx, b.const([1, seq, hidden])])
    x = b.op("Add", [dense(ctx, hidden, hidden), x])
    ones, zeros = b.const(np.ones(hidden), np.float32), b.const(np.zeros(hidden), np.float32)
    x = b.op("LayerNormalization", [x, ones, zeros], axis=-1, epsilon=1e-12)
    h = dense(x, hidden, ffn)
    # GELU as exporters write it: 0.5 * h * (1 + erf(h / sqrt(2))).
    erf = b.op("Erf", [b.op("Div", [h, b.const(np.sqrt(2), np.float32)])])
    h = b.op("Mul", [b.op("Mul", [h, b.op("Add", [erf, b.const(1, np.float32)])]), b.const(0.5, np.float32)])
    x = b.op("Add", [dense(h, ffn, hidden), x])
    y = b.op("LayerNormalization", [x, ones, zeros], axis=-1, epsilon=1e-12)
    return b.model("input", [1, seq, hidden], y, [1, seq, hidden], "bert_block")


def lstm(seq=64, batch=8, size=256, hidden=256):
    b = Builder()
    w, r = b.weight([1, 4 * hidden, size]), b.weight([1, 4 * hidden, hidden])
    bias = b.weight([1, 8 * hidden], 0.01)
    y = b.name("y")
    b.nodes.append(helper.make_node("LSTM", ["input", w, r, bias], [y], name="lstm", hidden_size=hidden))
    return b.model("input", [seq, batch, size], y, [seq, 1, batch, hidden], "lstm")


def tree_ensemble(trees=500, depth=6, features=20):
    """Complete binary trees: node i branches to 2i+1 (true) and 2i+2."""
    branches, leaves = 2**depth - 1, 2**depth
    attrs = {k: [] for k in ["nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values", "nodes_modes",
                             "nodes_truenodeids", "nodes_falsenodeids", "target_treeids", "target_nodeids",
                             "target_ids", "target_weights"]}
    for tree in range(trees):
        for node in range(branches + leaves):
            leaf = node >= branches
            attrs["nodes_treeids"].append(tree)
            attrs["nodes_nodeids"].append(node)
            attrs["nodes_featureids"].append(0 if leaf else int(RNG.integers(features)))
            attrs["nodes_values"].append(0.0 if leaf else float(RNG.standard_normal()))
            attrs["nodes_modes"].append("LEAF" if leaf else "BRANCH_LEQ")
            attrs["nodes_truenodeids"].append(0 if leaf else 2 * node + 1)
            attrs["nodes_falsenodeids"].append(0 if leaf else 2 * node + 2)
            if leaf:
                attrs["target_treeids"].append(tree)
                attrs["target_nodeids"].append(node)
                attrs["target_ids"].append(0)
                attrs["target_weights"].append(float(RNG.standard_normal() * 0.1))
    node = helper.make_node("TreeEnsembleRegressor", ["input"], ["y"], name="trees", domain="ai.onnx.ml",
                            n_targets=1, aggregate_function="SUM", post_transform="NONE", base_values=[0.5], **attrs)
    graph = helper.make_graph([node], "tree_ensemble",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, features])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)],
                              producer_name="onyx-benchmarks")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def fed_input(model):
    """The first graph input that is not an initializer (old models list their weights as inputs too)."""
    initializers = {t.name for t in model.graph.initializer}
    return next(i for i in model.graph.input if i.name not in initializers)


def save(model, folder, input_shape):
    os.makedirs(os.path.join(folder, "test_data_set_0"), exist_ok=True)
    onnx.save(model, os.path.join(folder, "model.onnx"))
    data = RNG.standard_normal(input_shape).astype(np.float32)
    tensor = numpy_helper.from_array(data, fed_input(model).name)
    with open(os.path.join(folder, "test_data_set_0", "input_0.pb"), "wb") as f:
        f.write(tensor.SerializeToString())


def main():
    if sys.argv[1:2] == ["--resnet18"] and len(sys.argv) == 3:
        onnx.save(resnet18(), sys.argv[2])
        print(f"wrote {sys.argv[2]}")
        return
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".data", "runtime")
    save(resnet18(), os.path.join(out, "resnet18"), [1, 3, 224, 224])
    save(mobilenetv3(), os.path.join(out, "mobilenetv3"), [1, 3, 224, 224])
    save(bert_block(), os.path.join(out, "bert_block"), [1, 128, 768])
    light = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "light", "light_inception_v1.onnx")
    inception = onnx.load(light)
    dims = [d.dim_value for d in fed_input(inception).type.tensor_type.shape.dim]
    save(inception, os.path.join(out, "inception_v1"), dims)
    save(lstm(), os.path.join(out, "lstm"), [64, 8, 256])
    save(tree_ensemble(), os.path.join(out, "tree_ensemble"), [10000, 20])
    print(f"wrote resnet18, mobilenetv3, bert_block, inception_v1, lstm and tree_ensemble to {out}")


if __name__ == "__main__":
    main()
