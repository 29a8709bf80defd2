#!/usr/bin/env python3
"""Lays the onnx wheel's light models out as backend test folders.

    scripts/light_suite.py CACHE_LIGHT_DIR OUT_DIR

The wheel stores them flat (light_<name>.onnx beside light_<name>_output_0.pb)
and onnx's backend runner makes their input at test time: for each graph
input that is not an initializer, arange(n)/n as float32 in the input's
shape, symbolic dims as 1 (`Runner.generate_dummy_data(random=False)`).
This writes OUT_DIR/test_<name>/model.onnx (a link), test_data_set_0/
input_K.pb made the same way, and output_0.pb (a link), so that
`onyx conformance` runs them like any other test.
"""

import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def main():
    source, out = sys.argv[1], sys.argv[2]
    for file in sorted(os.listdir(source)):
        if not (file.startswith("light_") and file.endswith(".onnx")):
            continue
        name = file[len("light_"):-len(".onnx")]
        folder = os.path.join(out, f"test_{name}")
        data = os.path.join(folder, "test_data_set_0")
        os.makedirs(data, exist_ok=True)
        model_path = os.path.join(source, file)
        for link, target in [(os.path.join(folder, "model.onnx"), model_path),
                             (os.path.join(data, "output_0.pb"), os.path.join(source, f"light_{name}_output_0.pb"))]:
            if not os.path.lexists(link):
                os.symlink(os.path.abspath(target), link)
        model = onnx.load(model_path, load_external_data=False)
        initializers = {i.name for i in model.graph.initializer}
        k = 0
        for value in model.graph.input:
            if value.name in initializers:
                continue
            shape = tuple(d.dim_value if d.HasField("dim_value") else 1 for d in value.type.tensor_type.shape.dim)
            n = int(np.prod(shape))
            array = (np.arange(n).reshape(shape) / n).astype(np.float32)
            with open(os.path.join(data, f"input_{k}.pb"), "wb") as f:
                f.write(numpy_helper.from_array(array).SerializeToString())
            k += 1


if __name__ == "__main__":
    main()
