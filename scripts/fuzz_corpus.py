"""Makes the committed seed corpus and dictionaries of the fuzz targets
(Fuzz/Corpus/, Fuzz/Dictionaries/): `scripts/fuzz corpus` runs it with the
pinned onnx of .cache/venv.

Seeds: the fixtures, then from the generated backend node suite the smallest
model for each distinct set of operators and features (subgraphs, functions,
sparse tensors, sequences, strings, ...), small ones only, up to a byte
budget per format. Each binary seed is also written in the three text
formats by onnx and protobuf themselves (onnx.printer, json_format,
text_format), so that the text seeds are not shaped by Onyx's own printers.

Dictionaries: the words of each format (field names, enum names, the
textual syntax's keywords and punctuation) and the operator names, taken
from onnx's descriptors and schemas.

    python scripts/fuzz_corpus.py REPO NODE_SUITE
"""

import hashlib
import os
import shutil
import sys

import onnx
from google.protobuf import json_format, text_format

MAX_SEED = 1200  # bytes of binary per seed
BUDGET = 24_000  # bytes of binary seeds in all (the text ones are 1.2-4x that)


def features(model):
    """What a model exercises: its operator set and the kinds of thing in it."""
    found = set()

    def tensor_kind(t):
        found.add(f"dtype{t.data_type}")
        if t.raw_data:
            found.add("raw")
        if t.data_location == onnx.TensorProto.EXTERNAL:
            found.add("external")

    def type_kind(tp):
        kind = tp.WhichOneof("value")
        found.add(f"type:{kind}")
        if kind == "sequence_type":
            type_kind(tp.sequence_type.elem_type)
        elif kind == "optional_type":
            type_kind(tp.optional_type.elem_type)
        elif kind == "map_type":
            type_kind(tp.map_type.value_type)

    def graph(g, depth):
        for t in g.initializer:
            tensor_kind(t)
        if g.sparse_initializer:
            found.add("sparse")
        for v in list(g.input) + list(g.output) + list(g.value_info):
            type_kind(v.type)
        for n in g.node:
            found.add(f"op:{n.domain}:{n.op_type}")
            for a in n.attribute:
                found.add(f"attr:{a.type}")
                if a.t.ByteSize():
                    tensor_kind(a.t)
                for sub in [a.g] if a.HasField("g") else list(a.graphs):
                    found.add(f"subgraph{depth}")
                    graph(sub, depth + 1)

    graph(model.graph, 0)
    if model.functions:
        found.add("functions")
    return frozenset(found)


def node_suite_models(suite):
    for name in sorted(os.listdir(suite)):
        path = os.path.join(suite, name, "model.onnx")
        if os.path.isfile(path) and os.path.getsize(path) <= MAX_SEED:
            yield name, path


def pick(suite):
    """The smallest model per feature set, new features first, in budget."""
    smallest = {}
    for name, path in node_suite_models(suite):
        model = onnx.load(path)
        key = features(model)
        size = os.path.getsize(path)
        if key not in smallest or size < smallest[key][0]:
            smallest[key] = (size, name, path)
    chosen, covered, total = [], set(), 0
    # Greedy: the model adding most unseen features per byte, until the budget.
    candidates = list(smallest.items())
    while candidates:
        key, (size, name, path) = max(candidates, key=lambda c: (len(c[0] - covered) / c[1][0], c[1][1]))
        if not key - covered or total + size > BUDGET:
            break
        candidates.remove((key, (size, name, path)))
        chosen.append((name, path))
        covered |= key
        total += size
    return chosen


def write(folder, data):
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def seeds(repo, suite):
    corpus = os.path.join(repo, "Fuzz", "Corpus")
    shutil.rmtree(corpus, ignore_errors=True)
    folders = {f: os.path.join(corpus, f) for f in ("onnx", "onnxtxt", "json", "textproto")}
    for folder in folders.values():
        os.makedirs(folder)
    fixtures = os.path.join(repo, "fixtures")
    paths = [os.path.join(fixtures, "kitchen-sink.onnx"), os.path.join(fixtures, "external", "model.onnx")]
    paths += [path for _, path in pick(suite)]
    for index, path in enumerate(paths):
        data = open(path, "rb").read()
        model = onnx.load_model_from_string(data)
        write(folders["onnx"], data)
        try:
            write(folders["onnxtxt"], onnx.printer.to_text(model).encode() + b"\n")
        except Exception:
            pass  # a model the printer does not take has no text seed
        # Compact JSON; text format on one line for every other model (both
        # layouts are what files have).
        write(folders["json"], json_format.MessageToJson(model, indent=None).encode())
        write(folders["textproto"], text_format.MessageToString(model, as_one_line=index % 2 == 1).encode())
    # mlp.onnx is 38 kB of weights: only its textual syntax, with them elided.
    mlp = onnx.load(os.path.join(fixtures, "mlp.onnx"))
    for t in mlp.graph.initializer:
        t.ClearField("raw_data")
        t.float_data.extend([0.5, -1.25])
        del t.dims[:]
        t.dims.append(2)
    write(folders["onnxtxt"], onnx.printer.to_text(mlp).encode() + b"\n")
    return paths


