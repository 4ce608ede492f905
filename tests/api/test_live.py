"""``/api/live``: canvas frames over a WebSocket, answered with exactly what REST predict says."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app import i18n
from app.api.compute import ComputeSlots
from app.api.live import FloodGuard, closing_reason
from app.config import Settings
from app.errors import ConvLensError
from tests.api.imagefiles import png
from tests.api.test_models import SHIPPED, drawing
from tests.conftest import make_client

pytestmark = pytest.mark.keras


def receive(socket: Any) -> dict[str, Any]:
    message: dict[str, Any] = socket.receive_json()
    return message


def rest_predict(client: TestClient, model_id: str, image: bytes, **fields: str) -> Any:
    response = client.post(
        f"/api/models/{model_id}/predict", files={"image": ("d.png", image)}, data=fields
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_frame_is_answered_by_every_model_with_what_rest_predict_answers(
    client: TestClient,
) -> None:
    image = drawing(3)
    with client.websocket_connect("/api/live") as socket:
        socket.send_bytes(image)
        answer = receive(socket)

    assert answer["type"] == "prediction"
    assert answer["frame"] == 1 and answer["dropped"] == 0
    assert [p["model"] for p in answer["predictions"]] == SHIPPED
    for prediction in answer["predictions"]:
        assert prediction == rest_predict(client, prediction["model"], image)


def test_settings_choose_the_models_and_the_switches_like_the_form_fields(
    client: TestClient,
) -> None:
    image = drawing(5, invert=True)  # dark ink on white
    with client.websocket_connect("/api/live") as socket:
        socket.send_text(json.dumps({"models": ["mlp"], "invert": "no", "center": False}))
        confirmed = receive(socket)
        socket.send_bytes(image)
        answer = receive(socket)

    assert confirmed == {
        "type": "settings",
        "invert": "no",
        "crop": True,
        "fit": True,
        "center": False,
        "thicken": True,
        "models": ["mlp"],
    }
    assert [p["model"] for p in answer["predictions"]] == ["mlp"]
    expected = rest_predict(client, "mlp", image, invert="no", center="false")
    assert answer["predictions"][0] == expected
    assert expected != rest_predict(client, "mlp", image)  # the switches changed something


def test_a_bad_frame_gets_an_error_and_the_socket_stays_usable(client: TestClient) -> None:
    with client.websocket_connect("/api/live") as socket:
        socket.send_bytes(b"this is not an image")
        not_an_image = receive(socket)
        socket.send_bytes(png(np.zeros((280, 280), np.uint8)))
        blank = receive(socket)
        socket.send_bytes(drawing(7))
        answer = receive(socket)

    assert not_an_image["type"] == "error" and not_an_image["frame"] == 1
    assert not_an_image["status"] == 415
    assert not_an_image["detail"].startswith("The upload is not an image this app can read.")
    blank_rest = client.post(
        "/api/models/lenet5/predict",
        files={"image": ("b.png", png(np.zeros((280, 280), np.uint8)))},
    )
    assert (blank["frame"], blank["status"]) == (2, 422)
    assert blank["detail"] == blank_rest.json()["detail"]
    assert answer["type"] == "prediction" and answer["frame"] == 3


def test_bad_settings_get_an_error_that_says_what_to_send(client: TestClient) -> None:
    with client.websocket_connect("/api/live") as socket:
        socket.send_text('{"models": ["lenet"]}')
        unknown_model = receive(socket)
        socket.send_text('{"stride": 4}')
        unknown_field = receive(socket)
        socket.send_text("models=lenet5")
        not_json = receive(socket)
        socket.send_bytes(drawing(1))
        answer = receive(socket)

    # The shipped models, and any that other tests of the session imported or trained.
    listed = ", ".join(model["id"] for model in client.get("/api/models").json())
    assert listed.startswith("colour-shapes, lenet5, mlp, mnist-cnn-dropout, mnist-cnn")
    assert unknown_model == {
        "type": "error",
        "frame": None,
        "status": 404,
        "detail": f"There is no model 'lenet'. Models: {listed}.",
    }
    assert unknown_field["status"] == 422 and "stride" in unknown_field["detail"]
    assert not_json["status"] == 422 and "Send JSON such as" in not_json["detail"]
    assert [p["model"] for p in answer["predictions"]] == SHIPPED  # the old settings stand


@pytest.fixture
def strict_client() -> Iterator[TestClient]:
    settings = Settings(live_max_frame_bytes=4096, live_messages_per_second=5)
    with make_client(settings) as test_client:
        yield test_client


def test_an_oversize_frame_closes_the_socket_with_1009_and_the_cap(
    strict_client: TestClient,
) -> None:
    with strict_client.websocket_connect("/api/live") as socket:
        socket.send_bytes(bytes(4097))
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()

    assert closed.value.code == 1009
    assert closed.value.reason == (
        "Frame 1 is 4,097 bytes; frames may be at most 4,096. Send a PNG of at most 512x512."
    )


def test_a_flood_of_messages_closes_the_socket_with_1008(strict_client: TestClient) -> None:
    with strict_client.websocket_connect("/api/live") as socket:
        for _ in range(40):  # a burst of 10 is allowed at 5 a second
            socket.send_text("{}")
        messages = []
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:
                messages.append(socket.receive_json())

    assert closed.value.code == 1008
    assert closed.value.reason == (
        "More than 5 messages a second: send a frame only when the drawing has changed."
    )
    assert 10 <= len(messages) < 40


def test_a_korean_client_is_told_why_in_korean(strict_client: TestClient) -> None:
    korean = {"accept-language": "ko"}
    with strict_client.websocket_connect("/api/live", headers=korean) as socket:
        socket.send_bytes(bytes(4097))
        with pytest.raises(WebSocketDisconnect) as too_big:
            socket.receive_json()
    with strict_client.websocket_connect("/api/live", headers=korean) as socket:
        for _ in range(40):
            socket.send_text("{}")
        with pytest.raises(WebSocketDisconnect) as flood:
            while True:
                socket.receive_json()

    assert (too_big.value.code, flood.value.code) == (1009, 1008)
    assert too_big.value.reason == (
        "프레임 1: 4,097바이트. 최대 4,096바이트입니다. 512x512 이하 PNG를 보내세요."
    )
    assert (
        flood.value.reason == "초당 메시지가 5개를 넘었습니다. 그림이 바뀔 때만 프레임을 보내세요."
    )


def test_a_translation_too_long_for_a_close_frame_gives_way_to_the_english() -> None:
    """A close frame carries at most 123 bytes of reason; a Hangul syllable takes 3."""
    template = (
        "Frame {frame} is {size:,} bytes; frames may be at most {cap:,}. Send a PNG of at most "
        "512x512."
    )
    huge = {"frame": 10**19, "size": 16 * 2**20, "cap": 8 * 2**20}
    token = i18n.current.set("ko")
    try:
        fits = closing_reason(ConvLensError(template, frame=1, size=4097, cap=4096))
        too_long = closing_reason(ConvLensError(template, **huge))
    finally:
        i18n.current.reset(token)

    assert fits.startswith("프레임 1: ") and len(fits.encode()) <= 123
    korean = (
        "프레임 10000000000000000000: 16,777,216바이트. 최대 8,388,608바이트입니다. "
        "512x512 이하 PNG를 보내세요."
    )
    assert i18n.translate(template, huge, "ko") == korean
    assert len(korean.encode()) == 124
    assert too_long == (
        "Frame 10000000000000000000 is 16,777,216 bytes; frames may be at most 8,388,608. Send a "
        "PNG of at most 512x512."
    )


def test_the_flood_guard_refills_at_its_rate() -> None:
    guard = FloodGuard(rate=1000, burst=3)
    assert [guard.allow() for _ in range(4)] == [True, True, True, False]
    guard.stamp -= 0.002  # as if 2 ms had passed: two more messages
    assert [guard.allow() for _ in range(3)] == [True, True, False]


class Blocker:
    """Holds the app's only compute slot until released, so that frames pile up behind it."""

    def __init__(self, client: TestClient) -> None:
        compute: ComputeSlots = client.app_state["compute"]
        assert compute.slots == 1
        self.release = threading.Event()
        self.started = threading.Event()
        assert client.portal is not None
        client.portal.start_task_soon(compute.run, self._hold)
        assert self.started.wait(10)

    def _hold(self) -> None:
        self.started.set()
        self.release.wait(30)


