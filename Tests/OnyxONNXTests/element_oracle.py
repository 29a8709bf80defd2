"""The pinned onnx's view of tensor elements, for ElementOracleTests.

    element_oracle.py CACHE_DIR OUT_DIR

Prints one line per tensor: `path<TAB>DATATYPE<TAB>count<TAB>fnv1a64`, where
the hash is over the elements in a canonical form both sides compute:
each element little-endian at its own width (floats and the narrow float
formats as bit patterns, 4/6-bit floats one byte per code, int4/int2
sign-extended to one byte, bool as 0/1, complex as real then imaginary,
strings as a 4-byte length then the bytes).

Tensors come from two places:
- every tensor-typed input and output of the backend node suite in
  CACHE_DIR/node, as onnx's `numpy_helper.to_array` reads them;
- OUT_DIR/synthetic: for every data type, tensors that onnx itself builds
  with `numpy_helper.from_array` (raw data) and `helper.make_tensor(...,
  raw=False)` (typed fields), holding every bit pattern of the 8-bit and
  smaller types and the boundaries, NaN, infinities and subnormals of the
  wider ones.
"""

import os
import struct
import sys

import ml_dtypes
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FNV_OFFSET, FNV_PRIME, MASK = 0xCBF29CE484222325, 0x100000001B3, (1 << 64) - 1


def fnv1a(data: bytes) -> int:
    h = FNV_OFFSET
    for byte in data:
        h = ((h ^ byte) * FNV_PRIME) & MASK
    return h


def canonical(tensor: TensorProto, array: np.ndarray) -> bytes:
    t = tensor.data_type
    flat = array.reshape(-1)
    if t == TensorProto.STRING:
        out = bytearray()
        for item in flat:
            data = item if isinstance(item, bytes) else str(item).encode()
            out += struct.pack("<I", len(data)) + data
        return bytes(out)
    if t in (TensorProto.INT4, TensorProto.INT2):
        return flat.astype(np.int8).tobytes()
    if t in (TensorProto.UINT4, TensorProto.UINT2):
        return flat.astype(np.uint8).tobytes()
    if t == TensorProto.BOOL:
        return flat.astype(np.uint8).tobytes()
    if flat.dtype.itemsize == 1:
        return flat.view(np.uint8).tobytes()
    if t in (TensorProto.FLOAT16, TensorProto.BFLOAT16):
        return flat.view(np.uint16).astype("<u2").tobytes()
    return flat.astype(flat.dtype.newbyteorder("<")).tobytes()


def report(path: str, tensor: TensorProto) -> None:
    array = numpy_helper.to_array(tensor)
    name = TensorProto.DataType.Name(tensor.data_type)
    print(f"{path}\t{name}\t{array.size}\t{fnv1a(canonical(tensor, array)):016x}")


def suite_tensors(cache: str) -> None:
    node = os.path.join(cache, "node")
    for case in sorted(os.listdir(node)):
        model = onnx.load(os.path.join(node, case, "model.onnx"), load_external_data=False)
        kinds = {
            "input": [v.type.HasField("tensor_type") for v in model.graph.input if not _is_initializer(model, v)],
            "output": [v.type.HasField("tensor_type") for v in model.graph.output],
        }
        for data_set in sorted(d for d in os.listdir(os.path.join(node, case)) if d.startswith("test_data_set")):
            folder = os.path.join(node, case, data_set)
            for file in sorted(os.listdir(folder)):
                kind, index = file[: -len(".pb")].rsplit("_", 1)
                flags = kinds.get(kind, [])
                if int(index) >= len(flags) or not flags[int(index)]:
                    continue
                tensor = TensorProto()
                with open(os.path.join(folder, file), "rb") as f:
                    tensor.ParseFromString(f.read())
                report(os.path.relpath(os.path.join(folder, file), cache), tensor)


def _is_initializer(model, value) -> bool:
    return any(i.name == value.name for i in model.graph.initializer)


def all_patterns(dtype, bits: int) -> np.ndarray:
    return np.arange(1 << bits, dtype=np.uint8 if bits <= 8 else np.uint16).view(dtype) if bits in (8, 16) else None


