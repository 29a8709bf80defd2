"""Models that each break one checker rule, and onnx's verdict on them.

    invalid_models.py OUT_DIR

Writes OUT_DIR/<case>.onnx and prints one line per case:
`case<TAB>expected Onyx rule<TAB>onnx verdict` where the verdict is `valid`
or `invalid: <first line of onnx.checker's message>`. A rule of `-` marks a
model onnx accepts and Onyx must too (warnings allowed). Built with
onnx.helper; nothing here is checked by onnx before it is written.
"""

import os
import sys

import onnx
from onnx import TensorProto, helper


def tensor_info(name, dims=(2,)):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(dims))


def model(nodes, inputs=("x",), outputs=("y",), initializers=(), opsets=(("", 17),), ir=8, name="g", **kwargs):
    graph = helper.make_graph(
        nodes, name, [tensor_info(i) for i in inputs], [tensor_info(o) for o in outputs], list(initializers)
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets], **kwargs)
    m.ir_version = ir
    return m


def relu(x="x", y="y", **attrs):
    return helper.make_node("Relu", [x], [y], **attrs)


def weight(name="w", raw=None, floats=None, dims=(2, 2), dtype=TensorProto.FLOAT):
    t = TensorProto(name=name, data_type=dtype, dims=list(dims))
    if raw is not None:
        t.raw_data = raw
    if floats is not None:
        t.float_data.extend(floats)
    return t


