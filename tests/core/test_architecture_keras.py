"""The architecture engine against Keras: every preset, and a few hundred random stacks.

References are built in Keras independently of the engine: ``keras.applications`` for VGG16 and
ResNet-50 (``weights=None``), ``app.ml.recipes`` for the shipped MNIST models, and the
functional API by hand for AlexNet, GoogLeNet and the course models. Random stacks are translated
layer by layer (the same Keras arguments) and must agree on every output shape and
``count_params()``, and on which stacks are impossible (Keras raises ValueError).
"""

from __future__ import annotations

import inspect
import os

import numpy as np
import pytest

from app.core.architecture.layers import (
    ACTIVATIONS,
    Activation,
    Add,
    AveragePooling2D,
    BatchNormalization,
    Concatenate,
    Conv2D,
    Dense,
    DepthwiseConv2D,
    Dropout,
    Flatten,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    Layer,
    LayerSpec,
    LeakyReLU,
    MaxPooling2D,
    ReLU,
    Rescaling,
    SeparableConv2D,
    Softmax,
    ZeroPadding2D,
)
from app.core.architecture.presets import preset_summary
from app.core.architecture.summary import Summary, summarize_stack
from app.errors import InvalidParameter

pytestmark = pytest.mark.keras

RANDOM_STACKS = 300


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras  # TensorFlow is a runtime dependency: its absence must fail, not skip.

    return keras


def weights_count(weights) -> int:
    return sum(int(np.prod(w.shape)) for w in weights)


def assert_same_as_keras(summary: Summary, model, by_name: bool = True) -> None:
    """Every Keras layer's output shape and count_params() equal the engine's row for it."""
    keras_layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    rows = [row for row in summary.rows if row.type != "Input"]
    assert len(rows) == len(keras_layers)
    if by_name:
        by = {row.name: row for row in rows}
        pairs = [(by[layer.name], layer) for layer in keras_layers]
    else:
        pairs = list(zip(rows, keras_layers, strict=True))
    for row, layer in pairs:
        assert row.type == type(layer).__name__, row.name
        assert row.output_shape == tuple(layer.output.shape[1:]), row.name
        assert row.params == layer.count_params(), row.name
        assert row.trainable_params == weights_count(layer.trainable_weights), row.name
    assert summary.input_shape == tuple(model.inputs[0].shape[1:])
    assert summary.total_params == model.count_params()
    assert summary.trainable_params == weights_count(model.trainable_weights)
    assert summary.non_trainable_params == weights_count(model.non_trainable_weights)


# --- presets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "builder"), [("lenet5", "lenet5"), ("mnist-cnn", "mnist_cnn"), ("mlp", "mlp")]
)
def test_shipped_mnist_models_match_the_app_s_keras_builders(keras, preset, builder):
    from app.ml import recipes

    model = getattr(recipes, builder)()
    summary = preset_summary(preset)
    assert_same_as_keras(summary, model)
    assert summary.rows[0].name == model.layers[0].name == "input"


def test_vgg16_matches_keras_applications(keras):
    assert_same_as_keras(preset_summary("vgg16"), keras.applications.VGG16(weights=None))


def test_resnet50_matches_keras_applications(keras):
    model = keras.applications.ResNet50(weights=None)
    summary = preset_summary("resnet50")
    assert_same_as_keras(summary, model)
    assert summary.non_trainable_params == 53_120


