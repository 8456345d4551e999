"""Shared data loading and reporting for the Python reference benchmarks."""
import gzip, json, os, statistics, sys
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MNIST = os.path.join(ROOT, "Examples", "Data", "mnist")
FASHION = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def idx(path):
    data = gzip.open(path).read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(directory):
    """(train_x [N,784] float32 in [0,1], train_y int64, test_x, test_y), in file order."""
    def images(name):
        return (idx(os.path.join(directory, name)).reshape(-1, 784).astype(np.float32) / 255.0)
    def labels(name):
        return idx(os.path.join(directory, name)).astype(np.int64)
    return (images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz"),
            images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz"))


def one_hot(labels):
    out = np.zeros((len(labels), 10), np.float32)
    out[np.arange(len(labels)), labels] = 1
    return out


def emit(framework, threads, **fields):
    fields.update(framework=framework, threads=threads)
    print(json.dumps(fields, sort_keys=True), flush=True)


def timed_epochs(run_epoch, epochs):
    """One warm-up epoch, then `epochs` timed ones; returns the timed seconds."""
    import time
    seconds = []
    for e in range(epochs + 1):
        start = time.perf_counter()
        run_epoch()
        if e > 0:
            seconds.append(time.perf_counter() - start)
    return seconds


def workloads():
    arg = [a for a in sys.argv[1:] if a.startswith("--workloads=")]
    return set(arg[0].split("=", 1)[1].split(",")) if arg else {"mlp", "fashion", "cnn", "inference"}


def epochs():
    arg = [a for a in sys.argv[1:] if a.startswith("--epochs=")]
    return int(arg[0].split("=", 1)[1]) if arg else 3


median = statistics.median
