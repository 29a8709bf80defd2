#!/usr/bin/env python3
"""The reference runtime beside onnxruntime and onnx.reference, same models, same inputs.

    Benchmarks/runtime_bench.py [--onyx PATH] [--runs N] [--ref-runs N] [--threads N] [MODEL_DIR ...]

MODEL_DIR is a folder with model.onnx and test_data_set_0/input_K.pb (what
make_runtime_models.py writes into Benchmarks/.data/runtime, the default).
For each model:
  onyx          `onyx run --inputs ... --repeat N --threads T --json`: the
                median of N timed runs after a first one, as onyx prints it
  onnxruntime   InferenceSession (CPUExecutionProvider, intra_op_num_threads
                T, default graph optimizations), median of N runs after a
                warm-up
  reference     onnx.reference.ReferenceEvaluator, median of --ref-runs runs
                after a warm-up (it is slow; 3 by default)
and the ratios onyx/onnxruntime and reference/onyx. Outputs are compared
too (onyx against onnxruntime, max abs difference), so a fast wrong answer
shows. onnxruntime is installed into the venv (pinned) when missing.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ORT_VERSION = "1.31.1"


def ensure_onnxruntime():
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", f"onnxruntime=={ORT_VERSION}"], check=True)


def load_inputs(model, folder):
    import numpy as np
    import onnx
    from onnx import numpy_helper

    names = [i.name for i in model.graph.input if i.name not in {t.name for t in model.graph.initializer}]
    data = os.path.join(folder, "test_data_set_0")
    feeds = {}
    for k, name in enumerate(names):
        feeds[name] = numpy_helper.to_array(onnx.load_tensor(os.path.join(data, f"input_{k}.pb")))
    return feeds, np


def median_ms(fn, runs):
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def openblas_core():
    """The kernels OpenBLAS chose for this CPU (Onyx's GEMMs run on them):
    an OpenBLAS older than the CPU falls back to an older family, which the
    runtime ratios depend on. Read, never set: the user's environment wins."""
    import ctypes
    # The sonames Sources/COpenBLAS loads, in its order.
    for name in ("libopenblas.so.0", "libopenblas.so"):
        try:
            library = ctypes.CDLL(name)
        except OSError:
            continue
        library.openblas_get_corename.restype = ctypes.c_char_p
        return library.openblas_get_corename().decode()
    return "unknown (no libopenblas)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--onyx", default=os.path.join(HERE, "..", ".build", "release", "onyx"))
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--ref-runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("models", nargs="*")
    args = parser.parse_args()
    ensure_onnxruntime()
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper
    from onnx.reference import ReferenceEvaluator

    root = os.path.join(HERE, ".data", "runtime")
    models = args.models or [os.path.join(root, n) for n in sorted(os.listdir(root))]
    print(f"threads {args.threads}; onnxruntime {ort.__version__}; onnx {onnx.__version__}; OpenBLAS kernels {openblas_core()}")
    print("| model | onyx (ms) | onnxruntime (ms) | onnx.reference (ms) | onyx / ort | reference / onyx | max abs diff vs ort |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for folder in models:
        path = os.path.join(folder, "model.onnx")
        model = onnx.load(path)
        feeds, np = load_inputs(model, folder)
        options = ort.SessionOptions()
        options.intra_op_num_threads = args.threads
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        ort_ms = median_ms(lambda: session.run(None, feeds), args.runs)
        expected = session.run(None, feeds)
        ref_ms = None
        if args.ref_runs > 0:
            reference = ReferenceEvaluator(model)
            ref_ms = median_ms(lambda: reference.run(None, feeds), args.ref_runs)
        with tempfile.TemporaryDirectory() as out:
            run = subprocess.run(
                [args.onyx, "run", path, "--inputs", os.path.join(folder, "test_data_set_0"), "--repeat", str(args.runs),
                 "--threads", str(args.threads), "--json", "--output-dir", out],
                capture_output=True, text=True)
            if run.returncode != 0:
                print(f"| {os.path.basename(folder)} | onyx failed: {run.stderr.strip()[:200]} | {ort_ms:,.1f} | | | | |")
                continue
            report = json.loads(run.stdout)
            onyx_ms = report["latency"]["medianMs"]
            diffs = []
            for value, want in zip(model.graph.output, expected):
                got = numpy_helper.to_array(onnx.load_tensor(os.path.join(out, value.name + ".pb")))
                diffs.append(float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))) if got.size else 0.0)
        ref = f"{ref_ms:,.1f}" if ref_ms is not None else "-"
        ref_ratio = f"{ref_ms / onyx_ms:,.1f}×" if ref_ms is not None else "-"
        print(f"| {os.path.basename(folder)} | {onyx_ms:,.1f} | {ort_ms:,.1f} | {ref} | {onyx_ms / ort_ms:.2f}× | {ref_ratio} | {max(diffs):.2e} |",
              flush=True)


if __name__ == "__main__":
    main()
