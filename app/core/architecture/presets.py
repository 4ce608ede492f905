"""Famous architectures and ConvLens's own models, as layer stacks with Keras's layer names.

Each preset's totals equal what Keras' ``model.summary()`` reports for the same model: VGG16 and
ResNet-50 as ``keras.applications`` builds them (``weights=None``), the MNIST models as
``app.ml.recipes`` builds them, and the others as the tests build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from app.core.architecture.layers import (
    Activation,
    Add,
    BatchNormalization,
    Concatenate,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    GlobalAveragePooling2D,
    Input,
    Layer,
    MaxPooling2D,
    Stack,
    ZeroPadding2D,
)
from app.core.architecture.summary import Summary, summarize_stack
from app.core.shapes import PaddingMode
from app.errors import N_, UnknownResource


@dataclass(frozen=True)
class Preset:
    """A preset's title, description and source are English, marked with N_() for the catalogs
    (a paper's citation is not: it stays as published) and translated when sent."""

    name: str
    title: str
    description: str
    source: str
    layers: Stack  # starting with the Input layer

    @property
    def input_shape(self) -> tuple[int, ...]:
        first = self.layers[0]
        assert isinstance(first, Input)
        return first.shape

    @property
    def summary(self) -> Summary:
        return preset_summary(self.name)


def _lenet5() -> Stack:
    return (
        Conv2D(filters=6, kernel_size=5, padding="same", activation="relu", name="conv1"),
        MaxPooling2D(pool_size=2, name="pool1"),
        Conv2D(filters=16, kernel_size=5, activation="relu", name="conv2"),
        MaxPooling2D(pool_size=2, name="pool2"),
        Flatten(name="flatten"),
        Dense(units=120, activation="relu", name="fc1"),
        Dense(units=84, activation="relu", name="fc2"),
        Dense(units=10, activation="softmax", name="output"),
    )


def _mnist_cnn() -> Stack:
    return (
        Conv2D(filters=32, kernel_size=3, activation="relu", name="conv1"),
        MaxPooling2D(pool_size=2, name="pool1"),
        Conv2D(filters=64, kernel_size=3, activation="relu", name="conv2"),
        MaxPooling2D(pool_size=2, name="pool2"),
        Flatten(name="flatten"),
        Dense(units=64, activation="relu", name="fc1"),
        Dense(units=32, activation="relu", name="fc2"),
        Dense(units=10, activation="softmax", name="output"),
    )


def _mlp() -> Stack:
    return (
        Flatten(name="flatten"),
        Dense(units=84, activation="relu", name="fc1"),
        Dense(units=10, activation="softmax", name="output"),
    )


def _course(pooling: bool) -> Stack:
    pool: tuple[Layer, ...] = (MaxPooling2D(pool_size=2),) if pooling else ()
    return (
        Conv2D(filters=3, kernel_size=5, activation="relu"),
        *pool,
        Conv2D(filters=6, kernel_size=5, activation="relu"),
        *pool,
        Flatten(),
        Dense(units=10, activation="softmax"),
    )


def _alexnet() -> Stack:
    def conv(filters: int, size: int, name: str, strides: int = 1) -> Conv2D:
        padding: PaddingMode = "valid" if strides > 1 else "same"
        return Conv2D(
            filters=filters,
            kernel_size=size,
            strides=strides,
            padding=padding,
            activation="relu",
            name=name,
        )

    return (
        conv(96, 11, "conv1", strides=4),
        MaxPooling2D(pool_size=3, strides=2, name="pool1"),
        conv(256, 5, "conv2"),
        MaxPooling2D(pool_size=3, strides=2, name="pool2"),
        conv(384, 3, "conv3"),
        conv(384, 3, "conv4"),
        conv(256, 3, "conv5"),
        MaxPooling2D(pool_size=3, strides=2, name="pool5"),
        Flatten(name="flatten"),
        Dense(units=4096, activation="relu", name="fc6"),
        Dropout(rate=0.5, name="drop6"),
        Dense(units=4096, activation="relu", name="fc7"),
        Dropout(rate=0.5, name="drop7"),
        Dense(units=1000, activation="softmax", name="fc8"),
    )


def _vgg16() -> Stack:
    layers: list[Layer] = []
    for block, (filters, convs) in enumerate(((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)), 1):
        layers += [
            Conv2D(
                filters=filters,
                kernel_size=3,
                padding="same",
                activation="relu",
                name=f"block{block}_conv{i}",
            )
            for i in range(1, convs + 1)
        ]
        layers.append(MaxPooling2D(pool_size=2, strides=2, name=f"block{block}_pool"))
    return (
        *layers,
        Flatten(name="flatten"),
        Dense(units=4096, activation="relu", name="fc1"),
        Dense(units=4096, activation="relu", name="fc2"),
        Dense(units=1000, activation="softmax", name="predictions"),
    )


def _bottleneck(filters: int, strides: int, projection: bool, name: str) -> Stack:
    """One ResNet-50 block: 1x1, 3x3, 1x1 (x4 filters) convolutions plus a shortcut."""
    main = (
        Conv2D(filters=filters, kernel_size=1, strides=strides, name=f"{name}_1_conv"),
        BatchNormalization(name=f"{name}_1_bn"),
        Activation(activation="relu", name=f"{name}_1_relu"),
        Conv2D(filters=filters, kernel_size=3, padding="same", name=f"{name}_2_conv"),
        BatchNormalization(name=f"{name}_2_bn"),
        Activation(activation="relu", name=f"{name}_2_relu"),
        Conv2D(filters=4 * filters, kernel_size=1, name=f"{name}_3_conv"),
        BatchNormalization(name=f"{name}_3_bn"),
    )
    shortcut: Stack = (
        (
            Conv2D(filters=4 * filters, kernel_size=1, strides=strides, name=f"{name}_0_conv"),
            BatchNormalization(name=f"{name}_0_bn"),
        )
        if projection
        else ()
    )
    return (
        Add(branches=(main, shortcut), name=f"{name}_add"),
        Activation(activation="relu", name=f"{name}_out"),
    )


def _resnet50() -> Stack:
    layers: list[Layer] = [
        ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad"),
        Conv2D(filters=64, kernel_size=7, strides=2, name="conv1_conv"),
        BatchNormalization(name="conv1_bn"),
        Activation(activation="relu", name="conv1_relu"),
        ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad"),
        MaxPooling2D(pool_size=3, strides=2, name="pool1_pool"),
    ]
    for stage, filters, blocks, strides in (
        (2, 64, 3, 1),
        (3, 128, 4, 2),
        (4, 256, 6, 2),
        (5, 512, 3, 2),
    ):
        for block in range(1, blocks + 1):
            first = block == 1
            layers += _bottleneck(
                filters, strides if first else 1, first, f"conv{stage}_block{block}"
            )
    return (
        *layers,
        GlobalAveragePooling2D(name="avg_pool"),
        Dense(units=1000, activation="softmax", name="predictions"),
    )


def _inception(
    name: str, c1: int, c3_reduce: int, c3: int, c5_reduce: int, c5: int, pool_proj: int
) -> Concatenate:
    """An Inception v1 module: 1x1, 1x1 then 3x3, 1x1 then 5x5, and 3x3 max-pool then 1x1."""

    def conv(filters: int, size: int, suffix: str) -> Conv2D:
        return Conv2D(
            filters=filters,
            kernel_size=size,
            padding="same",
            activation="relu",
            name=f"{name}_{suffix}",
        )

    return Concatenate(
        branches=(
            (conv(c1, 1, "1x1"),),
            (conv(c3_reduce, 1, "3x3_reduce"), conv(c3, 3, "3x3")),
            (conv(c5_reduce, 1, "5x5_reduce"), conv(c5, 5, "5x5")),
            (
                MaxPooling2D(pool_size=3, strides=1, padding="same", name=f"{name}_pool"),
                conv(pool_proj, 1, "pool_proj"),
            ),
        ),
        name=f"{name}_output",
    )


def _googlenet() -> Stack:
    def pool(name: str) -> MaxPooling2D:
        return MaxPooling2D(pool_size=3, strides=2, padding="same", name=name)

    return (
        Conv2D(
            filters=64,
            kernel_size=7,
            strides=2,
            padding="same",
            activation="relu",
            name="conv1_7x7_s2",
        ),
        pool("pool1_3x3_s2"),
        Conv2D(filters=64, kernel_size=1, activation="relu", name="conv2_3x3_reduce"),
        Conv2D(filters=192, kernel_size=3, padding="same", activation="relu", name="conv2_3x3"),
        pool("pool2_3x3_s2"),
        _inception("inception_3a", 64, 96, 128, 16, 32, 32),
        _inception("inception_3b", 128, 128, 192, 32, 96, 64),
        pool("pool3_3x3_s2"),
        _inception("inception_4a", 192, 96, 208, 16, 48, 64),
        _inception("inception_4b", 160, 112, 224, 24, 64, 64),
        _inception("inception_4c", 128, 128, 256, 24, 64, 64),
        _inception("inception_4d", 112, 144, 288, 32, 64, 64),
        _inception("inception_4e", 256, 160, 320, 32, 128, 128),
        pool("pool4_3x3_s2"),
        _inception("inception_5a", 256, 160, 320, 32, 128, 128),
        _inception("inception_5b", 384, 192, 384, 48, 128, 128),
        GlobalAveragePooling2D(name="pool5_7x7_s1"),
        Dropout(rate=0.4, name="pool5_drop"),
        Dense(units=1000, activation="softmax", name="loss3_classifier"),
    )


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            "lenet5",
            "LeNet-5",
            N_(
                "LeCun's digit reader as ConvLens ships it and most courses teach it: 6 and 16 5x5 "
                "filters with 2x2 pooling (max here; the paper averaged), then dense 120, 84, 10. "
                'The first convolution pads ("same") so that 28x28 digits meet the 32x32 '
                "arithmetic of the paper."
            ),
            "LeCun, Bottou, Bengio, Haffner (1998), Gradient-Based Learning Applied to Document "
            "Recognition.",
            (Input(shape=(28, 28, 1), name="input"), *_lenet5()),
        ),
        Preset(
            "mnist-cnn",
            "MNIST CNN",
            N_(
                "The classic course model ConvLens ships: 32 and 64 3x3 filters with 2x2 max "
                "pooling, then dense 64, 32, 10."
            ),
            N_(
                "ConvLens's shipped model (app/ml/recipes.py), after the Keras MNIST convnet "
                "example."
            ),
            (Input(shape=(28, 28, 1), name="input"), *_mnist_cnn()),
        ),
        Preset(
            "mlp",
            N_("Dense baseline (MLP)"),
            N_(
                "No convolution: the 784 pixels feed 84 dense units, then 10. Compare how many "
                "parameters the first layer needs without weight sharing."
            ),
            N_("ConvLens's shipped model (app/ml/recipes.py), the multilayer perceptron baseline."),
            (Input(shape=(28, 28, 1), name="input"), *_mlp()),
        ),
        Preset(
            "course-conv",
            N_("Course model: two convolutions"),
            N_(
                "Conv2D(3, 5x5) then Conv2D(6, 5x5) on a 28x28 digit, no pooling, then a 10-way "
                "Dense: the flattened 20x20x6 map makes the Dense layer the biggest by far."
            ),
            N_(
                "The course exercise models (Conv2D(3, 5x5), Conv2D(6, 5x5)), on MNIST-sized input."
            ),
            (Input(shape=(28, 28, 1), name="input_layer"), *_course(pooling=False)),
        ),
        Preset(
            "course-conv-pool",
            N_("Course model: convolutions with pooling"),
            N_(
                "The same two convolutions, each followed by 2x2 max pooling: the map shrinks to "
                "4x4x6 and the Dense layer needs 25 times fewer weights."
            ),
            N_(
                "The course exercise models (Conv2D(3, 5x5), Conv2D(6, 5x5)), on MNIST-sized input."
            ),
            (Input(shape=(28, 28, 1), name="input_layer"), *_course(pooling=True)),
        ),
        Preset(
            "alexnet",
            "AlexNet",
            N_(
                "The 2012 ImageNet winner as usually taught, on one GPU: 96 11x11 filters with "
                "stride 4, overlapping 3x3 max pooling, three 3x3 convolutions, then dense 4096, "
                "4096, 1000 with dropout."
            ),
            "Krizhevsky, Sutskever, Hinton (2012), ImageNet Classification with Deep "
            "Convolutional Neural Networks.",
            (Input(shape=(227, 227, 3), name="input_layer"), *_alexnet()),
        ),
        Preset(
            "vgg16",
            "VGG16",
            N_(
                "Thirteen 3x3 convolutions in five blocks, each ending in 2x2 max pooling, then "
                "dense 4096, 4096, 1000: depth from small kernels only."
            ),
            "Simonyan, Zisserman (2014), Very Deep Convolutional Networks for Large-Scale Image "
            "Recognition.",
            (Input(shape=(224, 224, 3), name="input_layer"), *_vgg16()),
        ),
        Preset(
            "resnet50",
            "ResNet-50",
            N_(
                "Sixteen bottleneck blocks (1x1, 3x3, 1x1) whose input is added back to their "
                "output; the first block of each stage projects the shortcut with a 1x1 "
                "convolution. Layers and names as keras.applications.ResNet50 builds them."
            ),
            "He, Zhang, Ren, Sun (2015), Deep Residual Learning for Image Recognition.",
            (Input(shape=(224, 224, 3), name="input_layer"), *_resnet50()),
        ),
        Preset(
            "googlenet",
            "GoogLeNet (Inception v1)",
            N_(
                "Nine inception modules that run 1x1, 3x3, 5x5 convolutions and max pooling "
                "side by side and concatenate them, with 1x1 reductions to keep the cost down; no "
                "auxiliary classifiers and no local response normalisation."
            ),
            "Szegedy et al. (2014), Going Deeper with Convolutions.",
            (Input(shape=(224, 224, 3), name="input_layer"), *_googlenet()),
        ),
    )
}


def get_preset(name: str) -> Preset:
    preset = PRESETS.get(name)
    if preset is None:
        raise UnknownResource(
            "There is no architecture preset named {name}. Use one of: {presets} (GET "
            "/api/architectures lists them).",
            name=repr(name[:64]),
            presets=", ".join(PRESETS),
        )
    return preset


@cache
def preset_summary(name: str) -> Summary:
    preset = get_preset(name)
    return summarize_stack(None, preset.layers)
