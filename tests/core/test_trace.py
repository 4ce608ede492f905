import numpy as np
import pytest

from app.core.convolution import check_input, check_kernel, conv2d
from app.core.kernels import resolve_kernel
from app.core.lab import convolve
from app.core.trace import trace
from app.errors import InvalidParameter


def test_trace_of_the_first_blur_value_shows_window_products_and_sum():
    x = check_input([[1, 0, 1, 1], [0, 1, 0, 0], [0, 1, 1, 1]])
    kernel = check_kernel([[0.06, 0.13, 0.06], [0.13, 0.25, 0.13], [0.06, 0.13, 0.06]], 1)
    output, grid = conv2d(x, kernel, bias=0.5)
    explained = trace(x, kernel, grid, (0, 1), bias=0.5)
    (channel,) = explained.channels
    (part,) = channel.contributions
    assert part.window == [[0, 1, 1], [1, 0, 0], [1, 1, 1]]
    np.testing.assert_allclose(part.products, [[0, 0.13, 0.06], [0.13, 0, 0], [0.06, 0.13, 0.06]])
    assert channel.sum == pytest.approx(0.57)
    assert channel.output == pytest.approx(1.07) == pytest.approx(output[0, 1])


def test_trace_marks_padding_cells_and_negative_origin():
    x = check_input(np.arange(1, 10).reshape(3, 3))
    kernel = check_kernel(np.ones((3, 3)), 1)
    _, grid = conv2d(x, kernel, padding="same")
    explained = trace(x, kernel, grid, (0, 0))
    assert explained.window_origin == (-1, -1)
    assert explained.in_padding == [[True, True, True], [True, False, False], [True, False, False]]
    assert explained.channels[0].contributions[0].window == [[0, 0, 0], [0, 1, 2], [0, 4, 5]]


@pytest.mark.parametrize("kernel_shape", [(3, 3), (3, 3, 2), (2, 3, 2, 3)])
def test_every_traced_output_equals_the_fast_output(kernel_shape):
    rng = np.random.default_rng(7)
    x = check_input(rng.normal(size=(6, 7, 2)))
    kernel = check_kernel(rng.normal(size=kernel_shape), 2)
    output, grid = conv2d(x, kernel, (2, 1), "same", bias=0.1)
    out3 = output if output.ndim == 3 else output[..., None]
    for row in range(out3.shape[0]):
        for col in range(out3.shape[1]):
            explained = trace(x, kernel, grid, (row, col), bias=0.1)
            got = [channel.output for channel in explained.channels]
            np.testing.assert_allclose(got, out3[row, col], rtol=1e-10)


def test_magnitude_preset_trace_combines_both_gradients():
    x = check_input(np.random.default_rng(1).uniform(0, 255, (5, 5)))
    result = convolve(x, resolve_kernel(None, "sobel_magnitude", 1), trace_at=(1, 2))
    assert result.trace is not None
    gx = result.trace["channels"][0]["output"]
    gy = result.trace["gradient"]["gradient_y"][0]["output"]
    assert result.trace["gradient"]["magnitude"] == pytest.approx([np.hypot(gx, gy)])
    assert result.output[1, 2] == pytest.approx(np.hypot(gx, gy))


def test_trace_outside_the_output_is_refused():
    x = check_input(np.zeros((4, 4)))
    kernel = check_kernel(np.ones((3, 3)), 1)
    _, grid = conv2d(x, kernel)
    with pytest.raises(InvalidParameter, match=r"outside the 2x2 output"):
        trace(x, kernel, grid, (2, 0))
