#!/usr/bin/env python3
"""Whole `onyx` processes beside onnx timed inside Python, interleaved.

The issues' speed targets compare the whole `onyx check` / `check --full` /
`infer` process (start-up included) with onnx's own call timed inside one
Python process (start-up excluded). On a shared VM the machine's speed
drifts by a third within minutes, so separate runs of the two sides give
ratios that mean little; here every round runs each onyx command once and
each onnx call once, alternating, and the table gives the medians of the
rounds and their ratio.

    Benchmarks/whole_process.py [--onyx PATH] [--rounds N] [FILE ...]

FILE defaults to Benchmarks/.data/nodes20k.onnx, transformer.onnx and
large.onnx (those present; compare.sh makes them). The onyx process is
started with posix_spawn and waited for; the clock around it includes the
exec, which is part of what a user waits for.
"""

import argparse
import os
import statistics
import subprocess
import tempfile
import time

import onnx
import onnx.checker
import onnx.shape_inference

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("ONYX_BENCH_DATA") or os.path.join(HERE, ".data")


def time_process(argv):
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited with {done.returncode}")
    return elapsed


def time_call(fn):
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--onyx", default=os.path.join(HERE, "..", ".build", "release", "onyx"))
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    files = args.files or [
        p for p in (os.path.join(DATA, n) for n in ("nodes20k.onnx", "transformer.onnx", "large.onnx"))
        if os.path.exists(p)
    ]
    scratch = tempfile.mkdtemp(prefix="onyx-whole-")
    onyx_out = os.path.join(scratch, "onyx.onnx")
    onnx_out = os.path.join(scratch, "onnx.onnx")
    print("| model | command | onyx process (ms) | onnx in Python (ms) | ratio |")
    print("|---|---|---:|---:|---:|")
    for path in files:
        def remove_outputs():
            for output in (onyx_out, onnx_out):
                if os.path.exists(output):
                    os.remove(output)

        # (name, onyx argv, onnx call, what to do before each, untimed)
        pairs = [
            ("check", [args.onyx, "check", path], lambda: onnx.checker.check_model(path), None),
            ("check --full", [args.onyx, "check", "--full", path],
             lambda: onnx.checker.check_model(path, full_check=True), None),
            ("infer -o", [args.onyx, "infer", path, "-o", onyx_out],
             lambda: onnx.shape_inference.infer_shapes_path(path, onnx_out), None),
            # The same with no earlier output to replace: onyx's rename over
            # a file written a round before waits for ext4 to write the
            # replaced file back (auto_da_alloc), which onnx's truncating
            # write does not; a user's one run pays little of that wait.
            ("infer -o, new file", [args.onyx, "infer", path, "-o", onyx_out],
             lambda: onnx.shape_inference.infer_shapes_path(path, onnx_out), remove_outputs),
        ]
        for name, argv, call, before in pairs:
            time_process(argv)  # warm the page cache and the binary
            call()
            ours, theirs = [], []
            for _ in range(args.rounds):
                if before:
                    before()
                ours.append(time_process(argv))
                if before:
                    before()
                theirs.append(time_call(call))
            a, b = statistics.median(ours), statistics.median(theirs)
            print(f"| {os.path.basename(path)} | {name} | {a:,.1f} | {b:,.1f} | {a / b:.2f}× |", flush=True)
    for leftover in (onyx_out, onnx_out):
        if os.path.exists(leftover):
            os.remove(leftover)
    os.rmdir(scratch)


if __name__ == "__main__":
    main()