def cases():
    yield "valid-relu", "-", model([relu()])
    no_ir = model([relu()])
    no_ir.ClearField("ir_version")
    yield "ir-version-missing", "model.ir-version-missing", no_ir
    yield "ir-version-newer", "model.ir-version-unsupported", model([relu()], ir=15)
    yield "opset-missing", "model.opset-missing", model([relu()], opsets=(), ir=3)
    yield "opset-with-ir-2", "model.opset-forbidden", model([relu()], ir=2)
    yield "opset-duplicate", "-", model([relu()], opsets=(("", 17), ("", 13)))
    dup_meta = model([relu()])
    helper.set_model_props(dup_meta, {"a": "1"})
    dup_meta.metadata_props.add(key="a", value="2")
    yield "metadata-duplicate", "model.metadata-duplicate", dup_meta
    yield "graph-name-empty", "graph.name-missing", model([relu()], name="")
    untyped = model([relu()])
    untyped.graph.input[0].type.tensor_type.ClearField("shape")
    yield "input-without-shape", "graph.value-info-type", untyped
    yield "undefined-input", "graph.undefined-value", model([relu("q", "y")])
    yield "unsorted-nodes", "graph.topological-order", model([relu("t", "y"), relu("x", "t")])
    yield "ssa-two-definitions", "graph.ssa", model([relu("x", "y"), relu("x", "y")])
    yield "ssa-output-is-input", "graph.ssa", model([relu("x", "x")], outputs=("x",))
    yield "output-undefined", "graph.output-undefined", model([relu()], outputs=("y", "zz"))
    yield "duplicate-input", "graph.ssa", model([relu()], inputs=("x", "x"))
    yield "initializer-not-input-ir3", "graph.initializer-not-input", model(
        [helper.make_node("Add", ["x", "w"], ["y"])], initializers=[weight(dims=(2,), floats=[1, 2])], ir=3
    )
    yield "initializer-not-input-ir4", "-", model(
        [helper.make_node("Add", ["x", "w"], ["y"])], initializers=[weight(dims=(2,), floats=[1, 2])], ir=4
    )
    yield "duplicate-initializer", "graph.initializer-name", model(
        [helper.make_node("Add", ["x", "w"], ["y"])],
        initializers=[weight(dims=(2,), floats=[1, 2]), weight(dims=(2,), floats=[3, 4])],
    )
    yield "unknown-attribute", "node.attribute-unknown", model([relu(foo=1)])
    yield "dunder-attribute", "-", model([relu(__foo=1)])
    yield "attribute-type", "node.attribute-type", model(
        [helper.make_node("Concat", ["x", "x"], ["y"], axis=1.0)], outputs=("y",)
    )
    yield "attribute-missing", "node.attribute-missing", model([helper.make_node("Concat", ["x", "x"], ["y"])])
    dup_attr = model([helper.make_node("Concat", ["x", "x"], ["y"], axis=0)])
    dup_attr.graph.node[0].attribute.append(helper.make_attribute("axis", 0))
    yield "attribute-twice", "node.attribute-name", dup_attr
    mismatch = model([helper.make_node("Concat", ["x", "x"], ["y"], axis=0)])
    mismatch.graph.node[0].attribute[0].f = 1.5
    yield "attribute-field-mismatch", "node.attribute-field", mismatch
    yield "too-many-inputs", "node.input-count", model([helper.make_node("Relu", ["x", "x"], ["y"])])
    yield "empty-single-input", "node.required-value-empty", model([helper.make_node("Add", ["x", ""], ["y"])])
    yield "unknown-op", "node.unknown-op", model([helper.make_node("FooBar", ["x"], ["y"])])
    yield "custom-op-imported", "-", model(
        [helper.make_node("FooBar", ["x"], ["y"], domain="com.example")], opsets=(("", 17), ("com.example", 1))
    )
    yield "custom-domain-not-imported", "node.domain-not-imported", model(
        [helper.make_node("FooBar", ["x"], ["y"], domain="com.example")]
    )
    yield "default-domain-spelled-ai-onnx", "node.unknown-op", model(
        [helper.make_node("Relu", ["x"], ["y"], domain="ai.onnx")], opsets=(("ai.onnx", 17),)
    )
    yield "only-ai-onnx-import", "-", model([relu()], opsets=(("ai.onnx", 17),))
    yield "deprecated-op", "node.op-deprecated", model(
        [helper.make_node("Upsample", ["x", "s"], ["y"])], inputs=("x", "s"), opsets=(("", 10),)
    )
    yield "op-newer-than-opset", "node.op-not-yet-defined", model([helper.make_node("Gelu", ["x"], ["y"])])
    yield "experimental-op", "-", model([helper.make_node("ImageScaler", ["x"], ["y"], bogus=1)], opsets=(("", 7),))
    yield "no-inputs-no-outputs", "node.no-values", model([relu(), helper.make_node("Constant", [], [], value_float=1.0)])
    add_w = [helper.make_node("Add", ["x", "w"], ["y"])]
    yield "raw-data-short", "tensor.data-size", model(add_w, initializers=[weight(raw=b"\0" * 12)], outputs=("y",))
    yield "raw-data-long", "-", model(add_w, initializers=[weight(raw=b"\0" * 20)])
    yield "float-data-short", "tensor.data-size", model(add_w, initializers=[weight(floats=[1, 2, 3])])
    yield "data-type-undefined", "tensor.element-type", model(
        add_w, initializers=[weight(floats=[1, 2, 3, 4], dtype=TensorProto.UNDEFINED)]
    )
    wrong_field = weight()
    wrong_field.int64_data.extend([1, 2, 3, 4])
    yield "wrong-typed-field", "tensor.data-field", model(add_w, initializers=[wrong_field])
    yield "no-data", "tensor.data-places", model(add_w, initializers=[weight()])
    two_fields = weight(raw=b"\0" * 16, floats=[1, 2, 3, 4])
    yield "two-data-fields", "tensor.data-places", model(add_w, initializers=[two_fields])
    negative = weight(floats=[1])
    negative.dims[:] = [-1]
    yield "negative-dim", "tensor.dims", model(add_w, initializers=[negative])
    strings = TensorProto(name="w", data_type=TensorProto.STRING, dims=[1], raw_data=b"ab")
    yield "string-raw-data", "tensor.data-field", model(add_w, initializers=[strings])
    escape = weight()
    escape.data_location = TensorProto.EXTERNAL
    escape.external_data.add(key="location", value="../secret.bin")
    yield "external-escapes", "tensor.external-location", model(add_w, initializers=[escape])
    missing = weight()
    missing.data_location = TensorProto.EXTERNAL
    missing.external_data.add(key="location", value="missing.bin")
    yield "external-missing", "tensor.external-data", model(add_w, initializers=[missing])
    then_graph = helper.make_graph([relu("x", "t")], "then", [], [tensor_info("t")])
    else_graph = helper.make_graph([relu("x", "e")], "else", [], [tensor_info("e")])
    yield "subgraph-reads-outer", "-", model(
        [helper.make_node("If", ["c"], ["y"], then_branch=then_graph, else_branch=else_graph)], inputs=("c", "x")
    )
    bad_then = helper.make_graph([relu("nowhere", "t")], "then", [], [tensor_info("t")])
    yield "subgraph-undefined", "graph.undefined-value", model(
        [helper.make_node("If", ["c"], ["y"], then_branch=bad_then, else_branch=else_graph)], inputs=("c", "x")
    )
    leak = helper.make_graph([], "then", [], [tensor_info("x")])
    yield "subgraph-output-outer", "graph.output-undefined", model(
        [helper.make_node("If", ["c"], ["y"], then_branch=leak, else_branch=else_graph)], inputs=("c", "x")
    )


def function(name="F", domain="local", nodes=None, inputs=("a",), outputs=("b",), opsets=(("", 17),), attributes=()):
    nodes = nodes if nodes is not None else [helper.make_node("Relu", ["a"], ["b"])]
    return helper.make_function(
        domain, name, list(inputs), list(outputs), nodes, [helper.make_opsetid(d, v) for d, v in opsets], list(attributes)
    )


