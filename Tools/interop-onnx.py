#!/usr/bin/env python3
"""Checks TensorGraph's ONNX export (`graphrun export --to onnx`) against onnx and onnxruntime.

For each seed model (Graphs/mnist-mlp.pb, Graphs/mnist-cnn.pb, written by Tools/main.sh and the
mnist-cnn example; both required) and each other example's frozen graph found in Graphs/ with its
.input.npy (fashion-resnet, and any later one; its output is the one likely output `graphrun inspect`
lists): exports it with graphrun, runs onnx.checker.check_model(full_check=True), checks
the input keeps a dynamic batch (dim_param "N"), then runs onnxruntime at batch 1 and batch 7 on rows
of Graphs/<model>.input.npy and compares with `graphrun run` on the same rows (max |difference| must
be at most 1e-5). Then builds a graph in TensorFlow of the other mapped ops (batch norm, depthwise
convolution, average pooling, padding, reductions, concat, gather, transposes, Gemm, batched MatMul,
the activations), writes it as a GraphDef, exports it and compares onnxruntime with graphrun and with
TensorFlow at batch 1 and 7. Also exports every one of those models with `--to saved-model` and runs it
in TensorFlow (tf.saved_model.load, signature serving_default) against graphrun, to the same tolerance,
and checks that `graphrun inspect` lists that signature's keys, dtypes and shapes as TensorFlow reads them.

`fixtures` writes Tests/Fixtures/onnx/: zoo.pb (that TensorFlow graph), zoo.onnx (graphrun's export
of it, passing the checker), x.npy (7 inputs) and out.npy / aux.npy (onnxruntime's outputs).
ONNXExportTests checks that the exporter still writes zoo.onnx byte for byte and that TensorGraph
computes onnxruntime's outputs; rerun `fixtures` after changing a mapping on purpose.

Needs `swift build --product graphrun` first and `pip install onnx onnxruntime` in /tmp/pyenv.
Usage: /tmp/pyenv/bin/python Tools/interop-onnx.py [check | fixtures] [GRAPHRUN]   (default .build/debug/graphrun)
Exit status 1 on any failure.
"""
import json, os, subprocess, sys, tempfile
import numpy as np
import onnx
import onnxruntime as ort

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
arguments = sys.argv[1:]
mode = arguments.pop(0) if arguments and arguments[0] in ("check", "fixtures") else "check"
graphrun = arguments[0] if arguments else os.path.join(root, ".build/debug/graphrun")
tolerance = 1e-5
failures = []

def check(ok, message):
    print(("PASS  " if ok else "FAIL  ") + message)
    if not ok:
        failures.append(message)

def graphrun_outputs(model, feed_name, feed, fetch, work):
    feed_path = os.path.join(work, "feed.npy")
    out_path = os.path.join(work, "out.npy")
    np.save(feed_path, feed)
    subprocess.run([graphrun, "run", model, "--feed", f"{feed_name}={feed_path}", "--fetch", fetch, "--output", out_path],
                   check=True, stdout=subprocess.DEVNULL)
    return np.load(out_path)

def check_model(name, fetch, work):
    pb = os.path.join(root, "Graphs", f"{name}.pb")
    if not os.path.exists(pb):
        check(False, f"{pb} missing (run Tools/main.sh / the {name} example)")
        return
    path = os.path.join(work, f"{name}.onnx")
    subprocess.run([graphrun, "export", pb, "--to", "onnx", "--output", path], check=True, stdout=subprocess.DEVNULL)
    model = onnx.load(path)
    try:
        onnx.checker.check_model(model, full_check=True)
        check(True, f"{name}: onnx.checker.check_model(full_check=True), ir_version {model.ir_version}, "
                    f"opset {model.opset_import[0].version}, {len(model.graph.node)} nodes, {os.path.getsize(path)} bytes")
    except Exception as error:  # the checker's own exception types differ between onnx releases
        check(False, f"{name}: onnx.checker: {error}")
        return
    batch = model.graph.input[0].type.tensor_type.shape.dim[0]
    check(batch.dim_param == "N", f"{name}: input '{model.graph.input[0].name}' has dynamic batch dim_param '{batch.dim_param}'")
    inputs = np.load(os.path.join(root, "Graphs", f"{name}.input.npy"))
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    feed_name = session.get_inputs()[0].name
    for rows in (1, 7):
        feed = inputs[:rows]
        ours = graphrun_outputs(pb, feed_name, feed, fetch, work)
        theirs = session.run([fetch], {feed_name: feed})[0]
        difference = float(np.max(np.abs(ours - theirs)))
        check(theirs.shape == ours.shape and difference <= tolerance,
              f"{name}: onnxruntime {ort.__version__} vs graphrun at batch {rows}: shape {theirs.shape}, max |diff| {difference:.3g}")

