"""The ONNX textual syntax, Onyx against the pinned onnx, over many models.

Called by OnnxTextInteropTests with a folder holding manifest.txt (lines of
"key<TAB>model path") and, per key, Onyx's printing of the model as
KEY.onyx.onnxtxt. For each model this writes onnx's printing (KEY.py.onnxtxt)
and onnx's parse of it (KEY.py-parsed.onnx), for the Swift side to compare
Onyx's parser against, and checks here that:

  * onnx's parser reads what Onyx printed into a model equal to the original,
    once both have been put through `normalize`;
  * onnx's own print/parse round trip loses no more than `normalize` says;
  * Onyx prints exactly what onnx prints (plus a final newline), except for
    models with content onnx's printer leaves out and Onyx writes (function
    doc strings, attribute defaults and value_info).

`normalize` is the list of what the textual syntax cannot carry: each line
there is a documented loss, not a tolerance.
"""
import math
import os
import sys

import numpy as np
import onnx
import onnx.parser
import onnx.printer
from onnx import numpy_helper


def normalize_tensor(t):
    """Raw data becomes the typed field the parser fills; NaN payloads and
    the sign of NaN are not kept by printed numbers; segment, doc_string,
    metadata_props and an explicit DEFAULT data_location have no syntax."""
    t.ClearField("doc_string")
    t.ClearField("metadata_props")
    t.ClearField("segment")
    if t.data_location == onnx.TensorProto.EXTERNAL:
        return
    t.ClearField("data_location")
    if t.data_type == onnx.TensorProto.STRING:
        return
    arr = numpy_helper.to_array(t) if (t.HasField("raw_data") or t.int32_data or t.float_data or t.int64_data
                                        or t.double_data or t.uint64_data) else None
    name = t.name if t.HasField("name") else None
    dims = list(t.dims)
    dtype = t.data_type
    t.Clear()
    if name is not None:
        t.name = name
    t.dims.extend(dims)
    t.data_type = dtype
    if arr is not None:
        if arr.dtype.kind in "fc":
            arr = np.where(np.isnan(arr), np.nan, arr).astype(arr.dtype)
        t.raw_data = np.ascontiguousarray(arr).tobytes()


def normalize_type(tp):
    """Type and dimension denotations have no syntax."""
    tp.ClearField("denotation")
    kind = tp.WhichOneof("value")
    if kind in ("tensor_type", "sparse_tensor_type"):
        inner = getattr(tp, kind)
        if inner.HasField("shape"):
            for d in inner.shape.dim:
                d.ClearField("denotation")
    elif kind == "sequence_type":
        normalize_type(tp.sequence_type.elem_type)
    elif kind == "optional_type":
        normalize_type(tp.optional_type.elem_type)
    elif kind == "map_type":
        normalize_type(tp.map_type.value_type)


def normalize_value_info(vi):
    vi.ClearField("doc_string")
    vi.ClearField("metadata_props")
    if vi.HasField("type"):
        normalize_type(vi.type)


def normalize_attribute(a, onnx_parser_lists):
    a.ClearField("doc_string")
    if math.isnan(a.f):
        a.f = float("nan")
    if any(math.isnan(f) for f in a.floats):
        floats = [float("nan") if math.isnan(f) else f for f in a.floats]
        a.ClearField("floats")
        a.floats.extend(floats)
    if a.HasField("t"):
        a.t.name = a.t.name  # the parser always names an attribute's tensor
        normalize_tensor(a.t)
    for t in a.tensors:
        t.name = t.name
        normalize_tensor(t)
    if a.HasField("g"):
        normalize_graph(a.g, onnx_parser_lists)
    for g in a.graphs:
        normalize_graph(g, onnx_parser_lists)
    if a.HasField("tp"):
        normalize_type(a.tp)
    for tp in a.type_protos:
        normalize_type(tp)
    if onnx_parser_lists:
        # onnx's parser reads list values of these kinds and drops them.
        a.ClearField("tensors")
        a.ClearField("graphs")
        a.ClearField("type_protos")


