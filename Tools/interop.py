#!/usr/bin/env python3
"""Interop checks between TensorGraph and TensorFlow (tensorflow-cpu from PyPI).

1. Graphs built by TensorGraph import into TensorFlow with tf.compat.v1.import_graph_def and give the
   same results: training graphs (gradients + SGD/Adam/Momentum/RMSProp updates, three steps) and the
   frozen inference graphs in Graphs/.
2. Frozen graphs written by TensorFlow (a tf.compat.v1 seed-001 MLP frozen with
   convert_variables_to_constants, and a Keras seed-002 CNN frozen with convert_variables_to_constants_v2)
   run in graphrun with TensorFlow's outputs.

Usage: python3 Tools/interop.py FIXTURE_DIR GRAPHRUN_BINARY   (Tools/interop.sh does the setup)
"""
import json, os, subprocess, sys
import numpy as np
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf

fixtures, graphrun = sys.argv[1], sys.argv[2]
tf1 = tf.compat.v1
results = []
TOL = 1e-5

def report(name, diff, ops, tol=TOL):
    ok = diff <= tol
    results.append(ok)
    print(f"{'PASS' if ok else 'FAIL'}  {name}: max abs diff {diff:.3g} (tolerance {tol:g}); ops: {' '.join(sorted(ops))}")

def load_graph_def(path):
    gd = tf1.GraphDef()
    with open(path, "rb") as f:
        gd.ParseFromString(f.read())
    return gd

# 1a. TensorGraph training graphs run in TensorFlow.
x, labels, y = (np.load(f"{fixtures}/{n}.npy") for n in ("x", "labels", "y"))
for opt in ("sgd", "adam", "momentum", "rmsprop"):
    manifest = json.load(open(f"{fixtures}/train-{opt}.json"))
    gd = load_graph_def(f"{fixtures}/train-{opt}.pb")
    graph = tf.Graph()
    with graph.as_default():
        tf1.import_graph_def(gd, name="")
    with tf1.Session(graph=graph) as sess:
        sess.run(manifest["init"])
        feeds = {"x:0": x, "labels:0": labels, "y:0": y}
        losses = []
        for _ in range(3):
            losses.append(sess.run([manifest["loss"], manifest["train"]], feed_dict=feeds)[0])
        losses.append(sess.run(manifest["loss"], feed_dict=feeds))
        weight = sess.run(manifest["weight"])
    expected_losses = np.load(f"{fixtures}/train-{opt}.losses.npy")
    expected_weight = np.load(f"{fixtures}/train-{opt}.dense_kernel.npy")
    loss_diff = np.max(np.abs(np.array(losses) - expected_losses))
    weight_diff = np.max(np.abs(weight - expected_weight))
    report(f"TensorGraph training graph ({opt}, 3 steps; losses {loss_diff:.2g}, weights {weight_diff:.2g}) in TensorFlow",
           max(loss_diff, weight_diff), {n.op for n in gd.node})

# 1b. TensorGraph frozen inference graphs run in TensorFlow.
for name, fetch in (("mnist-mlp", "probs:0"), ("mnist-cnn", "probabilities:0")):
    path = f"Graphs/{name}.pb"
    if not os.path.exists(path):
        print(f"SKIP  {path} not found (run the example first)")
        continue
    gd = load_graph_def(path)
    graph = tf.Graph()
    with graph.as_default():
        tf1.import_graph_def(gd, name="")
    with tf1.Session(graph=graph) as sess:
        out = sess.run(fetch, feed_dict={"x:0": np.load(f"Graphs/{name}.input.npy")})
    report(f"TensorGraph frozen {name}.pb in TensorFlow", np.max(np.abs(out - np.load(f"Graphs/{name}.output.npy"))), {n.op for n in gd.node})

def run_graphrun(pb, feeds, fetch, out_path):
    args = [graphrun, "run", pb, "--fetch", fetch, "--output", out_path]
    for k, v in feeds.items():
        args += ["--feed", f"{k}={v}"]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return np.load(out_path)

rng = np.random.default_rng(0)
images = rng.random((8, 784), dtype=np.float32)

# 2a. A tf.compat.v1 seed-001 MLP, frozen with convert_variables_to_constants.
graph = tf.Graph()
with graph.as_default():
    tf1.set_random_seed(1)
    xp = tf1.placeholder(tf.float32, [None, 784], name="x")
    W1 = tf1.get_variable("W1", [784, 64]); b1 = tf1.Variable(tf1.zeros([64]))
    h1 = tf.tanh(tf.matmul(xp, W1) + b1)
    W2 = tf1.get_variable("W2", [64, 10]); b2 = tf1.Variable(tf1.random_normal([10], stddev=0.1))
    probs = tf.nn.softmax(tf.matmul(h1, W2) + b2, name="probs")
    with tf1.Session() as sess:
        sess.run(tf1.global_variables_initializer())
        frozen = tf1.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(), ["probs"])
        expected = sess.run(probs, {xp: images})
pb = f"{fixtures}/tf-mlp.pb"
open(pb, "wb").write(frozen.SerializeToString())
np.save(f"{fixtures}/tf-images.npy", images)
out = run_graphrun(pb, {"x": f"{fixtures}/tf-images.npy"}, "probs", f"{fixtures}/tf-mlp.out.npy")
report("TensorFlow tf.compat.v1 MLP (convert_variables_to_constants) in graphrun", np.max(np.abs(out - expected)), {n.op for n in frozen.node})

# 2b. A Keras seed-002 CNN, frozen with convert_variables_to_constants_v2.
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2
tf.keras.utils.set_random_seed(2)
model = tf.keras.Sequential([
    tf.keras.layers.Input((28, 28, 1)),
    tf.keras.layers.Conv2D(16, 5, padding="same", activation="relu"),
    tf.keras.layers.MaxPooling2D(),
    tf.keras.layers.Conv2D(32, 5, padding="same", activation="relu"),
    tf.keras.layers.MaxPooling2D(),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dropout(0.4),
    tf.keras.layers.Dense(10, activation="softmax"),
])
fn = tf.function(lambda t: model(t, training=False)).get_concrete_function(tf.TensorSpec([None, 28, 28, 1], tf.float32, name="image"))
frozen_fn = convert_variables_to_constants_v2(fn)
gd = frozen_fn.graph.as_graph_def()
pb = f"{fixtures}/keras-cnn.pb"
open(pb, "wb").write(gd.SerializeToString())
cnn_images = images.reshape(8, 28, 28, 1)
expected = model(cnn_images, training=False).numpy()
np.save(f"{fixtures}/keras-images.npy", cnn_images)
input_name = frozen_fn.inputs[0].name.split(":")[0]
output_name = frozen_fn.outputs[0].name
out = run_graphrun(pb, {input_name: f"{fixtures}/keras-images.npy"}, output_name, f"{fixtures}/keras-cnn.out.npy")
report(f"Keras CNN (convert_variables_to_constants_v2; {input_name} -> {output_name}) in graphrun", np.max(np.abs(out - expected)), {n.op for n in gd.node})

print(f"\n{sum(results)}/{len(results)} interop checks passed")
sys.exit(0 if all(results) else 1)
