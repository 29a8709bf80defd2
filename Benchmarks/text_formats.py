#!/usr/bin/env python3
"""The six text conversions of one model, whole `onyx convert` processes
beside the same conversion in Python, interleaved by rounds.

    Benchmarks/text_formats.py [--onyx PATH] [--rounds N] [--only NAME ...] [MODEL]

MODEL defaults to Benchmarks/.data/resnet18.onnx (46.7 MB, 45 MB of it
pseudo-random float32 weights in raw_data; compare.sh writes it with
make_runtime_models.py). For each of JSON, protobuf text format and the ONNX
textual syntax, both directions:

  write  onyx: `onyx convert MODEL out.<ext>`, the whole process.
         Python: onnx.load(MODEL), the library's conversion to text
         (json_format.MessageToJson, text_format.MessageToString,
         onnx.printer.to_text), and writing the text to a file.
  read   onyx: `onyx convert in.<ext> out.onnx`, the whole process.
         Python: reading the file as a str, the library's parser
         (json_format.Parse into a ModelProto, text_format.Parse,
         onnx.parser.parse_model), and onnx.save of the result.

Python is timed inside this one process, interpreter start-up and imports
excluded (the convention of whole_process.py); the onyx clock includes its
start-up, which is part of what a user waits for. Each round runs every
selected conversion once on each side, alternating, so that the VM's drift
hits both alike; the table gives the medians of the rounds and their ratio.

Before timing, the texts both sides write are compared: onyx's must be
Python's bytes (MessageToJson and to_text plus the newline onyx ends a file
with), or the script stops. The texts onyx wrote are the inputs of the reads.
"""

import argparse
import os
import statistics
import sys
import tempfile

import onnx
import onnx.parser
import onnx.printer
from google.protobuf import json_format, text_format

from whole_process import DATA, time_call, time_process

HERE = os.path.dirname(os.path.abspath(__file__))

# extension, Python's text of a ModelProto (as onyx writes it), Python's parser
FORMATS = [
    ("json", lambda m: json_format.MessageToJson(m) + "\n", lambda s: json_format.Parse(s, onnx.ModelProto())),
    ("textproto", text_format.MessageToString, lambda s: text_format.Parse(s, onnx.ModelProto())),
    ("onnxtxt", lambda m: onnx.printer.to_text(m) + "\n", onnx.parser.parse_model),
]


def python_write(model_path, to_text, out):
    def run():
        text = to_text(onnx.load(model_path))
        with open(out, "w", encoding="utf-8") as f:
            f.write(text)
    return run


def python_read(text_path, parse, out):
    def run():
        with open(text_path, encoding="utf-8") as f:
            text = f.read()
        onnx.save(parse(text), out)
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--onyx", default=os.path.join(HERE, "..", ".build", "release", "onyx"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", action="append", default=[],
                        help="a conversion to run, as 'json write' or 'onnxtxt read' (repeatable)")
    parser.add_argument("model", nargs="?", default=os.path.join(DATA, "resnet18.onnx"))
    args = parser.parse_args()
    if not os.path.exists(args.model):
        sys.exit(f"{args.model} is missing: run make_runtime_models.py --resnet18 {args.model} (compare.sh does)")
    scratch = tempfile.mkdtemp(prefix="onyx-text-")
    name = os.path.basename(args.model)

    conversions = []
    for ext, to_text, parse in FORMATS:
        onyx_text, python_text = os.path.join(scratch, "onyx." + ext), os.path.join(scratch, "python." + ext)
        time_process([args.onyx, "convert", args.model, onyx_text])
        python_write(args.model, to_text, python_text)()
        with open(onyx_text, "rb") as a, open(python_text, "rb") as b:
            if a.read() != b.read():
                sys.exit(f"onyx's {ext} of {name} differs from Python's ({onyx_text}, {python_text})")
        os.remove(python_text)
        conversions.append((f"{ext} write", [args.onyx, "convert", args.model, os.path.join(scratch, "onyx-written." + ext)],
                            python_write(args.model, to_text, python_text)))
        conversions.append((f"{ext} read", [args.onyx, "convert", onyx_text, os.path.join(scratch, "onyx.onnx")],
                            python_read(onyx_text, parse, os.path.join(scratch, "python.onnx"))))
    if args.only:
        unknown = set(args.only) - {c[0] for c in conversions}
        if unknown:
            sys.exit(f"unknown conversion {', '.join(sorted(unknown))}; expected 'FORMAT write' or 'FORMAT read'")
        conversions = [c for c in conversions if c[0] in args.only]

    times = {c[0]: ([], []) for c in conversions}
    for _ in range(args.rounds):
        for label, argv, call in conversions:
            times[label][0].append(time_process(argv))
            times[label][1].append(time_call(call))
    print(f"{name}, {args.rounds} rounds, medians")
    print("| conversion | onyx process (ms) | Python (ms) | ratio |")
    print("|---|---:|---:|---:|")
    for label, _, _ in conversions:
        ours, theirs = (statistics.median(t) for t in times[label])
        print(f"| {label} | {ours:,.0f} | {theirs:,.0f} | {ours / theirs:.2f}× |", flush=True)
    for leftover in os.listdir(scratch):
        os.remove(os.path.join(scratch, leftover))
    os.rmdir(scratch)


if __name__ == "__main__":
    main()
