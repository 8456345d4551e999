#!/usr/bin/env python3
"""Checks TensorGraph's TensorFlow file formats against TensorFlow and TensorBoard themselves.

  fixtures   Writes Tests/Fixtures/tf-events/events.out.tfevents.fixture (tf.compat.v1.summary.FileWriter:
             scalars, a histogram, an image, the graph; read by SummaryWriterTests) and Tests/Fixtures/tf-checkpoint/: a checkpoint V2 written by tf.compat.v1.train.Saver
             (model.ckpt.index, model.ckpt.data-00000-of-00001, checkpoint) and expected.json, the
             names, dtypes, shapes and values tf.train.load_checkpoint reads from it. The Swift test
             TensorBundleTests.testRestoresACheckpointWrittenByTensorFlow restores it.
  check      Runs the Swift test InteropFormatsTests with TENSORGRAPH_INTEROP_OUT=DIR (needs a
             `swift build --build-tests` first), which writes a checkpoint with Saver and event files
             with SummaryWriter and Trainer, then reads them with tf.train.load_checkpoint,
             tf.compat.v1.train.Saver.restore, tf.train.latest_checkpoint and tensorboard's
             EventAccumulator, printing what they read. Exit status 1 on any mismatch.

Usage: /tmp/pyenv/bin/python Tools/interop-formats.py fixtures | check [DIR]
"""
import json, os, subprocess, sys, tempfile
import numpy as np
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf

tf1 = tf.compat.v1
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
failures = []

def check(ok, message):
    print(("PASS  " if ok else "FAIL  ") + message)
    if not ok:
        failures.append(message)

# The fixture's variables: names as TF1 programs have them (a dense layer, its Adam slots, the global
# step) and every dtype TensorGraph supports, with values from fixed formulas.
FIXTURE = {
    "dense/kernel": np.arange(6, dtype=np.float32).reshape(3, 2) * 0.5 - 1.25,
    "dense/bias": np.array([0.125, -2.5], dtype=np.float32),
    "dense/kernel/Adam": np.full((3, 2), 0.01, dtype=np.float32),
    "dense/kernel/Adam_1": np.linspace(0, 1e-3, 6, dtype=np.float32).reshape(3, 2),
    "beta1_power": np.float32(0.729),
    "global_step": np.int64(1234567890123),
    "counts": np.array([1, -2, 3, 2147483647], dtype=np.int32),
    "table": np.array([[1e-300, -2.0], [3.5, 1e300]], dtype=np.float64),
    "pixels": np.array([0, 7, 255], dtype=np.uint8),
    "flags": np.array([True, False, True]),
}

def tf_dtype_name(dtype):
    return tf.as_dtype(dtype).name

def describe(reader):
    """name -> {dtype, shape, values} as tf.train.load_checkpoint reads them."""
    result = {}
    shapes, dtypes = reader.get_variable_to_shape_map(), reader.get_variable_to_dtype_map()
    for name in sorted(shapes):
        value = np.asarray(reader.get_tensor(name))
        result[name] = {"dtype": dtypes[name].name, "shape": list(shapes[name]), "bytes": value.astype(value.dtype.newbyteorder("<")).tobytes().hex(),
                        "values": [v.item() if not isinstance(v, np.bool_) else bool(v) for v in value.reshape(-1)]}
    return result

def build_variables(spec):
    """tf1 variables named and shaped as `spec` (name -> {dtype, shape}), initialized to zeros."""
    variables = {}
    for name, entry in spec.items():
        dtype = tf.as_dtype(entry["dtype"])
        variables[name] = tf1.get_variable(name, shape=entry["shape"], dtype=dtype,
                                           initializer=tf1.zeros_initializer(), use_resource=False)
    return variables

