#!/usr/bin/env python3
"""Writes the small models in fixtures/ with the pinned Python onnx.

The fixtures are committed; this script documents how they were made and
remakes them byte for byte (fixed seeds, no timestamps):

    .cache/venv/bin/python scripts/make-fixtures.py

- mlp.onnx: a two-layer classifier with a symbolic batch dimension, the model
  `make demo` inspects and converts.
- kitchen-sink.onnx: one of every rarely used corner of the format (If with
  branches reading outer values, a model-local function, sparse initializer,
  value_info, quantization annotations, metadata everywhere, training info,
  multi-device configuration), so round-trip tests cover them.
- external/model.onnx + external/weights.bin: weights stored as external data.
"""
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
rng = np.random.default_rng(20261130)


def weights(name, *shape):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)


def mlp():
    nodes = [
        helper.make_node("Gemm", ["input", "fc1.weight", "fc1.bias"], ["h1"], name="fc1", transB=1),
        helper.make_node("Relu", ["h1"], ["a1"], name="relu1"),
        helper.make_node("Gemm", ["a1", "fc2.weight", "fc2.bias"], ["logits"], name="fc2", transB=1),
        helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=-1),
    ]
    graph = helper.make_graph(
        nodes,
        "mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 64])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 10])],
        [weights("fc1.weight", 128, 64), weights("fc1.bias", 128), weights("fc2.weight", 10, 128), weights("fc2.bias", 10)],
    )
    model = helper.make_model(graph, producer_name="onyx-fixtures", producer_version="1", opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    helper.set_model_props(model, {"task": "classification", "classes": "10"})
    onnx.checker.check_model(model, full_check=True)
    return model


def kitchen_sink():
    then_graph = helper.make_graph(
        [helper.make_node("Add", ["x", "bias"], ["then_out"])], "then_branch", [],
        [helper.make_tensor_value_info("then_out", TensorProto.FLOAT, [2])])
    else_graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["else_out"])], "else_branch", [],
        [helper.make_tensor_value_info("else_out", TensorProto.FLOAT, [2])])
    square = helper.make_node("Square", ["y"], ["z"], domain="local", name="square_call")
    square.metadata_props.add(key="origin", value="fixture")
    nodes = [
        helper.make_node("If", ["cond"], ["y"], name="branch", then_branch=then_graph, else_branch=else_graph),
        square,
        helper.make_node("Scale", ["z"], ["out"], domain="local", name="scale_call", factor=3.0),
    ]
    sparse = helper.make_sparse_tensor(
        helper.make_tensor("sparse_values", TensorProto.FLOAT, [2], [1.5, -2.0]),
        helper.make_tensor("sparse_indices", TensorProto.INT64, [2], [0, 3]),
        [4])
    graph = helper.make_graph(
        nodes, "kitchen_sink",
        [helper.make_tensor_value_info("cond", TensorProto.BOOL, []),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [2])],
        [helper.make_tensor("bias", TensorProto.FLOAT, [2], [0.5, 0.25]),
         helper.make_tensor("int_typed", TensorProto.INT32, [3], [1, 2, 3]),
         helper.make_tensor("names", TensorProto.STRING, [2], [b"alpha", b"beta"])],
        value_info=[helper.make_tensor_value_info("y", TensorProto.FLOAT, [2]),
                    helper.make_tensor_value_info("z", TensorProto.FLOAT, ["D"])],
        sparse_initializer=[sparse],
        doc_string="Every corner of the format in one file.")
    graph.input[1].doc_string = "the data"
    graph.metadata_props.add(key="graph_key", value="graph_value")
    annotation = graph.quantization_annotation.add(tensor_name="x")
    annotation.quant_parameter_tensor_names.add(key="SCALE_TENSOR", value="bias")
    square_fn = helper.make_function(
        "local", "Square", ["v"], ["w"], [helper.make_node("Mul", ["v", "v"], ["w"])],
        [helper.make_opsetid("", 17)], doc_string="w = v * v")
    scale_fn = helper.make_function(
        "local", "Scale", ["v"], ["w"],
        [helper.make_node("Constant", [], ["k"], value_float=1.0),
         helper.make_node("Mul", ["v", "k"], ["w"])],
        [helper.make_opsetid("", 17)], attributes=["factor"])
    scale_fn.node[0].attribute[0].ref_attr_name = "factor"
    scale_fn.node[0].attribute[0].ClearField("f")
    model = helper.make_model(
        graph, producer_name="onyx-fixtures", producer_version="1",
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("local", 1)],
        functions=[square_fn, scale_fn])
    model.ir_version = 10
    model.doc_string = "A model that exercises the whole format."
    model.model_version = 7
    model.domain = "org.onyx.fixtures"
    helper.set_model_props(model, {"author": "onyx"})
    training = model.training_info.add()
    training.algorithm.CopyFrom(helper.make_graph(
        [helper.make_node("Identity", ["bias"], ["new_bias"])], "train_step", [], []))
    training.update_binding.add(key="bias", value="new_bias")
    config = model.configuration.add(name="two_devices", num_devices=2)
    config.device.extend(["cpu:0", "cpu:1"])
    return model


def external(model):
    folder = os.path.join(HERE, "external")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    onnx.save_model(model, os.path.join(folder, "model.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="weights.bin", size_threshold=256)


def main():
    os.makedirs(HERE, exist_ok=True)
    classifier = mlp()
    onnx.save_model(classifier, os.path.join(HERE, "mlp.onnx"))
    onnx.save_model(kitchen_sink(), os.path.join(HERE, "kitchen-sink.onnx"))
    external(classifier)
    for name in sorted(os.listdir(HERE)):
        print(name)


if __name__ == "__main__":
    main()
