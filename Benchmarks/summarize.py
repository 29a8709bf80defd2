#!/usr/bin/env python3
"""Combines the results compare.sh collected into one table (markdown).

Inputs, all under --results (default Benchmarks/.results):
  samples/*.histogram.samples.tsv  package-benchmark export (`baseline read --format histogramSamples`)
  rss-*.json                       MeasureRSS output, one JSON object per line
  python.json                      python_onnx_load.py --json
"""

import argparse
import glob
import json
import os
import re
import statistics

HERE = os.path.dirname(os.path.abspath(__file__))
UNITS_MS = {"ns": 1e-6, "μs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1e3}

# Swift benchmark name suffix -> python_onnx_load.py key
OPS = [
    ("read bytes", "read bytes", "read(2) of the whole file into a new buffer / f.read()"),
    ("load", "load", "ModelFile.load / onnx.load"),
    ("check", "check", "ModelFile.load + ModelChecker().check / onnx.checker.check_model(path)"),
    ("check --full", "full check",
     "ModelFile.load + ModelChecker().check + ShapeInference().infer / check_model(path, full_check=True)"),
    ("infer and save", "infer path",
     "ModelFile.load + ShapeInference().infer + declareInferredTypes + ModelFile.save / "
     "shape_inference.infer_shapes_path"),
    ("decode (in memory)", "decode", "ModelDecoder.decode / ParseFromString"),
    ("write bytes", "write bytes", "write(2) of the file's bytes / f.write()"),
    ("save", "save", "ModelFile.save / onnx.save"),
    ("encode (in memory)", "encode", "ModelEncoder.encode / SerializeToString"),
]

# The ONNX textual syntax, nodes20k only (text: nodes20k.onnxtxt). Target for
# both: Onyx under 2× onnx's parser / printer.
TEXT_OPS = [
    ("parse text", "parse text", "OnnxTextParser.parseModel / onnx.parser.parse_model (text in memory)",
     "onnx.parser.parse_model"),
    ("print text", "print text", "OnnxTextPrinter().print / onnx.printer.to_text (model loaded)",
     "onnx.printer.to_text"),
]


def swift_samples(directory):
    """{benchmark name: {metric: [values in ms or raw]}} from the TSV export."""
    out = {}
    for path in glob.glob(os.path.join(directory, "*.histogram.samples.tsv")):
        parts = os.path.basename(path)[: -len(".histogram.samples.tsv")].split(".")
        name, metric = ".".join(parts[2:-1]).replace("_", " "), parts[-1]
        with open(path, encoding="utf-8") as f:
            header = f.readline().strip()
            values = [float(line) for line in f if line.strip()]
        unit = re.search(r"\(([^()]*)\)\s*$", header)
        if metric in ("wallClock", "cpuTotal") and unit and unit.group(1) in UNITS_MS:
            values = [v * UNITS_MS[unit.group(1)] for v in values]
        out.setdefault(name, {})[metric] = values
    return out


def rss(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        lines = [line for line in f if line.startswith("{")]
    return json.loads(lines[-1]) if lines else None


def fmt(value, digits=1):
    return "—" if value is None else f"{value:,.{digits}f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", default=os.path.join(HERE, ".results"))
    args = parser.parse_args()

    swift = swift_samples(os.path.join(args.results, "samples"))
    python = {}
    if os.path.exists(os.path.join(args.results, "python.json")):
        with open(os.path.join(args.results, "python.json"), encoding="utf-8") as f:
            python = json.load(f)["results"]

    def swift_median(name):
        values = swift.get(name, {}).get("wallClock")
        return statistics.median(values) if values else None

    def swift_count(name):
        values = swift.get(name, {}).get("wallClock")
        return len(values) if values else 0

    lines = []
    verdicts = []
    for label, file in (("large", "large.onnx"), ("nodes20k", "nodes20k.onnx"), ("transformer", "transformer.onnx")):
        py = python.get(file, {})
        if label == "transformer" and not py and not swift_count("transformer: load"):
            continue
        size = py.get("file_bytes")
        lines.append(f"\n### {file}" + (f" ({size / 1e6:.1f} MB)" if size else ""))
        lines.append("")
        lines.append("| operation | Swift (Onyx) median ms | runs | Python onnx median ms | Swift / Python |")
        lines.append("|---|---:|---:|---:|---:|")
        for op, pykey, what in OPS + ([row[:3] for row in TEXT_OPS] if label == "nodes20k" else []):
            s = swift_median(f"{label}: {op}")
            p = py.get(pykey, {}).get("median_ms")
            ratio = f"{s / p:.2f}×" if s and p else "—"
            lines.append(f"| {op} — {what} | {fmt(s)} | {swift_count(f'{label}: {op}')} | {fmt(p)} | {ratio} |")
        r = rss(os.path.join(args.results, f"rss-{label}.json"))
        if r:
            lines.append("")
            lines.append(
                f"RssAnon (MeasureRSS, fresh process): after load {r['loadDeltaBytes'] / 1e6:.1f} MB = "
                f"**{r['loadDeltaRatio']:.3f}× file size**, peak during load {r['loadPeakDeltaRatio']:.3f}×, "
                f"peak extra during save {r['savePeakDeltaBytes'] / 1e6:.1f} MB ({r['savePeakDeltaRatio']:.3f}×).")
        if py.get("load_rss_anon_ratio") is not None:
            lines.append(f"Python onnx.load RssAnon growth: {py['load_rss_anon_ratio']:.2f}× file size.")

        if label == "large":
            load, read = swift_median("large: load"), swift_median("large: read bytes")
            save, write = swift_median("large: save"), swift_median("large: write bytes")
            if load and read:
                verdicts.append(("load ≤ 1.5× read bytes", load / read, 1.5))
            if save and write:
                verdicts.append(("save ≤ 1.5× write bytes", save / write, 1.5))
            if r:
                verdicts.append(("RssAnon after load ≤ 1.3× file size", r["loadDeltaRatio"], 1.3))
                verdicts.append(("RssAnon peak during load ≤ 1.3× file size", r["loadPeakDeltaRatio"], 1.3))

        for op, pykey, factor in (("check --full", "full check", 1.0 if label != "large" else 0.5),
                                  ("infer and save", "infer path", 1.0)):
            s, p = swift_median(f"{label}: {op}"), py.get(pykey, {}).get("median_ms")
            if s and p:
                verdicts.append((f"{label}: {op} ≤ {factor:g}× Python", s / p, factor))

        if label == "nodes20k":
            load, py_load = swift_median("nodes20k: load"), py.get("load", {}).get("median_ms")
            if load and py_load:
                verdicts.append(("nodes20k: load ≤ 1× Python onnx.load", load / py_load, 1.0))
            both, diff = swift_median("nodes20k: load both"), swift_median("nodes20k: diff (models loaded)")
            if both and diff:
                lines.append("")
                lines.append(f"Diff of nodes20k against its re-export (renamed, reversed, one attribute changed): "
                             f"{fmt(diff)} ms; loading both models: {fmt(both)} ms.")
                verdicts.append(("nodes20k: diff ≤ 2× loading both models", diff / both, 2.0))
            if "text_identical" in py:
                lines.append("")
                lines.append(f"Text: nodes20k.onnxtxt ({py['text_bytes'] / 1e6:.2f} MB), printed by Onyx; "
                             "`onnx.printer.to_text(onnx.load(nodes20k.onnx))` + newline "
                             + ("**is byte-identical** to it." if py["text_identical"] else
                                f"**differs** from it (first at line {py['text_first_difference']['line']})."))
            for op, pykey, _, pyname in TEXT_OPS:
                s, p = swift_median(f"nodes20k: {op}"), py.get(pykey, {}).get("median_ms")
                if s and p:
                    verdicts.append((f"nodes20k: {op} < 2× `{pyname}`", s / p, 2.0, True))

    lines.append("\n### Targets\n")
    lines.append("| target | measured | met |")
    lines.append("|---|---:|---|")
    for text, value, limit, *strict in verdicts:
        met = value < limit if strict and strict[0] else value <= limit
        lines.append(f"| {text} | {value:.2f}× | {'yes' if met else '**NO**'} |")

    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(args.results, "summary.md"), "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
