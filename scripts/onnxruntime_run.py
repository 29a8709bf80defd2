#!/usr/bin/env python3
"""Runs a model on onnxruntime for `onyx verify --against onnxruntime`.

usage: onnxruntime_run.py MODEL.onnx INPUTS_DIR OUTPUTS_DIR

INPUTS_DIR holds manifest.txt (one line per input: NAME<TAB>KIND<TAB>FILE,
KIND tensor or sequence) and the files it names: a TensorProto, or a
SequenceProto of tensors.
Each output is written to OUTPUTS_DIR/output_K.pb in the session's output
order (the graph's): a TensorProto, or a SequenceProto for a list.
Exit status 3 means onnxruntime (or onnx) is not installed.
"""
import os
import sys

try:
    import numpy as np
    import onnx
    import onnxruntime
    from onnx import numpy_helper
except ImportError as error:
    print(f"onnxruntime is not available to {sys.executable}: {error}", file=sys.stderr)
    sys.exit(3)


def read(path, kind):
    proto = onnx.SequenceProto() if kind == "sequence" else onnx.TensorProto()
    with open(path, "rb") as file:
        proto.ParseFromString(file.read())
    return numpy_helper.to_list(proto) if kind == "sequence" else numpy_helper.to_array(proto)


def write(value, path):
    if isinstance(value, list):
        proto = numpy_helper.from_list([np.asarray(item) for item in value])
    else:
        proto = numpy_helper.from_array(np.asarray(value))
    with open(path, "wb") as file:
        file.write(proto.SerializeToString())


def main():
    model, inputs, outputs = sys.argv[1:4]
    feeds = {}
    with open(os.path.join(inputs, "manifest.txt"), encoding="utf-8") as manifest:
        for line in manifest:
            name, kind, file = line.rstrip("\n").split("\t", 2)
            feeds[name] = read(os.path.join(inputs, file), kind)
    options = onnxruntime.SessionOptions()
    # The reference runtime runs the graph as written: so must this.
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    results = session.run(None, feeds)
    for index, value in enumerate(results):
        write(value, os.path.join(outputs, f"output_{index}.pb"))


if __name__ == "__main__":
    main()