def zoo_graph(path):
    """A frozen TF graph of many mapped ops: x [N, 8, 8, 3] → (out [N, 10], aux [N, 10])."""
    import tensorflow as tf
    tf1 = tf.compat.v1
    rng = np.random.default_rng(5)
    w = lambda *shape: tf.constant(rng.uniform(-0.5, 0.5, shape).astype(np.float32))
    graph = tf.Graph()
    with graph.as_default():
        x = tf1.placeholder(tf.float32, [None, 8, 8, 3], name="x")
        c = tf.nn.conv2d(x, w(3, 3, 3, 4), strides=1, padding="SAME")
        bn, _, _ = tf1.nn.fused_batch_norm(c, w(4) + 1, w(4), mean=w(4), variance=w(4) + 1, epsilon=1e-3, is_training=False)
        d = tf.nn.leaky_relu(tf.nn.depthwise_conv2d(tf.nn.relu6(bn * 4.0 * (w(4) + 1.0)), w(3, 3, 4, 2), [1, 2, 2, 1], "SAME"), alpha=0.1)
        ap = tf.nn.avg_pool2d(d, 3, 1, "SAME")
        mirrored = tf.pad(ap, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
        mp = tf.nn.max_pool2d(tf.pad(mirrored, [[0, 0], [0, 1], [0, 1], [0, 0]]), 2, 2, "VALID")
        e = tf.nn.elu(mp) + tf.nn.selu(mp) * tf.math.softplus(mp) - tf.math.erf(mp) / (tf.math.sigmoid(mp) + 1.0)
        nchw = tf.transpose(e, [0, 3, 1, 2])
        h = tf.concat([tf.reduce_mean(nchw, axis=[2, 3]), tf.reduce_sum(e, axis=[1, 2]), tf.reduce_max(e, axis=[1, 2])], axis=1)
        g = tf.gather(h, [0, 5, 23, 7, 11, 2, 19, 8, 3, 1], axis=1)
        k = tf.matmul(h, w(10, 24), transpose_b=True)
        z = tf.sqrt(tf.exp(k * 0.1)) * tf.math.rsqrt(tf.abs(k) + 1.0)
        z = tf.maximum(tf.pow(tf.abs(z) + 1.0, 1.5), tf.minimum(k, 0.5))
        u = tf.squeeze(tf.expand_dims(tf.math.log(z + 1.0) - tf.tanh(g), 1), [1])
        bm = tf.reshape(tf.matmul(tf.reshape(u, [-1, 2, 5]), w(5, 5)), [-1, 10])
        tf.nn.softmax(0.3 * bm + 0.1 * tf.cast(tf.cast(g * 10.0, tf.int32), tf.float32), name="out")
        tf.identity(tf.nn.relu(u) - tf.nn.relu(-g), name="aux")
    with open(path, "wb") as f:
        f.write(graph.as_graph_def().SerializeToString())
    return graph

def check_zoo(work):
    import tensorflow as tf
    pb = os.path.join(work, "zoo.pb")
    graph = zoo_graph(pb)
    path = os.path.join(work, "zoo.onnx")
    result = subprocess.run([graphrun, "export", pb, "--to", "onnx", "--output", path, "--output-node", "out", "--output-node", "aux"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        check(False, f"zoo: graphrun export failed: {result.stderr.strip()}")
        return
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    ops = sorted({n.op_type for n in model.graph.node})
    transposes = sum(n.op_type == "Transpose" for n in model.graph.node)
    check(True, f"zoo: onnx.checker passes; {len(model.graph.node)} nodes, {transposes} Transpose; ONNX ops {' '.join(ops)}")
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    feed_all = np.random.default_rng(7).uniform(-1, 1, (7, 8, 8, 3)).astype(np.float32)
    with tf.compat.v1.Session(graph=graph) as tf_session:
        for rows in (1, 7):
            feed = feed_all[:rows]
            onnx_out = session.run(["out", "aux"], {"x": feed})
            tf_out = tf_session.run(["out:0", "aux:0"], {"x:0": feed})
            for i, fetch in enumerate(["out", "aux"]):
                ours = graphrun_outputs(pb, "x", feed, fetch, work)
                d_graphrun = float(np.max(np.abs(ours - onnx_out[i])))
                d_tf = float(np.max(np.abs(tf_out[i] - onnx_out[i])))
                check(d_graphrun <= tolerance and d_tf <= tolerance,
                      f"zoo {fetch}: onnxruntime vs graphrun at batch {rows}: max |diff| {d_graphrun:.3g}; vs TensorFlow {d_tf:.3g}")

def check_saved_model(name, fetch, work):
    import tensorflow as tf
    pb = os.path.join(root, "Graphs", f"{name}.pb")
    directory = os.path.join(work, f"{name}-savedmodel")
    subprocess.run([graphrun, "export", pb, "--to", "saved-model", "--output", directory, "--output-node", fetch],
                   check=True, stdout=subprocess.DEVNULL)
    feed = np.load(os.path.join(root, "Graphs", f"{name}.input.npy"))[:7]
    signature = tf.saved_model.load(directory).signatures["serving_default"]
    # `graphrun inspect` lists the signature as TensorFlow reads it: keys, dtypes, shapes (-1 for unknown).
    inspect = json.loads(subprocess.run([graphrun, "inspect", directory, "--json"], check=True, capture_output=True, text=True).stdout)
    ours_signature = inspect["signatures"]["serving_default"]
    def described(specs):
        return {key: (spec.dtype.name, [-1 if d is None else d for d in spec.shape.as_list()]) for key, spec in specs.items()}
    def listed(infos):
        return {key: (info["dtype"], info["shape"]) for key, info in infos.items()}
    theirs_io = (described(signature.structured_input_signature[1]), described(signature.structured_outputs))
    ours_io = (listed(ours_signature["inputs"]), listed(ours_signature["outputs"]))
    check(theirs_io == ours_io, f"{name}: graphrun inspect's serving_default {ours_io} is TensorFlow's {theirs_io}")
    theirs = signature(x=tf.constant(feed))[fetch].numpy()
    ours = graphrun_outputs(pb, "x", feed, fetch, work)
    difference = float(np.max(np.abs(ours - theirs)))
    check(difference <= tolerance, f"{name}: SavedModel from graphrun export in TensorFlow {tf.__version__} vs graphrun at batch {len(feed)}: max |diff| {difference:.3g}")

def models():
    """(name, fetch) of the seed models and of every other frozen example graph in Graphs/ with its inputs."""
    found = [("mnist-mlp", "probs"), ("mnist-cnn", "probabilities")]
    for file in sorted(os.listdir(os.path.join(root, "Graphs"))):
        name = file[:-3]
        if not file.endswith(".pb") or any(name == seed for seed, _ in found):
            continue
        if not os.path.exists(os.path.join(root, "Graphs", f"{name}.input.npy")):
            print(f"SKIP  {file}: no {name}.input.npy beside it")
            continue
        inspect = subprocess.run([graphrun, "inspect", os.path.join(root, "Graphs", file), "--json"], capture_output=True, text=True)
        outputs = json.loads(inspect.stdout)["outputs"] if inspect.returncode == 0 else []
        if len(outputs) != 1:
            check(False, f"{file}: graphrun inspect lists {len(outputs)} likely outputs, expected one ({inspect.stderr.strip()})")
            continue
        found.append((name, outputs[0]["name"]))
    return found

def fixtures():
    out = os.path.join(root, "Tests/Fixtures/onnx")
    os.makedirs(out, exist_ok=True)
    zoo_graph(os.path.join(out, "zoo.pb"))
    path = os.path.join(out, "zoo.onnx")
    subprocess.run([graphrun, "export", os.path.join(out, "zoo.pb"), "--to", "onnx", "--output", path,
                    "--output-node", "out", "--output-node", "aux"], check=True, stdout=subprocess.DEVNULL)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    x = np.random.default_rng(7).uniform(-1, 1, (7, 8, 8, 3)).astype(np.float32)
    out_value, aux_value = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(["out", "aux"], {"x": x})
    np.save(os.path.join(out, "x.npy"), x)
    np.save(os.path.join(out, "out.npy"), out_value)
    np.save(os.path.join(out, "aux.npy"), aux_value)
    for name in sorted(os.listdir(out)):
        print(f"wrote {os.path.join(out, name)} ({os.path.getsize(os.path.join(out, name))} bytes)")

if mode == "fixtures":
    fixtures()
    sys.exit(0)

with tempfile.TemporaryDirectory() as work:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    for name, fetch in models():
        check_model(name, fetch, work)
        if os.path.exists(os.path.join(root, "Graphs", f"{name}.pb")):
            check_saved_model(name, fetch, work)
    check_zoo(work)

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
