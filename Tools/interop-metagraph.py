#!/usr/bin/env python3
"""Checks TensorGraph's MetaGraphDef and SavedModel export/import against TensorFlow itself.

  fixtures   Writes Tests/Fixtures/savedmodel/: simple/, a SavedModel written by
             tf.compat.v1.saved_model.simple_save (a 3-4-2 dense layer with Relu, VariableV2
             variables), x.npy, and y.npy, the outputs TensorFlow computes for x. The Swift test
             MetaGraphExportTests.testLoadsASavedModelWrittenByTensorFlow loads it. And tf1-train/: a
             checkpoint with its .meta from tf.compat.v1.train.Saver.save after 2 Adam steps of a
             3-4-1 MLP, and expected.json, the losses of the next 3 steps in TensorFlow, which
             MetaGraphExportTests.testResumesTrainingFromAMetaGraphWrittenByTensorFlow matches.
  check      Runs the Swift test MetaGraphExportTests/testWritesFilesForTensorFlow with
             TENSORGRAPH_INTEROP_OUT=DIR (needs a `swift build --build-tests` first), which trains a
             small MLP with Adam for 2 steps, saves mlp/model.ckpt with its .meta, trains 3 more
             steps (expected.json: the losses) and exports the SavedModels savedmodel/ and frozen/
             (no variables). Then TensorFlow: tf.compat.v1.train.import_meta_graph + saver.restore
             continues training for 3 steps (losses to 1e-5), and tf.saved_model.load(...)
             .signatures["serving_default"] and `saved_model_cli run` compute probs (to 1e-5).
             Exit status 1 on any mismatch.
  lstm DIR  Checks train-lstm-bn from the `interop-fixtures DIR` executable (run it first): an LSTM
             through dynamicRNN (a StatelessWhile writing a TensorList, with sequence lengths; its gradient
             is the accumulating copy + backward loop with TensorList accumulators, DT_VARIANT in the
             GraphDef) and batch normalization in training mode, trained with Adam. TensorFlow imports the
             GraphDef with tf.compat.v1.import_graph_def, runs the initializer, assigns the cell's initial
             weights TensorGraph drew, and trains 3 steps: losses and weights must match to 1e-5.

Usage: /tmp/pyenv/bin/python Tools/interop-metagraph.py fixtures | check [DIR] | lstm DIR
"""
import json, os, shutil, subprocess, sys, tempfile
import numpy as np
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf

tf1 = tf.compat.v1
# TF warns once per variable that a TF1 SavedModel holds reference (VariableV2) variables: expected here.
tf.get_logger().setLevel("ERROR")
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
failures = []

def check(ok, message):
    print(("PASS  " if ok else "FAIL  ") + message)
    if not ok:
        failures.append(message)

