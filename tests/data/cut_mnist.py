"""Cut ``mnist-slice.npz``, the MNIST digits the tests read, from the full MNIST ``.npz``.

``python -m tests.data.cut_mnist --data PATH/TO/mnist.npz`` writes the first 3,000 training and
the first 2,000 test digits with their labels, in Keras' layout (``x_train``, ``y_train``,
``x_test``, ``y_test``), so ``convlens train --data tests/data/mnist-slice.npz`` reads it too.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

TRAIN, TEST = 3000, 2000
SLICE = Path(__file__).with_name("mnist-slice.npz")


def cut(source: Path, out: Path = SLICE) -> None:
    with np.load(source, allow_pickle=False) as mnist:
        arrays = {
            "x_train": mnist["x_train"][:TRAIN],
            "y_train": mnist["y_train"][:TRAIN],
            "x_test": mnist["x_test"][:TEST],
            "y_test": mnist["y_test"][:TEST],
        }
    np.savez_compressed(out, **arrays)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="the full MNIST .npz")
    cut(parser.parse_args().data)
