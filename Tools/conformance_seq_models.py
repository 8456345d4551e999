"""The models of Tools/conformance_seq.py: Keras sequence models and transformers (frozen), and TF1 graphs
built with tf.compat.v1 placeholders and control flow v1. Each builder returns
(GraphDef, {input tensor: value}, [output tensor names], [TensorFlow's output values]).
"""
import numpy as np

SEED = 7


# ---------------------------------------------------------------------------------------------------------------
# Keras models, frozen.

def freeze_keras(model, specs, lower_control_flow=True):
    """Freezes `model` called on inputs of `specs` ([(shape, dtype)]) -> (GraphDef, input names, output names)."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2
    signature = [tf.TensorSpec(shape, dtype, name=f"input{i}") for i, (shape, dtype) in enumerate(specs)]
    function = tf.function(lambda *xs: model(list(xs) if len(xs) > 1 else xs[0], training=False))
    concrete = function.get_concrete_function(*signature)
    frozen = convert_variables_to_constants_v2(concrete, lower_control_flow=lower_control_flow)
    return frozen.graph.as_graph_def(), [t.name for t in frozen.inputs], [t.name for t in frozen.outputs]


def run_graph_def(graph_def, feeds, fetches):
    """TensorFlow's values of `fetches` in `graph_def` fed with {name: value}."""
    import tensorflow as tf
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(graph_def, name="")
    with tf.compat.v1.Session(graph=graph) as session:
        return session.run(fetches, feeds)


def keras_case(build, inputs, lower_control_flow=True):
    """A Keras model from `build()` fed with `inputs` (arrays) -> (GraphDef, {name: value}, [names], [values])."""
    import keras
    keras.utils.set_random_seed(SEED)
    model = build()
    specs = [((None,) + x.shape[1:], x.dtype) for x in inputs]
    graph_def, in_names, out_names = freeze_keras(model, specs, lower_control_flow)
    feeds = dict(zip(in_names, inputs))
    return graph_def, feeds, out_names, run_graph_def(graph_def, feeds, out_names)


def rnn_model(kind, sequences):
    import keras
    L = keras.layers
    layer = {
        "lstm": lambda: L.LSTM(8, return_sequences=sequences),
        "gru": lambda: L.GRU(8, return_sequences=sequences),
        "simplernn": lambda: L.SimpleRNN(8, return_sequences=sequences),
        "bilstm": lambda: L.Bidirectional(L.LSTM(6, return_sequences=sequences)),
    }[kind]
    return lambda: keras.Sequential([keras.Input([6, 4]), layer()])


def text_classifier():
    import keras
    L = keras.layers
    return keras.Sequential([keras.Input([10], dtype="int32"), L.Embedding(50, 8), L.LSTM(8),
                             L.Dense(3, activation="softmax")])


def masked_text_classifier():
    """Embedding(mask_zero=True): the LSTM carries its state through padded steps (SelectV2 in the loop)."""
    import keras
    L = keras.layers
    return keras.Sequential([keras.Input([10], dtype="int32"), L.Embedding(50, 8, mask_zero=True), L.LSTM(8),
                             L.Dense(3, activation="softmax")])


def stacked_gru():
    import keras
    L = keras.layers
    return keras.Sequential([keras.Input([6, 4]), L.GRU(8, return_sequences=True), L.GRU(6, reset_after=False),
                             L.Dense(2)])


def text_cnn():
    import keras
    L = keras.layers
    return keras.Sequential([keras.Input([10], dtype="int32"), L.Embedding(50, 8), L.Conv1D(6, 3, activation="relu"),
                             L.GlobalMaxPooling1D(), L.Dense(3, activation="softmax")])


def einsum_dense():
    import keras
    L = keras.layers
    x = keras.Input([6, 4])
    y = L.EinsumDense("abc,cd->abd", output_shape=(None, 8), bias_axes="d")(x)
    z = L.EinsumDense("abd,de->ae", output_shape=(5,), bias_axes="e")(y)    # b summed out of one operand alone
    return keras.Model(x, z)