def fixtures():
    out = os.path.join(root, "Tests/Fixtures/savedmodel")
    shutil.rmtree(os.path.join(out, "simple"), ignore_errors=True)
    shutil.rmtree(os.path.join(out, "tf1-train"), ignore_errors=True)
    os.makedirs(out, exist_ok=True)
    x_value = (np.arange(15, dtype=np.float32).reshape(5, 3) - 7) / 4
    tf1.disable_resource_variables()   # VariableV2 (RefVariable), as TF1 programs have them
    with tf.Graph().as_default() as graph, tf1.Session(graph=graph) as sess:
        x = tf1.placeholder(tf.float32, [None, 3], name="x")
        w = tf1.Variable(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4), name="dense/kernel")
        b = tf1.Variable(np.array([0.1, -0.2, 0.3, 0.0], dtype=np.float32), name="dense/bias")
        h = tf.nn.relu(tf.matmul(x, w) + b)
        v = tf1.Variable(np.array([[1.0, -0.5], [0.25, 2.0], [-1.5, 0.75], [0.5, 0.5]], dtype=np.float32), name="out/kernel")
        y = tf.identity(tf.matmul(h, v), name="y")
        sess.run(tf1.global_variables_initializer())
        tf1.saved_model.simple_save(sess, os.path.join(out, "simple"), inputs={"x": x}, outputs={"y": y})
        np.save(os.path.join(out, "x.npy"), x_value)
        np.save(os.path.join(out, "y.npy"), sess.run(y, {x: x_value}))
    # A TF1 training program's checkpoint and .meta (tf.compat.v1.train.Saver.save): a 3-4-1 MLP, MSE, Adam.
    tf1.reset_default_graph()
    rows = (np.arange(24, dtype=np.float32).reshape(8, 3) % 5) / 2 - 1
    targets = np.sin(rows.sum(axis=1, keepdims=True)).astype(np.float32)
    with tf.Graph().as_default() as graph, tf1.Session(graph=graph) as sess:
        x = tf1.placeholder(tf.float32, [None, 3], name="x")
        t = tf1.placeholder(tf.float32, [None, 1], name="t")
        w1 = tf1.Variable(np.linspace(-0.5, 0.5, 12, dtype=np.float32).reshape(3, 4), name="w1")
        b1 = tf1.Variable(np.zeros(4, np.float32), name="b1")
        w2 = tf1.Variable(np.linspace(1, -1, 4, dtype=np.float32).reshape(4, 1), name="w2")
        h = tf.tanh(tf.matmul(x, w1) + b1)
        loss = tf.reduce_mean(tf.square(tf.matmul(h, w2) - t), name="loss")
        step = tf1.train.get_or_create_global_step()
        train = tf1.train.AdamOptimizer(0.05).minimize(loss, global_step=step, name="train")
        sess.run(tf1.global_variables_initializer())
        feed = {x: rows, t: targets}
        for _ in range(2):
            sess.run(train, feed)
        prefix = os.path.join(out, "tf1-train/model.ckpt")
        os.makedirs(os.path.dirname(prefix), exist_ok=True)
        tf1.train.Saver().save(sess, prefix, write_state=False)
        losses = [float(sess.run([loss, train], feed)[0]) for _ in range(3)]
        np.save(os.path.join(out, "tf1-train/x.npy"), rows)
        np.save(os.path.join(out, "tf1-train/t.npy"), targets)
        json.dump({"losses": losses, "loss": loss.name, "x": x.name, "t": t.name},
                  open(os.path.join(out, "tf1-train/expected.json"), "w"), indent=1, sort_keys=True)
    print("wrote", out)

def check_files(directory):
    expected = json.load(open(os.path.join(directory, "expected.json")))
    x = np.load(os.path.join(directory, "x.npy"))
    labels = np.load(os.path.join(directory, "labels.npy"))
    probs = np.load(os.path.join(directory, "probs.npy"))

    # 1. import_meta_graph + restore continues training with TensorGraph's losses.
    prefix = os.path.join(directory, "mlp/model.ckpt")
    with tf.Graph().as_default() as graph, tf1.Session(graph=graph) as sess:
        saver = tf1.train.import_meta_graph(prefix + ".meta")
        saver.restore(sess, prefix)
        train_op = tf1.get_collection("train_op")[0]
        check(len(tf1.global_variables()) > 0 and len(tf1.trainable_variables()) == 4,
              f"import_meta_graph: {len(tf1.global_variables())} variables, {len(tf1.trainable_variables())} trainable")
        loss = graph.get_tensor_by_name(expected["loss"])
        feed = {graph.get_tensor_by_name(expected["x"]): x, graph.get_tensor_by_name(expected["labels"]): labels}
        losses = [float(sess.run([loss, train_op], feed)[0]) for _ in range(3)]
        diff = max(abs(a - b) for a, b in zip(losses, expected["losses"]))
        check(diff <= 1e-5, f"continued training: TF losses {losses} vs TensorGraph {expected['losses']} (max diff {diff:.2e})")
        # The save op writes a checkpoint TF reads back.
        again = os.path.join(directory, "mlp/resaved.ckpt")
        saver.save(sess, again)
        check(len(tf.train.load_checkpoint(again).get_variable_to_shape_map()) == len(tf1.global_variables()),
              "saver.save through the exported save/SaveV2 writes every variable")

    # 2. The SavedModels, through tf.saved_model.load and saved_model_cli.
    for name in ["savedmodel", "frozen"]:
        path = os.path.join(directory, name)
        loaded = tf.saved_model.load(path)
        signature = loaded.signatures["serving_default"]
        out = signature(x=tf.constant(x))["probs"].numpy()
        diff = float(np.max(np.abs(out - probs)))
        check(diff <= 1e-5, f"{name}: tf.saved_model.load serving_default probs max diff {diff:.2e}")
        outdir = tempfile.mkdtemp()
        run = subprocess.run([os.path.join(os.path.dirname(sys.executable), "saved_model_cli"), "run", "--dir", path,
                              "--tag_set", "serve", "--signature_def", "serving_default",
                              "--inputs", "x=" + os.path.join(directory, "x.npy"), "--outdir", outdir, "--overwrite"],
                             capture_output=True, text=True)
        if run.returncode != 0:
            check(False, f"{name}: saved_model_cli run failed: {run.stderr[-800:]}")
            continue
        cli = np.load(os.path.join(outdir, "probs.npy"))
        diff = float(np.max(np.abs(cli - probs)))
        check(diff <= 1e-5, f"{name}: saved_model_cli run probs max diff {diff:.2e}")