def normalize_nodes(nodes, onnx_parser_lists):
    for n in nodes:
        n.domain = n.domain  # the parser always sets the domain
        n.ClearField("doc_string")
        n.ClearField("metadata_props")
        n.ClearField("device_configurations")
        for a in n.attribute:
            normalize_attribute(a, onnx_parser_lists)


def normalize_graph(g, onnx_parser_lists):
    """A graph always gets a name; sparse initializers, quantization
    annotations, doc_string and metadata_props have no syntax."""
    g.name = g.name
    g.ClearField("doc_string")
    g.ClearField("metadata_props")
    g.ClearField("sparse_initializer")
    g.ClearField("quantization_annotation")
    for vi in list(g.input) + list(g.output) + list(g.value_info):
        normalize_value_info(vi)
    for t in g.initializer:
        normalize_tensor(t)
    normalize_nodes(g.node, onnx_parser_lists)


def normalize(model, printer="onyx", onnx_parser_lists=False):
    """What survives the textual syntax. `printer="onnx"` adds what onnx's
    printer drops and Onyx's keeps (a function's doc string, attribute
    defaults and value_info)."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    m.DiscardUnknownFields()
    m.ir_version = m.ir_version
    for opset in list(m.opset_import) + [o for f in m.functions for o in f.opset_import]:
        opset.domain = opset.domain  # printed as "" when absent
        opset.version = opset.version
    m.ClearField("training_info")
    m.ClearField("configuration")
    normalize_graph(m.graph, onnx_parser_lists)
    for f in m.functions:
        f.ClearField("metadata_props")
        if printer == "onnx":
            f.ClearField("doc_string")
            f.ClearField("attribute_proto")
            f.ClearField("value_info")
        for vi in f.value_info:
            normalize_value_info(vi)
        for a in f.attribute_proto:
            normalize_attribute(a, onnx_parser_lists)
        normalize_nodes(f.node, onnx_parser_lists)
    return m


def has_function_extras(model):
    return any(f.HasField("doc_string") or f.attribute_proto or f.value_info for f in model.functions)


def main(folder):
    failures = []
    count = same_text = extras = 0
    for line in open(os.path.join(folder, "manifest.txt"), encoding="utf-8"):
        key, path = line.rstrip("\n").split("\t")
        original = onnx.ModelProto()
        with open(path, "rb") as f:
            original.ParseFromString(f.read())
        count += 1

        theirs = onnx.printer.to_text(original)
        with open(os.path.join(folder, key + ".py.onnxtxt"), "w", encoding="utf-8") as f:
            f.write(theirs)
        theirs_parsed = onnx.parser.parse_model(theirs)
        with open(os.path.join(folder, key + ".py-parsed.onnx"), "wb") as f:
            f.write(theirs_parsed.SerializeToString())
        if normalize(theirs_parsed, onnx_parser_lists=True) != normalize(original, "onnx", onnx_parser_lists=True):
            failures.append(f"{path}: onnx's own print/parse loses more than normalize() lists")

        with open(os.path.join(folder, key + ".onyx.onnxtxt"), encoding="utf-8") as f:
            ours = f.read()
        if ours == theirs + "\n":
            same_text += 1
        elif has_function_extras(original):
            extras += 1
        else:
            failures.append(f"{path}: Onyx's text differs from onnx.printer's")
        try:
            ours_parsed = onnx.parser.parse_model(ours)
        except Exception as e:
            failures.append(f"{path}: onnx's parser rejects Onyx's text: {str(e).splitlines()[0]}")
            continue
        if normalize(ours_parsed, onnx_parser_lists=True) != normalize(original, onnx_parser_lists=True):
            failures.append(f"{path}: onnx's parse of Onyx's text differs from the original")
    for failure in failures[:20]:
        print(failure)
    print(f"checked {count} models: {same_text} printed identically, {extras} with function extras, "
          f"{len(failures)} failures")


if __name__ == "__main__":
    main(sys.argv[1])
