"""The image models of Tools/conformance.py: Keras builders (weights=None) and the MODELS table.

Small models (committed under Tests/Fixtures/Conformance) exercise one family of layers each; the
rest are the tf.keras.applications zoo at small inputs (RegNetX002 rebuilt as tf.keras 2.13 had it).
"""
import collections


def _apps():
    import tensorflow as tf
    return tf.keras.applications


def _app(name, size, **kwargs):
    """A tf.keras.applications classifier without weights at `size`x`size`x3, producing logits."""
    def build():
        ctor = getattr(_apps(), name)
        return ctor(weights=None, input_shape=(size, size, 3), classifier_activation=None, **kwargs)
    return build


def _unet(base, size, depth):
    """An image-to-image U-Net: strided convs down, Conv2DTranspose / UpSampling2D (nearest and
    bilinear) up, BatchNormalization, LeakyReLU, ZeroPadding2D + Cropping2D and Concatenate skips."""
    def build():
        import tensorflow as tf
        L = tf.keras.layers
        inputs = L.Input((size, size, 3))
        x = L.Conv2D(base, 3, padding="same")(inputs)
        x = L.LeakyReLU(0.2)(x)
        skips = []
        for level in range(depth):
            skips.append(x)
            x = L.ZeroPadding2D(1)(x)
            x = L.Conv2D(base * 2 ** (level + 1), 3, strides=2, padding="valid")(x)
            x = L.BatchNormalization()(x)
            x = L.LeakyReLU(0.1)(x)
        for level in reversed(range(depth)):
            filters = base * 2 ** level
            if level % 3 == 0:
                x = L.Conv2DTranspose(filters, 3, strides=2, padding="same")(x)
            elif level % 3 == 1:
                x = L.UpSampling2D(2, interpolation="nearest")(x)
                x = L.Conv2D(filters, 1)(x)
            else:
                x = L.UpSampling2D(2, interpolation="bilinear")(x)
                x = L.Conv2D(filters, 1)(x)
            x = L.BatchNormalization()(x)
            x = L.LeakyReLU(0.2)(x)
            x = L.Concatenate()([x, skips[level]])
            # A valid 3x3 conv shrinks by 2; ZeroPadding2D(2) + Cropping2D(1) restores the size.
            x = L.ZeroPadding2D(2)(x)
            x = L.Conv2D(filters, 3, padding="valid")(x)
            x = L.Cropping2D(1)(x)
            x = L.BatchNormalization()(x)
            x = L.ReLU()(x)
        outputs = L.Conv2D(3, 1)(x)
        return tf.keras.Model(inputs, outputs, name="unet")
    return build


def _tiny_mobile():
    """MobileNetV2/V3-style blocks: Rescaling, Normalization, depthwise convs, Relu6, hard-swish,
    squeeze-and-excite, SAME average pooling, a grouped convolution and a Dense head."""
    import tensorflow as tf
    L = tf.keras.layers
    inputs = L.Input((32, 32, 3))
    x = L.Rescaling(1 / 127.5, offset=-1)(inputs)
    x = L.Normalization(mean=[0.1, -0.2, 0.3], variance=[1.5, 0.7, 2.0])(x)
    x = L.Conv2D(16, 3, strides=2, padding="same", use_bias=False)(x)
    x = L.BatchNormalization()(x)
    x = L.Activation("hard_swish")(x)
    # Inverted residual (MobileNetV2): expand, depthwise, project, add.
    y = L.Conv2D(48, 1, use_bias=False)(x)
    y = L.BatchNormalization()(y)
    y = L.ReLU(6.0)(y)
    y = L.DepthwiseConv2D(3, padding="same", use_bias=False)(y)
    y = L.BatchNormalization()(y)
    y = L.ReLU(6.0)(y)
    # Squeeze-and-excite with hard-sigmoid (MobileNetV3).
    s = L.GlobalAveragePooling2D(keepdims=True)(y)
    s = L.Conv2D(12, 1, activation="relu")(s)
    s = L.Conv2D(48, 1, activation="hard_sigmoid")(s)
    y = L.Multiply()([y, s])
    y = L.Conv2D(16, 1, use_bias=False)(y)
    y = L.BatchNormalization()(y)
    x = L.Add()([x, y])
    x = L.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2)(x)
    x = L.Conv2D(32, 3, padding="same", groups=4)(x)
    x = L.BatchNormalization()(x)
    x = L.Activation("swish")(x)
    x = L.AveragePooling2D(3, strides=2, padding="same")(x)
    x = L.GlobalAveragePooling2D()(x)
    x = L.Dropout(0.2)(x)
    outputs = L.Dense(10)(x)
    return tf.keras.Model(inputs, outputs, name="tiny_mobile")