def with_functions(functions, ir=8, nodes=None, opsets=(("", 17), ("local", 1))):
    nodes = nodes if nodes is not None else [helper.make_node("F", ["x"], ["y"], domain="local")]
    return model(nodes, opsets=opsets, ir=ir, functions=functions)


def more_cases():
    yield "function-valid", "-", with_functions([function()])
    yield "function-name-empty", "function.name", with_functions(
        [function(name="")], nodes=[relu()]
    )
    yield "function-duplicate", "function.duplicate", with_functions([function(), function()])
    recursive = function(nodes=[helper.make_node("F", ["a"], ["b"], domain="local")], opsets=(("", 17), ("local", 1)))
    yield "function-recursive", "function.cycle", with_functions([recursive])
    yield "function-output-twice", "function.parameters", with_functions(
        [function(outputs=("b", "b"))], nodes=[relu()]
    )
    yield "function-attribute-twice", "function.parameters", with_functions(
        [function(attributes=("alpha", "alpha"))], nodes=[relu()]
    )
    yield "function-input-twice", "graph.ssa", with_functions([function(inputs=("a", "a"))], nodes=[relu()])
    unsorted = [helper.make_node("Relu", ["t"], ["b"]), helper.make_node("Relu", ["a"], ["t"])]
    yield "function-unsorted", "graph.topological-order", with_functions([function(nodes=unsorted)])
    yield "function-opset-missing", "function.opset-missing", with_functions([function(opsets=(("other", 1),))])
    yield "function-opset-incompatible", "function.opset-incompatible", with_functions([function(opsets=(("", 13),))])
    yield "function-ignored-below-ir8", "-", with_functions([function(name="")], ir=7, nodes=[relu()])
    unnamed_then = helper.make_graph([relu("x", "t")], "", [], [tensor_info("t")])
    else_graph = helper.make_graph([relu("x", "e")], "else", [], [tensor_info("e")])
    yield "subgraph-name-empty", "graph.name-missing", model(
        [helper.make_node("If", ["c"], ["y"], then_branch=unnamed_then, else_branch=else_graph)], inputs=("c", "x")
    )
    yield "output-is-input", "-", model([], inputs=("x",), outputs=("x",))
    yield "output-is-initializer", "-", model(
        [relu()], outputs=("y", "w"), initializers=[weight(dims=(2,), floats=[1, 2])]
    )
    untyped_attr = model([helper.make_node("Concat", ["x", "x"], ["y"], axis=0)])
    untyped_attr.graph.node[0].attribute[0].ClearField("type")
    yield "attribute-without-type", "node.attribute-field", untyped_attr
    unnamed_attr = model([helper.make_node("Concat", ["x", "x"], ["y"], axis=0)])
    unnamed_attr.graph.node[0].attribute.add(type=onnx.AttributeProto.INT, i=1)
    yield "attribute-without-name", "node.attribute-name", unnamed_attr
    ref = model([helper.make_node("Concat", ["x", "x"], ["y"], axis=0)])
    ref.graph.node[0].attribute[0].ref_attr_name = "outer"
    yield "ref-attr-in-main-graph", "-", ref
    yield "empty-single-output", "node.required-value-empty", model(
        [helper.make_node("Relu", ["x"], [""]), relu()]
    )
    yield "too-few-inputs", "node.input-count", model([helper.make_node("Add", ["x"], ["y"])])
    yield "too-many-outputs", "node.output-count", model([helper.make_node("Relu", ["x"], ["y", "z"])])
    yield "layer-norm-extra-attribute", "-", model(
        [helper.make_node("LayerNormalization", ["x", "x"], ["y"], bogus=1)]
    )
    yield "unknown-op-ml", "node.unknown-op", model(
        [helper.make_node("FooBar", ["x"], ["y"], domain="ai.onnx.ml")], opsets=(("", 17), ("ai.onnx.ml", 3))
    )
    yield "unknown-op-preview-training", "-", model(
        [helper.make_node("FooBar", ["x"], ["y"], domain="ai.onnx.preview.training")],
        opsets=(("", 17), ("ai.onnx.preview.training", 1)),
    )
    yield "opset-99", "-", model([relu()], opsets=(("", 99),))
    yield "opset-out-of-range", "model.opset-range", model([relu()], opsets=(("", 1 << 40),))
    yield "ir-version-zero", "model.ir-version-missing", model([relu()], ir=0)
    no_type = model([relu()])
    no_type.graph.input[0].ClearField("type")
    yield "input-without-type", "graph.value-info-type", no_type
    no_elem = model([relu()])
    no_elem.graph.output[0].type.tensor_type.ClearField("elem_type")
    yield "output-without-element-type", "graph.value-info-type", no_elem
    add_w = [helper.make_node("Add", ["x", "w"], ["y"])]
    yield "int64-raw-short", "tensor.data-size", model(
        add_w, initializers=[weight(raw=b"\0" * 8, dims=(2,), dtype=TensorProto.INT64)]
    )
    complex_short = weight(floats=[1, 2], dims=(2,), dtype=TensorProto.COMPLEX64)
    yield "complex-float-data-short", "tensor.data-size", model(add_w, initializers=[complex_short])
    int4 = weight(dims=(20,), dtype=TensorProto.INT4)
    int4.int32_data.extend([0])
    yield "int4-int32-data-short", "tensor.data-size", model(add_w, initializers=[int4])
    zero = weight(floats=[1], dims=(0,))
    yield "zero-elements-with-data", "tensor.data-places", model(add_w, initializers=[zero])
    unnamed = weight(floats=[1, 2, 3, 4])
    unnamed.name = ""
    yield "initializer-without-name", "graph.initializer-name", model([relu()], initializers=[unnamed])
    short_constant = helper.make_node("Constant", [], ["k"], value=weight(name="k", floats=[1]))
    yield "constant-tensor-short", "tensor.data-size", model([short_constant, relu()])
    external_and_raw = weight(raw=b"\0" * 16)
    external_and_raw.data_location = TensorProto.EXTERNAL
    external_and_raw.external_data.add(key="location", value="w.bin")
    yield "external-and-raw-data", "tensor.data-places", model(add_w, initializers=[external_and_raw])