def write_fixtures():
    out = os.path.join(root, "Tests/Fixtures/tf-checkpoint")
    os.makedirs(out, exist_ok=True)
    graph = tf.Graph()
    with graph.as_default():
        variables = build_variables({n: {"dtype": tf_dtype_name(v.dtype), "shape": list(np.shape(v))} for n, v in FIXTURE.items()})
        assigns = [tf1.assign(variables[n], v) for n, v in FIXTURE.items()]
        saver = tf1.train.Saver(var_list=variables)
        with tf1.Session(graph=graph) as sess:
            sess.run(assigns)
            prefix = saver.save(sess, os.path.join(out, "model.ckpt"), write_meta_graph=False)
    # The state file names the checkpoint by absolute path; make it relative so the fixture can move.
    with open(os.path.join(out, "checkpoint"), "w") as f:
        f.write('model_checkpoint_path: "model.ckpt"\nall_model_checkpoint_paths: "model.ckpt"\n')
    expected = describe(tf.train.load_checkpoint(prefix))
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
    print(f"wrote {out}: {', '.join(sorted(os.listdir(out)))}; {len(expected)} variables")

EVENT_VALUES = [-3.5, -1e-13, 0.0, 0.0, 1e-12, 0.5, 2.0, 2.0, 7e5]

def write_event_fixture():
    """An event file written by tf.compat.v1.summary.FileWriter: scalars, a histogram, an image, a graph."""
    out = os.path.join(root, "Tests/Fixtures/tf-events")
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        os.remove(os.path.join(out, name))
    graph = tf.Graph()
    with graph.as_default():
        loss = tf1.placeholder(tf.float32, [], name="loss")
        scalar = tf1.summary.scalar("loss", loss)
        histogram = tf1.summary.histogram("weights", tf.constant(np.array(EVENT_VALUES)))
        image = tf1.summary.image("digit", tf.constant(np.arange(12, dtype=np.uint8).reshape(1, 4, 3, 1) * 20))
        with tf1.Session(graph=graph) as sess:
            writer = tf1.summary.FileWriter(out, graph=graph)
            for step, value in [(1, 2.5), (2, 1.25)]:
                writer.add_summary(sess.run(scalar, {loss: value}), step)
            writer.add_summary(sess.run(histogram), 3)
            writer.add_summary(sess.run(image), 4)
            writer.close()
    [name] = os.listdir(out)
    os.rename(os.path.join(out, name), os.path.join(out, "events.out.tfevents.fixture"))
    print(f"wrote {out}/events.out.tfevents.fixture ({os.path.getsize(os.path.join(out, 'events.out.tfevents.fixture'))} bytes)")

def values_equal(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.all(a == b))

def check_checkpoint(directory):
    expected = json.load(open(os.path.join(directory, "checkpoint-expected.json")))
    for entry in expected.values():
        entry["values"] = np.frombuffer(bytes.fromhex(entry["bytes"]), dtype=np.dtype(entry["dtype"]).newbyteorder("<")).tolist()
    prefix = os.path.join(directory, "model.ckpt")
    latest = tf.train.latest_checkpoint(directory)
    check(latest == prefix, f"tf.train.latest_checkpoint({directory}) = {latest}")
    read = describe(tf.train.load_checkpoint(prefix))
    check(sorted(read) == sorted(expected), f"load_checkpoint names: {sorted(read)}")
    for name in sorted(expected):
        got, want = read.get(name), expected[name]
        same = got is not None and got["dtype"] == want["dtype"] and got["shape"] == want["shape"] and values_equal(got["values"], want["values"])
        shown = got["values"] if got and len(got["values"]) <= 6 else (got["values"][:6] + ["..."] if got else None)
        check(same, f"load_checkpoint {name}: {got and got['dtype']} {got and got['shape']} {shown}")
    # TF1's Saver restores our checkpoint into a graph with the same variable names.
    graph = tf.Graph()
    with graph.as_default():
        variables = build_variables(expected)
        saver = tf1.train.Saver(var_list=variables)
        with tf1.Session(graph=graph) as sess:
            saver.restore(sess, prefix)
            for name, variable in sorted(variables.items()):
                value = sess.run(variable)
                check(values_equal(value.reshape(-1), expected[name]["values"]),
                      f"tf.compat.v1.train.Saver.restore {name}: {value.reshape(-1)[:6].tolist()}")

