"""What onnx's shape inference (data_prop=True) fully shapes, per model.

    python onnx_full_shapes.py MODEL.onnx...

For each model: value_info is stripped from the graph and every subgraph,
onnx.shape_inference.infer_shapes(model, data_prop=True) runs, and each
intermediate value (a node output that is not an output of its graph) whose
inferred type is a tensor with every dim a dim_value or a dim_param is
printed as `path<TAB>value<TAB>dims` (dims comma-separated). A dim_param
onnx made up for an unknown dim (`unk__N`) does not count, unless the
model's own inputs or outputs declare it (tf2onnx names its dynamic dims
so). A model onnx cannot infer prints `path<TAB>!<TAB>error`.
"""

import sys

import onnx
import onnx.shape_inference


def subgraphs(graph):
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                yield attribute.g
            elif attribute.type == onnx.AttributeProto.GRAPHS:
                yield from attribute.graphs


def strip(graph):
    del graph.value_info[:]
    for body in subgraphs(graph):
        strip(body)


def declared_symbols(graph):
    return {dim.dim_param for value in list(graph.input) + list(graph.output)
            for dim in value.type.tensor_type.shape.dim if dim.dim_param}


def full_dims(value_type, symbols):
    if value_type.WhichOneof("value") != "tensor_type" or not value_type.tensor_type.HasField("shape"):
        return None
    dims = []
    for dim in value_type.tensor_type.shape.dim:
        if dim.HasField("dim_value"):
            dims.append(str(dim.dim_value))
        elif dim.HasField("dim_param") and (not dim.dim_param.startswith("unk__") or dim.dim_param in symbols):
            dims.append(dim.dim_param)
        else:
            return None
    return dims


def report(path, graph, symbols):
    declared = {value.name: value.type for value in graph.value_info}
    outputs = {value.name for value in graph.output}
    for node in graph.node:
        for name in node.output:
            if not name or name in outputs or name not in declared:
                continue
            dims = full_dims(declared[name], symbols)
            if dims is not None:
                print(f"{path}\t{name}\t{','.join(dims)}")
    for body in subgraphs(graph):
        report(path, body, symbols)


def main():
    for path in sys.argv[1:]:
        try:
            model = onnx.load(path, load_external_data=False)
            strip(model.graph)
            inferred = onnx.shape_inference.infer_shapes(model, data_prop=True)
        except Exception as error:  # one model onnx cannot read must not hide the others
            print(f"{path}\t!\t{type(error).__name__}: {error}".replace("\n", " "))
            continue
        report(path, inferred.graph, declared_symbols(model.graph))


if __name__ == "__main__":
    main()
