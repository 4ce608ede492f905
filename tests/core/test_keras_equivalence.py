"""The engine against the Keras layers learners will use next, on random shapes."""

import os

import numpy as np
import pytest

from app.core.convolution import check_input, check_kernel, conv2d
from app.core.pooling import pool2d

pytestmark = pytest.mark.keras


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras  # TensorFlow is a runtime dependency: its absence must fail, not skip.

    return keras


def random_cases(seed, count):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        kh, kw = (int(v) for v in rng.integers(1, 6, 2))
        height = int(rng.integers(kh, 14))
        width = int(rng.integers(kw, 14))
        channels = int(rng.integers(1, 4))
        strides = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        padding = str(rng.choice(["valid", "same"]))
        yield height, width, channels, kh, kw, strides, padding


CONV_CASES = list(random_cases(11, 24))


@pytest.mark.parametrize(
    ("height", "width", "channels", "kh", "kw", "strides", "padding"), CONV_CASES
)
def test_filters_equal_keras_conv2d(keras, height, width, channels, kh, kw, strides, padding):
    rng = np.random.default_rng(height * 100 + width)
    x = rng.uniform(-1, 1, (height, width, channels)).astype(np.float32)
    filters = 3
    kernel = rng.uniform(-1, 1, (kh, kw, channels, filters)).astype(np.float32)
    bias = rng.uniform(-1, 1, filters).astype(np.float32)
    layer = keras.layers.Conv2D(filters, (kh, kw), strides=strides, padding=padding)
    layer.build((None, height, width, channels))
    layer.set_weights([kernel, bias])
    expected = np.asarray(layer(x[None]))[0]

    output, _ = conv2d(check_input(x), check_kernel(kernel, channels), strides, padding, bias)
    assert output.shape == expected.shape
    np.testing.assert_allclose(output, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    ("height", "width", "channels", "kh", "kw", "strides", "padding"), CONV_CASES
)
def test_summed_kernel_equals_keras_conv2d_with_one_filter(
    keras, height, width, channels, kh, kw, strides, padding
):
    rng = np.random.default_rng(height * 7 + width)
    x = rng.uniform(0, 255, (height, width, channels)).astype(np.float32)
    kernel = rng.uniform(-1, 1, (kh, kw, channels)).astype(np.float32)
    layer = keras.layers.Conv2D(1, (kh, kw), strides=strides, padding=padding, use_bias=False)
    layer.build((None, height, width, channels))
    layer.set_weights([kernel[..., None]])
    expected = np.asarray(layer(x[None]))[0, ..., 0]

    output, _ = conv2d(check_input(x), check_kernel(kernel, channels), strides, padding)
    np.testing.assert_allclose(output, expected, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize(
    ("height", "width", "channels", "kh", "kw", "strides", "padding"), CONV_CASES
)
def test_2d_kernel_equals_keras_depthwise_conv2d(
    keras, height, width, channels, kh, kw, strides, padding
):
    rng = np.random.default_rng(height * 13 + width)
    x = rng.uniform(-1, 1, (height, width, channels)).astype(np.float32)
    kernel = rng.uniform(-1, 1, (kh, kw)).astype(np.float32)
    if strides[0] == strides[1]:
        layer = keras.layers.DepthwiseConv2D(
            (kh, kw), strides=strides, padding=padding, use_bias=False
        )
        layer.build((None, height, width, channels))
        layer.set_weights([np.repeat(kernel[:, :, None, None], channels, axis=2)])
        expected = np.asarray(layer(x[None]))[0]
    else:
        # TensorFlow's depthwise kernel refuses unequal strides (tensorflow/tensorflow#33005);
        # a depthwise convolution is the same Conv2D applied to each channel alone.
        layer = keras.layers.Conv2D(1, (kh, kw), strides=strides, padding=padding, use_bias=False)
        layer.build((None, height, width, 1))
        layer.set_weights([kernel[:, :, None, None]])
        planes = np.moveaxis(x, -1, 0)[..., None]  # (channels, height, width, 1): a batch
        expected = np.moveaxis(np.asarray(layer(planes))[..., 0], 0, -1)

    output, _ = conv2d(check_input(x), check_kernel(kernel, channels), strides, padding)
    np.testing.assert_allclose(output, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("pad", [1, (2, 0), (0, 3)])
def test_explicit_padding_equals_keras_zero_padding_then_valid_conv(keras, pad):
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 1, (9, 8, 2)).astype(np.float32)
    kernel = rng.uniform(-1, 1, (3, 3, 2, 2)).astype(np.float32)
    model = keras.Sequential(
        [
            keras.Input((9, 8, 2)),
            keras.layers.ZeroPadding2D(pad),
            keras.layers.Conv2D(2, 3, strides=2, use_bias=False),
        ]
    )
    model.layers[-1].set_weights([kernel])
    expected = np.asarray(model(x[None]))[0]

    output, _ = conv2d(check_input(x), check_kernel(kernel, 2), 2, pad)
    np.testing.assert_allclose(output, expected, rtol=1e-5, atol=1e-5)


POOL_CASES = [
    (height, width, channels, kh, kw, strides, padding)
    for height, width, channels, kh, kw, strides, padding in random_cases(23, 24)
]


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize(
    ("height", "width", "channels", "ph", "pw", "strides", "padding"), POOL_CASES
)
def test_pooling_equals_keras(keras, mode, height, width, channels, ph, pw, strides, padding):
    rng = np.random.default_rng(height * 31 + width)
    x = rng.uniform(-10, 10, (height, width, channels)).astype(np.float32)
    layer_type = keras.layers.MaxPooling2D if mode == "max" else keras.layers.AveragePooling2D
    layer = layer_type(pool_size=(ph, pw), strides=strides, padding=padding)
    expected = np.asarray(layer(x[None]))[0]

    pooled = pool2d(check_input(x), (ph, pw), strides, padding, mode)
    assert pooled.output.shape == expected.shape
    np.testing.assert_allclose(pooled.output, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mode", ["max", "average"])
def test_default_pooling_strides_equal_the_pool_size_as_in_keras(keras, mode):
    x = np.random.default_rng(0).uniform(0, 1, (9, 9, 1)).astype(np.float32)
    layer_type = keras.layers.MaxPooling2D if mode == "max" else keras.layers.AveragePooling2D
    expected = np.asarray(layer_type(pool_size=3)(x[None]))[0]
    np.testing.assert_allclose(pool2d(check_input(x), 3, mode=mode).output, expected, rtol=1e-6)
