#!/usr/bin/env python3
"""Conformance of graphrun on the graphs people actually have: sequence models, transformers, and TF1 graphs
with everyday ops. The companion of Tools/conformance.py (image models), with the same interface.

  generate [--small|--all] OUTDIR
      Builds every model in TensorFlow 2.21 / Keras 3 and writes, per model NAME:
        NAME.pb            the GraphDef (Keras models frozen with convert_variables_to_constants_v2; RNNs both
                           with the default lower_control_flow=True, "_lowered", and with lower_control_flow=False,
                           "_functional"; TF1 graphs as built, with control flow v1 and placeholders)
        NAME.in0.npy ...   the fed values, one file per input
        NAME.out0.npy ...  TensorFlow's values of the fetched tensors
      and manifest.json: {"models": [{"name", "pb", "inputs": {tensor: file}, "outputs": {tensor: file}}]}.
      --small (the default) writes the small models only (each well under 300 KB: the golden files under
      Tests/Fixtures/ConformanceSeq); --all adds the larger variants.
  check OUTDIR [--graphrun PATH]
      Runs `graphrun run` on each model with its inputs, fetching each output into a .npy file, and prints a
      markdown table: model, op types (count), nodes, .pb size, max |graphrun - TF|, the tolerance
      1e-4 * max(1, max|TF|), pass/fail, and for failures graphrun's error (naming unsupported ops).
      Exit status 1 when a model fails.

Run from the package root: /tmp/pyenv/bin/python Tools/conformance_seq.py generate Tests/Fixtures/ConformanceSeq
Integer and boolean outputs of the TF1 graphs are cast to float32 in the graph, so every output compares as floats.
"""
import json
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np

import conformance_seq_models as models


# ---------------------------------------------------------------------------------------------------------------

def cases(include_large):
    rng = np.random.default_rng(models.SEED)
    sequence = rng.normal(size=[2, 6, 4]).astype(np.float32)
    text = rng.integers(0, 50, size=[2, 10]).astype(np.int32)
    tokens = rng.integers(0, 40, size=[2, 8]).astype(np.int32)
    result = {}
    for kind in ["lstm", "gru", "simplernn", "bilstm"]:
        for sequences in [False, True]:
            for lowered in [True, False]:
                name = f"{kind}{'_seq' if sequences else ''}_{'lowered' if lowered else 'functional'}"
                result[name] = (lambda k=kind, s=sequences, l=lowered:
                                models.keras_case(models.rnn_model(k, s), [sequence], lower_control_flow=l))
    result["text_lstm_classifier"] = lambda: models.keras_case(models.text_classifier, [text])
    padded = text.copy()
    padded[0, 7:] = 0
    padded[1, 4:] = 0
    result["text_lstm_masked_lowered"] = lambda: models.keras_case(models.masked_text_classifier, [padded])
    result["text_lstm_masked_functional"] = lambda: models.keras_case(models.masked_text_classifier, [padded], lower_control_flow=False)
    result["stacked_gru"] = lambda: models.keras_case(models.stacked_gru, [sequence])
    result["text_cnn"] = lambda: models.keras_case(models.text_cnn, [text])
    result["transformer_block"] = lambda: models.keras_case(models.transformer, [tokens])
    result["einsum_dense"] = lambda: models.keras_case(models.einsum_dense, [sequence])
    query, value = rng.normal(size=[2, 4, 6]).astype(np.float32), rng.normal(size=[2, 5, 6]).astype(np.float32)
    result["dot_attention"] = lambda: models.keras_case(models.dot_attention, [query, value])
    result["batched_attention"] = models.batched_attention
    result["v1_cond_fused_batch_norm"] = lambda: models.v1_case(models.v1_cond_batch_norm)
    result["v1_elementwise"] = lambda: models.v1_case(models.v1_elementwise)
    result["v1_logic_reduce"] = lambda: models.v1_case(models.v1_logic_reduce)
    result["v1_array"] = lambda: models.v1_case(models.v1_array)
    result["v1_image"] = lambda: models.v1_case(models.v1_image)
    result["v1_one_hot_axis"] = lambda: models.v1_case(models.v1_one_hot_axis)
    result["v1_einsum_gradients"] = lambda: models.v1_case(models.v1_einsum_gradients)
    if include_large:
        big_tokens = rng.integers(0, 2000, size=[4, 64]).astype(np.int32)
        result["transformer_block_large"] = lambda: models.keras_case(
            lambda: models.transformer(vocab=2000, seq=64, dim=64, heads=4, ff=128), [big_tokens])
    return result


