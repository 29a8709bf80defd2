"""Write the ONNX backend test suite into a cache directory.

Called by scripts/gen-onnx-tests (which owns the venv and the up-to-date
check):  python gen_onnx_tests.py CACHE_DIR PINS
PINS is "onnx==V numpy==V ml_dtypes==V": the packages the expected outputs
are computed with, checked against what is installed and kept in the stamp.

Layout produced (the same one onnx uses under onnx/backend/test/data/):
  CACHE_DIR/node/<case>/model.onnx
  CACHE_DIR/node/<case>/test_data_set_<N>/{input,output}_<K>.pb
  CACHE_DIR/{light,simple,pytorch-converted,pytorch-operator}/  (copied)
  CACHE_DIR/.stamp   "<PINS> node-cases=<count>", written last
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import time
import warnings

# Folders shipped pre-generated inside the onnx wheel. ("real" is skipped: it
# only holds download URLs for large zoo models.)
SHIPPED_FOLDERS = ["light", "simple", "pytorch-converted", "pytorch-operator"]


def log(msg: str) -> None:
    print(f"gen-onnx-tests: {msg}", file=sys.stderr, flush=True)


def to_proto(value, value_info):
    """Serialize one test value as onnx's generate_data does.

    The graph's declared type decides the container proto, because the Python
    value alone is ambiguous (e.g. an Optional holding a list vs. a Sequence).
    """
    from onnx import TensorProto, numpy_helper

    kind = value_info.type.WhichOneof("value")
    name = value_info.name
    if kind == "map_type":
        return numpy_helper.from_dict(value, name)
    if kind == "sequence_type":
        return numpy_helper.from_list(value, name)
    if kind == "optional_type":
        return numpy_helper.from_optional(value, name)
    if kind != "tensor_type":
        raise TypeError(f"{name}: unsupported value type {kind!r}")
    if isinstance(value, TensorProto):
        # Some cases (exotic dtypes, e.g. float8/int4) build the proto
        # themselves; onnx writes these as-is.
        return value
    return numpy_helper.from_array(value, name)


def write_case(case, case_dir: str) -> None:
    os.makedirs(case_dir)
    with open(os.path.join(case_dir, "model.onnx"), "wb") as f:
        f.write(case.model.SerializeToString())
    graph = case.model.graph
    for n, (inputs, outputs) in enumerate(case.data_sets):
        ds_dir = os.path.join(case_dir, f"test_data_set_{n}")
        os.makedirs(ds_dir)
        for prefix, values, infos in (("input", inputs, graph.input),
                                      ("output", outputs, graph.output)):
            if len(values) != len(infos):
                raise ValueError(f"{len(values)} {prefix}s but graph declares {len(infos)}")
            for k, (value, info) in enumerate(zip(values, infos)):
                with open(os.path.join(ds_dir, f"{prefix}_{k}.pb"), "wb") as f:
                    f.write(to_proto(value, info).SerializeToString())


def generate(out: str) -> int:
    """Fill `out`; return the number of node cases written."""
    import onnx
    from onnx.backend.test.case import node

    # Building the cases deliberately computes inf/nan (overflowing casts,
    # log(0), ...); numpy's RuntimeWarnings about that are noise.
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    log("collecting node test cases")
    cases = node.collect_testcases(None)
    log(f"node: {len(cases)} cases")

    failures = []
    for case in cases:
        try:
            write_case(case, os.path.join(out, "node", case.name))
        except Exception as e:  # keep going so one run reports every failure
            failures.append(f"{case.name}: {type(e).__name__}: {e}")
    if failures:
        for line in failures:
            log(f"FAILED {line}")
        raise RuntimeError(f"{len(failures)} of {len(cases)} node cases failed to serialize")

    data_dir = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data")
    for folder in SHIPPED_FOLDERS:
        shutil.copytree(os.path.join(data_dir, folder), os.path.join(out, folder))
        # light/ stores models flat as light_<name>.onnx, the others as
        # <case>/model.onnx, so count every *.onnx file.
        n = sum(f.endswith(".onnx") for _, _, fs in os.walk(os.path.join(out, folder)) for f in fs)
        log(f"{folder}: {n} models")
    return len(cases)


def main() -> None:
    cache = os.path.abspath(sys.argv[1])
    version = sys.argv[2]

    import ml_dtypes
    import numpy
    import onnx
    installed = f"onnx=={onnx.__version__} numpy=={numpy.__version__} ml_dtypes=={ml_dtypes.__version__}"
    if installed != version:
        sys.exit(f"gen-onnx-tests: error: {installed} installed, need {version}")

    # Only ever replace a directory this script made (it has our stamp) or an
    # empty one: CACHE_DIR comes from the user and may be mistyped.
    if os.path.isdir(cache) and os.listdir(cache) and not os.path.isfile(os.path.join(cache, ".stamp")):
        sys.exit(f"gen-onnx-tests: error: {cache} exists, is not empty and has no .stamp; refusing to replace it")

    # Turn SIGTERM into an exception so the `finally` below still cleans up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    start = time.monotonic()
    parent = os.path.dirname(cache)
    os.makedirs(parent, exist_ok=True)
    # Build next to the target (same filesystem) so the final rename is
    # atomic: an interrupted run never leaves a half-written cache.
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(cache)}.partial-", dir=parent)
    try:
        count = generate(tmp)
        with open(os.path.join(tmp, ".stamp"), "w") as f:
            f.write(f"{version} node-cases={count}\n")
        # A directory can't be renamed over a non-empty one, so move any stale
        # cache aside first and delete it only once the new one is in place.
        stale = None
        if os.path.exists(cache):
            stale = f"{tmp}.stale"
            os.rename(cache, stale)
        try:
            os.rename(tmp, cache)
        except OSError:
            if stale:
                os.rename(stale, cache)
            raise
        if stale:
            shutil.rmtree(stale, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log(f"wrote {cache} ({version}, {count} node cases) in {time.monotonic() - start:.1f}s")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        sys.exit(f"gen-onnx-tests: error: {type(e).__name__}: {e}")
