#!/usr/bin/env python3
"""TensorFlow's distributed runtime continues training a model TensorGraph saved.

A TensorGraph `PREFIX.meta` (MetaGraphDef with saver_def and train_op collection) and its TF-format
checkpoint are imported into a two-task cluster on loopback: job "ps" task 0 (a tf.distribute.Server in
a separate process) holds the variables, job "worker" task 0 (a server in this process) runs the steps.
The graph is imported under tf.compat.v1.train.replica_device_setter, so VariableV2 nodes (and, through
their reference edges, Assign and the Apply* updates) are placed on /job:ps/task:0; the checkpoint is
restored through the imported saver_def; 3 training steps run in tf.compat.v1.Session(worker.target).
The same 3 steps run in a plain local session on the same files, and (default mode) TensorGraph's own
losses for those steps are compared too. All must agree to 1e-5; exit status 1 otherwise.

The devices printed come from the partition graphs TensorFlow actually ran (RunMetadata), not only
from the requested device strings.

Usage:
  /tmp/pyenv/bin/python Tools/interop-distributed.py [DIR]
      DIR holds the files of MetaGraphExportTests/testWritesFilesForTensorFlow (mlp/model.ckpt{.meta,...},
      x.npy, labels.npy, expected.json with TensorGraph's next 3 losses). Without DIR the test is run
      (needs `swift build --build-tests`) to write them into a temporary directory.
  /tmp/pyenv/bin/python Tools/interop-distributed.py --prefix PREFIX --loss TENSOR [--feed NAME=FILE.npy ...]
      Any TensorGraph checkpoint with PREFIX.meta (e.g. `mnist-mlp --epochs 1 --limit 256 --checkpoint
      /tmp/x/model`). Placeholders without --feed get deterministic data: a batch of 8, floats in
      [0, 1) (one-hot rows for a [None, K] input named y/labels), integers 0..9.
"""
import argparse, json, multiprocessing, os, socket, subprocess, sys, tempfile
import numpy as np
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf

tf1 = tf.compat.v1
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def run_ps(cluster_dict):
    """The parameter-server task: serves its variables until the parent process terminates it."""
    import tensorflow as tf
    server = tf.distribute.Server(tf.train.ClusterSpec(cluster_dict), job_name="ps", task_index=0)
    server.join()


def synthesized_feeds(graph, given):
    feeds = {}
    for op in graph.get_operations():
        if op.type != "Placeholder":
            continue
        tensor = op.outputs[0]
        if op.name in given:
            feeds[tensor] = given[op.name]
            continue
        dims = tensor.shape.as_list() if tensor.shape.rank is not None else [8]
        shape = [8 if d is None else d for d in dims]
        count = int(np.prod(shape)) if shape else 1
        dtype = tensor.dtype.as_numpy_dtype
        if tensor.dtype.is_integer:
            value = (np.arange(count) % 10).reshape(shape).astype(dtype)
        elif len(shape) == 2 and op.name.split("/")[-1] in ("y", "labels", "targets"):
            value = np.eye(shape[1], dtype=dtype)[np.arange(shape[0]) % shape[1]]
        else:
            value = ((np.arange(count) * 0.6180339887) % 1).reshape(shape).astype(dtype)
        feeds[tensor] = value
    return feeds


