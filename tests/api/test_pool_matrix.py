"""POST /api/pool/matrix: max and average pooling of number grids."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.api.reference import keras_same_pads, pool2d
from tests.worked_examples import POOL_4X4


def pool(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/pool/matrix", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_2x2_max_pooling_keeps_each_windows_largest_value_and_where_it_was(
    client: TestClient,
) -> None:
    result = pool(client, input=POOL_4X4, pool_size=2, mode="max")

    assert result["output"] == [[256, 153], [23, 55]]
    assert result["output_shape"] == [2, 2]
    assert result["argmax"] == [[[0, 1], [0, 2]], [[3, 0], [2, 3]]]


def test_max_pooling_is_the_default(client: TestClient) -> None:
    assert pool(client, input=POOL_4X4)["output"] == [[256, 153], [23, 55]]


def test_2x2_average_pooling_gives_each_windows_mean_and_no_argmax(client: TestClient) -> None:
    result = pool(client, input=POOL_4X4, pool_size=2, mode="average")

    assert result["output"] == [
        [(110 + 256 + 12 + 89) / 4, (153 + 67 + 88 + 43) / 4],
        [(10 + 15 + 23 + 9) / 4, (50 + 55 + 49 + 23) / 4],
    ]
    assert result["argmax"] is None


def test_same_padding_average_leaves_padded_cells_out_of_the_mean(client: TestClient) -> None:
    grid = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]

    result = pool(client, input=grid, pool_size=2, padding="same", mode="average")

    # One padded row below and one column right; they do not count in the denominators.
    assert result["output"] == [[(1 + 2 + 4 + 5) / 4, (3 + 6) / 2], [(7 + 8) / 2, 9 / 1]]
    rows = result["output_size"]["rows"]
    assert (rows["pad_before"], rows["pad_after"], rows["output"]) == (0, 1, 2)


def test_same_padding_max_never_lets_a_padded_zero_win(client: TestClient) -> None:
    grid = [[-1, -2, -3], [-4, -5, -6], [-7, -8, -9]]

    result = pool(client, input=grid, pool_size=2, padding="same", mode="max")

    assert result["output"] == [[-1, -3], [-7, -9]]
    assert result["argmax"] == [[[0, 0], [0, 2]], [[2, 0], [2, 2]]]


def test_ties_go_to_the_first_cell_in_reading_order(client: TestClient) -> None:
    result = pool(client, input=[[5, 5], [5, 5]], pool_size=2)

    assert result["argmax"] == [[[0, 0]]]


def test_strides_default_to_the_pool_size_and_can_overlap_windows(client: TestClient) -> None:
    grid = np.arange(16, dtype=float).reshape(4, 4)

    default = pool(client, input=grid.tolist(), pool_size=2)
    overlapping = pool(client, input=grid.tolist(), pool_size=2, strides=1)

    assert default["output_size"]["rows"]["stride"] == 2
    assert default["output_shape"] == [2, 2]
    assert overlapping["output_shape"] == [3, 3]
    assert (
        overlapping["output"] == pool2d(grid, (2, 2), (1, 1), ((0, 0), (0, 0)), "max")[0].tolist()
    )


def test_each_channel_of_a_3d_input_is_pooled_separately_with_its_own_winners(
    client: TestClient,
) -> None:
    x = np.random.default_rng(0).permutation(32).reshape(4, 4, 2).astype(float)

    result = pool(client, input=x.tolist(), pool_size=2)

    assert result["output_shape"] == [2, 2, 2]
    argmax = np.array(result["argmax"])
    assert argmax.shape == (2, 2, 2, 2)
    for channel in range(2):
        expected, winners = pool2d(x[..., channel], (2, 2), (2, 2), ((0, 0), (0, 0)), "max")
        assert np.array(result["output"])[..., channel].tolist() == expected.tolist()
        assert argmax[:, :, channel].tolist() == [[list(w) for w in row] for row in winners]


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize(
    ("size", "pool_size", "strides"),
    [((5, 5), (2, 2), None), ((5, 7), (3, 2), (2, 3)), ((6, 4), (1, 3), (1, 1))],
)
def test_pooling_matches_the_reference(
    client: TestClient,
    mode: str,
    padding: str,
    size: tuple[int, int],
    pool_size: tuple[int, int],
    strides: tuple[int, int] | None,
) -> None:
    x = np.random.default_rng(size[0] * 10 + size[1]).integers(-50, 50, size).astype(float)
    step = strides or pool_size
    pads = (
        tuple(keras_same_pads(size[axis], pool_size[axis], step[axis]) for axis in (0, 1))
        if padding == "same"
        else ((0, 0), (0, 0))
    )

    result = pool(
        client,
        input=x.tolist(),
        pool_size=list(pool_size),
        strides=None if strides is None else list(strides),
        padding=padding,
        mode=mode,
    )

    expected, winners = pool2d(x, pool_size, step, pads, mode)  # type: ignore[arg-type]
    assert np.allclose(result["output"], expected)
    if mode == "max":
        assert result["argmax"] == [[list(w) for w in row] for row in winners]