def check_lstm(directory):
    name = "train-lstm-bn"
    manifest = json.load(open(os.path.join(directory, name + ".json")))
    gd = tf1.GraphDef()
    with open(os.path.join(directory, name + ".pb"), "rb") as f:
        gd.ParseFromString(f.read())
    feeds = {"x:0": np.load(os.path.join(directory, "x.npy")), "labels:0": np.load(os.path.join(directory, "labels.npy")),
             "lengths:0": np.load(os.path.join(directory, "lengths.npy"))}
    with tf.Graph().as_default() as graph:
        tf1.import_graph_def(gd, name="")
        # The initializer runs with each cell variable's initial value fed where its Assign reads it.
        def variable_op(op):   # through `read` Identities to the VariableV2
            while op.type == "Identity":
                op = op.inputs[0].op
            return op
        variables = {variable_op(graph.get_tensor_by_name(var).op): np.load(os.path.join(directory, path))
                     for var, path in manifest["initial"].items()}
        initial = {op.inputs[1]: variables[op.inputs[0].op] for op in graph.get_operations()
                   if op.type == "Assign" and op.inputs[0].op in variables}
        check(len(initial) == len(variables), f"{name}: initial values fed for {len(initial)} of {len(variables)} cell variables")
        with tf1.Session(graph=graph) as sess:
            sess.run(manifest["init"], initial)
            losses = [float(sess.run([manifest["loss"], manifest["train"]], feeds)[0]) for _ in range(3)]
            losses.append(float(sess.run(manifest["loss"], feeds)))
            weights = sess.run(manifest["weights"])
    expected = np.load(os.path.join(directory, name + ".losses.npy"))
    loss_diff = float(np.max(np.abs(np.array(losses) - expected)))
    check(loss_diff <= 1e-5, f"{name}: TF losses {losses} vs TensorGraph {expected.tolist()} (max diff {loss_diff:.2e})")
    for k, (var, value) in enumerate(zip(manifest["weights"], weights)):
        diff = float(np.max(np.abs(value - np.load(os.path.join(directory, f"{name}.weight{k}.npy")))))
        check(diff <= 1e-5, f"{name}: weight {var} after 3 steps, max diff {diff:.2e}")
    ops = sorted({n.op for n in gd.node} | {n.op for f in gd.library.function for n in f.node_def})
    print(f"ops: {' '.join(ops)}")

def main():
    if len(sys.argv) == 3 and sys.argv[1] == "lstm":
        check_lstm(sys.argv[2])
        print(f"{len(failures)} failure(s)")
        return 1 if failures else 0
    if len(sys.argv) < 2 or sys.argv[1] not in ("fixtures", "check"):
        print(__doc__)
        return 2
    if sys.argv[1] == "fixtures":
        fixtures()
        return 0
    directory = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="interop-metagraph-")
    env = dict(os.environ, TENSORGRAPH_INTEROP_OUT=directory)
    test = subprocess.run(["swift", "test", "--skip-build", "--filter", "MetaGraphExportTests/testWritesFilesForTensorFlow"],
                          cwd=root, env=env, capture_output=True, text=True)
    if test.returncode != 0:
        print(test.stdout[-3000:], test.stderr[-3000:])
        return 1
    check_files(directory)
    print(f"{len(failures)} failure(s); files in {directory}")
    return 1 if failures else 0

if __name__ == "__main__":
    sys.exit(main())
