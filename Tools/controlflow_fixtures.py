#!/usr/bin/env python3
"""Functional control flow (If/While and their function library) against TensorFlow itself.

  fixtures   Writes Tests/Fixtures/ControlFlow/: GraphDefs TensorFlow builds from tf.function with
             tf.cond / tf.while_loop, frozen with convert_variables_to_constants_v2(...,
             lower_control_flow=False) so they keep StatelessIf/StatelessWhile and their library
             functions, plus expected.json (feeds, TF's fetched values and TF's gradients of the sum of the float outputs
             with respect to the float inputs, per case). Also libraries
             TensorGraph must reject: self-recursive, mutually recursive, nested too deeply, and one
             with an op TensorGraph lacks. ControlFlowInteropTests reads them.
  check DIR  Imports the GraphDefs ControlFlowInteropTests exported to DIR (run it with
             TENSORGRAPH_CONTROLFLOW_OUT=DIR) with tf.compat.v1.import_graph_def, runs them with the
             feeds in DIR/expected.json and compares with TensorGraph's values there. Exit 1 on mismatch.

Usage: /tmp/pyenv/bin/python Tools/controlflow_fixtures.py fixtures | check DIR
"""
import json, os, subprocess, sys
import numpy as np
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out_dir = os.path.join(root, "Tests", "Fixtures", "ControlFlow")


def frozen(fn, *specs):
    concrete = tf.function(fn).get_concrete_function(*specs)
    graph_def = convert_variables_to_constants_v2(concrete, lower_control_flow=False).graph.as_graph_def()
    inputs = [t.name for t in concrete.inputs]
    outputs = [t.name for t in concrete.outputs]
    return graph_def, inputs, outputs


def cond_case(x, p):
    return tf.cond(p, lambda: tf.reduce_sum(x * x) * 2.0, lambda: tf.reduce_sum(tf.tanh(x)))


def while_case(n, x):
    # Dynamic trip count; x is captured by the body.
    i, acc = tf.while_loop(lambda i, acc: i < n, lambda i, acc: (i + 1, acc * 0.5 + x), (tf.constant(0), tf.zeros_like(x)))
    return i, acc


def nested_case(n, x):
    def body(i, acc):
        inner = tf.while_loop(lambda j, a: j < i, lambda j, a: (j + 1, a + tf.cast(j, tf.float64)), (0, tf.constant(0.0, tf.float64)))[1]
        step = tf.cond(tf.math.equal(i % 2, 0), lambda: inner * x, lambda: -x)
        return i + 1, acc + step
    return tf.while_loop(lambda i, acc: i < n, body, (tf.constant(0), tf.constant(0.0, tf.float64)), maximum_iterations=50)[1]


CASES = {
    "cond": (cond_case, [tf.TensorSpec([3], tf.float32), tf.TensorSpec([], tf.bool)],
             [[np.array([0.5, -1.0, 2.0], np.float32), np.array(True)], [np.array([0.5, -1.0, 2.0], np.float32), np.array(False)]]),
    "while": (while_case, [tf.TensorSpec([], tf.int32), tf.TensorSpec([2], tf.float32)],
              [[np.array(0, np.int32), np.array([1.0, -2.0], np.float32)], [np.array(5, np.int32), np.array([1.0, -2.0], np.float32)]]),
    "nested": (nested_case, [tf.TensorSpec([], tf.int32), tf.TensorSpec([], tf.float64)],
               [[np.array(7, np.int32), np.array(1.5)], [np.array(80, np.int32), np.array(-0.25)]]),
}


def encode(value):
    value = np.asarray(value)
    return {"dtype": str(value.dtype), "shape": list(value.shape), "values": value.reshape(-1).tolist()}


def bad_library(path, functions, callee=None):
    """A GraphDef whose one If node `call` calls `callee` (default `functions[0]`); each function is
    (name, the function it calls through an If, or "op:Op:output_arg" for one op on its argument)."""
    g = tf.compat.v1.GraphDef()
    p = g.node.add(name="p", op="Placeholder")
    p.attr["dtype"].type = tf.bool.as_datatype_enum
    x = g.node.add(name="x", op="Placeholder")
    x.attr["dtype"].type = tf.float32.as_datatype_enum
    def if_node(node, callee, inputs):
        node.op = "StatelessIf"
        node.input.extend(inputs)
        node.attr["Tcond"].type = tf.bool.as_datatype_enum
        node.attr["Tin"].list.type.extend([tf.bool.as_datatype_enum, tf.float32.as_datatype_enum])
        node.attr["Tout"].list.type.extend([tf.float32.as_datatype_enum])
        node.attr["then_branch"].func.name = callee
        node.attr["else_branch"].func.name = callee
    if_node(g.node.add(name="call"), callee or functions[0][0], ["p", "p", "x"])
    for name, target in functions:
        f = g.library.function.add()
        f.signature.name = name
        a = f.signature.input_arg.add(name="c", type=tf.bool.as_datatype_enum)
        a = f.signature.input_arg.add(name="v", type=tf.float32.as_datatype_enum)
        f.signature.output_arg.add(name="out", type=tf.float32.as_datatype_enum)
        if target.startswith("op:"):
            op, output = target[3:].split(":")
            n = f.node_def.add(name="n", op=op)
            n.input.append("v")
            n.attr["T"].type = tf.float32.as_datatype_enum
            f.ret["out"] = "n:%s:0" % output
        else:
            if_node(f.node_def.add(name="n"), target, ["c", "c", "v"])
            f.ret["out"] = "n:output:0"
    with open(path, "wb") as fh:
        fh.write(g.SerializeToString())


