"""TensorFlow reference: tf.compat.v1 graph mode, Session.run with feed_dict (the TF1 way)."""
import os, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf
from common import *

tf1 = tf.compat.v1
tf1.disable_eager_execution()
EPOCHS, WANT = epochs(), workloads()
train_x, train_y, test_x, test_y = load(MNIST)
glorot = tf1.glorot_uniform_initializer


def dense(x, units, name, activation=None):
    w = tf1.get_variable(name + "/kernel", [int(x.shape[1]), units], initializer=glorot())
    b = tf1.get_variable(name + "/bias", [units], initializer=tf1.zeros_initializer())
    y = tf.nn.bias_add(tf.matmul(x, w), b)
    return activation(y) if activation else y


def session():
    return tf1.Session(config=tf1.ConfigProto())


if "mlp" in WANT:
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, [None, 784]); y = tf1.placeholder(tf.float32, [None, 10])
        w1 = tf1.get_variable("W1", [784, 64]); b1 = tf1.Variable(tf1.zeros([64]))
        w2 = tf1.get_variable("W2", [64, 10]); b2 = tf1.Variable(tf1.zeros([10]))
        logits = tf.matmul(tf.tanh(tf.matmul(x, w1) + b1), w2) + b2
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
        train = tf1.train.GradientDescentOptimizer(0.5).minimize(loss)
        acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), tf.argmax(y, 1)), tf.float32))
        with session() as s:
            s.run(tf1.global_variables_initializer())
            ty = one_hot(train_y)
            def epoch():
                for i in range(len(train_x) // 32):
                    s.run([loss, train], {x: train_x[i * 32:(i + 1) * 32], y: ty[i * 32:(i + 1) * 32]})
            secs = timed_epochs(epoch, EPOCHS)
            a = s.run(acc, {x: test_x, y: one_hot(test_y)})
    emit("tensorflow", os.cpu_count(), workload="mlp", epoch_seconds=secs, median_seconds=median(secs), accuracy=float(a))

if "fashion" in WANT and os.path.exists(FASHION):
    fx, fy, ftx, fty = load(FASHION)
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, [None, 784]); y = tf1.placeholder(tf.int64, [None])
        logits = dense(dense(x, 256, "dense", tf.nn.relu), 10, "dense_1")
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        train = tf1.train.AdamOptimizer().minimize(loss)
        acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
        with session() as s:
            s.run(tf1.global_variables_initializer())
            def epoch():
                for i in range(0, len(fx), 64):
                    s.run([loss, train], {x: fx[i:i + 64], y: fy[i:i + 64]})
            secs = timed_epochs(epoch, EPOCHS)
            a = s.run(acc, {x: ftx, y: fty})
    emit("tensorflow", os.cpu_count(), workload="fashion_mlp", epoch_seconds=secs, median_seconds=median(secs), accuracy=float(a))

if "cnn" in WANT or "inference" in WANT:
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, [None, 784]); y = tf1.placeholder(tf.int64, [None])
        training = tf1.placeholder_with_default(False, [])
        def conv(h, filters, name):
            k = tf1.get_variable(name + "/kernel", [5, 5, int(h.shape[3]), filters], initializer=glorot())
            b = tf1.get_variable(name + "/bias", [filters], initializer=tf1.zeros_initializer())
            return tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(h, k, 1, "SAME"), b))
        h = tf.reshape(x, [-1, 28, 28, 1])
        h = tf.nn.max_pool2d(conv(h, 16, "conv2d"), 2, 2, "VALID")
        h = tf.nn.max_pool2d(conv(h, 32, "conv2d_1"), 2, 2, "VALID")
        h = dense(tf.reshape(h, [-1, 7 * 7 * 32]), 128, "dense", tf.nn.relu)
        h = tf.cond(training, lambda: tf.nn.dropout(h, rate=0.4), lambda: h)
        logits = dense(h, 10, "dense_1")
        probs = tf.nn.softmax(logits)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
        train = tf1.train.AdamOptimizer().minimize(loss)
        acc = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
        with session() as s:
            s.run(tf1.global_variables_initializer())
            if "cnn" in WANT:
                def epoch():
                    for i in range(0, len(train_x), 128):
                        s.run([loss, train], {x: train_x[i:i + 128], y: train_y[i:i + 128], training: True})
                secs = timed_epochs(epoch, EPOCHS)
                a = np.mean([s.run(acc, {x: test_x[i:i + 1000], y: test_y[i:i + 1000]}) for i in range(0, 10000, 1000)])
                emit("tensorflow", os.cpu_count(), workload="cnn", epoch_seconds=secs, median_seconds=median(secs), accuracy=float(a))
            if "inference" in WANT:
                for bs in (1000, 1):
                    for i in range(0, 200 if bs == 1 else 2000, bs):
                        s.run(probs, {x: test_x[i:i + bs]})
                    rates = []
                    for _ in range(3):
                        start = time.perf_counter()
                        for i in range(0, 10000, bs):
                            s.run(probs, {x: test_x[i:i + bs]})
                        rates.append(10000 / (time.perf_counter() - start))
                    emit("tensorflow", os.cpu_count(), workload=f"cnn_inference_b{bs}", images_per_second=median(rates))
