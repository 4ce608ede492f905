"""The MNIST test digits shipped in ``static/digits`` as inputs for the Network explorer.

``python -m app.ml.digits --data PATH/TO/mnist.npz`` regenerates them: for each class,
the first two test digits, saved as 28x28 grey PNGs (white ink on black, exactly as in MNIST)
with an index in ``digits.json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image

from app.config import Settings

PER_CLASS = 2


def export_digits(data: Path, out_dir: Path) -> list[dict[str, object]]:
    with np.load(data, allow_pickle=False) as mnist:
        images, labels = mnist["x_test"], mnist["y_test"]
    out_dir.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, object]] = []
    for digit in range(10):
        for index in np.flatnonzero(labels == digit)[:PER_CLASS]:
            name = f"mnist-test-{int(index):05d}.png"
            Image.fromarray(images[index]).save(out_dir / name, optimize=True)
            entries.append(
                {
                    "name": name.removesuffix(".png"),
                    "label": str(digit),
                    "index": int(index),
                    "url": f"/static/digits/{name}",
                }
            )
    (out_dir / "digits.json").write_text(json.dumps(entries, indent=1) + "\n")
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="MNIST .npz in Keras' layout.")
    args = parser.parse_args()
    entries = export_digits(args.data, Settings().static_dir / "digits")
    print(f"Wrote {len(entries)} digits to static/digits.")


if __name__ == "__main__":
    main()
