#!/usr/bin/env python3
"""TF1's lowered control flow (Switch/Merge/Enter/Exit/NextIteration/LoopCond) and TensorLists,
built by TensorFlow itself, for V1ControlFlowTests.

Writes Tests/Fixtures/v1controlflow/<case>.pb (a GraphDef) and expected.json: per case the feeds,
the fetched tensor names and TensorFlow's values for them.

  v1cond     tf.compat.v1 graph with control flow v1: tf.cond on a placeholder_with_default
             training flag around tf.compat.v1.nn.fused_batch_norm (batch statistics when
             training, moving statistics otherwise).
  v1nested   tf.compat.v1 while_loop with a dynamic trip count, a captured tensor and a tf.cond
             in its body.
  v1while    tf.compat.v1 while_loop with a TensorArray: the cumulative sum of a vector's rows.
  v1tensorarray
             tf.compat.v1 while_loop reading one TensorArray (unstack: TensorArrayScatterV3, read:
             TensorArrayReadV3) and writing another (TensorArrayWriteV3), then stack
             (TensorArrayGatherV3), size, read, close, and split/concat (TensorArraySplitV3/ConcatV3).
  unsupported  hand-written: TF1 ops TensorGraph lacks (TensorArrayGradV3, StackV2), listed first.
  lstm, lstm_seq, gru, gru_seq
             Keras LSTM(8)/GRU(8) (return_sequences off/on), frozen with
             convert_variables_to_constants_v2 (default lower_control_flow=True), so the loop is
             TF1's lowered form holding TensorList ops.

Usage: /tmp/pyenv/bin/python Tools/v1_controlflow_fixtures.py [check DIR]

  check DIR  Runs the raised (functional If/While) GraphDefs V1ControlFlowTests wrote to DIR (run it
             with TENSORGRAPH_V1_OUT=DIR) in TensorFlow with the recorded feeds and compares with
             TensorFlow's values for the original graphs. Exit 1 on mismatch. Graphs holding TensorList
             or TensorArray handles are skipped: TensorGraph writes them as int32 until it has variant
             and resource dtypes.
"""
import json, os, sys
import numpy as np
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out_dir = os.path.join(root, "Tests", "Fixtures", "v1controlflow")


def encode(value):
    value = np.asarray(value)
    return {"dtype": str(value.dtype), "shape": list(value.shape), "values": value.reshape(-1).tolist()}


def v1_graph(build):
    """Builds `build(graph)` -> (feeds {name: value}, fetch names) in a TF1 graph with control flow v1."""
    tf.compat.v1.disable_control_flow_v2()
    graph = tf.Graph()
    with graph.as_default():
        feeds_spec, fetches = build()
    with tf.compat.v1.Session(graph=graph) as session:
        runs = []
        for feeds in feeds_spec:
            values = session.run(fetches, {graph.get_tensor_by_name(k): v for k, v in feeds.items()})
            runs.append({"feeds": {k: encode(v) for k, v in feeds.items()},
                         "fetches": {t.name: encode(v) for t, v in zip(fetches, values)}})
    tf.compat.v1.enable_control_flow_v2()
    return graph.as_graph_def(), runs


def v1cond():
    rng = np.random.default_rng(1)
    x = tf.compat.v1.placeholder(tf.float32, [2, 3, 3, 4], name="x")
    training = tf.compat.v1.placeholder_with_default(True, [], name="training")
    scale = tf.constant(rng.uniform(0.5, 1.5, 4).astype(np.float32))
    offset = tf.constant(rng.uniform(-0.5, 0.5, 4).astype(np.float32))
    mean = tf.constant(rng.uniform(-0.2, 0.2, 4).astype(np.float32))
    var = tf.constant(rng.uniform(0.5, 1.5, 4).astype(np.float32))
    def train():
        y, m, v = tf.compat.v1.nn.fused_batch_norm(x, scale, offset, epsilon=0.001, is_training=True)
        return y, m, v
    def infer():
        y, m, v = tf.compat.v1.nn.fused_batch_norm(x, scale, offset, mean, var, epsilon=0.001, is_training=False)
        return y, m, v
    y, m, v = tf.cond(training, train, infer)
    out = tf.identity(y, name="y")
    value = rng.normal(size=[2, 3, 3, 4]).astype(np.float32)
    return [{"x:0": value}, {"x:0": value, "training:0": np.array(False)}], [out, tf.identity(m, name="mean"), tf.identity(v, name="variance")]


