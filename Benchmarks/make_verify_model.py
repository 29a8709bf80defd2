"""Makes a weight-heavy ResNet-50 for `onyx verify`'s speed figure.

The wheel's light_resnet50 builds its 25 M weights with ConstantOfShape
nodes at run time, so converting it writes almost nothing. This replaces
each ConstantOfShape by an initializer of its shape, seeded normal values
scaled like the original constant (BatchNormalization variances stay
positive), giving a ~100 MB model whose conversions carry real data.

usage: make_verify_model.py OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper

source = ".cache/onnx-tests/light/light_resnet50.onnx"
model = onnx.load(source)
graph = model.graph
shapes = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
rng = np.random.default_rng(0)
kept, weights = [], []
for node in graph.node:
    if node.op_type != "ConstantOfShape":
        kept.append(node)
        continue
    shape = shapes[node.input[0]].astype(np.int64)
    fill = float(numpy_helper.to_array(node.attribute[0].t).reshape(-1)[0])
    values = (fill + 0.05 * rng.standard_normal(shape)).astype(np.float32)
    if node.output[0].endswith("_riv_0") or node.output[0].endswith("_s_0"):
        values = np.abs(values) + 0.5
    weights.append(numpy_helper.from_array(values, node.output[0]))
used = {name for node in kept for name in node.input}
initializers = [t for t in graph.initializer if t.name in used] + weights
del graph.node[:]
graph.node.extend(kept)
del graph.initializer[:]
graph.initializer.extend(initializers)
onnx.save(model, sys.argv[1])