def generate(out_dir, include_large):
    os.makedirs(out_dir, exist_ok=True)
    manifest = []
    for name, build in cases(include_large).items():
        graph_def, feeds, out_names, values = build()
        with open(os.path.join(out_dir, f"{name}.pb"), "wb") as f:
            f.write(graph_def.SerializeToString())
        inputs, outputs = {}, {}
        for i, (tensor, value) in enumerate(feeds.items()):
            inputs[tensor] = f"{name}.in{i}.npy"
            np.save(os.path.join(out_dir, inputs[tensor]), np.asarray(value))
        for i, (tensor, value) in enumerate(zip(out_names, values)):
            outputs[tensor] = f"{name}.out{i}.npy"
            np.save(os.path.join(out_dir, outputs[tensor]), np.asarray(value))
        manifest.append({"name": name, "pb": f"{name}.pb", "inputs": inputs, "outputs": outputs})
        print(f"{name}: {len(graph_def.node)} nodes, {os.path.getsize(os.path.join(out_dir, name + '.pb'))} bytes")
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump({"models": manifest}, f, indent=1)


def op_types(pb_path):
    """{op type: count} over the graph and its function library."""
    from tensorflow.core.framework import graph_pb2
    graph_def = graph_pb2.GraphDef()
    with open(pb_path, "rb") as f:
        graph_def.ParseFromString(f.read())
    counts = {}
    nodes = list(graph_def.node) + [n for fn in graph_def.library.function for n in fn.node_def]
    for node in nodes:
        counts[node.op] = counts.get(node.op, 0) + 1
    return counts, len(nodes)


def check(out_dir, graphrun):
    with open(os.path.join(out_dir, "manifest.json")) as f:
        models = json.load(f)["models"]
    print("| model | op types | nodes | .pb size | max abs diff | tolerance | result | unsupported / error |")
    print("|---|---|---|---|---|---|---|---|")
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        for model in models:
            pb = os.path.join(out_dir, model["pb"])
            counts, nodes = op_types(pb)
            feeds = [arg for tensor, file in model["inputs"].items()
                     for arg in ("--feed", f"{tensor}={os.path.join(out_dir, file)}")]
            worst, tolerance, error = 0.0, 0.0, ""
            for tensor, file in model["outputs"].items():
                expected = np.load(os.path.join(out_dir, file)).astype(np.float64)
                tolerance = max(tolerance, 1e-4 * max(1.0, float(np.max(np.abs(expected))) if expected.size else 1.0))
                result_path = os.path.join(scratch, "out.npy")
                run = subprocess.run([graphrun, "run", pb, *feeds, "--fetch", tensor, "--output", result_path],
                                     capture_output=True, text=True)
                if run.returncode != 0:
                    error = " ".join((run.stderr or run.stdout).strip().split())[:300]
                    break
                actual = np.load(result_path).astype(np.float64)
                if actual.shape != expected.shape:
                    error = f"{tensor}: shape {list(actual.shape)} != TF {list(expected.shape)}"
                    break
                diff = float(np.max(np.abs(actual - expected))) if expected.size else 0.0
                if np.isnan(diff):
                    diff = float("inf")
                worst = max(worst, diff)
            passed = not error and worst <= tolerance
            failures += not passed
            ops = ", ".join(f"{op} ({n})" for op, n in sorted(counts.items()))
            print(f"| {model['name']} | {ops} | {nodes} | {os.path.getsize(pb)} | "
                  f"{'-' if error else f'{worst:.2e}'} | {tolerance:.1e} | {'pass' if passed else 'FAIL'} | {error} |")
    return failures


def main(argv):
    if len(argv) >= 2 and argv[0] == "generate":
        flags = [a for a in argv[1:] if a.startswith("--")]
        paths = [a for a in argv[1:] if not a.startswith("--")]
        if len(paths) == 1 and set(flags) <= {"--small", "--all"}:
            generate(paths[0], "--all" in flags)
            return 0
    if len(argv) >= 2 and argv[0] == "check":
        graphrun = ".build/debug/graphrun"
        rest = argv[2:]
        if rest[:1] == ["--graphrun"] and len(rest) == 2:
            graphrun = rest[1]
        elif rest:
            print(__doc__, file=sys.stderr)
            return 2
        return 1 if check(argv[1], graphrun) else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