def fixtures():
    os.makedirs(out_dir, exist_ok=True)
    expected = {}
    for name, (fn, specs, feed_sets) in CASES.items():
        graph_def, inputs, outputs = frozen(fn, *specs)
        with open(os.path.join(out_dir, name + ".pb"), "wb") as fh:
            fh.write(graph_def.SerializeToString())
        runs = []
        with tf.Graph().as_default() as g:
            tf.compat.v1.import_graph_def(graph_def, name="")
            # TF's own gradient of the sum of the float outputs with respect to the float inputs.
            float_in = [n for n in inputs if g.get_tensor_by_name(n).dtype.is_floating]
            float_out = [g.get_tensor_by_name(n) for n in outputs if g.get_tensor_by_name(n).dtype.is_floating]
            grads = tf.compat.v1.gradients([tf.reduce_sum(t) for t in float_out], [g.get_tensor_by_name(n) for n in float_in])
            with tf.compat.v1.Session() as s:
                for feeds in feed_sets:
                    values = s.run(outputs + grads, dict(zip(inputs, feeds)))
                    runs.append({"feeds": dict(zip(inputs, map(encode, feeds))), "fetches": dict(zip(outputs, map(encode, values))),
                                 "gradients": dict(zip(float_in, map(encode, values[len(outputs):])))})
        ops = sorted({n.op for n in graph_def.node} | {n.op for f in graph_def.library.function for n in f.node_def})
        expected[name] = {"runs": runs, "ops": ops}
        print(name, "ops:", ops, "functions:", [f.signature.name for f in graph_def.library.function])
    with open(os.path.join(out_dir, "expected.json"), "w") as fh:
        json.dump(expected, fh, indent=1, sort_keys=True)
    bad_library(os.path.join(out_dir, "recursive.pb"), [("f", "f")])
    bad_library(os.path.join(out_dir, "mutually_recursive.pb"), [("f", "g"), ("g", "f")])
    bad_library(os.path.join(out_dir, "too_deep.pb"), [("f%d" % i, "f%d" % (i + 1)) for i in range(100)] + [("f100", "op:Relu:activations")])
    bad_library(os.path.join(out_dir, "unknown_op.pb"), [("f", "op:NotARealOp:y")])
    bad_library(os.path.join(out_dir, "missing_function.pb"), [("f", "op:Relu:activations")], callee="nope")
    # What TensorFlow itself does with them, each in its own process (TF 2.21 crashes on recursion).
    for bad in ["recursive", "mutually_recursive", "too_deep", "unknown_op", "missing_function"]:
        result = subprocess.run([sys.executable, __file__, "try-bad", os.path.join(out_dir, bad + ".pb")], capture_output=True, text=True)
        last = (result.stdout.strip().splitlines() or [""])[-1]
        print(bad, "TensorFlow: exit status", result.returncode, last)


def try_bad(path):
    g = tf.compat.v1.GraphDef()
    with open(path, "rb") as fh:
        g.ParseFromString(fh.read())
    try:
        with tf.Graph().as_default():
            tf.compat.v1.import_graph_def(g, name="")
            with tf.compat.v1.Session() as s:
                print("ran:", s.run("call:0", {"p:0": True, "x:0": 1.0}), flush=True)
    except Exception as e:
        print(type(e).__name__, str(e).splitlines()[0][:160], flush=True)


def check(directory):
    with open(os.path.join(directory, "expected.json")) as fh:
        expected = json.load(fh)
    failures = 0
    for name, case in sorted(expected.items()):
        g = tf.compat.v1.GraphDef()
        with open(os.path.join(directory, name + ".pb"), "rb") as fh:
            g.ParseFromString(fh.read())
        with tf.Graph().as_default():
            tf.compat.v1.import_graph_def(g, name="")
            with tf.compat.v1.Session() as s:
                for run in case["runs"]:
                    feeds = {k: np.array(v["values"], dtype=v["dtype"]).reshape(v["shape"]) for k, v in run["feeds"].items()}
                    names = sorted(run["fetches"])
                    values = s.run(names, feeds)
                    for k, got in zip(names, values):
                        want = np.array(run["fetches"][k]["values"]).reshape(run["fetches"][k]["shape"])
                        ok = np.allclose(got, want, rtol=1e-6, atol=1e-9)
                        failures += not ok
                        print("PASS" if ok else "FAIL", name, k, "TensorFlow:", np.asarray(got).reshape(-1).tolist(), "TensorGraph:", want.reshape(-1).tolist())
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["fixtures"]:
        fixtures()
    elif sys.argv[1:2] == ["try-bad"] and len(sys.argv) == 3:
        try_bad(sys.argv[2])
    elif sys.argv[1:2] == ["check"] and len(sys.argv) == 3:
        check(sys.argv[2])
    else:
        print(__doc__)
        sys.exit(2)
