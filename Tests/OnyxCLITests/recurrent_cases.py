"""RNN, GRU and LSTM nodes over the attribute combinations the node suite
leaves out, in the backend layout, with onnxruntime's outputs (onnx.reference
ignores sequence_lens, clip and input_forget). onnxruntime's CPU kernels
take layout 0 only, so a layout-1 case's expected outputs are those of the
same node at layout 0, transposed; and it has no float64 RNN, so a float64 case's are those of
the float32 node, widened (the test compares them with a looser atol).

    recurrent_cases.py OUT_DIR [DTYPE]

Writes OUT_DIR/<case>/model.onnx and test_data_set_0/{input,output}_K.pb
and prints one case name per line. DTYPE is float32 (default) or float64.
The weights and inputs are seeded, so a run writes the same files.
"""

import os
import sys
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import onnxruntime

SEQ, BATCH, INPUT, HIDDEN = 5, 3, 4, 6


def case(name, op, attrs, dtype, lengths=None, initial=True, peepholes=False, layout=0):
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    gates = {"RNN": 1, "GRU": 3, "LSTM": 4}[op]
    dirs = 2 if attrs.get("direction") == "bidirectional" else 1
    elem = TensorProto.FLOAT if dtype == np.float32 else TensorProto.DOUBLE
    x_shape = [SEQ, BATCH, INPUT] if layout == 0 else [BATCH, SEQ, INPUT]
    state_shape = [dirs, BATCH, HIDDEN] if layout == 0 else [BATCH, dirs, HIDDEN]
    feeds = {
        "X": rng.standard_normal(x_shape).astype(dtype),
        "W": (rng.standard_normal([dirs, gates * HIDDEN, INPUT]) * 0.5).astype(dtype),
        "R": (rng.standard_normal([dirs, gates * HIDDEN, HIDDEN]) * 0.5).astype(dtype),
        "B": (rng.standard_normal([dirs, 2 * gates * HIDDEN]) * 0.3).astype(dtype),
    }
    names = ["X", "W", "R", "B"]
    if lengths is not None:
        feeds["sequence_lens"] = np.array(lengths, dtype=np.int32)
    names.append("sequence_lens" if lengths is not None else "")
    if initial:
        feeds["initial_h"] = rng.standard_normal(state_shape).astype(dtype)
        names.append("initial_h")
        if op == "LSTM":
            feeds["initial_c"] = rng.standard_normal(state_shape).astype(dtype)
            names.append("initial_c")
    if peepholes:
        if not initial:
            names += ["", ""]
        feeds["P"] = (rng.standard_normal([dirs, 3 * HIDDEN]) * 0.5).astype(dtype)
        names.append("P")
    while names and names[-1] == "":
        names.pop()
    outputs = ["Y", "Y_h", "Y_c"] if op == "LSTM" else ["Y", "Y_h"]
    inputs = [n for n in names if n]

    def build(layout, elem=elem):
        node = helper.make_node(op, names, outputs, hidden_size=HIDDEN, layout=layout, **attrs)
        def shape(n):
            if layout == 0 and n == "X":
                return [SEQ, BATCH, INPUT]
            if layout == 0 and n in ("initial_h", "initial_c"):
                return [dirs, BATCH, HIDDEN]
            return list(feeds[n].shape)
        graph = helper.make_graph(
            [node], name,
            [helper.make_tensor_value_info(n, TensorProto.INT32 if n == "sequence_lens" else elem, shape(n))
             for n in inputs],
            [helper.make_tensor_value_info(n, elem, None) for n in outputs],
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
        model.ir_version = 10
        return model

    model = build(layout)
    run_feeds = {n: feeds[n] for n in inputs}
    if layout == 1:
        # [batch, seq, input] and [batch, dirs, hidden] to layout 0's axes.
        run_feeds["X"] = feeds["X"].transpose(1, 0, 2)
        for n in ("initial_h", "initial_c"):
            if n in run_feeds:
                run_feeds[n] = feeds[n].transpose(1, 0, 2)
    if dtype == np.float64:
        run_feeds = {n: v.astype(np.float32) if v.dtype == np.float64 else v for n, v in run_feeds.items()}
    session = onnxruntime.InferenceSession(
        build(0, TensorProto.FLOAT).SerializeToString(), providers=["CPUExecutionProvider"])
    got = [v.astype(dtype) for v in session.run(None, run_feeds)]
    if layout == 1:
        # Y [seq, dirs, batch, hidden] -> [batch, seq, dirs, hidden]; states [dirs, batch, hidden] -> [batch, dirs, hidden].
        got = [got[0].transpose(2, 0, 1, 3)] + [v.transpose(1, 0, 2) for v in got[1:]]
    folder = os.path.join(OUT, name)
    data = os.path.join(folder, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    onnx.save(model, os.path.join(folder, "model.onnx"))
    for k, n in enumerate(inputs):
        onnx.save_tensor(numpy_helper.from_array(feeds[n], n), os.path.join(data, f"input_{k}.pb"))
    for k, (n, value) in enumerate(zip(outputs, got)):
        onnx.save_tensor(numpy_helper.from_array(np.asarray(value), n), os.path.join(data, f"output_{k}.pb"))
    print(name)


OUT = sys.argv[1]
DTYPE = {"float32": np.float32, "float64": np.float64}[sys.argv[2] if len(sys.argv) > 2 else "float32"]
suffix = "" if DTYPE == np.float32 else "_double"
ragged = [5, 0, 3]
for op in ["RNN", "GRU", "LSTM"]:
    o = op.lower()
    case(f"{o}_bidirectional_ragged{suffix}", op, {"direction": "bidirectional"}, DTYPE, lengths=ragged)
    case(f"{o}_reverse_ragged_batchwise{suffix}", op, {"direction": "reverse"}, DTYPE, lengths=ragged, layout=1)
    case(f"{o}_clip{suffix}", op, {"clip": 0.7}, DTYPE)
    case(f"{o}_no_initial_state{suffix}", op, {}, DTYPE, initial=False)
acts = {"RNN": ["Relu"], "GRU": ["HardSigmoid", "Elu"], "LSTM": ["HardSigmoid", "ScaledTanh", "Affine"]}
alphas = {"RNN": [], "GRU": [0.3, 0.8], "LSTM": [0.25, 0.9, 0.5]}
betas = {"RNN": [], "GRU": [0.4], "LSTM": [0.45, 1.3, -0.2]}
for op in ["RNN", "GRU", "LSTM"]:
    attrs = {"activations": acts[op]}
    if alphas[op]:
        attrs["activation_alpha"] = alphas[op]
    if betas[op]:
        attrs["activation_beta"] = betas[op]
    case(f"{op.lower()}_activations{suffix}", op, attrs, DTYPE)
case(f"rnn_leaky_softsign_bidirectional{suffix}", "RNN",
     {"direction": "bidirectional", "activations": ["LeakyRelu", "Softsign"], "activation_alpha": [0.2, 0.0]}, DTYPE)
case(f"rnn_thresholded_softplus_bidirectional{suffix}", "RNN",
     {"direction": "bidirectional", "activations": ["ThresholdedRelu", "Softplus"], "activation_alpha": [0.1, 0.0]}, DTYPE)
case(f"gru_linear_before_reset{suffix}", "GRU", {"linear_before_reset": 1}, DTYPE)
case(f"gru_linear_before_reset_bidirectional_ragged{suffix}", "GRU",
     {"linear_before_reset": 1, "direction": "bidirectional"}, DTYPE, lengths=ragged)
case(f"lstm_input_forget_peepholes{suffix}", "LSTM", {"input_forget": 1}, DTYPE, peepholes=True)
case(f"lstm_peepholes_bidirectional_ragged_clip{suffix}", "LSTM",
     {"direction": "bidirectional", "clip": 1.5}, DTYPE, lengths=ragged, peepholes=True)
case(f"lstm_peepholes_no_initial_state{suffix}", "LSTM", {}, DTYPE, initial=False, peepholes=True)