def v1while():
    x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
    n = tf.shape(x)[0]
    ta = tf.TensorArray(tf.float32, size=n)
    def body(i, acc, ta):
        acc = acc + x[i]
        return i + 1, acc, ta.write(i, acc)
    _, total, ta = tf.while_loop(lambda i, acc, ta: i < n, body, (tf.constant(0), tf.zeros([3]), ta))
    out = tf.identity(ta.stack(), name="cumsum")
    return [{"x:0": np.arange(12, dtype=np.float32).reshape(4, 3)}, {"x:0": np.ones([1, 3], np.float32)}], [out, tf.identity(total, name="total")]


def v1tensorarray():
    x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
    n = tf.shape(x)[0]
    inputs = tf.TensorArray(tf.float32, size=n, element_shape=[3]).unstack(x)
    states = tf.TensorArray(tf.float32, size=n, clear_after_read=False)
    def body(i, h, states):
        h = tf.tanh(h * 0.5 + inputs.read(i))
        return i + 1, h, states.write(i, h)
    _, h, states = tf.while_loop(lambda i, h, states: i < n, body, (tf.constant(0), tf.zeros([3]), states))
    stacked = tf.identity(states.stack(), name="states")
    size = tf.identity(states.size(), name="size")
    last = tf.identity(states.read(n - 1), name="last")
    with tf.control_dependencies([last, stacked]):
        close = states.close()
    with tf.control_dependencies([close]):
        closed = tf.identity(h, name="closed")
    pieces = tf.TensorArray(tf.float32, size=2, infer_shape=False).split(tf.reshape(x, [-1]), lengths=tf.stack([3, n * 3 - 3]))
    concat = tf.identity(pieces.concat(), name="concat")
    feeds = [{"x:0": np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3)}, {"x:0": np.ones([1, 3], np.float32)}]
    return feeds, [stacked, size, last, closed, concat]


def v1nested():
    # A loop with a captured tensor, a dynamic trip count, and a cond inside its body.
    x = tf.compat.v1.placeholder(tf.float32, [2], name="x")
    n = tf.compat.v1.placeholder(tf.int32, [], name="n")
    def body(i, acc):
        step = tf.cond(tf.equal(i % 2, 0), lambda: acc * 0.5 + x, lambda: acc - tf.tanh(x))
        return i + 1, step
    i, acc = tf.while_loop(lambda i, acc: i < n, body, (tf.constant(0), tf.zeros([2])))
    value = np.array([1.0, -2.0], np.float32)
    return [{"x:0": value, "n:0": np.array(5, np.int32)}, {"x:0": value, "n:0": np.array(0, np.int32)}], \
        [tf.identity(i, name="count"), tf.identity(acc, name="acc")]


def keras_rnn(kind, sequences):
    tf.keras.utils.set_random_seed(3)
    layer = {"lstm": tf.keras.layers.LSTM, "gru": tf.keras.layers.GRU}[kind](8, return_sequences=sequences)
    model = tf.keras.Sequential([tf.keras.Input([5, 3]), layer])
    concrete = tf.function(lambda x: model(x)).get_concrete_function(tf.TensorSpec([None, 5, 3], tf.float32, name="x"))
    frozen = convert_variables_to_constants_v2(concrete)
    graph_def = frozen.graph.as_graph_def()
    input_name, output_name = frozen.inputs[0].name, frozen.outputs[0].name
    value = np.random.default_rng(4).normal(size=[2, 5, 3]).astype(np.float32)
    with tf.compat.v1.Session(graph=tf.Graph()) as session:
        tf.import_graph_def(graph_def, name="")
        result = session.run(output_name, {input_name: value})
    return graph_def, [{"feeds": {input_name: encode(value)}, "fetches": {output_name: encode(result)}}]


