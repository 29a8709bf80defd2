"""Writes the transformer-style benchmark input: a stack of decoder blocks.

    make_transformer.py OUT [BLOCKS]

Chains BLOCKS (default 48) copies of the test setup's onnxscript export
gpt_block_range_mask (one pre-norm decoder block over [batch, seq, 64]
whose attention reshapes are computed from Shape(x), 73 nodes) with
onnx.compose, each copy with its own weights' names, into one model of
about 3,500 nodes: the many-node, symbol-heavy graph that exporters write
for a transformer. The block is made by scripts/gen-onnx-tests into
.cache/onnxscript-models (ONYX_ONNXSCRIPT_MODELS overrides).
"""

import os
import sys

import onnx
import onnx.compose

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.environ.get("ONYX_ONNXSCRIPT_MODELS") or os.path.join(HERE, "..", ".cache", "onnxscript-models")


def main():
    out = sys.argv[1]
    blocks = int(sys.argv[2]) if len(sys.argv) > 2 else 48
    block = onnx.load(os.path.join(MODELS, "gpt_block_range_mask.onnx"))
    stack = onnx.compose.add_prefix(block, "b0_")
    for index in range(1, blocks):
        following = onnx.compose.add_prefix(block, f"b{index}_")
        stack = onnx.compose.merge_models(
            stack, following, io_map=[(stack.graph.output[0].name, following.graph.input[0].name)])
    onnx.checker.check_model(stack, full_check=True)
    onnx.save(stack, out)
    print(f"{out}: {len(stack.graph.node)} nodes, {len(stack.graph.initializer)} initializers")


if __name__ == "__main__":
    main()