def tensorflow_histogram(values):
    """The HistogramProto TF1's tf.summary.histogram op makes of `values`."""
    graph = tf.Graph()
    with graph.as_default():
        summary = tf1.summary.histogram("h", tf.constant(np.asarray(values, dtype=np.float64)))
        with tf1.Session(graph=graph) as sess:
            proto = tf1.Summary.FromString(sess.run(summary))
    return proto.value[0].histo

def check_events(directory, expected):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    accumulator = EventAccumulator(directory, size_guidance={"scalars": 0, "histograms": 0, "images": 0, "tensors": 0})
    accumulator.Reload()
    tags = accumulator.Tags()
    print(f"      EventAccumulator({os.path.basename(directory)}) tags: scalars {tags['scalars']}, histograms {tags['histograms']}, "
          f"images {tags['images']}, graph {tags['graph']}")
    check(tags["graph"] == expected["graph"], f"graph present: {tags['graph']}")
    if expected["graph"]:
        nodes = [node.name for node in accumulator.Graph().node]
        check(len(nodes) == expected["graphNodes"], f"graph: {len(nodes)} nodes, e.g. {nodes[:4]}")
    for tag, points in expected["scalars"].items():
        events = accumulator.Scalars(tag)
        got = [(e.step, e.value) for e in events]
        same = [s for s, _ in got] == [p[0] for p in points] and np.allclose([v for _, v in got], [p[1] for p in points], rtol=1e-6)
        check(same, f"scalar {tag}: (step, value) {[(s, round(v, 6)) for s, v in got]}")
    for tag, entry in expected["histograms"].items():
        events = accumulator.Histograms(tag)
        steps = [e.step for e in events]
        check(steps == entry["steps"], f"histogram {tag}: steps {steps}")
        if "values" in entry:
            ours, theirs = events[0].histogram_value, tensorflow_histogram(entry["values"])
            same = (ours.min, ours.max, ours.num, ours.sum, ours.sum_squares) == (theirs.min, theirs.max, theirs.num, theirs.sum, theirs.sum_squares) \
                and list(ours.bucket_limit) == list(theirs.bucket_limit) and list(ours.bucket) == list(theirs.bucket)
            check(same, f"histogram {tag} equals tf.summary.histogram's: min {ours.min} max {ours.max} num {ours.num} sum {ours.sum:.6g} "
                        f"{len(ours.bucket)} buckets (TF: {len(theirs.bucket)})")
    for tag, entry in expected["images"].items():
        events = accumulator.Images(tag)
        check([e.step for e in events] == entry["steps"], f"image {tag}: steps {[e.step for e in events]}")
        pixels = tf.io.decode_png(events[0].encoded_image_string).numpy()
        check(list(pixels.shape) == entry["shape"] and pixels.reshape(-1).tolist() == entry["pixels"],
              f"image {tag}: {events[0].width}x{events[0].height}, decoded PNG {list(pixels.shape)} matches")

def run_checks(directory):
    env = dict(os.environ, TENSORGRAPH_INTEROP_OUT=directory)
    result = subprocess.run(["swift", "test", "--skip-build", "--filter", "InteropFormatsTests"], cwd=root, env=env,
                            capture_output=True, text=True)
    check(result.returncode == 0, "swift test --filter InteropFormatsTests wrote " + ", ".join(sorted(os.listdir(directory))))
    if result.returncode != 0:
        print(result.stdout[-3000:], result.stderr[-3000:])
        return
    check_checkpoint(directory)
    expected = json.load(open(os.path.join(directory, "events-expected.json")))
    for name, entry in sorted(expected.items()):
        check_events(os.path.join(directory, name), entry)

if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "check"
    if mode == "fixtures":
        write_fixtures()
        write_event_fixture()
    elif mode == "check":
        directory = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="interop-formats-")
        os.makedirs(directory, exist_ok=True)
        run_checks(directory)
        print(f"{'FAILED' if failures else 'OK'}: {len(failures)} failures")
        sys.exit(1 if failures else 0)
    else:
        sys.exit(__doc__)
