#!/usr/bin/env python3
"""Inference latency and throughput on frozen Keras models: graphrun vs TensorFlow vs ONNX Runtime.

Usage (TensorFlow 2.21 venv; build graphrun first with `swift build -c release --product graphrun`):
  /tmp/pyenv/bin/python Benchmarks/zoo_bench.py [--models mobilenetv2,resnet50,lstm,transformer]
      [--batches 1,32] [--runs 50] [--warmup 10] [--graphrun .build/release/graphrun]
      [--workdir DIR] [--output results/zoo.md]

For each model the script builds the Keras model (weights=None, BatchNormalization given random
non-trivial moving statistics), freezes it with convert_variables_to_constants_v2 (default control-flow
lowering) into MODEL.pb, converts it to ONNX (tf2onnx, opset 17; for a loop, tf2onnx on the unlowered freeze;
graphrun's own exporter when tf2onnx is missing or fails; a conversion counts only when ONNX Runtime's
output matches TensorFlow's), and times one run of the graph at each batch size with
  graphrun   `graphrun bench MODEL.pb --feed NAME=FILE.npy --fetch OUT --batch N --format json`
  TensorFlow `tf.compat.v1.Session.run` on the same GraphDef, intra/inter-op threads 2
  ORT        `onnxruntime.InferenceSession.run`, 2 intra-op threads, on the ONNX of the same GraphDef
each in its own process, one after another. Latency is the median and p90 (NumPy's linear percentile,
as graphrun computes it) over --runs timed runs after --warmup untimed ones; throughput is
batch / median latency in rows per second. A framework that cannot load or run a model gets its error
in the table row; the other columns still run. Nothing is asserted: the targets (batch-1 latency at
most 0.5x TensorFlow's, batch-32 throughput at least 1.0x TensorFlow's) are only reported.
"""
import argparse, json, os, platform, subprocess, sys, tempfile, time
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = ["mobilenetv2", "resnet50", "lstm", "transformer"]
THREADS = 2


# ---------------------------------------------------------------------------------------------
# Models: each builder returns (keras model, input spec shape without batch, input dtype, sampler)
# ---------------------------------------------------------------------------------------------

def build_model(name):
    import tensorflow as tf
    L = tf.keras.layers
    if name == "mobilenetv2":
        model = tf.keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, weights=None,
                                                  classifier_activation=None)
        return model, (96, 96, 3), "float32"
    if name == "resnet50":
        model = tf.keras.applications.ResNet50(input_shape=(64, 64, 3), weights=None, classifier_activation=None)
        return model, (64, 64, 3), "float32"
    if name == "lstm":
        # MNIST rows: 28 time steps of 28 pixels.
        inputs = L.Input((28, 28))
        x = L.LSTM(128)(inputs)
        return tf.keras.Model(inputs, L.Dense(10)(x), name="lstm"), (28, 28), "float32"
    if name == "transformer":
        # 64 tokens of a 1000-word vocabulary, 64-dim embeddings, one post-norm encoder block.
        inputs = L.Input((64,), dtype="int32")
        x = L.Embedding(1000, 64)(inputs)
        attended = L.MultiHeadAttention(num_heads=4, key_dim=16)(x, x)
        x = L.LayerNormalization()(x + attended)
        ff = L.Dense(64)(L.Dense(256, activation="gelu")(x))
        x = L.LayerNormalization()(x + ff)
        x = L.GlobalAveragePooling1D()(x)
        return tf.keras.Model(inputs, L.Dense(10)(x), name="transformer"), (64,), "int32"
    raise ValueError(f"unknown model '{name}' (known: {', '.join(MODELS)})")


def sample(shape, dtype, rows, rng):
    if dtype == "int32":
        return rng.integers(0, 1000, (rows,) + shape).astype(np.int32)
    return rng.uniform(-1, 1, (rows,) + shape).astype(np.float32)


def randomize_batch_norm(model, rng):
    """Moving statistics far from (0, 1), so a wrong BatchNorm shows in the outputs and is not folded away."""
    import tensorflow as tf
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, tf.keras.layers.BatchNormalization):
            shape = layer.moving_mean.shape
            layer.moving_mean.assign(rng.normal(0, 0.2, shape).astype(np.float32))
            layer.moving_variance.assign(rng.uniform(0.5, 2.0, shape).astype(np.float32))
            if layer.gamma is not None:
                layer.gamma.assign(rng.uniform(0.5, 1.5, shape).astype(np.float32))
            if layer.beta is not None:
                layer.beta.assign(rng.normal(0, 0.1, shape).astype(np.float32))