def train_steps(prefix, loss_name, feed_values, target=None, device_fn=None, steps=3):
    """Imports PREFIX.meta, restores PREFIX, runs `steps` train steps; returns (losses, variable devices)."""
    with tf.Graph().as_default() as graph:
        if device_fn is not None:
            with tf1.device(device_fn):
                saver = tf1.train.import_meta_graph(prefix + ".meta")
        else:
            saver = tf1.train.import_meta_graph(prefix + ".meta")
        train_op = tf1.get_collection("train_op")[0]
        loss = graph.get_tensor_by_name(loss_name)
        feeds = {graph.get_tensor_by_name(k) if ":" in k else graph.get_operation_by_name(k).outputs[0]: v
                 for k, v in feed_values.items()} if feed_values else synthesized_feeds(graph, {})
        requested = {v.op.name: v.device for v in tf1.global_variables()}
        config = tf1.ConfigProto(allow_soft_placement=False)
        with tf1.Session(target or "", graph=graph, config=config) as sess:
            saver.restore(sess, prefix)
            losses, placed, tasks = [], {}, {}
            for step in range(steps):
                options = tf1.RunOptions(output_partition_graphs=True) if step == 0 else None
                metadata = tf1.RunMetadata()
                value, _ = sess.run([loss, train_op], feeds, options=options, run_metadata=metadata)
                losses.append(float(value))
                for partition in metadata.partition_graphs:
                    for node in partition.node:
                        task = node.device.split("/device:")[0]
                        tasks[task] = tasks.get(task, 0) + 1
                        if node.op in ("VariableV2", "VarHandleOp") or node.op.startswith("Apply"):
                            placed[node.name] = node.device
        return losses, requested, placed, tasks


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", nargs="?")
    parser.add_argument("--prefix")
    parser.add_argument("--loss")
    parser.add_argument("--feed", action="append", default=[])
    args = parser.parse_args()

    expected = None
    if args.prefix:
        if not args.loss:
            parser.error("--prefix needs --loss TENSOR (e.g. loss:0)")
        prefix, loss_name = args.prefix, args.loss if ":" in args.loss else args.loss + ":0"
        feed_values = {}
        for feed in args.feed:
            name, _, path = feed.partition("=")
            feed_values[name if ":" in name else name + ":0"] = np.load(path)
        if not feed_values:
            with tf.Graph().as_default() as graph:
                tf1.train.import_meta_graph(prefix + ".meta")
                feed_values = {t.name: v for t, v in synthesized_feeds(graph, {}).items()}
    else:
        directory = args.dir
        if directory is None:
            directory = tempfile.mkdtemp(prefix="interop-distributed-")
            test = subprocess.run(["swift", "test", "--skip-build", "--filter", "MetaGraphExportTests/testWritesFilesForTensorFlow"],
                                  cwd=root, env=dict(os.environ, TENSORGRAPH_INTEROP_OUT=directory), capture_output=True, text=True)
            if test.returncode != 0:
                print(test.stdout[-3000:], test.stderr[-3000:])
                return 1
        expected = json.load(open(os.path.join(directory, "expected.json")))
        prefix, loss_name = os.path.join(directory, "mlp/model.ckpt"), expected["loss"]
        feed_values = {expected["x"]: np.load(os.path.join(directory, "x.npy")),
                       expected["labels"]: np.load(os.path.join(directory, "labels.npy"))}

    ps_port, worker_port = free_port(), free_port()
    cluster = {"ps": [f"localhost:{ps_port}"], "worker": [f"localhost:{worker_port}"]}
    print(f"cluster: {cluster}")
    ps = multiprocessing.get_context("spawn").Process(target=run_ps, args=(cluster,), daemon=True)
    ps.start()
    try:
        worker = tf.distribute.Server(tf.train.ClusterSpec(cluster), job_name="worker", task_index=0)
        setter = tf1.train.replica_device_setter(cluster=tf.train.ClusterSpec(cluster), worker_device="/job:worker/task:0")
        distributed, requested, placed, tasks = train_steps(prefix, loss_name, feed_values, target=worker.target, device_fn=setter)
    finally:
        ps.terminate()
        ps.join(10)
    local, _, _, _ = train_steps(prefix, loss_name, feed_values)

    print(f"\nmodel: {prefix}.meta (restored from {prefix})")
    print("variables (requested device -> device TensorFlow ran it on):")
    for name in sorted(requested):
        print(f"  {name:32} {requested[name] or '(none)':18} -> {placed.get(name, '?')}")
    updates = sorted(n for n in placed if n not in requested)
    if updates:
        print("optimizer updates:")
        for name in updates:
            print(f"  {name:32} -> {placed[name]}")
    print("nodes per task in the first step's partition graphs: "
          + ", ".join(f"{task} {count}" for task, count in sorted(tasks.items())))
    on_ps = all("/job:ps/" in placed.get(name, "") for name in requested)

    print(f"\nstep  {'distributed (worker+ps)':>24}  {'local TF session':>18}" + (f"  {'TensorGraph':>14}" if expected else ""))
    for i, value in enumerate(distributed):
        row = f"{i + 1:4}  {value:24.8f}  {local[i]:18.8f}"
        if expected:
            row += f"  {expected['losses'][i]:14.8f}"
        print(row)
    diffs = [abs(a - b) for a, b in zip(distributed, local)]
    if expected:
        diffs += [abs(a - b) for a, b in zip(distributed, expected["losses"])]
    worst = max(diffs)
    ok = worst <= 1e-5 and on_ps and len(requested) > 0
    print(f"\nmax |difference| {worst:.2e} (tolerance 1e-5); every variable on /job:ps: {on_ps}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
