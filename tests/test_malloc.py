"""tune_malloc: glibc's thresholds and arena count are set in the running process."""

from __future__ import annotations

import platform

import pytest

from app.malloc import SETTINGS, tune_malloc


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_every_setting_is_applied_on_glibc() -> None:
    assert tune_malloc() == {label: value for label, (_, value) in SETTINGS.items()}


def test_the_thresholds_cover_a_working_image_and_its_scratch_arrays() -> None:
    # The ink search works on at most 1024x1024 float32 (4 MiB); smaller must not be mmapped.
    assert SETTINGS["M_MMAP_THRESHOLD"][1] > 1024 * 1024 * 4
    assert SETTINGS["M_TRIM_THRESHOLD"][1] >= SETTINGS["M_MMAP_THRESHOLD"][1]
