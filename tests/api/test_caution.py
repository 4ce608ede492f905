"""Predict's caution: a dot gets one, a real digit does not."""

from __future__ import annotations

import cv2
import numpy as np
from fastapi.testclient import TestClient

from tests.api.imagefiles import png, post_image
from tests.data.cut_mnist import SLICE


def pad_with(draw: str) -> bytes:
    """A 280x280 white pad, as the Draw page sends it, with a dot or a digit in dark ink."""
    pad = np.full((280, 280), 255, np.uint8)
    if draw == "dot":
        cv2.circle(pad, (140, 140), 11, 17, -1, cv2.LINE_AA)
    else:
        with np.load(SLICE) as data:
            digit = data["x_test"][0]
        pad[40:240, 40:240] = 255 - cv2.resize(digit, (200, 200), interpolation=cv2.INTER_LINEAR)
    return png(pad)


def test_a_single_dot_gets_a_caution_saying_the_model_must_pick_a_class(
    client: TestClient,
) -> None:
    body = post_image(client, "/api/models/lenet5/predict", pad_with("dot")).json()
    assert body["confidence"] > 0.9  # the softmax is sure, which is why the caution is needed
    assert body["caution"].startswith("This looks like one solid blob, not pen strokes")
    assert "A model always picks one of its 10 classes" in body["caution"]


def test_a_real_digit_gets_no_caution(client: TestClient) -> None:
    body = post_image(client, "/api/models/lenet5/predict", pad_with("digit")).json()
    assert body["label"] == "7"
    assert body["caution"] is None