def dot_attention():
    """keras.layers.Attention and AdditiveAttention on (query, value): two inputs."""
    import keras
    L = keras.layers
    query, value = keras.Input([4, 6]), keras.Input([5, 6])
    dot = L.Attention()([query, value])
    additive = L.AdditiveAttention()([query, value])
    return keras.Model([query, value], L.Concatenate()([dot, additive]))


def transformer(vocab=40, seq=8, dim=16, heads=2, ff=32):
    import keras
    from keras import ops
    L = keras.layers

    class PositionalEmbedding(L.Layer):
        """Token embedding plus a learned position embedding (the Keras text-classification example's)."""
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.tokens = L.Embedding(vocab, dim)
            self.positions = L.Embedding(seq, dim)

        def call(self, x):
            return self.tokens(x) + self.positions(ops.arange(0, ops.shape(x)[-1]))

    tokens = keras.Input([seq], dtype="int32")
    x = PositionalEmbedding()(tokens)
    attention = L.MultiHeadAttention(num_heads=heads, key_dim=dim // heads)(x, x)
    x = L.LayerNormalization(epsilon=1e-6)(x + attention)
    hidden = L.Dense(ff, activation="gelu")(x)                                   # erf form
    hidden = L.Dense(ff)(hidden)
    hidden = L.Activation(lambda t: keras.activations.gelu(t, approximate=True))(hidden)  # tanh form
    x = L.LayerNormalization(epsilon=1e-6)(x + L.Dense(dim)(hidden))
    # Attention pooling over the sequence: a softmax on axis 1, not the last axis.
    weights = L.Softmax(axis=1)(L.Dense(1)(x))
    pooled = ops.sum(weights * x, axis=1)
    return keras.Model(tokens, L.Dense(3, activation="softmax")(pooled))


def batched_attention(batch=2, heads=2, seq=5, dim=4):
    """Scaled dot-product attention with tf.linalg.matmul on [batch, heads, seq, dim] (BatchMatMulV2), frozen."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2
    rng = np.random.default_rng(SEED)
    wq, wk, wv = (tf.Variable(rng.normal(size=[dim * heads, dim * heads]).astype(np.float32) * 0.3) for _ in range(3))

    @tf.function(input_signature=[tf.TensorSpec([None, seq, dim * heads], tf.float32, name="x")])
    def attend(x):
        def split(t):
            return tf.transpose(tf.reshape(t, [-1, seq, heads, dim]), [0, 2, 1, 3])
        q, k, v = (split(tf.linalg.matmul(x, w)) for w in (wq, wk, wv))
        scores = tf.linalg.matmul(q, k, transpose_b=True) / np.sqrt(dim).astype(np.float32)
        mask = tf.linalg.band_part(tf.ones([seq, seq]), -1, 0)         # causal
        scores = scores + (1.0 - mask) * -1e9
        out = tf.linalg.matmul(tf.nn.softmax(scores), v)
        return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [-1, seq, heads * dim])

    frozen = convert_variables_to_constants_v2(attend.get_concrete_function())
    graph_def = frozen.graph.as_graph_def()
    value = rng.normal(size=[batch, seq, dim * heads]).astype(np.float32)
    feeds = {frozen.inputs[0].name: value}
    names = [t.name for t in frozen.outputs]
    return graph_def, feeds, names, run_graph_def(graph_def, feeds, names)


# ---------------------------------------------------------------------------------------------------------------
# TF1 graphs: tf.compat.v1 placeholders, control flow v1.

def v1_case(build):
    """`build()` -> ({placeholder: value}, [output tensors]) in a TF1 graph; outputs cast to float32."""
    import tensorflow as tf
    tf.compat.v1.disable_control_flow_v2()
    graph = tf.Graph()
    try:
        with graph.as_default():
            tf.compat.v1.set_random_seed(SEED)
            feeds, outputs = build(tf, np.random.default_rng(SEED))
            outputs = [tf.identity(o if o.dtype == tf.float32 else tf.cast(o, tf.float32), name=f"out{i}")
                       for i, o in enumerate(outputs)]
        with tf.compat.v1.Session(graph=graph) as session:
            values = session.run(outputs, {graph.get_tensor_by_name(k): v for k, v in feeds.items()})
    finally:
        tf.compat.v1.enable_control_flow_v2()
    return graph.as_graph_def(), feeds, [o.name for o in outputs], values


def placeholder(tf, rng, feeds, name, shape, low=-2.0, high=2.0):
    value = rng.uniform(low, high, shape).astype(np.float32)
    feeds[f"{name}:0"] = value
    return tf.compat.v1.placeholder(tf.float32, [None] + list(shape[1:]), name=name)


def v1_cond_batch_norm(tf, rng):
    feeds = {}
    x = placeholder(tf, rng, feeds, "x", [2, 4, 4, 3])
    training = tf.compat.v1.placeholder_with_default(False, [], name="training")
    scale, offset = tf.constant(rng.uniform(0.5, 1.5, 3).astype(np.float32)), tf.constant(rng.uniform(-1, 1, 3).astype(np.float32))
    mean, var = tf.constant(rng.uniform(-0.2, 0.2, 3).astype(np.float32)), tf.constant(rng.uniform(0.5, 1.5, 3).astype(np.float32))
    train = lambda: tf.compat.v1.nn.fused_batch_norm(x, scale, offset, epsilon=1e-3, is_training=True)[0]
    infer = lambda: tf.compat.v1.nn.fused_batch_norm(x, scale, offset, mean, var, epsilon=1e-3, is_training=False)[0]
    inferred = tf.cond(training, train, infer)
    trained = tf.cond(tf.logical_not(training), train, infer)     # the other branch taken with the same default
    return feeds, [inferred, trained]


def v1_elementwise(tf, rng):
    feeds = {}
    x = placeholder(tf, rng, feeds, "x", [3, 5])
    p = placeholder(tf, rng, feeds, "p", [3, 5], 0.5, 2.0)
    return feeds, [
        tf.nn.leaky_relu(x, 0.1), tf.nn.elu(x), tf.nn.selu(x), tf.nn.softplus(x), tf.nn.softsign(x),
        tf.math.erf(x), tf.math.rsqrt(p), tf.pow(p, x), tf.math.squared_difference(x, p), tf.nn.relu6(x * 4),
        tf.math.log1p(p), tf.math.expm1(x), tf.sign(x), tf.math.reciprocal(p),
        tf.floor(x * 3), tf.math.ceil(x * 3), tf.round(x * 3),
        tf.math.floormod(x * 3, p), tf.math.floordiv(x * 3, p),
        tf.clip_by_value(x, -0.5, 0.7), tf.nn.l2_normalize(x, axis=1),
        tf.where(x > 0, x, p), tf.math.abs(x) + tf.math.square(p),
    ]


def v1_logic_reduce(tf, rng):
    feeds = {}
    x = placeholder(tf, rng, feeds, "x", [3, 4, 5])
    a, b = x > 0, x < 0.5
    mean, variance = tf.nn.moments(x, axes=[0, 1])
    return feeds, [
        tf.logical_and(a, b), tf.logical_or(a, b), tf.logical_not(a), tf.math.logical_xor(a, b),
        tf.reduce_max(x, axis=1), tf.reduce_min(x, axis=[0, 2]), tf.reduce_prod(x, axis=2, keepdims=True),
        tf.reduce_any(a, axis=1), tf.reduce_all(b, axis=2), tf.argmin(x, axis=1), tf.argmax(x, axis=2),
        tf.cumsum(x, axis=1), tf.cumsum(x, axis=2, exclusive=True, reverse=True), mean, variance,
        tf.reduce_mean(x) + tf.reduce_sum(x, axis=0)[0, 0],
    ]


def v1_array(tf, rng):
    feeds = {}
    x = placeholder(tf, rng, feeds, "x", [2, 6, 4])
    ids = tf.compat.v1.placeholder(tf.int32, [None], name="ids")
    feeds["ids:0"] = np.array([3, 0, 2, 5], np.int32)
    values, indices = tf.math.top_k(x, k=2)
    first, second, third = tf.split(x, 3, axis=1)
    parts = tf.unstack(x, axis=1)
    return feeds, [
        values, indices, tf.gather(x, ids, axis=1), tf.tile(x, [2, 1, 3]), first * second - third,
        tf.stack(parts[::-1], axis=2), tf.reverse(x, axis=[1, 2]), tf.one_hot(ids, 6, on_value=2.0, off_value=-1.0),
        tf.pad(x, [[0, 0], [1, 2], [2, 1]]), tf.pad(x, [[0, 0], [2, 1], [1, 2]], "REFLECT"),
        tf.pad(x, [[0, 0], [2, 3], [1, 0]], "SYMMETRIC"), tf.einsum("bij,bkj->bik", x, x),
        tf.einsum("bij->jb", x), tf.einsum("bij,j->bi", x, tf.constant([1.0, -2.0, 0.5, 3.0])),
    ]


def v1_one_hot_axis(tf, rng):
    """tf.one_hot with the new axis first and in the middle (OneHot's `axis` attribute other than -1)."""
    ids = tf.compat.v1.placeholder(tf.int32, [None, 3], name="ids")
    feeds = {"ids:0": np.array([[3, 0, 2], [5, -1, 1]], np.int32)}
    return feeds, [tf.one_hot(ids, 7, axis=0), tf.one_hot(ids, 6, on_value=2.0, off_value=-1.0, axis=1)]


def v1_einsum_gradients(tf, rng):
    """TensorFlow's gradients (tf.gradients: _EinsumGrad, _MatrixBandPartGrad) of a loss over einsums of
    the MultiHeadAttention and reduction kinds and a band part; the loss is
    the node `loss`, so a test can also build its own gradients and compare. Outputs out0..out4 are the
    gradients with respect to x, w, k, b, m in this order."""
    feeds = {}
    x = placeholder(tf, rng, feeds, "x", [2, 3, 4])
    w = placeholder(tf, rng, feeds, "w", [4, 2, 3])
    k = placeholder(tf, rng, feeds, "k", [2, 5, 2, 3])
    b = placeholder(tf, rng, feeds, "b", [1, 3, 4])
    m = placeholder(tf, rng, feeds, "m", [2, 4, 4])
    projected = tf.einsum("abc,cde->abde", x, w)                    # [2, 3, 2, 3]
    scores = tf.einsum("aecd,abcd->acbe", k, projected)             # [2, 2, 3, 5]
    terms = [scores, tf.einsum("...ij,...jk->...ik", b, m),        # batch broadcasting
             tf.einsum("abc,cd->ad", x, m[0]), tf.einsum("aij->ja", tf.linalg.band_part(m, 1, 0)),
             tf.einsum("aii->ai", m)]
    loss = tf.add_n([tf.reduce_sum(tf.square(t)) * (0.5 + i) for i, t in enumerate(terms)], name="loss")
    placeholders = [x, w, k, b, m]
    grads = tf.gradients(loss, placeholders)
    return feeds, [tf.identity(g, name=f"grad_{p.op.name}") for g, p in zip(grads, placeholders)]


def v1_image(tf, rng):
    feeds = {}
    x = placeholder(tf, rng, feeds, "x", [2, 5, 6, 3])
    depthwise = tf.constant(rng.normal(size=[3, 3, 3, 2]).astype(np.float32))
    transpose = tf.constant(rng.normal(size=[3, 3, 4, 3]).astype(np.float32))
    return feeds, [
        tf.image.resize(x, [8, 9], "bilinear"), tf.image.resize(x, [3, 11], "nearest"),
        tf.compat.v1.image.resize_bilinear(x, [7, 4], align_corners=True),
        tf.nn.depthwise_conv2d(x, depthwise, [1, 1, 1, 1], "SAME"),
        tf.nn.depthwise_conv2d(x, depthwise, [1, 2, 2, 1], "VALID"),
        tf.nn.conv2d_transpose(x, transpose, tf.stack([tf.shape(x)[0], 10, 12, 4]), [1, 2, 2, 1], "SAME"),
        tf.nn.softmax(x, axis=1),
    ]