def freeze(name, workdir, max_batch, rng):
    """Writes NAME.pb and NAME.input.npy (max_batch rows); returns {input, output, pb, npy}."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2
    model, shape, dtype = build_model(name)
    randomize_batch_norm(model, rng)
    spec = tf.TensorSpec((None,) + shape, tf.as_dtype(dtype), name="input")
    concrete = tf.function(lambda x: model(x, training=False)).get_concrete_function(spec)
    frozen = convert_variables_to_constants_v2(concrete)
    graph_def = frozen.graph.as_graph_def()
    pb = os.path.join(workdir, name + ".pb")
    with open(pb, "wb") as f:
        f.write(graph_def.SerializeToString())
    npy = os.path.join(workdir, name + ".input.npy")
    np.save(npy, sample(shape, dtype, max_batch, rng))
    ops = sorted({node.op for node in graph_def.node})
    info = {"input": frozen.inputs[0].name.split(":")[0], "output": frozen.outputs[0].name,
            "pb": pb, "npy": npy, "nodes": len(graph_def.node), "ops": ops}
    if any(op in ("Enter", "Exit", "Merge", "Switch", "NextIteration") for op in ops):
        # tf2onnx converts functional While loops, not their lowered v1 form; ORT gets that one.
        info["unlowered"] = os.path.join(workdir, name + ".unlowered.pb")
        unlowered = convert_variables_to_constants_v2(concrete, lower_control_flow=False)
        with open(info["unlowered"], "wb") as f:
            f.write(unlowered.graph.as_graph_def().SerializeToString())
    return info


def to_onnx(info, workdir, graphrun):
    """The ONNX of the model: tf2onnx on the benchmarked GraphDef, then (for loops tf2onnx cannot convert
    once lowered) on the unlowered freeze, then graphrun export. A candidate counts only when
    onnx.checker passes, ONNX Runtime loads it and its output matches TensorFlow's on the benchmarked
    GraphDef. Returns (path, how, max |ORT - TF|) or (None, every error, None)."""
    stem = os.path.join(workdir, os.path.basename(info["pb"])[:-3])
    candidates = [("tf2onnx", info["pb"])]
    if info.get("unlowered"):
        candidates.append(("tf2onnx on the unlowered freeze", info["unlowered"]))
    candidates.append(("graphrun export", info["pb"]))
    errors = []
    for index, (how, source) in enumerate(candidates):
        path = f"{stem}.{index}.onnx"
        if how == "graphrun export":
            command = [graphrun, "export", source, "--to", "onnx", "--output", path,
                       "--input", info["input"], "--output-node", info["output"]]
        else:
            command = [sys.executable, os.path.abspath(__file__), "--worker", "tf2onnx", "--model", source,
                       "--input", info["input"], "--fetch", info["output"], "--onnx", path]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=900)
        except subprocess.TimeoutExpired:
            errors.append(f"{how}: timed out")
            continue
        if result.returncode != 0 or not os.path.exists(path):
            errors.append(f"{how}: " + last_line(result.stderr + result.stdout))
            continue
        check = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", "check-onnx",
                                "--model", info["pb"], "--onnx", path, "--feed", info["npy"],
                                "--input", info["input"], "--fetch", info["output"]],
                               capture_output=True, text=True, timeout=900)
        if check.returncode != 0:
            errors.append(f"{how}: " + last_line(check.stderr + check.stdout))
            os.remove(path)  # a rejected conversion is not left to be mistaken for the benchmarked one
            continue
        return path, " ".join([how, result.stdout.strip()]).strip(), float(check.stdout.strip().splitlines()[-1])
    return None, "; ".join(errors), None


def worker_tf2onnx(args):
    """Converts --model to --onnx (opset 17); TensorFlow's Erfc, which ONNX lacks and tf2onnx 1.17 leaves
    as is, becomes 1 - Erf. Prints a note on what was rewritten."""
    import tensorflow as tf, tf2onnx, onnx
    graph_def = tf.compat.v1.GraphDef()
    with open(args.model, "rb") as f:
        graph_def.ParseFromString(f.read())
    model, _ = tf2onnx.convert.from_graph_def(graph_def, input_names=[args.input + ":0"],
                                              output_names=[args.fetch], opset=17)
    rewritten = 0
    nodes = []
    for node in model.graph.node:
        if node.op_type == "Erfc" and node.domain == "":
            one = node.name + "/one"
            nodes.append(onnx.helper.make_node("Constant", [], [one], name=one,
                                               value=onnx.helper.make_tensor(one, onnx.TensorProto.FLOAT, [], [1.0])))
            nodes.append(onnx.helper.make_node("Erf", list(node.input), [node.name + "/erf"], name=node.name + "/erf"))
            nodes.append(onnx.helper.make_node("Sub", [one, node.name + "/erf"], list(node.output), name=node.name))
            rewritten += 1
        else:
            nodes.append(node)
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    onnx.save(model, args.onnx)
    if rewritten:
        print(f"(Erfc rewritten as 1 - Erf at {rewritten} node(s))", end="")


def worker_check_onnx(args):
    """onnx.checker, an ONNX Runtime load and max |ORT - TF| on the first 4 rows; prints the difference."""
    import onnx, onnxruntime as ort, tensorflow as tf
    onnx.checker.check_model(onnx.load(args.onnx), full_check=True)
    session = ort.InferenceSession(args.onnx, providers=["CPUExecutionProvider"])
    feed = np.load(args.feed)[:4]
    ours = session.run(None, {session.get_inputs()[0].name: feed})[0]
    graph_def = tf.compat.v1.GraphDef()
    with open(args.model, "rb") as f:
        graph_def.ParseFromString(f.read())
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    with tf.compat.v1.Session(graph=graph) as tf_session:
        theirs = tf_session.run(args.fetch, {args.input + ":0": feed})
    difference = float(np.max(np.abs(ours - theirs)))
    if not difference <= 1e-3 * max(1.0, float(np.max(np.abs(theirs)))):
        raise SystemExit(f"ONNX Runtime's output differs from TensorFlow's by {difference:g}")
    print(difference)


def last_line(text):
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no message)"


# ---------------------------------------------------------------------------------------------
# Timing: each framework in its own process (worker mode), so thread pools do not overlap
# ---------------------------------------------------------------------------------------------

def summarize(seconds, rows):
    median = float(np.percentile(seconds, 50))
    return {"latency_median_ms": median * 1000, "latency_p90_ms": float(np.percentile(seconds, 90)) * 1000,
            "rows_per_second": rows / median}


def time_calls(call, runs, warmup):
    for _ in range(warmup):
        call()
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return seconds


def worker_tf(args):
    import tensorflow as tf
    graph_def = tf.compat.v1.GraphDef()
    with open(args.model, "rb") as f:
        graph_def.ParseFromString(f.read())
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    config = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=THREADS, inter_op_parallelism_threads=THREADS)
    feed = np.load(args.feed)[:args.batch]
    with tf.compat.v1.Session(graph=graph, config=config) as session:
        fetch = graph.get_tensor_by_name(args.fetch)
        feeds = {graph.get_tensor_by_name(args.input + ":0"): feed}
        seconds = time_calls(lambda: session.run(fetch, feeds), args.runs, args.warmup)
    print(json.dumps(summarize(seconds, args.batch)))


def worker_ort(args):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    feeds = {name: np.load(args.feed)[:args.batch]}
    seconds = time_calls(lambda: session.run(None, feeds), args.runs, args.warmup)
    print(json.dumps(summarize(seconds, args.batch)))


def measure(kind, model, info, batch, args):
    """{latency_median_ms, latency_p90_ms, rows_per_second} or {error}."""
    if kind == "graphrun":
        command = [args.graphrun, "bench", model, "--feed", f"{info['input']}={info['npy']}",
                   "--fetch", info["output"], "--batch", str(batch), "--runs", str(args.runs),
                   "--warmup", str(args.warmup), "--format", "json", "--timeout", str(args.timeout)]
    else:
        command = [sys.executable, os.path.abspath(__file__), "--worker", kind, "--model", model,
                   "--feed", info["npy"], "--input", info["input"], "--fetch", info["output"],
                   "--batch", str(batch), "--runs", str(args.runs), "--warmup", str(args.warmup)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout + 60)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {args.timeout + 60} s"}
    if result.returncode != 0:
        return {"error": last_line(result.stderr + result.stdout)}
    try:
        return json.loads(result.stdout[result.stdout.index("{"):])
    except ValueError:
        return {"error": "unreadable output: " + last_line(result.stdout)}


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cell(result):
    if "error" in result:
        return "error: " + result["error"].replace("|", "\\|")
    return f"{result['latency_median_ms']:.3f} / {result['latency_p90_ms']:.3f}"


def ratio(a, b, key):
    if "error" in a or "error" in b:
        return "–"
    return f"{a[key] / b[key]:.2f}"


def report(rows, header):
    lines = header + [
        "",
        "| model | batch | graphrun median / p90 ms | TF median / p90 ms | ORT median / p90 ms | "
        "latency graphrun/TF | throughput graphrun/TF | throughput graphrun/ORT |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        g, t, o = row["graphrun"], row["tf"], row["ort"]
        lines.append(f"| {row['model']} | {row['batch']} | {cell(g)} | {cell(t)} | {cell(o)} | "
                     f"{ratio(g, t, 'latency_median_ms')} | {ratio(g, t, 'rows_per_second')} | "
                     f"{ratio(g, o, 'rows_per_second')} |")
    lines += ["", "Targets (reported, not asserted): batch-1 latency graphrun/TF ≤ 0.50; "
              "batch-32 throughput graphrun/TF ≥ 1.00."]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated subset of " + ",".join(MODELS))
    parser.add_argument("--batches", default="1,32")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per framework and batch size")
    parser.add_argument("--graphrun", default=os.path.join(ROOT, ".build", "release", "graphrun"))
    parser.add_argument("--workdir", help="where the .pb, .onnx and .npy files go (default: a temporary directory)")
    parser.add_argument("--output", help="also write the markdown report here")
    parser.add_argument("--note", default="", help="a line added under the header (e.g. 'noisy trial run')")
    # Worker mode (internal): time one framework on one model in this process.
    parser.add_argument("--worker", choices=["tf", "ort", "tf2onnx", "check-onnx"], help=argparse.SUPPRESS)
    parser.add_argument("--onnx", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--feed", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--fetch", help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        workers = {"tf": worker_tf, "ort": worker_ort, "tf2onnx": worker_tf2onnx, "check-onnx": worker_check_onnx}
        return workers[args.worker](args)

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(MODELS)}")
    batches = [int(b) for b in args.batches.split(",")]
    if args.runs < 1 or args.warmup < 0 or min(batches) < 1:
        parser.error("--runs and every batch must be at least 1, --warmup at least 0")
    if not os.access(args.graphrun, os.X_OK):
        parser.error(f"no graphrun at {args.graphrun}; build it with `swift build -c release --product graphrun`")

    load = os.getloadavg()
    header = ["# graphrun vs TensorFlow vs ONNX Runtime: frozen Keras models", "",
              f"- CPU: {cpu_model()} ({os.cpu_count()} logical cores)",
              f"- load average at start: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}",
              f"- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {args.runs} timed runs after "
              f"{args.warmup} warm-up; TF and ORT at {THREADS} threads; cells are median / p90 latency in ms"]
    if args.note:
        header.append(f"- {args.note}")
    workdir = args.workdir or tempfile.mkdtemp(prefix="zoo_bench.")
    os.makedirs(workdir, exist_ok=True)
    rng = np.random.default_rng(0)
    rows, notes = [], []
    for name in models:
        print(f"[{name}] building and freezing", file=sys.stderr, flush=True)
        try:
            info = freeze(name, workdir, max(batches), rng)
        except Exception as error:  # a model that does not build still gets its rows
            failed = {"error": f"build/freeze failed: {error}"}
            rows += [{"model": name, "batch": b, "graphrun": failed, "tf": failed, "ort": failed} for b in batches]
            continue
        onnx, how, difference = to_onnx(info, workdir, args.graphrun)
        notes.append(f"- {name}: {info['nodes']} nodes; input `{info['input']}`, output `{info['output']}`; "
                     + (f"ONNX by {how}, max |ORT - TF| {difference:.2g}" if onnx else f"no ONNX ({how})"))
        for batch in batches:
            row = {"model": name, "batch": batch}
            for kind, model in (("graphrun", info["pb"]), ("tf", info["pb"]), ("ort", onnx)):
                print(f"[{name}] batch {batch}: {kind}", file=sys.stderr, flush=True)
                row[kind] = measure(kind, model, info, batch, args) if model else {"error": "no ONNX model"}
            rows.append(row)
    load = os.getloadavg()
    threads = sorted({row["graphrun"]["threads"] for row in rows if "threads" in row["graphrun"]})
    notes += [f"- graphrun worker threads: {', '.join(map(str, threads)) or 'unknown'}",
              f"- load average at end: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}"]
    text = report(rows, header) + "\n" + "\n".join(notes) + "\n"
    print(text)
    if args.output:
        # Written whole and renamed, so an interrupted run leaves no partial report.
        partial = args.output + ".partial"
        with open(partial, "w") as f:
            f.write(text)
        os.replace(partial, args.output)


if __name__ == "__main__":
    sys.exit(main())
