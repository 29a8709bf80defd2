"""Writes every operator schema of the pinned onnx as compact facts.

Called by scripts/gen-schemas with the output root. One text file per
domain, one block per (name, since_version), tab-separated lines:

    schema      NAME SINCE DEPRECATED(0|1) SUPPORT MIN_IN MAX_IN MIN_OUT MAX_OUT CONTEXT_FUNCTION(0|1)
    input       NAME TYPE_STR single|optional|variadic HOMOGENEOUS(0|1) MIN_ARITY
    output      (the same)
    attribute   NAME TYPE REQUIRED(0|1) DEFAULT        (DEFAULT: - or the value, see below)
    constraint  PARAM ALLOWED,TYPES,...
    function    OPSET BODY                            (the body in the ONNX textual syntax)

Defaults: INT and FLOAT as numbers (floats in the shortest form that reads
back as the same float32), STRING as escaped text, INTS/FLOATS/STRINGS as a
comma list. Text is escaped so that a field is one line: backslash, tab,
newline and comma (in lists) as \\\\, \\t, \\n and \\,.
"""

import os
import sys

import numpy as np
import onnx
from onnx import AttributeProto, defs, printer

ONNX_VERSION = "1.23.2"

DOMAINS = {
    "": ("ai.onnx", "aiOnnx"),
    "ai.onnx.ml": ("ai.onnx.ml", "aiOnnxML"),
    "ai.onnx.preview.training": ("ai.onnx.preview.training", "aiOnnxPreviewTraining"),
    "ai.onnx.preview": ("ai.onnx.preview", "aiOnnxPreview"),
}

OPTIONS = {
    defs.OpSchema.FormalParameterOption.Single: "single",
    defs.OpSchema.FormalParameterOption.Optional: "optional",
    defs.OpSchema.FormalParameterOption.Variadic: "variadic",
}

SUPPORT = {defs.OpSchema.SupportType.COMMON: "common", defs.OpSchema.SupportType.EXPERIMENTAL: "experimental"}


def escape(text: str, in_list: bool = False) -> str:
    text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return text.replace(",", "\\,") if in_list else text


def shortest_float32(value: float) -> str:
    return repr(float(np.float32(value))) if np.isfinite(value) else str(value)


def default(attribute) -> str:
    """The default's field: `-` when there is none, so a value that is
    itself `-` is written `\\-`."""
    proto = attribute.default_value
    if proto.type == AttributeProto.UNDEFINED:
        return "-"
    value = default_value(proto)
    return "\\-" if value == "-" else value


def default_value(proto) -> str:
    kind = proto.type
    if kind == AttributeProto.INT:
        return str(proto.i)
    if kind == AttributeProto.FLOAT:
        return shortest_float32(proto.f)
    if kind == AttributeProto.STRING:
        return escape(proto.s.decode("utf-8"))
    if kind == AttributeProto.INTS:
        return ",".join(str(v) for v in proto.ints)
    if kind == AttributeProto.FLOATS:
        return ",".join(shortest_float32(v) for v in proto.floats)
    if kind == AttributeProto.STRINGS:
        return ",".join(escape(v.decode("utf-8"), in_list=True) for v in proto.strings)
    raise SystemExit(f"gen-schemas: attribute default of type {AttributeProto.AttributeType.Name(kind)} has no encoding")


def parameter(kind: str, p) -> str:
    return "\t".join([kind, p.name, p.type_str, OPTIONS[p.option], str(int(p.is_homogeneous)), str(p.min_arity)])


def block(schema) -> list[str]:
    lines = [
        "\t".join(
            [
                "schema",
                schema.name,
                str(schema.since_version),
                str(int(schema.deprecated)),
                SUPPORT[schema.support_level],
                str(schema.min_input),
                str(schema.max_input),
                str(schema.min_output),
                str(schema.max_output),
                str(int(schema.has_context_dependent_function)),
            ]
        )
    ]
    lines += [parameter("input", p) for p in schema.inputs]
    lines += [parameter("output", p) for p in schema.outputs]
    for name in sorted(schema.attributes):
        attribute = schema.attributes[name]
        type_name = AttributeProto.AttributeType.Name(int(attribute.type.value))
        lines.append("\t".join(["attribute", name, type_name, str(int(attribute.required)), default(attribute)]))
    for constraint in schema.type_constraints:
        allowed = ",".join(constraint.allowed_type_strs)
        lines.append("\t".join(["constraint", constraint.type_param_str, allowed]))
    for opset in sorted(schema.function_opset_versions):
        body = onnx.FunctionProto()
        body.ParseFromString(schema.get_function_with_opset_version(opset))
        lines.append("\t".join(["function", str(opset), escape(printer.to_text(body))]))
    return lines


def main(out: str) -> None:
    assert onnx.__version__ == ONNX_VERSION, f"gen-schemas needs onnx=={ONNX_VERSION}, found {onnx.__version__}"
    schemas = defs.get_all_schemas_with_history()
    by_domain: dict[str, list] = {domain: [] for domain in DOMAINS}
    for schema in schemas:
        if schema.domain not in DOMAINS:
            raise SystemExit(f"gen-schemas: unexpected domain '{schema.domain}'")
        by_domain[schema.domain].append(schema)
    data_dir = os.path.join(out, "schemas", "operators")
    swift_dir = os.path.join(out, "Sources", "OnyxSchemas", "Generated")
    os.makedirs(data_dir, exist_ok=True)
    os.makedirs(swift_dir, exist_ok=True)
    for domain, (file_name, identifier) in DOMAINS.items():
        header = f"# {file_name}: operator schemas of onnx=={ONNX_VERSION}, written by scripts/gen-schemas; do not edit"
        lines = [header]
        for schema in sorted(by_domain[domain], key=lambda s: (s.name, s.since_version)):
            lines += block(schema)
        text = "\n".join(lines) + "\n"
        assert '"""#' not in text
        with open(os.path.join(data_dir, f"{file_name}.schemas"), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        swift = (
            f"// Generated by scripts/gen-schemas from onnx=={ONNX_VERSION} (schemas/operators/{file_name}.schemas).\n"
            "// Do not edit: run scripts/gen-schemas.\n\n"
            "extension SchemaData {\n"
            f"    /// The schemas of `{file_name}`, in the format schemas/operators describes.\n"
            f'    static let {identifier} = #"""\n{text}"""#\n'
            "}\n"
        )
        with open(os.path.join(swift_dir, f"SchemaData+{identifier}.swift"), "w", encoding="utf-8", newline="\n") as f:
            f.write(swift)
    print(f"gen-schemas: {len(schemas)} schemas of onnx=={ONNX_VERSION} into {data_dir}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
