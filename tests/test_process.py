"""tune_process: glibc's thresholds and arena count, and OpenCV's threads, in this process."""

from __future__ import annotations

import platform

import cv2
import pytest

from app.config import Settings
from app.process import SETTINGS, tune_malloc, tune_process


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_every_setting_is_applied_on_glibc() -> None:
    assert tune_malloc() == {label: value for label, (_, value) in SETTINGS.items()}


def test_the_thresholds_cover_a_working_image_and_its_scratch_arrays() -> None:
    # The ink search works on at most 1024x1024 float32 (4 MiB); smaller must not be mmapped.
    assert SETTINGS["M_MMAP_THRESHOLD"][1] > 1024 * 1024 * 4
    assert SETTINGS["M_TRIM_THRESHOLD"][1] >= SETTINGS["M_MMAP_THRESHOLD"][1]


def test_opencv_gets_the_threads_the_settings_say() -> None:
    before = cv2.getNumThreads()
    try:
        assert tune_process(Settings(opencv_threads=2))["opencv_threads"] == 2
        assert cv2.getNumThreads() == 2
        assert tune_process(Settings())["opencv_threads"] == 1
        assert cv2.getNumThreads() == 1
    finally:
        cv2.setNumThreads(before)