def test_frames_overtaken_while_the_models_are_busy_are_dropped(client: TestClient) -> None:
    with client.websocket_connect("/api/live") as socket:
        blocker = Blocker(client)
        for digit in range(5):
            socket.send_bytes(drawing(digit))
        socket.send_text("{}")  # answered at once: every frame before it has been read
        assert receive(socket)["type"] == "settings"
        blocker.release.set()
        first, latest = receive(socket), receive(socket)

    assert (first["frame"], first["dropped"]) == (1, 0)  # taken before the others came
    assert (latest["frame"], latest["dropped"]) == (5, 3)  # frames 2, 3 and 4 overtaken
    assert latest["predictions"][0] == rest_predict(client, "lenet5", drawing(4))


def test_a_client_that_leaves_with_a_frame_in_work_leaves_the_server_serving(
    client: TestClient,
) -> None:
    with client.websocket_connect("/api/live") as socket:
        blocker = Blocker(client)
        socket.send_bytes(drawing(2))
        socket.send_text("{}")
        assert receive(socket)["type"] == "settings"
    blocker.release.set()  # the frame's work is skipped or its answer dropped

    with client.websocket_connect("/api/live") as socket:
        socket.send_bytes(drawing(2))
        assert receive(socket)["frame"] == 1


@pytest.fixture
def no_queue_client() -> Iterator[TestClient]:
    with make_client(Settings(compute_queue=0)) as test_client:
        yield test_client


def test_with_every_slot_busy_and_no_room_to_wait_rest_and_live_answer_503(
    no_queue_client: TestClient,
) -> None:
    blocker = Blocker(no_queue_client)
    try:
        response = no_queue_client.post(
            "/api/models/lenet5/predict", files={"image": ("d.png", drawing(1))}
        )
        with no_queue_client.websocket_connect("/api/live") as socket:
            socket.send_bytes(drawing(1))
            busy = receive(socket)
    finally:
        blocker.release.set()

    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["detail"].startswith("The server is busy: every compute slot")
    assert (busy["type"], busy["frame"], busy["status"]) == ("error", 1, 503)


def test_a_frame_over_the_side_cap_is_refused_as_rest_refuses_it() -> None:
    thin = png(np.zeros((1, 300), np.uint8))  # 300 pixels: under the pixel cap, over the side's
    with make_client(Settings(max_image_side=200)) as side_capped:
        rest = side_capped.post("/api/models/lenet5/predict", files={"image": ("t.png", thin)})
        with side_capped.websocket_connect("/api/live") as socket:
            socket.send_bytes(thin)
            refused = receive(socket)

    assert rest.status_code == refused["status"] == 413
    assert refused["detail"] == rest.json()["detail"]
