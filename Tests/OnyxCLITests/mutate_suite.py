"""Copies of node-suite models with one thing broken, and onnx's verdict.

    mutate_suite.py CACHE_DIR OUT_DIR STRIDE

For every STRIDE-th case of CACHE_DIR/node, each mutation that applies is
written to OUT_DIR/<case>--<mutation>.onnx, and one line is printed:
`file<TAB>mutation<TAB>valid|invalid` as onnx.checker.check_model(path,
full_check=False) of the pinned onnx judges it.
"""

import copy
import os
import sys

import onnx
from onnx import AttributeProto, defs


def schema_of(model, node):
    version = {o.domain: o.version for o in model.opset_import}.get(node.domain or "", None)
    if version is None:
        return None
    try:
        return defs.get_schema(node.op_type, version, node.domain)
    except Exception:
        return None


def mutations(model):
    nodes = model.graph.node
    if not nodes:
        return
    first = nodes[0]
    schema = schema_of(model, first)

    m = copy.deepcopy(model)
    m.graph.node[0].attribute.add(name="bogus_attribute", type=AttributeProto.INT, i=1)
    yield "unknown-attribute", m

    if schema is not None:
        required = [a.name for a in first.attribute if a.name in schema.attributes and schema.attributes[a.name].required]
        if required:
            m = copy.deepcopy(model)
            kept = [a for a in m.graph.node[0].attribute if a.name != required[0]]
            del m.graph.node[0].attribute[:]
            m.graph.node[0].attribute.extend(kept)
            yield "drop-required-attribute", m
        ints = [i for i, a in enumerate(first.attribute) if a.type == AttributeProto.INT]
        if ints:
            m = copy.deepcopy(model)
            a = m.graph.node[0].attribute[ints[0]]
            value = a.i
            a.ClearField("i")
            a.type = AttributeProto.FLOAT
            a.f = float(value)
            yield "int-attribute-as-float", m
        m = copy.deepcopy(model)
        extra = max(schema.max_input, len(first.input)) + 1
        if extra < 1000:
            m.graph.node[0].input.extend([first.input[0] if first.input else "x"] * (extra - len(first.input)))
            yield "too-many-inputs", m

    if first.input and first.input[0]:
        m = copy.deepcopy(model)
        m.graph.node[0].input[0] = "no_such_value"
        yield "undefined-input", m

    if len(nodes) > 1 and nodes[1].output and nodes[0].output:
        m = copy.deepcopy(model)
        m.graph.node[1].output[0] = nodes[0].output[0]
        yield "duplicate-output", m

    m = copy.deepcopy(model)
    m.ir_version = 99
    yield "ir-version-99", m

    m = copy.deepcopy(model)
    del m.opset_import[:]
    yield "no-opset-import", m

    m = copy.deepcopy(model)
    m.graph.node[0].op_type = "NoSuchOperator"
    yield "unknown-op", m

    raw = [i for i, t in enumerate(model.graph.initializer) if len(t.raw_data) > 1]
    if raw:
        m = copy.deepcopy(model)
        t = m.graph.initializer[raw[0]]
        t.raw_data = t.raw_data[: len(t.raw_data) // 2]
        yield "truncated-raw-data", m


def main(cache, out, stride):
    os.makedirs(out, exist_ok=True)
    node = os.path.join(cache, "node")
    for case in sorted(os.listdir(node))[::stride]:
        model = onnx.load(os.path.join(node, case, "model.onnx"))
        for name, mutated in mutations(model):
            path = os.path.join(out, f"{case}--{name}.onnx")
            with open(path, "wb") as f:
                f.write(mutated.SerializeToString())
            try:
                onnx.checker.check_model(path, full_check=False)
                verdict = "valid"
            except Exception:
                verdict = "invalid"
            print(f"{os.path.basename(path)}\t{name}\t{verdict}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