def quoted(word):
    escaped = word.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def fields_and_enums():
    """Every field (proto and JSON names) and enum value of onnx.proto."""
    fields, json_names, enums = set(), set(), set()

    def visit(descriptor):
        for field in descriptor.fields:
            fields.add(field.name)
            json_names.add(field.json_name)
        for enum in descriptor.enum_types:
            enums.update(v.name for v in enum.values)
        for nested in descriptor.nested_types:
            visit(nested)

    for message in onnx.onnx_ml_pb2.DESCRIPTOR.message_types_by_name.values():
        visit(message)
    for enum in onnx.onnx_ml_pb2.DESCRIPTOR.enum_types_by_name.values():
        enums.update(v.name for v in enum.values)
    return sorted(fields), sorted(json_names), sorted(enums)


def operators():
    return sorted({schema.name for schema in onnx.defs.get_all_schemas_with_history()})


ONNXTXT_WORDS = [
    "<", ">", "(", ")", "{", "}", "[", "]", ",", ":", "=", "=>", "@", "#", '"', "?", "N", "1e-5", "-inf", "nan",
    "ir_version", "opset_import", "producer_name", "producer_version", "domain", "model_version", "doc_string",
    "metadata_props", "overload", "key", "value", "location", "float_data", "double_data", "string_data",
    "seq", "map", "optional", "sparse_tensor", "opaque", "undefined", "float", "uint8", "int8", "uint16", "int16",
    "int32", "int64", "string", "bool", "float16", "double", "uint32", "uint64", "complex64", "complex128",
    "bfloat16", "float8e4m3fn", "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz", "uint4", "int4", "float4e2m1",
    "float8e8m0", "uint2", "int2", "float6e2m3", "float6e3m2", "int", "floats", "ints", "strings", "tensor",
    "tensors", "graph", "graphs", "sparse_tensors", "type_proto", "type_protos", "\"\" : 1",
    "agraph (float[N] X) => (float[N] Y) {\n", "\n}\n", "Y = Identity(X)\n", "<ir_version: 8, opset_import: [\"\" : 17]>\n",
]


def dictionaries(repo):
    folder = os.path.join(repo, "Fuzz", "Dictionaries")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    fields, json_names, enums = fields_and_enums()
    ops = operators()
    scratch = ["weights.bin", "empty.bin", "sub/inner.bin", "folder", "pipe", "outside", "../weights.bin"]
    external = ["location", "offset", "length", "checksum", "basepath"]
    words = {
        "onnxtxt": ONNXTXT_WORDS + ops,
        "json": ["{", "}", "[", "]", ":", ",", "null", "true", "false", "\"\"", "\"NaN\"", "\"-Infinity\"", "1e400"]
        + [quoted(n) + ":" for n in sorted(set(fields) | set(json_names))]
        + [quoted(e) for e in enums] + [quoted(o) for o in ops] + [quoted(w) for w in external + scratch],
        "textproto": ["{", "}", "[", "]", ":", "<", ">", ";", "#", "\"\\x00\"", "inf", "nan", "0x7fffffff", "-1"]
        + [f"{f}:" for f in fields] + [f"{f} {{" for f in fields] + enums + [quoted(o) for o in ops]
        + [quoted(w) for w in external + scratch],
        # The binary readers: operator and external-data names, and the
        # scratch folder's files (see Fuzz/Sources/FuzzSupport).
        "onnx": ops + external + scratch,
    }
    for name, entries in words.items():
        with open(os.path.join(folder, f"{name}.dict"), "w") as f:
            f.write(f"# {name}: made by scripts/fuzz corpus (scripts/fuzz_corpus.py); do not edit.\n")
            for entry in dict.fromkeys(entries):
                escaped = "".join(
                    c if 32 <= ord(c) < 127 and c not in '\\"' else ("\\" + c if c in '\\"' else f"\\x{ord(c):02x}")
                    for c in entry
                )
                f.write(f'"{escaped}"\n')


def main():
    repo, suite = sys.argv[1], sys.argv[2]
    paths = seeds(repo, suite)
    dictionaries(repo)
    print(f"fuzz corpus: {len(paths)} models, from the fixtures and {suite}")


if __name__ == "__main__":
    main()
