"""The compute slots: model requests computed at most N at a time per process, off the loop."""

from __future__ import annotations

import gc
import io
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import anyio
import numpy as np
import pytest
from PIL import Image
from pydantic import ValidationError

from app.api.compute import HEAVY_UPLOAD_BYTES, ComputeBusy, ComputeSlots
from app.config import Settings


def run(main: Any) -> Any:
    """``anyio.run(main)`` in a thread of its own: a browser test earlier in this process (as
    under pytest-xdist) leaves Playwright's event loop on the main thread (see test_serving)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(anyio.run, main).result()


def run_concurrently(slots: int, tasks: int) -> tuple[int, set[int]]:
    """Start ``tasks`` jobs at once; return the most that ran together and their thread ids."""
    lock = threading.Lock()
    full = threading.Event()
    active = 0
    most = 0
    threads: set[int] = set()

    def job() -> int:
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
            threads.add(threading.get_ident())
            if active >= slots:
                full.set()
        # Wait until the slots are all taken, however slowly threads start; then linger, so
        # that a job the limiter wrongly let in would overlap them.
        full.wait(timeout=5.0)
        time.sleep(0.01)
        with lock:
            active -= 1
        return threading.get_ident()

    async def main() -> None:
        compute = ComputeSlots(slots)
        assert compute.slots == slots
        try:
            async with anyio.create_task_group() as group:
                for _ in range(tasks):
                    group.start_soon(compute.run, job)
        finally:
            compute.close()

    run(main)
    return most, threads


@pytest.mark.parametrize("slots", [1, 2, 3])
def test_no_more_than_the_slots_run_at_once(slots: int) -> None:
    most, _ = run_concurrently(slots, tasks=6)
    assert most == slots


def test_the_work_runs_in_a_worker_thread_not_on_the_event_loop() -> None:
    _, threads = run_concurrently(1, tasks=2)
    assert threading.get_ident() not in threads


def test_the_result_and_the_arguments_pass_through() -> None:
    compute = ComputeSlots(1)

    async def main() -> int:
        return await compute.run(pow, 2, 10)

    assert run(main) == 1024
    compute.close()


def test_an_exception_reaches_the_caller_as_it_was_raised() -> None:
    compute = ComputeSlots(1)
    problem = ValueError("no digit")

    def fail() -> None:
        raise problem

    async def main() -> None:
        with pytest.raises(ValueError) as raised:
            await compute.run(fail)
        assert raised.value is problem
        assert await compute.run(pow, 3, 2) == 9  # the slot goes on serving

    run(main)
    compute.close()


def test_a_call_whose_caller_has_gone_is_skipped_if_it_has_not_started() -> None:
    compute = ComputeSlots(1)
    release = threading.Event()
    ran: list[str] = []

    def blocker() -> None:
        release.wait(timeout=5.0)
        ran.append("blocker")

    async def main() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(compute.run, blocker)
            await anyio.sleep(0.05)  # the blocker holds the one slot
            with anyio.move_on_after(0.05):
                await compute.run(ran.append, "abandoned")  # queued, then its caller gives up
            release.set()
        assert await compute.run(ran.append, "next") is None

    run(main)
    compute.close()
    assert ran == ["blocker", "next"]


def test_close_lets_the_threads_finish_and_stop() -> None:
    compute = ComputeSlots(2)
    threads = compute._light.threads + compute._heavy.threads
    assert all(thread.is_alive() for thread in threads)
    compute.close()
    assert not any(thread.is_alive() for thread in threads)


def test_fewer_than_one_slot_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1 slot in each lane, got 0 and 1"):
        ComputeSlots(0)
    with pytest.raises(ValidationError, match="compute_threads"):
        Settings(compute_threads=0)


def test_the_app_has_as_many_slots_as_its_settings_say() -> None:
    from fastapi.testclient import TestClient

    from app.main import create_app

    settings = Settings(compute_threads=3, models_dir=Settings().static_dir / "no-models-here")
    with TestClient(create_app(settings)) as client:
        assert client.app_state["compute"].slots == 3


def test_a_slot_holds_nothing_of_a_finished_call_while_it_waits() -> None:
    class Answer:
        pass

    compute = ComputeSlots(1)

    async def main() -> weakref.ref[Answer]:
        answer = await compute.run(Answer)
        return weakref.ref(answer)

    ref = run(main)
    for _ in range(200):  # until the slot is back waiting on its queue, however slow
        gc.collect()
        if ref() is None:
            break
        time.sleep(0.01)
    assert ref() is None
    compute.close()


def test_a_call_beyond_the_waiting_room_is_refused_with_503_and_retry_after() -> None:
    compute = ComputeSlots(1, max_waiting=2)
    release = threading.Event()
    started = threading.Event()

    def blocker() -> None:
        started.set()
        release.wait(timeout=5.0)

    async def main() -> list[int]:
        async with anyio.create_task_group() as group:
            group.start_soon(compute.run, blocker)
            await anyio.to_thread.run_sync(started.wait, 5.0)  # the one slot is taken
            group.start_soon(compute.run, pow, 2, 1)
            group.start_soon(compute.run, pow, 2, 2)
            await anyio.sleep(0.05)
            assert compute.waiting == 2
            with pytest.raises(ComputeBusy) as busy:
                await compute.run(pow, 2, 3)
            release.set()
        assert busy.value.status_code == 503
        assert busy.value.headers == {"Retry-After": "1"}
        assert "its queue of 2 waiting requests is full" in busy.value.detail
        return [await compute.run(pow, 2, 4), compute.waiting]

    assert run(main) == [16, 0]  # the room empties and takes calls again
    compute.close()


def test_a_failed_call_frees_its_arguments_without_the_garbage_collector() -> None:
    class Upload:
        pass

    def fail(upload: Upload) -> None:
        raise ValueError("not an image")

    compute = ComputeSlots(1)
    upload = Upload()
    ref = weakref.ref(upload)

    async def main() -> None:
        nonlocal upload
        with pytest.raises(ValueError):
            await compute.run(fail, upload)
        del upload

    gc.disable()  # a reference cycle would keep the upload until the collector ran
    try:
        run(main)
        for _ in range(200):  # until the slot has dropped the job, however slow
            if ref() is None:
                break
            time.sleep(0.01)
        assert ref() is None
    finally:
        gc.enable()
    compute.close()


def test_predict_and_activations_answers_are_encoded_in_the_compute_slot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """FastAPI would check and encode a returned dict on the event loop; the slot does it."""
    from fastapi.testclient import TestClient

    from app.api import json_answers
    from app.main import create_app
    from tests.api.test_models import drawing

    threads: list[str] = []
    encode = json_answers.json_answer

    def spy(*args: Any) -> Any:
        threads.append(threading.current_thread().name)
        return encode(*args)

    # A photo over HEAVY_UPLOAD_BYTES: the drawing, uncompressed on a larger canvas.
    canvas = np.zeros((800, 800), np.uint8)
    canvas[:280, :280] = np.asarray(Image.open(io.BytesIO(drawing(3))).convert("L"))
    photo = io.BytesIO()
    Image.fromarray(canvas).convert("RGB").save(photo, "PNG", compress_level=0)
    assert len(photo.getvalue()) > HEAVY_UPLOAD_BYTES

    monkeypatch.setattr("app.api.models.json_answer", spy)
    with TestClient(create_app(Settings())) as client:
        for endpoint in ("predict", "activations"):
            for image in (drawing(3), photo.getvalue()):
                answer = client.post(
                    f"/api/models/lenet5/{endpoint}", files={"image": ("d.png", image)}
                )
                assert answer.status_code == 200
                assert answer.json()["model"] == "lenet5"

    light, heavy = "convlens-compute-0", "convlens-compute-heavy-0"
    assert threads == [light, heavy, light, heavy]


@pytest.mark.parametrize("blocked_lane_is_heavy", [True, False])
def test_a_call_in_one_lane_does_not_wait_for_the_other_lane(blocked_lane_is_heavy: bool) -> None:
    compute = ComputeSlots(1)
    release = threading.Event()
    started = threading.Event()
    lanes: list[str] = []

    def blocker() -> None:
        started.set()
        release.wait(timeout=10.0)

    async def main() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(partial(compute.run, blocker, heavy=blocked_lane_is_heavy))
            await anyio.to_thread.run_sync(started.wait, 5.0)
            name = await compute.run(
                lambda: threading.current_thread().name, heavy=not blocked_lane_is_heavy
            )
            lanes.append(name)
            release.set()

    run(main)
    compute.close()
    expected = "convlens-compute-0" if blocked_lane_is_heavy else "convlens-compute-heavy-0"
    assert lanes == [expected]  # answered while the other lane's one slot was still held
