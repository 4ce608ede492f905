"""Colour shapes: a small RGB dataset the project draws itself, the same for the same seed.

Each image is 32x32 RGB (uint8) and holds one filled shape of one of :data:`CLASSES` in a random
colour, at a random size (about a quarter to three quarters of the side), position and angle,
on a background that is never plain: a two-colour gradient with one of four textures on it
(grain, stripes, checks or blobs). The shape's colour is kept apart from the background's, so
a shape is always visible, but neither colour nor background tells the class: only the outline
does. Shapes are drawn at four times the size and shrunk by averaging, so edges are smooth as
in a photo.

``python -m app.ml.colour_set --out DIR`` writes a few images of each class as PNG, to look at.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

CLASSES = ("circle", "ring", "square", "triangle", "star", "cross", "crescent", "heart")
SIDE = 32
_DRAW = 4  # drawn at 4x, shrunk by averaging
_BIG = SIDE * _DRAW
# Least distance in RGB (0..255 per channel) between the shape's colour and the background's.
_CONTRAST = 110.0

Images = NDArray[np.uint8]  # N x 32 x 32 x 3
Labels = NDArray[np.int32]  # N, an index into CLASSES


@dataclass(frozen=True)
class ColourShapes:
    x_train: Images
    y_train: Labels
    x_test: Images
    y_test: Labels


def colour_shapes(seed: int, train_images: int = 6400, test_images: int = 1600) -> ColourShapes:
    """The training and test images of ``seed``: the same seed gives the same arrays.

    Classes are balanced and shuffled: image ``i`` of a split is of class ``order[i] % 8``. The
    test images come from their own random stream, so changing ``train_images`` leaves them as
    they were.
    """
    train_rng, test_rng = (np.random.default_rng([seed, part]) for part in (0, 1))
    x_train, y_train = draw_images(train_rng, train_images)
    x_test, y_test = draw_images(test_rng, test_images)
    return ColourShapes(x_train, y_train, x_test, y_test)


def draw_images(rng: np.random.Generator, count: int) -> tuple[Images, Labels]:
    """``count`` images and their labels, balanced over the classes, in random order."""
    labels = rng.permutation(np.arange(count) % len(CLASSES)).astype(np.int32)
    images = np.stack([draw_image(rng, int(label)) for label in labels]) if count else None
    if images is None:
        return np.zeros((0, SIDE, SIDE, 3), np.uint8), labels
    return images, labels


def draw_image(rng: np.random.Generator, label: int) -> NDArray[np.uint8]:
    """One 32x32x3 image of class ``CLASSES[label]``."""
    background = _background(rng)
    colour = _shape_colour(rng, background.reshape(-1, 3).mean(axis=0))
    mask = np.zeros((_BIG, _BIG), np.uint8)
    radius = rng.uniform(0.25, 0.42) * _BIG
    margin = radius * 0.8
    centre = rng.uniform(margin, _BIG - margin, size=2)
    angle = rng.uniform(0, 2 * math.pi)
    _SHAPES[CLASSES[label]](mask, centre, radius, angle, rng)
    small_mask = cv2.resize(mask, (SIDE, SIDE), interpolation=cv2.INTER_AREA)
    alpha = (small_mask.astype(np.float32) / 255)[..., np.newaxis]
    shade = 1 + rng.uniform(-0.15, 0.15) * np.linspace(-1, 1, SIDE)[:, np.newaxis, np.newaxis]
    painted = np.clip(colour * shade, 0, 255)
    image = background * (1 - alpha) + painted * alpha
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def _background(rng: np.random.Generator) -> NDArray[np.float32]:
    """A gradient between two related colours with a texture: float32 32x32x3 in 0..255."""
    first = rng.uniform(0, 255, 3)
    second = np.clip(first + rng.normal(0, 45, 3), 0, 255)
    direction = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32) / (SIDE - 1) - 0.5
    ramp = np.clip(0.5 + xx * math.cos(direction) + yy * math.sin(direction), 0, 1)
    image = first * (1 - ramp[..., None]) + second * ramp[..., None]
    texture = rng.integers(4)
    strength = rng.uniform(10, 30)
    pattern: NDArray[Any]
    if texture == 0:  # grain
        pattern = rng.normal(0, 0.5, (SIDE, SIDE))
    elif texture == 1:  # stripes
        period = rng.uniform(3, 9)
        turn = rng.uniform(0, math.pi)
        pattern = np.sin((xx * math.cos(turn) + yy * math.sin(turn)) * SIDE * 2 * math.pi / period)
    elif texture == 2:  # checks
        cell = int(rng.integers(3, 8))
        pattern = ((np.arange(SIDE)[:, None] // cell + np.arange(SIDE)[None, :] // cell) % 2) - 0.5
    else:  # blobs
        coarse = rng.normal(0, 1, (4, 4)).astype(np.float32)
        pattern = cv2.resize(coarse, (SIDE, SIDE), interpolation=cv2.INTER_CUBIC)
    image = image + strength * np.asarray(pattern, np.float32)[..., None]
    textured: NDArray[np.float32] = np.clip(image, 0, 255).astype(np.float32)
    return textured


def _shape_colour(rng: np.random.Generator, background: NDArray[np.float64]) -> NDArray[np.float64]:
    """A colour at least ``_CONTRAST`` away from the background's mean (the farthest of a few
    tries when none is)."""
    best = rng.uniform(0, 255, 3)
    for _ in range(20):
        colour = rng.uniform(0, 255, 3)
        if np.linalg.norm(colour - background) > np.linalg.norm(best - background):
            best = colour
        if np.linalg.norm(best - background) >= _CONTRAST:
            break
    return best


def _polygon(centre: NDArray[np.float64], radii: list[float], angle: float) -> NDArray[np.int32]:
    turns = np.arange(len(radii)) * 2 * math.pi / len(radii) + angle
    points = centre + np.stack([np.cos(turns), np.sin(turns)], axis=1) * np.asarray(radii)[:, None]
    corners: NDArray[np.int32] = np.rint(points).astype(np.int32)
    return corners


def _circle(mask: Images, centre: NDArray[np.float64], radius: float, *_: object) -> None:
    cv2.circle(mask, _point(centre), round(radius), 255, -1, cv2.LINE_AA)


def _ring(mask: Images, centre: NDArray[np.float64], radius: float, *_: object) -> None:
    cv2.circle(mask, _point(centre), round(radius * 0.8), 255, round(radius * 0.4), cv2.LINE_AA)


def _regular(corners: int, scale: float = 1.0) -> Callable[..., None]:
    def draw(
        mask: Images, centre: NDArray[np.float64], radius: float, angle: float, *_: object
    ) -> None:
        points = _polygon(centre, [radius * scale] * corners, angle)
        cv2.fillPoly(mask, [points], 255, cv2.LINE_AA)

    return draw


def _star(
    mask: Images, centre: NDArray[np.float64], radius: float, angle: float, *_: object
) -> None:
    points = _polygon(centre, [radius * 1.1, radius * 0.45] * 5, angle)
    cv2.fillPoly(mask, [points], 255, cv2.LINE_AA)


def _cross(
    mask: Images, centre: NDArray[np.float64], radius: float, angle: float, *_: object
) -> None:
    for turn in (angle, angle + math.pi / 2):
        along = np.array([math.cos(turn), math.sin(turn)]) * radius
        across = np.array([-math.sin(turn), math.cos(turn)]) * radius * 0.3
        corners = [centre - along - across, centre + along - across, centre + along + across]
        corners.append(centre - along + across)
        cv2.fillPoly(mask, [np.rint(np.stack(corners)).astype(np.int32)], 255, cv2.LINE_AA)


def _crescent(
    mask: Images, centre: NDArray[np.float64], radius: float, angle: float, *_: object
) -> None:
    cv2.circle(mask, _point(centre), round(radius), 255, -1, cv2.LINE_AA)
    bite = centre + np.array([math.cos(angle), math.sin(angle)]) * radius * 0.55
    cv2.circle(mask, _point(bite), round(radius * 0.85), 0, -1, cv2.LINE_AA)


def _heart(
    mask: Images, centre: NDArray[np.float64], radius: float, angle: float, *_: object
) -> None:
    # Drawn upright around the origin, then turned by up to 30 degrees either way.
    tilt = (angle % 1.0 - 0.5) * math.pi / 3
    lobe = radius * 0.5
    shape = np.zeros_like(mask)
    cx, cy = _BIG / 2, _BIG / 2
    for side in (-1, 1):
        lobe_centre = (round(cx + side * lobe * 0.95), round(cy - lobe * 0.5))
        cv2.circle(shape, lobe_centre, round(lobe), 255, -1, cv2.LINE_AA)
    tip = np.array([[cx - lobe * 1.85, cy - lobe * 0.2], [cx + lobe * 1.85, cy - lobe * 0.2]])
    tip = np.vstack([tip, [cx, cy + radius * 1.05]])
    cv2.fillPoly(shape, [np.rint(tip).astype(np.int32)], 255, cv2.LINE_AA)
    moved = cv2.getRotationMatrix2D((cx, cy), math.degrees(tilt), 1.0)
    moved[:, 2] += centre - np.array([cx, cy])
    placed = cv2.warpAffine(shape, moved, (_BIG, _BIG), flags=cv2.INTER_LINEAR)
    np.maximum(mask, placed, out=mask)


def _point(centre: NDArray[np.float64]) -> tuple[int, int]:
    return round(float(centre[0])), round(float(centre[1]))


# Each draws one shape, white (255) on the mask: (mask, centre, radius, angle, rng).
_SHAPES: dict[str, Callable[..., None]] = {
    "circle": _circle,
    "ring": _ring,
    "square": _regular(4),
    "triangle": _regular(3, 1.15),
    "star": _star,
    "cross": _cross,
    "crescent": _crescent,
    "heart": _heart,
}


def main() -> None:
    from PIL import Image

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="Folder for the PNGs.")
    parser.add_argument("--seed", type=int, default=1998)
    parser.add_argument("--per-class", type=int, default=4)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    for label, name in enumerate(CLASSES):
        for index in range(args.per_class):
            image = Image.fromarray(draw_image(rng, label)).resize(
                (128, 128), Image.Resampling.NEAREST
            )
            image.save(args.out / f"{name}-{index}.png")
    print(f"Wrote {len(CLASSES) * args.per_class} images to {args.out}.")


if __name__ == "__main__":
    main()
