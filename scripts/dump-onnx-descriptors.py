#!/usr/bin/env python3
"""Prints the wire layout of the pinned onnx package's protobuf messages, one
line per field and enum value, in the form WireSchemaTests compares against
the descriptors protoc-c generated from schemas/onnx.proto."""
from google.protobuf.descriptor import FieldDescriptor as F
from onnx import onnx_data_pb2, onnx_ml_pb2

TYPES = {
    F.TYPE_DOUBLE: "double", F.TYPE_FLOAT: "float", F.TYPE_INT64: "int64", F.TYPE_UINT64: "uint64",
    F.TYPE_INT32: "int32", F.TYPE_FIXED64: "fixed64", F.TYPE_FIXED32: "fixed32", F.TYPE_BOOL: "bool",
    F.TYPE_STRING: "string", F.TYPE_MESSAGE: "message", F.TYPE_BYTES: "bytes", F.TYPE_UINT32: "uint32",
    F.TYPE_ENUM: "enum", F.TYPE_SFIXED32: "sfixed32", F.TYPE_SFIXED64: "sfixed64", F.TYPE_SINT32: "sint32",
    F.TYPE_SINT64: "sint64",
}


def enum_lines(enum):
    for value in enum.values:
        print(f"enum {enum.full_name} {value.name} {value.number}")


def message_lines(message):
    for f in message.fields:
        label = "repeated" if f.is_repeated else "required" if f.is_required else "optional"
        target = f.message_type or f.enum_type
        kind = TYPES[f.type] + (f":{target.full_name}" if target else "")
        oneof = "oneof" if f.containing_oneof else "-"
        packed = "packed" if f.is_packed else "-"
        print(f"field {message.full_name} {f.name} {f.number} {label} {kind} {packed} {oneof}")
    for enum in message.enum_types:
        enum_lines(enum)
    for nested in message.nested_types:
        message_lines(nested)


for module in (onnx_ml_pb2, onnx_data_pb2):
    for enum in module.DESCRIPTOR.enum_types_by_name.values():
        enum_lines(enum)
    for message in module.DESCRIPTOR.message_types_by_name.values():
        message_lines(message)
