#!/usr/bin/env python3
"""Exports every model of a conformance directory to ONNX with graphrun and checks it in onnxruntime.

A directory is one written by Tools/conformance.py (manifest.json: NAME → {input, output}, beside
NAME.pb, NAME.input.npy, NAME.output.npy) or by Tools/conformance_seq.py (manifest.json:
{"models": [{name, pb, inputs: {tensor: npy}, outputs: {tensor: npy}}]}). For each model:
`graphrun export NAME.pb --to onnx` (its inputs and outputs named as in the manifest),
onnx.checker.check_model(full_check=True), a dynamic batch on the first input (dim_param "N"),
onnxruntime on the stored inputs compared with `graphrun run` on the same inputs and with
TensorFlow's stored outputs. A model passes when the checker passes and onnxruntime is within
1e-5 · max(1, max|y|) of graphrun on every output. Prints a markdown table: model, ONNX nodes,
Transpose nodes left, max |onnxruntime − graphrun|, max |onnxruntime − TF|, and PASS / FAIL or
the export error (the unmapped ops, all listed at once).

Usage: /tmp/pyenv/bin/python Tools/interop-onnx-zoo.py DIR [--only NAME,...] [--graphrun PATH] [--timeout S]
Needs `swift build --product graphrun`. Exit status 1 when any model fails.
"""
import argparse, json, os, re, subprocess, sys, tempfile
import numpy as np

TOLERANCE = 1e-5


def entries(directory):
    """(name, pb, {input tensor: npy path}, {output tensor: npy path}) for each model of the manifest."""
    manifest = json.load(open(os.path.join(directory, "manifest.json")))
    found = []
    if "models" in manifest:
        for m in manifest["models"]:
            join = lambda d: {k: os.path.join(directory, v) for k, v in d.items()}
            found.append((m["name"], os.path.join(directory, m["pb"]), join(m["inputs"]), join(m["outputs"])))
    else:
        for name, m in manifest.items():
            found.append((name, os.path.join(directory, f"{name}.pb"), {m["input"]: os.path.join(directory, f"{name}.input.npy")},
                          {m["output"]: os.path.join(directory, f"{name}.output.npy")}))
    return found


def node_name(tensor):
    return tensor[:-2] if tensor.endswith(":0") else tensor


def run_one(name, pb, inputs, outputs, args, work, require_dynamic_batch=True):
    import onnx, onnxruntime as ort
    row = {"model": name, "nodes": "", "transposes": "", "graphrun": "", "tf": "", "result": ""}
    path = os.path.join(work, f"{name}.onnx")
    command = [args.graphrun, "export", pb, "--to", "onnx", "--output", path]
    for t in inputs: command += ["--input", node_name(t)]
    for t in outputs: command += ["--output-node", node_name(t)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        row["result"] = f"FAIL export timed out after {args.timeout} s"
        return row
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or ["?"])[-1]
        if "no ONNX mapping for" in message:   # just the op types, not the node names
            ops = re.findall(r"(?:for |\), )([A-Za-z0-9_]+) \(", message)
            message = "unmapped: " + " ".join(ops)
        row["result"] = "FAIL " + message[:400]
        return row
    model = onnx.load(path)
    row["nodes"] = len(model.graph.node)
    row["transposes"] = sum(n.op_type == "Transpose" for n in model.graph.node)
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as error:  # the checker's exception types differ between onnx releases
        row["result"] = f"FAIL checker: {str(error).splitlines()[0][:300]}"
        return row
    first = model.graph.input[0].type.tensor_type.shape.dim
    feeds = {node_name(t): np.load(p) for t, p in inputs.items()}
    problems = []
    if require_dynamic_batch and len(first) > 0 and first[0].dim_param != "N" and np.load(next(iter(inputs.values()))).ndim > 0:
        problems.append(f"batch dim of '{model.graph.input[0].name}' is not dynamic")
    try:
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        names = [o.name for o in session.get_outputs()]
        theirs = dict(zip(names, session.run(None, feeds)))
    except Exception as error:
        row["result"] = f"FAIL onnxruntime: {str(error).splitlines()[0][:300]}"
        return row
    feed_args = []
    for k, v in feeds.items():
        np.save(os.path.join(work, f"feed-{k}.npy"), v)
        feed_args += ["--feed", f"{k}={os.path.join(work, f'feed-{k}.npy')}"]
    worst_graphrun = worst_tf = 0.0
    for i, (tensor, tf_path) in enumerate(outputs.items()):
        onnx_value = theirs.get(node_name(tensor), theirs[names[i]] if i < len(names) else None)
        out = os.path.join(work, "out.npy")
        run = subprocess.run([args.graphrun, "run", pb, *feed_args, "--fetch", tensor, "--output", out],
                             capture_output=True, text=True, timeout=args.timeout)
        tf_value = np.load(tf_path)
        if run.returncode != 0:
            # Still compare with TensorFlow, and name graphrun's failure in one line.
            lines = [l for l in run.stderr.splitlines() if "error" in l.lower() or "crashed" in l or " at /" in l]
            problems.append(f"graphrun run failed: {' / '.join(lines[:3])[:300]}")
            if onnx_value is not None and onnx_value.shape == tf_value.shape:
                scale = max(1.0, float(np.max(np.abs(tf_value)))) if tf_value.size else 1.0
                worst_tf = max(worst_tf, float(np.max(np.abs(tf_value - onnx_value))) / scale if tf_value.size else 0.0)
            continue
        ours = np.load(out)
        if ours.shape != onnx_value.shape:
            problems.append(f"{tensor}: shape {onnx_value.shape} vs graphrun {ours.shape}")
            continue
        scale = max(1.0, float(np.max(np.abs(ours))) if ours.size and ours.dtype != bool else 1.0)
        d = float(np.max(np.abs(ours.astype(np.float64) - onnx_value.astype(np.float64)))) / scale if ours.size else 0.0
        t = float(np.max(np.abs(tf_value.astype(np.float64) - onnx_value.astype(np.float64)))) / scale if ours.size else 0.0
        worst_graphrun, worst_tf = max(worst_graphrun, d), max(worst_tf, t)
        if d > TOLERANCE:
            problems.append(f"{tensor}: {d:.3g} > {TOLERANCE}")
    row["graphrun"], row["tf"] = f"{worst_graphrun:.2g}", f"{worst_tf:.2g}"
    row["result"] = "PASS" if not problems else "FAIL " + "; ".join(problems)
    return row


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--only", default="")
    parser.add_argument("--graphrun", default=os.path.join(root, ".build/debug/graphrun"))
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    rows = []
    print("| model | ONNX nodes | Transpose left | max diff vs graphrun | vs TF | result |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as work:
        for name, pb, inputs, outputs in entries(args.directory):
            if only and name not in only:
                continue
            row = run_one(name, pb, inputs, outputs, args, work)
            rows.append(row)
            print(f"| {row['model']} | {row['nodes']} | {row['transposes']} | {row['graphrun']} | {row['tf']} | {row['result']} |", flush=True)
    passed = sum(r["result"] == "PASS" for r in rows)
    print(f"{passed} of {len(rows)} pass (tolerance {TOLERANCE} relative to max(1, max|y|))")
    sys.exit(0 if passed == len(rows) else 1)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
