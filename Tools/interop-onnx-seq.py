#!/usr/bin/env python3
"""Exports every conformance and control-flow fixture graph to ONNX with graphrun and checks it in onnxruntime.

Covers Tests/Fixtures/ConformanceSeq and Tests/Fixtures/Conformance (manifest.json, see
Tools/interop-onnx-zoo.py) and the control-flow fixtures with an expected.json of TensorFlow's runs
(Tests/Fixtures/v1controlflow: TF1 while_loop / cond / TensorArray graphs and lowered Keras RNNs;
Tests/Fixtures/ControlFlow: functional StatelessIf / While). Each run of an expected.json is its own
row (`NAME#k`), so both branches of a cond are exercised. For each graph: `graphrun export --to onnx`,
onnx.checker.check_model(full_check=True), onnxruntime on the stored inputs compared with `graphrun
run` and with TensorFlow's stored outputs; PASS when the checker passes and onnxruntime is within
1e-5 · max(1, max|y|) of graphrun. Control-flow fixtures may have a fixed batch size, so the
dynamic-batch check applies to the manifest directories only.

With `--meta PREFIX.meta` (e.g. from `mnist-lstm --epochs 1 --limit 512 --checkpoint PREFIX`) the
example's graph is frozen by TensorFlow (import_meta_graph, restore, convert_variables_to_constants
at `--meta-output`, default `logits/BiasAdd`) and checked the same way on 5 random inputs.

Usage: /tmp/pyenv/bin/python Tools/interop-onnx-seq.py [--only NAME,...] [--meta PREFIX.meta [--meta-output NODE]]
       [--graphrun PATH] [--timeout S]
Needs `swift build --product graphrun`. Prints one markdown table; exit status 1 when any graph fails.
"""
import argparse, importlib.util, json, os, sys, tempfile
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
spec = importlib.util.spec_from_file_location("interop_onnx_zoo", os.path.join(ROOT, "Tools", "interop-onnx-zoo.py"))
zoo = importlib.util.module_from_spec(spec)
spec.loader.exec_module(zoo)

MANIFEST_DIRECTORIES = ["Tests/Fixtures/ConformanceSeq", "Tests/Fixtures/Conformance"]
EXPECTED_DIRECTORIES = ["Tests/Fixtures/v1controlflow", "Tests/Fixtures/ControlFlow"]


def array(entry):
    """A numpy array from an expected.json tensor: {dtype, shape, values}."""
    return np.array(entry["values"], dtype=np.dtype(entry["dtype"])).reshape(entry["shape"])


def expected_entries(directory, work):
    """(name#k, pb, {input tensor: npy}, {output tensor: npy}) for each run of each graph of expected.json."""
    found = []
    for name, record in json.load(open(os.path.join(directory, "expected.json"))).items():
        runs = record if isinstance(record, list) else record.get("runs", [])
        pb = os.path.join(directory, f"{name}.pb")
        if not os.path.exists(pb):
            continue
        for k, run in enumerate(runs):
            files = {}
            for kind in ("feeds", "fetches"):
                files[kind] = {}
                for i, (tensor, entry) in enumerate(run[kind].items()):
                    path = os.path.join(work, f"{os.path.basename(directory)}-{name}-{k}-{kind}{i}.npy")
                    np.save(path, array(entry))
                    files[kind][tensor] = path
            found.append((f"{name}#{k}", pb, files["feeds"], files["fetches"]))
    return found


def frozen_example(meta, output, work):
    """(name, pb, inputs, outputs) of a TensorGraph example's checkpoint frozen by TensorFlow, with TF's outputs."""
    import tensorflow as tf
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session() as session:
        tf.compat.v1.train.import_meta_graph(meta).restore(session, meta[:-len(".meta")])
        frozen = tf.compat.v1.graph_util.convert_variables_to_constants(session, graph.as_graph_def(), [output])
        frozen = tf.compat.v1.graph_util.extract_sub_graph(frozen, [output])
    pb = os.path.join(work, "example.pb")
    open(pb, "wb").write(frozen.SerializeToString())
    inference = tf.Graph()
    with inference.as_default():
        tf.compat.v1.import_graph_def(frozen, name="")
    x = np.random.default_rng(0).uniform(0, 1, (5, 784)).astype(np.float32)
    with tf.compat.v1.Session(graph=inference) as session:
        y = session.run(f"{output}:0", {"x:0": x})
    np.save(os.path.join(work, "example.in0.npy"), x)
    np.save(os.path.join(work, "example.out0.npy"), y)
    name = "example:" + os.path.basename(meta)
    return name, pb, {"x:0": os.path.join(work, "example.in0.npy")}, {f"{output}:0": os.path.join(work, "example.out0.npy")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="")
    parser.add_argument("--graphrun", default=os.path.join(ROOT, ".build/debug/graphrun"))
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--meta", default="")
    parser.add_argument("--meta-output", default="logits/BiasAdd")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    rows = []
    print("| fixture | graph | ONNX nodes | max diff vs graphrun | vs TF | result |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        cases = [(d, e, True) for d in MANIFEST_DIRECTORIES for e in zoo.entries(os.path.join(ROOT, d))]
        cases += [(d, e, False) for d in EXPECTED_DIRECTORIES for e in expected_entries(os.path.join(ROOT, d), work)]
        if args.meta:
            cases.append(("example", frozen_example(args.meta, args.meta_output, work), True))
        for directory, (name, pb, inputs, outputs), dynamic in cases:
            if only and name not in only and name.split("#")[0] not in only:
                continue
            row = zoo.run_one(name, pb, inputs, outputs, args, work, require_dynamic_batch=dynamic)
            rows.append(row)
            print(f"| {os.path.basename(directory)} | {row['model']} | {row['nodes']} | {row['graphrun']} | {row['tf']} | {row['result']} |", flush=True)
    passed = sum(r["result"] == "PASS" for r in rows)
    print(f"{passed} of {len(rows)} pass (tolerance {zoo.TOLERANCE} relative to max(1, max|y|))")
    sys.exit(0 if passed == len(rows) else 1)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
