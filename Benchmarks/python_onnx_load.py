#!/usr/bin/env python3
"""Times the Python onnx package on the files the Swift benchmarks use.

For each file (default: Benchmarks/.data/large.onnx and nodes20k.onnx):
  read bytes         open(path, 'rb').read()
  load               onnx.load(path)
  decode             ModelProto.ParseFromString(bytes)   (bytes already in memory)
  encode             model.SerializeToString()
  save               onnx.save(model, tmp_path)
  write bytes        open(tmp, 'wb').write(bytes)
For nodes20k.onnx, also the ONNX textual syntax, on nodes20k.onnxtxt (Onyx's
printing of the same model):
  parse text         onnx.parser.parse_model(text)   (text already read, as a str)
  print text         onnx.printer.to_text(model)     (model already loaded)
parse_model is the C++ parser, then serializing its ModelProto and parsing
that into a Python ModelProto; to_text serializes the Python model, then the
C++ printer parses and prints it: what a Python user pays for either. It
also checks that to_text(onnx.load(nodes20k.onnx)) + "\n" is byte for byte
nodes20k.onnxtxt.
Each after one warm-up call; the median (and min) of --runs timed calls, in ms.
Import time is excluded. Results from each timed call are dropped only after
the clock stops. Also reports RssAnon growth across one onnx.load (in a
fresh interpreter).

Prints a table, and with --json PATH writes the medians for compare.sh.
"""

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time

import onnx
import onnx.shape_inference
import onnx.checker
import onnx.parser
import onnx.printer

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("ONYX_BENCH_DATA") or os.path.join(HERE, ".data")


def rss_anon():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    return 0


def timed(fn, runs):
    """Median and min wall time of fn() in ms, after one warm-up call."""
    result = fn()
    del result
    samples = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
        del result
    return {"median_ms": statistics.median(samples), "min_ms": min(samples), "runs": runs}


# The inputs compare.sh makes: weight-heavy, many-node, and a stack of
# transformer blocks (make_transformer.py).
BENCH_FILES = ["large.onnx", "nodes20k.onnx", "transformer.onnx"]


def bench_file(path, runs):
    size = os.path.getsize(path)
    scratch = os.path.join(DATA, "scratch")
    os.makedirs(scratch, exist_ok=True)
    out = os.path.join(scratch, "python-save-" + os.path.basename(path))
    raw = os.path.join(scratch, "python-write-bytes-" + os.path.basename(path))

    def read_bytes():
        with open(path, "rb") as f:
            return f.read()

    data = read_bytes()

    def decode():
        m = onnx.ModelProto()
        m.ParseFromString(data)
        return m

    def write_bytes():
        with open(raw, "wb") as f:
            f.write(data)

    results = {"file": path, "file_bytes": size}
    results["read bytes"] = timed(read_bytes, runs)
    results["load"] = timed(lambda: onnx.load(path), runs)
    results["check"] = timed(lambda: onnx.checker.check_model(path), runs)
    results["full check"] = timed(lambda: onnx.checker.check_model(path, full_check=True), runs)
    inferred = os.path.join(scratch, "python-inferred-" + os.path.basename(path))
    results["infer path"] = timed(lambda: onnx.shape_inference.infer_shapes_path(path, inferred), runs)
    os.unlink(inferred)
    results["decode"] = timed(decode, runs)

    model = onnx.load(path)
    results["encode"] = timed(model.SerializeToString, runs)
    results["save"] = timed(lambda: onnx.save(model, out), runs)
    results["write bytes"] = timed(write_bytes, runs)
    del model

    # RssAnon growth across one onnx.load, in a fresh interpreter (onnx
    # already imported), so that earlier runs' freed memory does not hide it.
    probe = subprocess.run([sys.executable, os.path.abspath(__file__), "--rss-probe", path],
                           check=True, capture_output=True, text=True)
    results["load_rss_anon_delta_bytes"] = int(probe.stdout.split()[-1])
    results["load_rss_anon_ratio"] = results["load_rss_anon_delta_bytes"] / size

    for p in (out, raw):
        if os.path.exists(p):
            os.unlink(p)
    return results


def bench_text(path, text_path, runs):
    """parse_model / to_text on the model at path and its text at text_path."""
    with open(text_path, "rb") as f:
        text_bytes = f.read()
    text = text_bytes.decode("utf-8")
    model = onnx.load(path)
    printed = onnx.printer.to_text(model) + "\n"
    printed_bytes = printed.encode("utf-8")
    results = {"text_file": text_path, "text_bytes": len(text_bytes),
               "text_identical": printed_bytes == text_bytes}
    if not results["text_identical"]:
        first = next((i for i, (a, b) in enumerate(zip(printed_bytes, text_bytes)) if a != b),
                     min(len(printed_bytes), len(text_bytes)))
        results["text_first_difference"] = {"offset": first, "line": text_bytes[:first].count(b"\n") + 1,
                                            "to_text_bytes": len(printed_bytes)}
    results["parse text"] = timed(lambda: onnx.parser.parse_model(text), runs)
    results["print text"] = timed(lambda: onnx.printer.to_text(model), runs)
    del model
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", default=[os.path.join(DATA, name) for name in BENCH_FILES])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per measurement (default 7)")
    parser.add_argument("--json", help="also write the results as JSON here")
    parser.add_argument("--rss-probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_probe:
        before = rss_anon()
        model = onnx.load(args.files[0])
        print(rss_anon() - before)
        del model
        return

    from google.protobuf.internal import api_implementation

    print(f"python {sys.version.split()[0]}, onnx {onnx.__version__}, protobuf backend {api_implementation.Type()}")
    all_results = {}
    for path in args.files:
        if not os.path.exists(path):
            sys.exit(f"{path} is missing: run MakeBenchInputs (or compare.sh) first")
        r = bench_file(path, args.runs)
        all_results[os.path.basename(path)] = r
        print(f"\n{os.path.basename(path)} ({r['file_bytes'] / 1e6:.1f} MB), median / min of {args.runs} runs:")
        text_path = os.path.splitext(path)[0] + ".onnxtxt"
        if os.path.basename(path) == "nodes20k.onnx":
            if os.path.exists(text_path):
                r.update(bench_text(path, text_path, args.runs))
            else:
                print(f"{text_path} is missing (run MakeBenchInputs): text timings skipped")
        for key in ("read bytes", "load", "check", "full check", "infer path", "decode", "encode", "save",
                    "write bytes", "parse text", "print text"):
            if key in r:
                print(f"  {key:<12} {r[key]['median_ms']:10.2f} ms  {r[key]['min_ms']:10.2f} ms")
        if "text_identical" in r:
            print(f"  onnx.printer.to_text(onnx.load({os.path.basename(path)})) + newline "
                  + ("is byte-identical to" if r["text_identical"] else "DIFFERS from")
                  + f" {os.path.basename(r['text_file'])} ({r['text_bytes']:,} bytes)"
                  + ("" if r["text_identical"] else f": first difference at line {r['text_first_difference']['line']}"))
        print(f"  RssAnon growth across onnx.load: {r['load_rss_anon_delta_bytes'] / 1e6:.1f} MB"
              f" ({r['load_rss_anon_ratio']:.2f}x file size)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"onnx_version": onnx.__version__, "protobuf_backend": api_implementation.Type(),
                       "results": all_results}, f, indent=2)


if __name__ == "__main__":
    main()
