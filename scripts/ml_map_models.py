"""One-node models of the ai.onnx.ml map operators (ZipMap, DictVectorizer,
CastMap) in the ONNX backend layout, with onnxruntime's outputs as the
expected ones: the suite has no case for them.

    python scripts/ml_map_models.py OUT_DIR

Each model goes to OUT_DIR/<name>/model.onnx beside test_data_set_0 with
input_K.pb (a TensorProto or MapProto) and output_K.pb (a TensorProto, or a
SequenceProto of MapProtos for ZipMap).
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

ML = h.make_opsetid("ai.onnx.ml", 1)
CORE = h.make_opsetid("", 17)


def map_proto(mapping, value_dtype=np.float32):
    """A MapProto of `mapping` (onnx's from_dict cannot take str keys)."""
    proto = onnx.MapProto()
    keys = list(mapping)
    if keys and isinstance(keys[0], str):
        proto.key_type = T.STRING
        proto.string_keys.extend(k.encode() for k in keys)
    else:
        proto.key_type = T.INT64
        proto.keys.extend(int(k) for k in keys)
    proto.values.CopyFrom(nh.from_list([np.array(v, dtype=value_dtype) for v in mapping.values()]))
    return proto


def data_proto(value):
    if isinstance(value, dict):
        return map_proto(value)
    if isinstance(value, list):
        sequence = onnx.SequenceProto()
        sequence.elem_type = onnx.SequenceProto.MAP
        sequence.map_values.extend(map_proto(m) for m in value)
        return sequence
    return nh.from_array(value)


def save(out, name, node, inputs, outputs, feeds):
    graph = h.make_graph([node], name, inputs, outputs)
    model = h.make_model(graph, opset_imports=[ML, CORE], ir_version=9)
    onnx.checker.check_model(model)
    folder = os.path.join(out, name, "test_data_set_0")
    os.makedirs(folder, exist_ok=True)
    onnx.save(model, os.path.join(out, name, "model.onnx"))
    results = ort.InferenceSession(model.SerializeToString()).run(None, feeds)
    for k, value in enumerate(feeds.values()):
        with open(os.path.join(folder, f"input_{k}.pb"), "wb") as f:
            f.write(data_proto(value).SerializeToString())
    for k, value in enumerate(results):
        with open(os.path.join(folder, f"output_{k}.pb"), "wb") as f:
            f.write(data_proto(value).SerializeToString())


def main(out):
    scores = np.random.RandomState(0).rand(4, 3).astype(np.float32)
    for kind, labels, key_type in [("strings", ["a", "b", "c"], T.STRING), ("int64s", [3, 7, 9], T.INT64)]:
        node = h.make_node("ZipMap", ["x"], ["y"], domain="ai.onnx.ml", **{f"classlabels_{kind}": labels})
        zipped = h.make_sequence_type_proto(h.make_map_type_proto(key_type, h.make_tensor_type_proto(T.FLOAT, [])))
        save(out, f"zipmap_{kind}", node, [h.make_tensor_value_info("x", T.FLOAT, [None, 3])],
             [h.make_value_info("y", zipped)], {"x": scores})

    for suffix, key_type, vocabulary, mapping in [
        ("string", T.STRING, {"string_vocabulary": ["b", "a", "z", "c"]}, {"a": 1.5, "c": -2.0, "q": 9.0}),
        ("int64", T.INT64, {"int64_vocabulary": [10, 2, 7]}, {2: 4.0, 10: 0.25}),
    ]:
        node = h.make_node("DictVectorizer", ["x"], ["y"], domain="ai.onnx.ml", **vocabulary)
        given = h.make_map_type_proto(key_type, h.make_tensor_type_proto(T.FLOAT, []))
        save(out, f"dictvectorizer_{suffix}", node, [h.make_value_info("x", given)],
             [h.make_tensor_value_info("y", T.FLOAT, [None, None])], {"x": mapping})

    for cast_to, form, output_type in [("TO_FLOAT", "DENSE", T.FLOAT), ("TO_INT64", "SPARSE", T.INT64),
                                       ("TO_STRING", "DENSE", T.STRING)]:
        node = h.make_node("CastMap", ["x"], ["y"], domain="ai.onnx.ml", cast_to=cast_to, map_form=form, max_map=6)
        given = h.make_map_type_proto(T.INT64, h.make_tensor_type_proto(T.FLOAT, []))
        save(out, f"castmap_{cast_to.lower()}_{form.lower()}", node, [h.make_value_info("x", given)],
             [h.make_tensor_value_info("y", output_type, [1, None])], {"x": {4: 1.5, 1: -2.25, 3: 7.0}})


if __name__ == "__main__":
    main(sys.argv[1])