def test_alexnet_matches_a_keras_alexnet(keras):
    from keras import Input, Model, layers

    inputs = Input((227, 227, 3))
    x = layers.Conv2D(96, 11, strides=4, activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    x = layers.Conv2D(256, 5, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool2")(x)
    x = layers.Conv2D(384, 3, padding="same", activation="relu", name="conv3")(x)
    x = layers.Conv2D(384, 3, padding="same", activation="relu", name="conv4")(x)
    x = layers.Conv2D(256, 3, padding="same", activation="relu", name="conv5")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool5")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(4096, activation="relu", name="fc6")(x)
    x = layers.Dropout(0.5, name="drop6")(x)
    x = layers.Dense(4096, activation="relu", name="fc7")(x)
    x = layers.Dropout(0.5, name="drop7")(x)
    outputs = layers.Dense(1000, activation="softmax", name="fc8")(x)
    model = Model(inputs, outputs)
    assert_same_as_keras(preset_summary("alexnet"), model)
    assert model.count_params() == 62_378_344


def test_googlenet_matches_a_keras_inception_v1(keras):
    from keras import Input, Model, layers

    def conv(x, filters, size, name, strides=1):
        return layers.Conv2D(
            filters, size, strides=strides, padding="same", activation="relu", name=name
        )(x)

    def inception(x, name, c1, c3r, c3, c5r, c5, proj):
        branch1 = conv(x, c1, 1, f"{name}_1x1")
        branch3 = conv(conv(x, c3r, 1, f"{name}_3x3_reduce"), c3, 3, f"{name}_3x3")
        branch5 = conv(conv(x, c5r, 1, f"{name}_5x5_reduce"), c5, 5, f"{name}_5x5")
        pooled = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
        branch_pool = conv(pooled, proj, 1, f"{name}_pool_proj")
        return layers.Concatenate(name=f"{name}_output")([branch1, branch3, branch5, branch_pool])

    def pool(x, name):
        return layers.MaxPooling2D(3, strides=2, padding="same", name=name)(x)

    inputs = Input((224, 224, 3))
    x = conv(inputs, 64, 7, "conv1_7x7_s2", strides=2)
    x = pool(x, "pool1_3x3_s2")
    x = layers.Conv2D(64, 1, activation="relu", name="conv2_3x3_reduce")(x)
    x = conv(x, 192, 3, "conv2_3x3")
    x = pool(x, "pool2_3x3_s2")
    x = inception(x, "inception_3a", 64, 96, 128, 16, 32, 32)
    x = inception(x, "inception_3b", 128, 128, 192, 32, 96, 64)
    x = pool(x, "pool3_3x3_s2")
    x = inception(x, "inception_4a", 192, 96, 208, 16, 48, 64)
    x = inception(x, "inception_4b", 160, 112, 224, 24, 64, 64)
    x = inception(x, "inception_4c", 128, 128, 256, 24, 64, 64)
    x = inception(x, "inception_4d", 112, 144, 288, 32, 64, 64)
    x = inception(x, "inception_4e", 256, 160, 320, 32, 128, 128)
    x = pool(x, "pool4_3x3_s2")
    x = inception(x, "inception_5a", 256, 160, 320, 32, 128, 128)
    x = inception(x, "inception_5b", 384, 192, 384, 48, 128, 128)
    x = layers.GlobalAveragePooling2D(name="pool5_7x7_s1")(x)
    x = layers.Dropout(0.4, name="pool5_drop")(x)
    outputs = layers.Dense(1000, activation="softmax", name="loss3_classifier")(x)
    assert_same_as_keras(preset_summary("googlenet"), Model(inputs, outputs))


@pytest.mark.parametrize("pooling", [False, True])
def test_course_models_match_keras(keras, pooling):
    from keras import Input, Sequential, layers

    def pool():
        return [layers.MaxPooling2D(2)] if pooling else []

    model = Sequential(
        [
            Input((28, 28, 1)),
            layers.Conv2D(3, (5, 5), activation="relu"),
            *pool(),
            layers.Conv2D(6, (5, 5), activation="relu"),
            *pool(),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ]
    )
    name = "course-conv-pool" if pooling else "course-conv"
    assert_same_as_keras(preset_summary(name), model, by_name=False)


def test_every_activation_name_is_one_keras_knows(keras):
    for name in ACTIVATIONS:
        assert callable(keras.activations.get(name)), name


# --- random stacks ---------------------------------------------------------------------------


class RandomStack:
    """A random stack of small layers, mostly valid; every layer named so Keras rows line up."""

    def __init__(self, seed: int) -> None:
        # One stack in six is drawn blindly, so that many impossible stacks are tried too.
        self.steered = seed % 6 != 0
        self.rng = np.random.default_rng(seed)
        self.count = 0
        self.channels = 1

    def name(self) -> str:
        self.count += 1
        return f"l{self.count}"

    def pick(self, *options):
        return options[int(self.rng.integers(len(options)))]

    def size(self, low: int, high: int) -> int | tuple[int, int]:
        if self.rng.random() < 0.2:
            return (int(self.rng.integers(low, high + 1)), int(self.rng.integers(low, high + 1)))
        return int(self.rng.integers(low, high + 1))

    def build(self) -> tuple[tuple[int, int, int], list[Layer]]:
        """Layers are drawn one by one; in a steered stack, a draw that makes it impossible is
        redrawn (the engine only steers which stacks are tried: Keras judges each of them)."""
        shape = (
            int(self.rng.integers(4, 25)),
            int(self.rng.integers(4, 25)),
            int(self.rng.integers(1, 5)),
        )
        layers: list[Layer] = []
        for _ in range(int(self.rng.integers(1, 7))):
            for _attempt in range(8):
                self.channels = self.current_channels(shape, layers)
                candidate = self.layer(nesting=0)
                if not self.steered or engine_verdict(shape, [*layers, candidate]):
                    break
            layers.append(candidate)
        if self.rng.random() < 0.6:
            layers += [
                Flatten(name=self.name()),
                Dense(units=int(self.rng.integers(1, 20)), name=self.name()),
            ]
        return shape, layers

    @staticmethod
    def current_channels(shape, layers) -> int:
        summary = engine_verdict(shape, layers)
        return summary.output_shape[-1] if summary else 1

    def layers(self, count: int, nesting: int) -> list[Layer]:
        return [self.layer(nesting) for _ in range(count)]

    def layer(self, nesting: int) -> Layer:
        kind = self.pick(
            "conv", "conv", "conv", "depthwise", "max", "average", "pad", "bn", "act", "drop",
            "gap", "gmp", "dense", "add", "concat",
        )  # fmt: skip
        padding = self.pick("valid", "valid", "same")
        if kind in ("add", "concat") and nesting < 2:
            return self.merge(kind, nesting)
        if kind == "depthwise":
            return DepthwiseConv2D(
                kernel_size=self.size(1, 5),
                strides=self.size(1, 3),
                padding=padding,
                depth_multiplier=int(self.rng.integers(1, 4)),
                use_bias=bool(self.rng.random() < 0.7),
                name=self.name(),
            )
        if kind in ("max", "average"):
            cls = MaxPooling2D if kind == "max" else AveragePooling2D
            strides = None if self.rng.random() < 0.5 else self.size(1, 3)
            return cls(
                pool_size=self.size(1, 4), strides=strides, padding=padding, name=self.name()
            )
        if kind == "pad":
            padding_spec = self.pick(
                int(self.rng.integers(0, 3)),
                (int(self.rng.integers(0, 3)), int(self.rng.integers(0, 3))),
                ((1, 0), (2, int(self.rng.integers(0, 3)))),
            )
            return ZeroPadding2D(padding=padding_spec, name=self.name())
        if kind == "bn":
            return BatchNormalization(
                center=bool(self.rng.random() < 0.8),
                scale=bool(self.rng.random() < 0.8),
                name=self.name(),
            )
        if kind == "act":
            return Activation(activation=self.pick("relu", "tanh", "softmax"), name=self.name())
        if kind == "drop":
            return Dropout(rate=float(self.rng.uniform(0, 0.9)), name=self.name())
        if kind in ("gap", "gmp"):
            cls2 = GlobalAveragePooling2D if kind == "gap" else GlobalMaxPooling2D
            return cls2(keepdims=bool(self.rng.random() < 0.5), name=self.name())
        if kind == "dense":
            return Dense(units=int(self.rng.integers(1, 8)), name=self.name())
        return Conv2D(
            filters=int(self.rng.integers(1, 9)),
            kernel_size=self.size(1, 5),
            strides=self.size(1, 3),
            padding=padding,
            use_bias=bool(self.rng.random() < 0.8),
            activation=self.pick(None, "relu"),
            name=self.name(),
        )

    def merge(self, kind: str, nesting: int) -> Layer:
        if kind == "add":
            # A residual block: "same" convolutions keep the size; the shortcut is the identity
            # (then the block must keep the channels) or a 1x1 projection.
            identity = self.rng.random() < 0.5
            filters = self.channels if identity else int(self.rng.integers(1, 9))
            main: list[Layer] = [
                Conv2D(
                    filters=filters, kernel_size=self.size(1, 3), padding="same", name=self.name()
                ),
                *self.layers(int(self.rng.integers(0, 2)), nesting + 1),
            ]
            shortcut: list[Layer] = (
                [] if identity else [Conv2D(filters=filters, kernel_size=1, name=self.name())]
            )
            return Add(branches=(tuple(main), tuple(shortcut)), name=self.name())
        branches = tuple(
            tuple(self.layers(int(self.rng.integers(0, 3)), nesting + 1))
            for _ in range(int(self.rng.integers(2, 4)))
        )
        return Concatenate(branches=branches, name=self.name())


def to_keras(keras, x, layers):
    """Apply the same layers, with the same Keras arguments, to the Keras tensor x."""
    from keras import layers as kl

    for layer in layers:
        match layer:
            case Add() | Concatenate():
                outputs = [to_keras(keras, x, branch) for branch in layer.branches]
                merge = kl.Add if isinstance(layer, Add) else kl.Concatenate
                x = merge(name=layer.name)(outputs)
            case Conv2D():
                x = kl.Conv2D(
                    layer.filters, layer.kernel_size, strides=layer.strides,
                    padding=layer.padding, use_bias=layer.use_bias,
                    activation=layer.activation, name=layer.name,
                )(x)  # fmt: skip
            case DepthwiseConv2D():
                x = kl.DepthwiseConv2D(
                    layer.kernel_size, strides=layer.strides, padding=layer.padding,
                    depth_multiplier=layer.depth_multiplier, use_bias=layer.use_bias,
                    name=layer.name,
                )(x)  # fmt: skip
            case MaxPooling2D() | AveragePooling2D():
                cls = kl.MaxPooling2D if isinstance(layer, MaxPooling2D) else kl.AveragePooling2D
                x = cls(
                    layer.pool_size, strides=layer.strides, padding=layer.padding, name=layer.name
                )(x)
            case GlobalAveragePooling2D() | GlobalMaxPooling2D():
                cls = getattr(kl, type(layer).__name__)
                x = cls(keepdims=layer.keepdims, name=layer.name)(x)
            case ZeroPadding2D():
                x = kl.ZeroPadding2D(layer.padding, name=layer.name)(x)
            case Flatten():
                x = kl.Flatten(name=layer.name)(x)
            case Dense():
                x = kl.Dense(layer.units, use_bias=layer.use_bias, name=layer.name)(x)
            case Dropout():
                x = kl.Dropout(layer.rate, name=layer.name)(x)
            case BatchNormalization():
                x = kl.BatchNormalization(center=layer.center, scale=layer.scale, name=layer.name)(
                    x
                )
            case Activation():
                x = kl.Activation(layer.activation, name=layer.name)(x)
            case SeparableConv2D() | ReLU() | LeakyReLU() | Softmax() | Rescaling():
                # Written as app.ml.build writes every layer: the spec's settings as keywords.
                settings = layer.model_dump(exclude={"type", "name"})
                x = getattr(kl, type(layer).__name__)(**settings, name=layer.name)(x)
            case _:
                raise AssertionError(f"no Keras translation for {layer}")
    return x


def keras_model(keras, shape, layers):
    inputs = keras.Input(shape)
    return keras.Model(inputs, to_keras(keras, inputs, layers))


def engine_verdict(shape, layers) -> Summary | None:
    try:
        return summarize_stack(shape, layers)
    except InvalidParameter:
        return None


def test_random_stacks_are_mostly_valid_and_use_every_layer_type():
    stacks = [RandomStack(seed).build() for seed in range(RANDOM_STACKS)]
    valid = [s for s in stacks if engine_verdict(*s) is not None]
    assert len(valid) >= 200
    assert len(stacks) - len(valid) >= 20  # and enough impossible ones to check those too
    used = {type(layer).__name__ for _, layers in valid for layer in layers}
    nested = {
        type(inner).__name__
        for _, layers in valid
        for layer in layers
        if isinstance(layer, Add | Concatenate)
        for branch in layer.branches
        for inner in branch
    }
    assert used | nested >= {
        "Conv2D", "DepthwiseConv2D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D",
        "GlobalMaxPooling2D", "ZeroPadding2D", "Flatten", "Dense", "Dropout",
        "BatchNormalization", "Activation", "Add", "Concatenate",
    }  # fmt: skip


@pytest.mark.parametrize("seed", range(RANDOM_STACKS))
def test_random_stack_matches_keras(keras, seed):
    shape, layers = RandomStack(seed).build()
    summary = engine_verdict(shape, layers)
    if summary is None:
        with pytest.raises(ValueError):
            keras_model(keras, shape, layers)
        return
    assert_same_as_keras(summary, keras_model(keras, shape, layers))


# --- SeparableConv2D, ReLU, LeakyReLU, Softmax, Rescaling, BatchNormalization's settings -------

NEW_LAYER_TYPES = (SeparableConv2D, ReLU, LeakyReLU, Softmax, Rescaling, BatchNormalization)


@pytest.mark.parametrize("cls", NEW_LAYER_TYPES, ids=lambda cls: cls.__name__)
def test_settings_are_keras_keyword_arguments_with_keras_defaults(keras, cls: type[LayerSpec]):
    keras_parameters = inspect.signature(getattr(keras.layers, cls.__name__)).parameters
    for key, info in cls.model_fields.items():
        if key in ("type", "name"):
            continue
        assert key in keras_parameters, f"{cls.__name__}.{key}"
        keras_default = keras_parameters[key].default
        if info.is_required():
            assert keras_default is inspect.Parameter.empty, f"{cls.__name__}.{key}"
            continue
        default = info.get_default()
        if isinstance(keras_default, tuple) and isinstance(default, int):
            default = (default,) * len(keras_default)  # strides=1 means (1, 1)
        assert default == keras_default, f"{cls.__name__}.{key}"
    # An unnamed one is called what the engine calls it: keras_name, keras_name_1, ...
    example = {
        key: info.examples[0] for key, info in cls.model_fields.items() if info.is_required()
    }
    settings = cls.model_validate(example).model_dump(exclude={"type", "name"})
    built = getattr(keras.layers, cls.__name__)(**settings)
    assert built.name == cls.keras_name or built.name.startswith(f"{cls.keras_name}_")


NEW_LAYER_STACKS = [
    ((9, 9, 3), [SeparableConv2D(filters=4, kernel_size=3)]),
    (
        (9, 7, 3),
        [
            SeparableConv2D(
                filters=5,
                kernel_size=(3, 2),
                strides=2,
                padding="same",
                depth_multiplier=3,
                use_bias=False,
                activation="relu",
            )
        ],
    ),
    ((8, 8, 2), [SeparableConv2D(filters=1, kernel_size=1, strides=(1, 3), depth_multiplier=2)]),
    ((5, 6, 4), [SeparableConv2D(filters=7, kernel_size=(5, 1), strides=(2, 1))]),
    ((4, 4, 1), [SeparableConv2D(filters=2, kernel_size=5)]),  # impossible: kernel > input
    ((4, 4, 1), [Flatten(), SeparableConv2D(filters=2, kernel_size=1)]),  # impossible: a vector
    ((6, 6, 3), [ReLU()]),
    ((6, 6, 3), [ReLU(max_value=6.0)]),
    ((6, 6, 3), [ReLU(max_value=0.0, negative_slope=0.2, threshold=0.5)]),
    ((10,), [ReLU(negative_slope=1e6, threshold=1e6)]),
    ((6, 6, 3), [LeakyReLU()]),
    ((6, 6, 3), [LeakyReLU(negative_slope=0.01)]),
    ((10,), [LeakyReLU(negative_slope=0.0)]),
    ((6, 6, 3), [Softmax()]),
    ((10,), [Softmax(axis=-1)]),
    ((6, 6, 3), [Rescaling(scale=1 / 255)]),
    ((6, 6, 3), [Rescaling(scale=1 / 127.5, offset=-1.0)]),
    ((10,), [Rescaling(scale=-1e6, offset=1e6)]),
    ((6, 6, 3), [BatchNormalization(momentum=0.9, epsilon=1e-5)]),
    ((6, 6, 3), [BatchNormalization(momentum=0.0, epsilon=1.0, center=False)]),
    ((10,), [BatchNormalization(axis=-1, momentum=1.0, epsilon=1e-12, scale=False)]),
    (
        # An Xception-style block: a separable main path beside a strided 1x1 shortcut.
        (16, 16, 3),
        [
            Rescaling(scale=1 / 127.5, offset=-1.0),
            Conv2D(filters=8, kernel_size=3, strides=2, use_bias=False),
            BatchNormalization(),
            ReLU(),
            Add(
                branches=(
                    (
                        SeparableConv2D(filters=16, kernel_size=3, padding="same"),
                        BatchNormalization(epsilon=1e-5),
                        LeakyReLU(negative_slope=0.1),
                        SeparableConv2D(filters=16, kernel_size=3, padding="same"),
                        MaxPooling2D(pool_size=3, strides=2, padding="same"),
                    ),
                    (Conv2D(filters=16, kernel_size=1, strides=2, padding="same"),),
                )
            ),
            GlobalAveragePooling2D(),
            Dense(units=4),
            Softmax(),
        ],
    ),
    (
        # A MobileNet-style block: depthwise, ReLU6, then a 1x1 projection, kept as a residual.
        (12, 12, 8),
        [
            Add(
                branches=(
                    (
                        Conv2D(filters=16, kernel_size=1, use_bias=False),
                        BatchNormalization(momentum=0.999),
                        ReLU(max_value=6.0),
                        DepthwiseConv2D(kernel_size=3, padding="same", use_bias=False),
                        BatchNormalization(momentum=0.999),
                        ReLU(max_value=6.0),
                        Conv2D(filters=8, kernel_size=1, use_bias=False),
                        BatchNormalization(momentum=0.999),
                    ),
                    (),
                )
            ),
        ],
    ),
]


def _named(layers, count):
    """The layers (branches included) with names l1, l2, ..., so that Keras rows line up."""
    named = []
    for layer in layers:
        count += 1
        name = f"l{count}"
        if isinstance(layer, Add | Concatenate):
            branches = []
            for branch in layer.branches:
                inner, count = _named(branch, count)
                branches.append(tuple(inner))
            named.append(layer.model_copy(update={"branches": tuple(branches), "name": name}))
        else:
            named.append(layer.model_copy(update={"name": name}))
    return named, count


@pytest.mark.parametrize(("shape", "layers"), NEW_LAYER_STACKS)
def test_new_layer_types_match_keras(keras, shape, layers):
    layers = _named(layers, 0)[0]
    summary = engine_verdict(shape, layers)
    if summary is None:
        with pytest.raises(ValueError):
            keras_model(keras, shape, layers)
        return
    model = keras_model(keras, shape, layers)
    assert_same_as_keras(summary, model)
    # Keras counts no weights in them, and neither do the multiply-accumulates here.
    for row in summary.rows:
        if row.type in ("ReLU", "LeakyReLU", "Softmax", "Rescaling"):
            assert (row.params, row.macs) == (0, 0), row.name


def test_new_layer_types_compute_what_their_formulas_say(keras):
    """The written-out function of each element-wise layer, against Keras on a few values."""
    values = np.array([[-2.0, -0.5, 0.0, 0.25, 0.5, 1.0, 3.0, 8.0]], dtype=np.float32)
    cases = [
        (ReLU(), np.maximum(values, 0)),
        (ReLU(max_value=6.0), np.minimum(np.maximum(values, 0), 6)),
        (
            ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5),
            np.where(values > 0.5, np.minimum(values, 6), 0.1 * (values - 0.5)),
        ),
        (LeakyReLU(), np.where(values >= 0, values, 0.3 * values)),
        (Softmax(), np.exp(values) / np.exp(values).sum(axis=-1, keepdims=True)),
        (Rescaling(scale=1 / 127.5, offset=-1.0), values / 127.5 - 1),
    ]
    for layer, expected in cases:
        settings = layer.model_dump(exclude={"type", "name"})
        built = getattr(keras.layers, type(layer).__name__)(**settings)
        actual = keras.ops.convert_to_numpy(built(values))
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6, err_msg=repr(layer))
