# Fixtures for BatchNormFoldingTests, written by TensorFlow 2.21 (run from this directory with the venv's python):
# - keras_bn.pb: a Keras 3 model frozen with convert_variables_to_constants_v2 — Conv2D → BatchNormalization → ReLU,
#   DepthwiseConv2D (bias) → BatchNormalization, Flatten, Dense (bias) → BatchNormalization, Softmax. Keras 3 writes
#   inference batch norm decomposed: x·(gamma·rsqrt(var + eps)) + (beta − mean·gamma·rsqrt(var + eps)).
# - tf1_fused.pb: tf.nn.conv2d + bias_add → tf.compat.v1.nn.fused_batch_norm(is_training=False) → relu →
#   conv2d (stride 2) → fused_batch_norm: FusedBatchNormV3 nodes.
# keras_bn.input.npy feeds both ("x"); *.output.npy hold TensorFlow's outputs.
import numpy as np, tensorflow as tf
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2
tf.random.set_seed(1); np.random.seed(1)
inp = tf.keras.Input((10, 10, 3), name="x")
h = tf.keras.layers.Conv2D(8, 3, use_bias=False)(inp)
h = tf.keras.layers.BatchNormalization()(h)
h = tf.keras.layers.ReLU()(h)
h = tf.keras.layers.DepthwiseConv2D(3, depth_multiplier=2, use_bias=True)(h)
h = tf.keras.layers.BatchNormalization()(h)
h = tf.keras.layers.Flatten()(h)
h = tf.keras.layers.Dense(12)(h)
h = tf.keras.layers.BatchNormalization()(h)
out = tf.keras.layers.Softmax(name="probabilities")(h)
model = tf.keras.Model(inp, out)
for layer in model.layers:
    if isinstance(layer, tf.keras.layers.BatchNormalization):
        c = layer.gamma.shape[0]
        layer.set_weights([np.random.uniform(0.5, 2, c), np.random.uniform(-1, 1, c), np.random.uniform(-1, 1, c), np.random.uniform(0.2, 2, c)])
f = tf.function(lambda x: model(x, training=False)).get_concrete_function(tf.TensorSpec([None, 10, 10, 3], tf.float32, name="x"))
frozen = convert_variables_to_constants_v2(f)
gd = frozen.graph.as_graph_def()
print(sorted({n.op for n in gd.node}))
open("keras_bn.pb", "wb").write(gd.SerializeToString())
x = np.random.uniform(0, 1, (4, 10, 10, 3)).astype(np.float32)
np.save("keras_bn.input.npy", x)
y = frozen(tf.constant(x))[0].numpy()
np.save("keras_bn.output.npy", y)
print([n.name for n in gd.node if "Identity" == n.op][-3:], y.shape)

# TF1-style fused batch norms (FusedBatchNormV3, is_training=False) after Conv2D and after Conv2D+BiasAdd.
w1 = tf.Variable(np.random.uniform(-1, 1, (3, 3, 3, 6)).astype(np.float32))
b1 = tf.Variable(np.random.uniform(-1, 1, 6).astype(np.float32))
w2 = tf.Variable(np.random.uniform(-1, 1, (3, 3, 6, 5)).astype(np.float32))
stats = [tf.Variable(np.random.uniform(lo, hi, c).astype(np.float32)) for c in (6, 5) for lo, hi in ((0.5, 2), (-1, 1), (-1, 1), (0.2, 2))]
def net(x):
    h = tf.nn.bias_add(tf.nn.conv2d(x, w1, 1, "SAME"), b1)
    h, _, _ = tf.compat.v1.nn.fused_batch_norm(h, stats[0], stats[1], stats[2], stats[3], epsilon=0.001, is_training=False)
    h = tf.nn.relu(h)
    h = tf.nn.conv2d(h, w2, 2, "VALID")
    h, _, _ = tf.compat.v1.nn.fused_batch_norm(h, stats[4], stats[5], stats[6], stats[7], epsilon=0.001, is_training=False)
    return tf.identity(h, name="y")
f2 = tf.function(net).get_concrete_function(tf.TensorSpec([None, 10, 10, 3], tf.float32, name="x"))
frozen2 = convert_variables_to_constants_v2(f2)
gd2 = frozen2.graph.as_graph_def()
print(sorted({n.op for n in gd2.node}), [n.name for n in gd2.node][-1])
open("tf1_fused.pb", "wb").write(gd2.SerializeToString())
np.save("tf1_fused.output.npy", frozen2(tf.constant(x))[0].numpy())