def _tiny_resnet():
    """ResNet-style: a 7x7 stem, MaxPool, bottleneck blocks with projection shortcuts, pre-activation
    blocks, Flatten and Dense."""
    import tensorflow as tf
    L = tf.keras.layers
    inputs = L.Input((32, 32, 3))
    x = L.ZeroPadding2D(3)(inputs)
    x = L.Conv2D(16, 7, strides=2)(x)
    x = L.BatchNormalization(epsilon=1.001e-5)(x)
    x = L.Activation("relu")(x)
    x = L.ZeroPadding2D(1)(x)
    x = L.MaxPooling2D(3, strides=2)(x)
    for filters, stride in ((16, 1), (32, 2)):
        shortcut = L.Conv2D(filters * 2, 1, strides=stride)(x)
        shortcut = L.BatchNormalization(epsilon=1.001e-5)(shortcut)
        y = L.Conv2D(filters, 1, strides=stride)(x)
        y = L.BatchNormalization(epsilon=1.001e-5)(y)
        y = L.Activation("relu")(y)
        y = L.Conv2D(filters, 3, padding="same")(y)
        y = L.BatchNormalization(epsilon=1.001e-5)(y)
        y = L.Activation("relu")(y)
        y = L.Conv2D(filters * 2, 1)(y)
        y = L.BatchNormalization(epsilon=1.001e-5)(y)
        x = L.Activation("relu")(L.Add()([shortcut, y]))
    # A pre-activation (ResNetV2) block.
    p = L.BatchNormalization()(x)
    p = L.Activation("relu")(p)
    y = L.Conv2D(64, 3, padding="same", use_bias=False)(p)
    x = L.Add()([x, y])
    x = L.MaxPooling2D(2, padding="same")(x)
    x = L.Flatten()(x)
    outputs = L.Dense(10)(x)
    return tf.keras.Model(inputs, outputs, name="tiny_resnet")


def _tiny_grouped():
    """One grouped convolution (Keras 3 freezes it as a call of an XLA-compiled function)."""
    import tensorflow as tf
    L = tf.keras.layers
    inputs = L.Input((6, 6, 4))
    outputs = L.Conv2D(6, 3, padding="same", groups=2)(inputs)
    return tf.keras.Model(inputs, outputs, name="tiny_grouped")


def _tiny_aspp():
    """A DeepLab-style head: atrous (dilated) convolutions, which TF lowers to SpaceToBatchND → Conv2D →
    BatchToSpaceND, including a rate whose SAME padding does not divide evenly, a dilated depthwise
    convolution, image pooling, and a Resizing layer back to the input size."""
    import tensorflow as tf
    L = tf.keras.layers
    inputs = L.Input((30, 30, 3))
    x = L.Conv2D(8, 3, strides=2, padding="same", activation="relu")(inputs)
    branches = [L.Conv2D(6, 1)(x)]
    for rate in (2, 3):
        branches.append(L.Conv2D(6, 3, dilation_rate=rate, padding="same")(x))
    y = L.DepthwiseConv2D(3, dilation_rate=2, padding="same")(x)
    branches.append(L.Conv2D(6, 1)(y))
    pooled = L.GlobalAveragePooling2D(keepdims=True)(x)
    branches.append(L.UpSampling2D(15)(L.Conv2D(6, 1)(pooled)))
    x = L.Concatenate()(branches)
    x = L.BatchNormalization()(L.Conv2D(8, 1)(x))
    x = L.ReLU()(x)
    x = L.Conv2D(4, 3, dilation_rate=2, padding="valid")(x)
    outputs = L.Resizing(30, 30, interpolation="bilinear")(x)
    return tf.keras.Model(inputs, outputs, name="tiny_aspp")


