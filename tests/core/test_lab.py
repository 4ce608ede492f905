import numpy as np
import pytest

from app.core import lab
from app.core.decoding import DecodedImage
from app.core.lab import KernelStep, PoolStep
from app.errors import InvalidParameter


def flat_image(height: int, width: int) -> DecodedImage:
    return DecodedImage(np.zeros((height, width), dtype=np.uint8), "PNG", "L")


def no_convolution(*args: object, **kwargs: object) -> None:
    raise AssertionError("the convolution ran before the pooling's work was checked")


def test_pooling_after_a_kernel_is_refused_before_the_kernel_runs(monkeypatch):
    monkeypatch.setattr(lab, "convolve", no_convolution)

    with pytest.raises(InvalidParameter, match="window reads"):
        lab.pool_image(flat_image(1024, 1024), PoolStep(15, 1), KernelStep(kernel_name="identity"))


def test_the_pooling_check_counts_the_maps_a_kernel_makes(monkeypatch):
    # 64 filters make 64 maps: 386 x 386 x 64 windows of 15 x 15 is 2.1 G reads, where the
    # image's one channel alone would be 34 M.
    monkeypatch.setattr(lab, "convolve", no_convolution)
    kernel = KernelStep(kernel=np.ones((1, 1, 1, 64)).tolist())

    with pytest.raises(InvalidParameter, match=r"\(386x386 output, 15x15 window, 64 channel"):
        lab.pool_image(flat_image(400, 400), PoolStep(15, 1), kernel)


def test_the_winners_mask_marks_each_window_winner_on_the_pooled_input():
    pixels = np.array([[1, 9, 0, 0], [0, 0, 0, 7]], dtype=np.uint8)

    pooled = lab.pool_image(DecodedImage(pixels, "PNG", "L"), PoolStep(2))

    winners = pooled.winners()
    assert winners is not None
    assert winners.tolist() == [[0, 255, 0, 0], [0, 0, 0, 255]]
    assert (
        lab.pool_image(DecodedImage(pixels, "PNG", "L"), PoolStep(2, mode="average")).winners()
        is None
    )