def malformed(path, build):
    """A hand-written GraphDef of TF1 control flow that cannot be raised (import must fail with a typed error)."""
    g = tf.compat.v1.GraphDef()
    def node(name, op, inputs=(), **attrs):
        n = g.node.add(name=name, op=op)
        n.input.extend(inputs)
        for key, value in attrs.items():
            if isinstance(value, str):
                n.attr[key].s = value.encode()
            elif isinstance(value, bool):
                n.attr[key].b = value
            else:
                n.attr[key].type = value.as_datatype_enum
        return n
    node("x", "Placeholder", dtype=tf.float32)
    build(node)
    with open(os.path.join(out_dir, path), "wb") as f:
        f.write(g.SerializeToString())


def main():
    os.makedirs(out_dir, exist_ok=True)
    expected = {}
    cases = {"v1cond": lambda: v1_graph(v1cond), "v1nested": lambda: v1_graph(v1nested), "v1while": lambda: v1_graph(v1while),
             "v1tensorarray": lambda: v1_graph(v1tensorarray)}
    for kind in ["lstm", "gru"]:
        cases[kind] = lambda kind=kind: keras_rnn(kind, False)
        cases[kind + "_seq"] = lambda kind=kind: keras_rnn(kind, True)
    for name, make in cases.items():
        graph_def, runs = make()
        data = graph_def.SerializeToString()
        with open(os.path.join(out_dir, name + ".pb"), "wb") as f:
            f.write(data)
        ops = sorted({n.op for n in graph_def.node} | {n.op for f in graph_def.library.function for n in f.node_def})
        print(f"{name}: {len(data)} bytes, ops {ops}")
        expected[name] = runs
    # A frame whose Enter leads straight to an Exit: no Merge, no LoopCond.
    malformed("bad_frame.pb", lambda node: (node("e", "Enter", ["x"], T=tf.float32, frame_name="f", is_constant=False),
                                            node("out", "Exit", ["e"], T=tf.float32)))
    # A Merge of two values no Switch split, in a cycle through NextIteration without an Enter.
    malformed("bad_cycle.pb", lambda node: (node("m", "Merge", ["x", "n"], T=tf.float32),
                                             node("n", "NextIteration", ["m"], T=tf.float32)))
    # TF1 TensorArray gradient and stack ops, which TensorGraph lacks, next to an Enter of a string.
    malformed("unsupported.pb", lambda node: (node("grad", "TensorArrayGradV3", ["x", "x"], source="gradients"),
                                               node("stack", "StackV2", ["x"], elem_type=tf.float32, stack_name=""),
                                               node("e", "Enter", ["x"], T=tf.string, frame_name="f", is_constant=False)))
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)


def check(directory):
    with open(os.path.join(out_dir, "expected.json")) as f:
        expected = json.load(f)
    failures = 0
    for name, runs in sorted(expected.items()):
        path = os.path.join(directory, name + ".pb")
        if not os.path.exists(path):
            continue
        graph_def = tf.compat.v1.GraphDef()
        with open(path, "rb") as f:
            graph_def.ParseFromString(f.read())
        handles = ("TensorList", "TensorArray")
        if any(n.op.startswith(handles) for n in graph_def.node) or any(
                n.op.startswith(handles) for fn in graph_def.library.function for n in fn.node_def):
            print(f"{name}: skipped (TensorList/TensorArray handles)")
            continue
        graph = tf.Graph()
        with graph.as_default():
            tf.import_graph_def(graph_def, name="")
        with tf.compat.v1.Session(graph=graph) as session:
            for run in runs:
                feeds = {k: np.array(v["values"], v["dtype"]).reshape(v["shape"]) for k, v in run["feeds"].items()}
                for fetch, want in run["fetches"].items():
                    got = session.run(fetch, feeds)
                    want = np.array(want["values"], want["dtype"]).reshape(want["shape"])
                    error = float(np.max(np.abs(got - want))) if want.size else 0.0
                    ok = got.shape == want.shape and error <= 1e-4 * max(1.0, float(np.max(np.abs(want))) if want.size else 1.0)
                    failures += not ok
                    print(f"{name} {fetch}: max |diff| {error:.3g} {'ok' if ok else 'MISMATCH'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["check"]:
        check(sys.argv[2])
    else:
        main()
