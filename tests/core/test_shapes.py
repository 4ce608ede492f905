import pytest

from app.core.shapes import output_sizes, resolve_padding, same_padding


def sizes(size, window, stride, padding):
    pads = resolve_padding(padding, (size, size), (window, window), (stride, stride))
    return output_sizes((size, size), (window, window), (stride, stride), pads, "kernel")[0]


def test_textbook_formula_with_symmetric_padding():
    rows = sizes(32, 5, 1, 2)
    assert rows.output == 32
    assert rows.divides_evenly
    assert rows.formula == "(32 - 5 + 2*2) / 1 + 1 = 31 + 1 = 32"


def test_uneven_division_reports_the_rows_the_window_never_reaches():
    rows = sizes(7, 3, 3, "valid")
    assert rows.output == 2
    assert rows.unreached == 1
    assert not rows.divides_evenly
    assert rows.formula == "(7 - 3 + 2*0) / 3 + 1 = floor(1.33333) + 1 = 2"
    assert "the last padded row is never reached" in rows.explanation


def test_asymmetric_same_padding_is_written_out():
    rows = sizes(6, 4, 1, "same")
    assert (rows.pad_before, rows.pad_after) == (1, 2)
    assert rows.formula == "(6 - 4 + (1+2)) / 1 + 1 = 5 + 1 = 6"


@pytest.mark.parametrize(
    ("size", "window", "stride", "expected"),
    [(5, 3, 1, (1, 1)), (5, 3, 2, (1, 1)), (6, 3, 2, (0, 1)), (6, 1, 4, (0, 0)), (4, 2, 2, (0, 0))],
)
def test_same_padding_follows_keras(size, window, stride, expected):
    assert same_padding(size, window, stride) == expected
    rows = sizes(size, window, stride, "same")
    assert rows.output == -(-size // stride)