def sparse_cases():
    def sparse(values, indices, dims, index_type=TensorProto.INT64, value_dims=None):
        v = helper.make_tensor("s", TensorProto.FLOAT, value_dims or [len(values)], values)
        i = helper.make_tensor("s_indices", index_type, [len(indices)], indices)
        return helper.make_sparse_tensor(v, i, dims)

    def with_sparse(s):
        m = model([helper.make_node("Add", ["x", "x"], ["y"])])
        m.graph.sparse_initializer.append(s)
        return m

    yield "sparse-valid", "-", with_sparse(sparse([1.0, 2.0], [1, 3], [4]))
    yield "sparse-index-out-of-range", "tensor.sparse", with_sparse(sparse([1.0, 2.0], [1, 9], [4]))
    yield "sparse-unsorted", "tensor.sparse", with_sparse(sparse([1.0, 2.0], [3, 1], [4]))
    yield "sparse-indices-not-int64", "tensor.sparse", with_sparse(sparse([1.0, 2.0], [1, 3], [4], TensorProto.INT32))
    yield "sparse-values-rank-2", "tensor.sparse", with_sparse(sparse([1.0, 2.0], [1, 3], [4], value_dims=[1, 2]))
    yield "sparse-dims-zero", "tensor.sparse", with_sparse(sparse([1.0, 2.0], [1, 3], [0]))
    retyped = model([], inputs=("x",), outputs=("x",))
    retyped.graph.output[0].type.tensor_type.elem_type = TensorProto.DOUBLE
    yield "output-retypes-input", "-", retyped


def stricter_cases(out):
    """Where onnx accepts what the spec rules out, and Onyx says so."""
    add_w = [helper.make_node("Add", ["x", "w"], ["y"])]
    with open(os.path.join(out, "short.bin"), "wb") as f:
        f.write(b"\0" * 4)
    past_end = weight()
    past_end.data_location = TensorProto.EXTERNAL
    for key, value in (("location", "short.bin"), ("offset", "0"), ("length", "16")):
        past_end.external_data.add(key=key, value=value)
    yield "external-range-past-end", "tensor.external-data", model(add_w, initializers=[past_end])
    int4 = weight(dims=(20,), dtype=TensorProto.INT4)
    int4.int32_data.extend([0x21, 0x43, 0x65])
    yield "int4-three-entries-for-twenty", "tensor.data-size", model(add_w, initializers=[int4])


def main(out):
    os.makedirs(out, exist_ok=True)
    os.makedirs(out, exist_ok=True)
    for name, rule, m in list(cases()) + list(more_cases()) + list(sparse_cases()) + list(stricter_cases(out)):
        path = os.path.join(out, name + ".onnx")
        with open(path, "wb") as f:
            f.write(m.SerializeToString())
        try:
            onnx.checker.check_model(path, full_check=False)
            verdict = "valid"
        except Exception as error:  # ValidationError, or anything onnx raises
            verdict = "invalid: " + str(error).strip().splitlines()[0]
        print(f"{name}\t{rule}\t{verdict}")


if __name__ == "__main__":
    main(sys.argv[1])