def synthetic_values():
    """(data type, numpy array) for every data type onnx knows."""
    f32 = np.array([0.0, -0.0, 1.0, -2.5, np.inf, -np.inf, np.nan, 1e-45, -1e-40, 3.4028235e38, 1.1754944e-38], np.float32)
    f64 = np.array([0.0, -0.0, 1.0, -2.5, np.inf, -np.inf, np.nan, 5e-324, 1.7976931348623157e308, 0.1], np.float64)
    half = np.arange(0, 1 << 16, 97, dtype=np.uint16)
    half = np.concatenate([half, np.array([0x0000, 0x8000, 0x7C00, 0xFC00, 0x7E00, 0x0001, 0x7BFF, 0x3C00], np.uint16)])
    yield TensorProto.FLOAT, f32
    yield TensorProto.DOUBLE, f64
    yield TensorProto.FLOAT16, half.view(np.float16)
    yield TensorProto.BFLOAT16, half.view(ml_dtypes.bfloat16)
    byte = np.arange(256, dtype=np.uint8)
    for code, dtype in [
        (TensorProto.FLOAT8E4M3FN, ml_dtypes.float8_e4m3fn), (TensorProto.FLOAT8E4M3FNUZ, ml_dtypes.float8_e4m3fnuz),
        (TensorProto.FLOAT8E5M2, ml_dtypes.float8_e5m2), (TensorProto.FLOAT8E5M2FNUZ, ml_dtypes.float8_e5m2fnuz),
        (TensorProto.FLOAT8E8M0, ml_dtypes.float8_e8m0fnu),
    ]:
        yield code, byte.view(dtype)
    yield TensorProto.FLOAT4E2M1, np.arange(16, dtype=np.uint8).view(ml_dtypes.float4_e2m1fn)
    yield TensorProto.FLOAT6E2M3, np.arange(64, dtype=np.uint8).view(ml_dtypes.float6_e2m3fn)
    yield TensorProto.FLOAT6E3M2, np.arange(64, dtype=np.uint8).view(ml_dtypes.float6_e3m2fn)
    for code, dtype in [
        (TensorProto.INT8, np.int8), (TensorProto.INT16, np.int16), (TensorProto.INT32, np.int32),
        (TensorProto.INT64, np.int64), (TensorProto.UINT8, np.uint8), (TensorProto.UINT16, np.uint16),
        (TensorProto.UINT32, np.uint32), (TensorProto.UINT64, np.uint64),
    ]:
        info = np.iinfo(dtype)
        yield code, np.array([info.min, info.max, 0, 1, info.max // 3, info.min // 7], dtype)
    yield TensorProto.INT64, np.array([9007199254740993, -9007199254740993], np.int64)
    yield TensorProto.INT4, np.arange(-8, 8, dtype=np.int8).astype(ml_dtypes.int4)
    yield TensorProto.UINT4, np.arange(0, 16, dtype=np.uint8).astype(ml_dtypes.uint4)
    yield TensorProto.INT2, np.array([-2, -1, 0, 1, 1], np.int8).astype(ml_dtypes.int2)
    yield TensorProto.UINT2, np.array([0, 1, 2, 3, 3, 2, 1], np.uint8).astype(ml_dtypes.uint2)
    yield TensorProto.BOOL, np.array([True, False, True, True], bool)
    yield TensorProto.COMPLEX64, np.array([1 + 2j, -0.5 - 3j, complex(np.inf, np.nan)], np.complex64)
    yield TensorProto.COMPLEX128, np.array([1 + 2j, 1e300 - 1e-300j], np.complex128)
    yield TensorProto.STRING, np.array([b"a", b"", "\u00e9t\u00e9".encode()], object)


def synthetic_tensors(out: str) -> None:
    folder = os.path.join(out, "synthetic")
    os.makedirs(folder, exist_ok=True)
    seen = {}
    for code, array in synthetic_values():
        name = TensorProto.DataType.Name(code)
        seen[name] = seen.get(name, 0) + 1
        stem = f"{name}_{seen[name]}"
        tensors = {"typed": helper.make_tensor(stem, code, array.shape, array.reshape(-1).tolist() if code != TensorProto.STRING else list(array), raw=False)}
        if code != TensorProto.STRING:
            raw = numpy_helper.from_array(array, stem)
            raw.data_type = code  # from_array picks the type from the dtype; say it outright
            tensors["raw"] = raw
        for encoding, tensor in tensors.items():
            path = os.path.join(folder, f"{stem}_{encoding}.pb")
            with open(path, "wb") as f:
                f.write(tensor.SerializeToString())
            report(os.path.relpath(path, out), tensor)


if __name__ == "__main__":
    cache, out = sys.argv[1], sys.argv[2]
    suite_tensors(cache)
    synthetic_tensors(out)