def _regnet_x002():
    """RegNetX002 (Radosavovic et al. 2020) as tf.keras 2.13's `tf.keras.applications.RegNetX002` built it
    (Keras 3 dropped RegNet): X blocks with grouped 3x3 convolutions (group width 8), depths
    [1, 1, 4, 7], widths [24, 56, 152, 368], Rescaling preprocessing, a Dense head of 1000 logits."""
    import tensorflow as tf
    L = tf.keras.layers

    def bn(x):
        return L.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)

    def x_block(x, filters, stride):
        skip = x
        if stride != 1 or x.shape[-1] != filters:
            skip = bn(L.Conv2D(filters, 1, strides=stride, use_bias=False)(x))
        y = L.ReLU()(bn(L.Conv2D(filters, 1, use_bias=False)(x)))
        y = L.Conv2D(filters, 3, strides=stride, groups=filters // 8, padding="same", use_bias=False)(y)
        y = L.ReLU()(bn(y))
        y = bn(L.Conv2D(filters, 1, use_bias=False)(y))
        return L.ReLU()(L.Add()([y, skip]))

    inputs = L.Input((32, 32, 3))
    x = L.Rescaling(1 / 255)(inputs)
    x = L.ReLU()(bn(L.Conv2D(32, 3, strides=2, padding="same", use_bias=False)(x)))
    for depth, width in zip((1, 1, 4, 7), (24, 56, 152, 368)):
        for block in range(depth):
            x = x_block(x, width, 2 if block == 0 else 1)
    x = L.GlobalAveragePooling2D()(x)
    outputs = L.Dense(1000)(x)
    return tf.keras.Model(inputs, outputs, name="regnetx002")


# name -> (builder, input shape without batch, small?)
MODELS = collections.OrderedDict([
    ("tiny_unet", (_unet(4, 32, 3), (32, 32, 3), True)),
    ("tiny_mobile", (_tiny_mobile, (32, 32, 3), True)),
    ("tiny_resnet", (_tiny_resnet, (32, 32, 3), True)),
    ("tiny_grouped", (_tiny_grouped, (6, 6, 4), True)),
    ("tiny_aspp", (_tiny_aspp, (30, 30, 3), True)),
    ("unet", (_unet(16, 64, 4), (64, 64, 3), False)),
    ("MobileNet", (_app("MobileNet", 32), (32, 32, 3), False)),
    ("MobileNetV2", (_app("MobileNetV2", 32), (32, 32, 3), False)),
    ("MobileNetV3Small", (_app("MobileNetV3Small", 32), (32, 32, 3), False)),
    ("MobileNetV3Large", (_app("MobileNetV3Large", 32), (32, 32, 3), False)),
    ("ResNet50", (_app("ResNet50", 32), (32, 32, 3), False)),
    ("ResNet101", (_app("ResNet101", 32), (32, 32, 3), False)),
    ("ResNet152", (_app("ResNet152", 32), (32, 32, 3), False)),
    ("ResNet50V2", (_app("ResNet50V2", 32), (32, 32, 3), False)),
    ("ResNet101V2", (_app("ResNet101V2", 32), (32, 32, 3), False)),
    ("ResNet152V2", (_app("ResNet152V2", 32), (32, 32, 3), False)),
    ("EfficientNetB0", (_app("EfficientNetB0", 32), (32, 32, 3), False)),
    ("EfficientNetB1", (_app("EfficientNetB1", 32), (32, 32, 3), False)),
    ("EfficientNetB2", (_app("EfficientNetB2", 32), (32, 32, 3), False)),
    ("EfficientNetV2B0", (_app("EfficientNetV2B0", 32), (32, 32, 3), False)),
    ("DenseNet121", (_app("DenseNet121", 32), (32, 32, 3), False)),
    ("Xception", (_app("Xception", 71), (71, 71, 3), False)),
    ("InceptionV3", (_app("InceptionV3", 75), (75, 75, 3), False)),
    ("NASNetMobile", (_app("NASNetMobile", 32), (32, 32, 3), False)),
    ("ConvNeXtTiny", (_app("ConvNeXtTiny", 32), (32, 32, 3), False)),
    ("VGG16", (_app("VGG16", 32), (32, 32, 3), False)),
    ("RegNetX002", (_regnet_x002, (32, 32, 3), False)),
])


