#!/usr/bin/env bash
# Onyx load/save benchmarks side by side with Python onnx, on the same files.
#
#   Benchmarks/compare.sh [extra args for `swift package benchmark`, e.g. --filter 'large.*']
#
# 1. builds the Benchmarks package (release) and regenerates the inputs in
#    Benchmarks/.data/ (large.onnx ~300 MB, nodes20k.onnx ~1 MB, and
#    transformer.onnx, 48 onnxscript decoder blocks, from the test setup's
#    export: run `make conformance` first; resnet18.onnx, 45 MB of float32
#    weights, for the text formats);
# 2. runs the package-benchmark suite (ModelIO), stored as baseline "current",
#    and exports its raw samples to Benchmarks/.results/samples/;
# 3. runs MeasureRSS on each file (RssAnon after/during load, fresh process);
# 4. runs python_onnx_load.py with the project venv (PYTHON=... to override);
# 5. prints the combined table (also in Benchmarks/.results/summary.md).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="${PYTHON:-$HERE/../.cache/venv/bin/python}"
RESULTS="$HERE/.results"
RUNS="${PY_RUNS:-7}"

cd "$HERE"
rm -rf "$RESULTS"
mkdir -p "$RESULTS/samples"

{
    echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "host:    $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB RAM"
    echo "kernel:  $(uname -r); file system: $(findmnt -no FSTYPE -T "$HERE" 2>/dev/null || echo '?')"
    echo "swift:   $(swift --version 2>/dev/null | head -1)"
    echo "onyx:    $(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$HERE/.." diff --quiet 2>/dev/null || echo ' (with local changes)')"
} | tee "$RESULTS/machine.txt"

echo "== build (release) and generate inputs"
swift build -c release
"$HERE/.build/release/MakeBenchInputs"
"$PY" "$HERE/make_transformer.py" "$HERE/.data/transformer.onnx"
"$PY" "$HERE/make_runtime_models.py" --resnet18 "$HERE/.data/resnet18.onnx"

echo "== package-benchmark: ModelIO"
swift package --allow-writing-to-package-directory benchmark baseline update current --no-progress "$@"
swift package benchmark baseline read current --no-progress --time-units milliseconds "$@"
swift package --allow-writing-to-package-directory benchmark baseline read current --no-progress \
    --format histogramSamples --path "$RESULTS/samples" "$@" >/dev/null

echo "== MeasureRSS"
"$HERE/.build/release/MeasureRSS" "$HERE/.data/large.onnx" | tee "$RESULTS/rss-large.json"
"$HERE/.build/release/MeasureRSS" "$HERE/.data/nodes20k.onnx" | tee "$RESULTS/rss-nodes20k.json"

echo "== Python onnx ($PY)"
"$PY" "$HERE/python_onnx_load.py" --runs "$RUNS" --json "$RESULTS/python.json"

echo "== Summary (medians)"
"$PY" "$HERE/summarize.py" --results "$RESULTS"
