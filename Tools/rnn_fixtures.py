"""Writes Tests/Fixtures/rnn/rnn.json: TF1-layout LSTM and GRU weights, inputs with sequence lengths,
and the outputs/final states TensorFlow computes for them (checked by Tests/TensorGraphTests/RNN).

TF 2.21 with Keras 3 no longer provides tf.compat.v1.nn.rnn_cell.BasicLSTMCell/GRUCell ("not available
with Keras 3"), so the reference is Keras 3's LSTM and GRU(reset_after=False) layers, whose equations are
TF1's with another weight layout; the weights are converted from TF1's layout here:
  LSTM: TF1 kernel [in+units, 4u] gates (i, j, f, o), forget_bias added at run time →
        Keras kernel [in, 4u] / recurrent [u, 4u] gates (i, f, c=j, o), forget_bias folded into the bias.
  GRU:  TF1 gates/kernel [in+u, 2u] (r, u), candidate/kernel [in+u, u] →
        Keras kernel/recurrent [., 3u] (z=u, r, h=candidate).
dynamic_rnn's sequence_length semantics (zero outputs past a row's length, state carried through) are
reproduced by running each row alone on its first length steps; the backward direction of
bidirectional_dynamic_rnn runs on each row's valid steps reversed, and its outputs are reversed back.

Run: /tmp/pyenv/bin/python Tools/rnn_fixtures.py   (from the package root)
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import keras

BATCH, TIME, FEATURES, UNITS, FORGET_BIAS = 2, 4, 3, 5, 1.0
LENGTHS = [4, 2]
rng = np.random.default_rng(13)
inputs = rng.uniform(-1, 1, (BATCH, TIME, FEATURES))


def run(layer, x):
    """Outputs [len, u] and final states of `layer` on one row x [len, features]."""
    result = layer(x[None, ...])
    return [np.asarray(r)[0] for r in result]


def directions(layer, n_states):
    """(fw outputs, fw states, bw outputs, bw states) with TF1's sequence-length semantics."""
    out = {"fw": np.zeros((BATCH, TIME, UNITS)), "bw": np.zeros((BATCH, TIME, UNITS))}
    states = {"fw": [np.zeros((BATCH, UNITS)) for _ in range(n_states)],
              "bw": [np.zeros((BATCH, UNITS)) for _ in range(n_states)]}
    for b, length in enumerate(LENGTHS):
        row = inputs[b, :length]
        seq, *fin = run(layer, row)
        out["fw"][b, :length] = seq
        for k in range(n_states):
            states["fw"][k][b] = fin[k]
        seq, *fin = run(layer, row[::-1])
        out["bw"][b, :length] = seq[::-1]
        for k in range(n_states):
            states["bw"][k][b] = fin[k]
    return out, states


def flat(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


# LSTM in TF1's layout.
kernel = rng.uniform(-0.5, 0.5, (FEATURES + UNITS, 4 * UNITS))
bias = rng.uniform(-0.5, 0.5, (4 * UNITS,))
i, j, f, o = np.split(np.arange(4 * UNITS), 4)
order = np.concatenate([i, f, j, o])
keras_bias = bias.copy()
keras_bias[f] += FORGET_BIAS
lstm = keras.layers.LSTM(UNITS, return_sequences=True, return_state=True, dtype="float64")
lstm.build((1, None, FEATURES))
lstm.set_weights([kernel[:FEATURES][:, order], kernel[FEATURES:][:, order], keras_bias[order]])
lstm_out, lstm_states = directions(lstm, 2)   # Keras returns (h, c)

# GRU in TF1's layout.
gates_kernel = rng.uniform(-0.5, 0.5, (FEATURES + UNITS, 2 * UNITS))
gates_bias = rng.uniform(0.5, 1.5, (2 * UNITS,))
candidate_kernel = rng.uniform(-0.5, 0.5, (FEATURES + UNITS, UNITS))
candidate_bias = rng.uniform(-0.5, 0.5, (UNITS,))
r, u = slice(0, UNITS), slice(UNITS, 2 * UNITS)
gru = keras.layers.GRU(UNITS, return_sequences=True, return_state=True, reset_after=False, dtype="float64")
gru.build((1, None, FEATURES))
gru.set_weights([
    np.concatenate([gates_kernel[:FEATURES, u], gates_kernel[:FEATURES, r], candidate_kernel[:FEATURES]], axis=1),
    np.concatenate([gates_kernel[FEATURES:, u], gates_kernel[FEATURES:, r], candidate_kernel[FEATURES:]], axis=1),
    np.concatenate([gates_bias[u], gates_bias[r], candidate_bias]),
])
gru_out, gru_states = directions(gru, 1)

fixture = {
    "batch": BATCH, "time": TIME, "features": FEATURES, "units": UNITS, "forget_bias": FORGET_BIAS,
    "lengths": LENGTHS, "inputs": flat(inputs),
    "lstm": {"kernel": flat(kernel), "bias": flat(bias),
             "outputs": flat(lstm_out["fw"]), "c": flat(lstm_states["fw"][1]), "h": flat(lstm_states["fw"][0]),
             "bw_outputs": flat(lstm_out["bw"]), "bw_c": flat(lstm_states["bw"][1]), "bw_h": flat(lstm_states["bw"][0])},
    "gru": {"gates_kernel": flat(gates_kernel), "gates_bias": flat(gates_bias),
            "candidate_kernel": flat(candidate_kernel), "candidate_bias": flat(candidate_bias),
            "outputs": flat(gru_out["fw"]), "h": flat(gru_states["fw"][0]),
            "bw_outputs": flat(gru_out["bw"]), "bw_h": flat(gru_states["bw"][0])},
}
path = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "rnn", "rnn.json")
with open(path, "w") as file:
    json.dump(fixture, file, indent=1)
    file.write("\n")
print("wrote", os.path.normpath(path))
