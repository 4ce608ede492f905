"""TensorFlow's start-up lines go to the debug log; anything else written meanwhile stays."""

from __future__ import annotations

import logging
import os

import pytest

from app.ml.native_log import native_output_to_debug_log

CUINIT = (
    "E0000 00:00:1796205117.897034    9770 cuda_platform.cc:52] failed call to cuInit: "
    "INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)"
)


def test_native_lines_become_debug_records_and_other_lines_reach_stderr(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    with caplog.at_level(logging.DEBUG, logger="app.ml.native_log"), native_output_to_debug_log():
        os.write(2, f"{CUINIT}\nINFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n".encode())
        os.write(2, b"Skipping broken.keras: metadata missing\n")

    assert [r.getMessage() for r in caplog.records] == [
        CUINIT,
        "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",
    ]
    assert all(r.levelno == logging.DEBUG for r in caplog.records)
    assert capfd.readouterr().err == "Skipping broken.keras: metadata missing\n"


def test_stderr_is_restored_even_when_the_work_fails(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError), native_output_to_debug_log():
        raise ValueError("conversion failed")
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"
