"""The API's messages in Korean: a request that prefers Korean (Accept-Language, or the ?lang=
switch) gets the refusal in Korean with its real numbers filled in; one that does not gets the
English, byte for byte as before, and the same status either way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from PIL import Image

from app.errors import UnknownResource
from tests.api.imagefiles import encode, png, post_image, random_rgb, seven_png
from tests.conftest import UPLOAD_CAP_BYTES

KOREAN = {"accept-language": "ko-KR,ko;q=0.9"}
GRID_3X3 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


@dataclass(frozen=True)
class Refusal:
    send: Callable[[TestClient, dict[str, str], str], Response]  # client, headers, query
    status: int
    english: str
    korean: str


REFUSALS = {
    "stride 0": Refusal(
        lambda c, h, q: c.post(
            f"/api/convolve/matrix{q}",
            json={"input": GRID_3X3, "kernel": [[1]], "strides": 0},
            headers=h,
        ),
        422,
        "The request does not match what this endpoint expects: body.strides (got 0): Input "
        "should be greater than or equal to 1 or Input should be a valid list. Fix the fields "
        "listed in 'errors' (see /docs for each field's type and range) and send it again.",
        "요청이 이 엔드포인트가 기대하는 것과 맞지 않습니다: body.strides (받은 값 0): "
        "1 이상이어야 합니다, 또는 올바른 목록이어야 합니다. 'errors'에 나열된 필드를 고쳐서(각 "
        "필드의 유형과 범위는 /docs를 보세요) 다시 보내세요.",
    ),
    "a kernel larger than its input at stride 2": Refusal(
        lambda c, h, q: c.post(
            f"/api/convolve/matrix{q}",
            json={"input": GRID_3X3, "kernel": [[1] * 5] * 5, "strides": 2},
            headers=h,
        ),
        422,
        "The kernel (5x5) is larger than the padded input (3x3) along the rows. Use a smaller "
        'kernel, a larger input, or more padding (for example padding "same").',
        "커널(5x5)이 패딩한 입력(3x3)보다 행 방향으로 큽니다. 더 작은 커널이나 더 큰 입력을 "
        '쓰거나, 패딩을 늘리세요(예: padding "same").',
    ),
    "wrong types": Refusal(
        lambda c, h, q: c.post(
            f"/api/convolve/matrix{q}", json={"input": [[1, "x"]], "kernel": [[1]]}, headers=h
        ),
        422,
        "The request does not match what this endpoint expects: body.input.0.1 (got 'x'): Input "
        "should be a valid number. Fix the fields listed in 'errors' (see /docs for each field's "
        "type and range) and send it again.",
        "요청이 이 엔드포인트가 기대하는 것과 맞지 않습니다: body.input.0.1 (받은 값 'x'): "
        "올바른 수여야 합니다. 'errors'에 나열된 필드를 고쳐서(각 필드의 유형과 범위는 /docs를 "
        "보세요) 다시 보내세요.",
    ),
    "strings in a grid": Refusal(
        lambda c, h, q: c.post(
            f"/api/convolve/matrix{q}", json={"input": [["1", "2"]], "kernel": [[1]]}, headers=h
        ),
        422,
        "The request does not match what this endpoint expects: body.input.0.0 (got '1'): Input "
        "should be a valid number (and 1 more like it in this grid). Fix the fields listed in "
        "'errors' (see /docs for each field's type and range) and send it again.",
        "요청이 이 엔드포인트가 기대하는 것과 맞지 않습니다: body.input.0.0 (받은 값 '1'): "
        "올바른 수여야 합니다 (이 격자에서 같은 경우가 1개 더 있습니다). 'errors'에 나열된 "
        "필드를 고쳐서(각 필드의 유형과 범위는 /docs를 보세요) 다시 보내세요.",
    ),
    "a misspelt field": Refusal(
        lambda c, h, q: c.post(
            f"/api/convolve/matrix{q}",
            json={"input": [[1]], "kernel": [[1]], "stride": 2},
            headers=h,
        ),
        422,
        "The request does not match what this endpoint expects: body.stride (got 2): is not a "
        "field of this request (did you mean strides?); the fields are input, kernel, "
        "kernel_name, strides, padding, bias, trace. Fix the fields listed in 'errors' (see "
        "/docs for each field's type and range) and send it again.",
        "요청이 이 엔드포인트가 기대하는 것과 맞지 않습니다: body.stride (받은 값 2): 이 요청의 "
        "필드가 아닙니다(혹시 strides인가요?). 필드는 input, kernel, kernel_name, strides, "
        "padding, bias, trace입니다. 'errors'에 나열된 필드를 고쳐서(각 필드의 유형과 범위는 "
        "/docs를 보세요) 다시 보내세요.",
    ),
    "an unknown kernel preset": Refusal(
        lambda c, h, q: c.post(
            f"/api/convolve/matrix{q}",
            json={"input": GRID_3X3, "kernel_name": "blurry"},
            headers=h,
        ),
        422,
        "",  # the presets' list is checked below, from the English
        "이름이 'blurry'인 커널 프리셋은 없습니다. 있는 프리셋: ",
    ),
    "a non-image upload": Refusal(
        lambda c, h, q: post_image(
            c, f"/api/convolve{q}", b"hello, world", headers=h, kernel_name="identity"
        ),
        415,
        "The upload is not an image this app can read. Supported formats: PNG, JPEG, GIF, BMP, "
        "WEBP, TIFF. Save it as PNG or JPEG and try again.",
        "업로드한 파일은 이 앱이 읽을 수 있는 이미지가 아닙니다. 지원하는 형식: PNG, JPEG, GIF, "
        "BMP, WEBP, TIFF. PNG나 JPEG로 저장해서 다시 시도하세요.",
    ),
    "an oversized upload": Refusal(
        lambda c, h, q: post_image(
            c, f"/api/convolve{q}", b"\x00" * (UPLOAD_CAP_BYTES + 1), headers=h
        ),
        413,
        "The request body is larger than 2,097,152 bytes, the most this server accepts. Send a "
        "smaller file: scale the image down or save it as JPEG.",
        "요청 본문이 이 서버가 받는 최대 크기인 2,097,152바이트보다 큽니다. 더 작은 파일을 "
        "보내세요: 이미지를 줄이거나 JPEG로 저장하세요.",
    ),
    "a path with nothing there": Refusal(
        lambda c, h, q: c.get(f"/api/nothing-here{q}", headers=h),
        404,
        "There is nothing at /api/nothing-here. See /docs for the API's paths.",
        "/api/nothing-here에는 아무것도 없습니다. API의 경로는 /docs를 보세요.",
    ),
    "a wrong method": Refusal(
        lambda c, h, q: c.delete(f"/api/convolve/matrix{q}", headers=h),
        405,
        "DELETE is not allowed on /api/convolve/matrix; it takes POST. See /docs for what each "
        "method does.",
        "/api/convolve/matrix에서는 DELETE를 쓸 수 없습니다. 쓸 수 있는 메서드: POST. 각 메서드가 "
        "하는 일은 /docs를 보세요.",
    ),
}


def detail_of(response: Response) -> str:
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    return detail


def assert_korean(refusal: Refusal, response: Response) -> None:
    assert response.status_code == refusal.status
    assert response.headers["content-language"] == "ko"
    if refusal.english:
        assert detail_of(response) == refusal.korean
    else:
        assert detail_of(response).startswith(refusal.korean)


@pytest.mark.parametrize("name", REFUSALS)
def test_a_korean_browser_is_answered_in_korean(web: TestClient, name: str) -> None:
    refusal = REFUSALS[name]

    assert_korean(refusal, refusal.send(web, KOREAN, ""))


@pytest.mark.parametrize("name", REFUSALS)
def test_without_the_header_the_answer_is_the_english_of_before(web: TestClient, name: str) -> None:
    refusal = REFUSALS[name]

    response = refusal.send(web, {}, "")

    assert response.status_code == refusal.status
    assert response.headers["content-language"] == "en"
    if refusal.english:
        assert detail_of(response) == refusal.english
    else:
        assert detail_of(response).startswith("There is no kernel preset named 'blurry'. ")


@pytest.mark.parametrize("name", REFUSALS)
def test_the_language_switch_asks_for_korean_too(web: TestClient, name: str) -> None:
    refusal = REFUSALS[name]

    response = refusal.send(web, {"accept-language": "en"}, "?lang=ko")

    assert_korean(refusal, response)
    assert response.headers["set-cookie"].startswith("convlens_lang=ko;")


def test_the_kernel_presets_are_listed_alike_in_both_languages(web: TestClient) -> None:
    refusal = REFUSALS["an unknown kernel preset"]
    english = detail_of(refusal.send(web, {}, ""))
    korean = detail_of(refusal.send(web, KOREAN, ""))

    presets = english.split("Known presets: ")[1].split(". GET")[0]
    assert "sobel_left" in presets.split(", ")
    assert korean == (
        f"이름이 'blurry'인 커널 프리셋은 없습니다. 있는 프리셋: {presets}. GET /api/kernels가 "
        "목록을 보여 줍니다."
    )


def test_an_unknown_model_is_a_404_in_the_requests_language(web: TestClient) -> None:
    """The models' messages are the catalog api_ml's: the answer is the registry's own error,
    translated as that catalog says, with the real id and models filled in."""
    english = web.get("/api/models/lenet")
    korean = web.get("/api/models/lenet", headers=KOREAN)

    assert english.status_code == korean.status_code == 404
    assert detail_of(english) == (
        "There is no model 'lenet'. Models: colour-shapes, lenet5, mlp, mnist-cnn-dropout, "
        "mnist-cnn."
    )
    assert korean.headers["content-language"] == "ko"
    with pytest.raises(UnknownResource) as refusal:
        web.app_state["registry"].get_model("lenet")
    assert refusal.value.detail == detail_of(english)
    assert detail_of(korean) == refusal.value.localized("ko")
    assert detail_of(korean) != detail_of(english)  # api_ml.po translates it
    assert "'lenet'" in detail_of(korean) and "mnist-cnn-dropout" in detail_of(korean)


def test_a_korean_validation_error_keeps_pydantics_own_messages_in_errors(
    web: TestClient,
) -> None:
    response = REFUSALS["stride 0"].send(web, KOREAN, "")

    assert response.json()["errors"][0]["msg"] == "Input should be greater than or equal to 1"


def test_the_kernel_presets_are_described_in_the_requests_language(web: TestClient) -> None:
    english = {p["name"]: p for p in web.get("/api/kernels").json()}
    korean = {p["name"]: p for p in web.get("/api/kernels", headers=KOREAN).json()}

    assert english["box_blur"]["label"] == "Box blur"
    assert english["box_blur"]["explanation"] == (
        "Replaces each pixel by the plain average of its 3x3 neighbourhood."
    )
    assert korean["box_blur"]["label"] == "박스 블러"
    assert korean["box_blur"]["explanation"] == "각 픽셀을 주변 3x3의 단순 평균으로 바꿉니다."
    # The names are identifiers, and the matrices numbers: the same in every language.
    assert list(korean) == list(english)
    assert [p["matrix"] for p in korean.values()] == [p["matrix"] for p in english.values()]


def test_the_output_size_is_explained_in_the_requests_language(web: TestClient) -> None:
    body = {"input": [[1] * 6] * 6, "kernel": [[1] * 3] * 3, "strides": 2}
    english = web.post("/api/convolve/matrix", json=body).json()["output_size"]["rows"]
    korean = web.post("/api/convolve/matrix", json=body, headers=KOREAN).json()["output_size"]

    assert english["explanation"] == (
        "The division is not exact: window number 2 starts at padded index 2 (1 steps of 2) and "
        "one more step would run past the edge, so the last padded row is never reached by the "
        "window. Keras does the same; change the stride or padding to make it divide evenly."
    )
    assert korean["rows"]["explanation"] == (
        "나누어떨어지지 않습니다: 2번째 창은 패딩한 인덱스 2에서 시작하고(2씩 1걸음), 한 걸음 "
        "더 가면 가장자리를 넘으므로 패딩한 마지막 행에는 창이 닿지 않습니다. Keras도 같습니다. "
        "나누어떨어지게 하려면 스트라이드나 패딩을 바꾸세요."
    )
    assert korean["rows"]["formula"] == english["formula"]  # arithmetic reads the same


def test_the_notes_on_an_uploaded_picture_are_in_the_requests_language(web: TestClient) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored on its side
    photo = encode(Image.new("RGB", (16, 8), (90, 120, 150)), "JPEG", exif=exif.tobytes())

    def notes(headers: dict[str, str]) -> list[str]:
        response = post_image(web, "/api/convolve", photo, headers=headers, kernel="[[1]]")
        assert response.status_code == 200, response.text
        result: list[str] = response.json()["input"]["notes"]
        return result

    assert notes({}) == ["The image was rotated upright from its EXIF orientation (6)."]
    assert notes(KOREAN) == ["EXIF 방향 정보(6)에 따라 이미지를 바로 세웠습니다."]


def test_the_live_classifier_answers_in_the_connections_language(web: TestClient) -> None:
    with web.websocket_connect("/api/live", headers=KOREAN) as socket:
        socket.send_bytes(b"this is not an image")
        not_an_image = socket.receive_json()
        socket.send_text("models=lenet5")
        not_json = socket.receive_json()

    assert (not_an_image["type"], not_an_image["status"]) == ("error", 415)
    assert not_an_image["detail"] == REFUSALS["a non-image upload"].korean
    assert not_json["status"] == 422
    assert not_json["detail"].startswith("설정 메시지가 /api/live가 기대하는 것과 맞지 않습니다: ")
    assert not_json["detail"].endswith(
        '{"models": ["lenet5"], "invert": "auto"} 같은 JSON을 보내세요.'
    )


def test_a_blank_drawing_is_refused_in_the_requests_language(web: TestClient) -> None:
    blank = png(np.full((280, 280), 255, np.uint8))

    english = post_image(web, "/api/models/lenet5/predict", blank)
    korean = post_image(web, "/api/models/lenet5/predict", blank, headers=KOREAN)

    assert english.status_code == korean.status_code == 422
    assert detail_of(english) == (
        "No digit found: the picture is one even shade (100% bright), with nothing drawn on it. "
        "Draw a digit, or upload a photo of one, and try again."
    )
    assert detail_of(korean) == (
        "숫자를 찾지 못했습니다: 이미지가 고르게 한 가지 밝기(100%)이고 아무것도 그려져 있지 "
        "않습니다. 숫자를 그리거나 숫자 사진을 업로드해서 다시 시도하세요."
    )


def test_a_drawings_preparation_is_told_in_the_requests_language(web: TestClient) -> None:
    def preparation(headers: dict[str, str]) -> dict[str, Any]:
        response = post_image(web, "/api/models/lenet5/predict", seven_png(), headers=headers)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()["preprocessing"]
        return result

    english, korean = preparation({}), preparation(KOREAN)

    assert english["polarity"] == (
        "The marks are light ink on a dark background (luminance 0.00): kept, as in MNIST."
    )
    assert korean["polarity"] == (
        "표시는 어두운 배경 위의 밝은 잉크입니다(휘도 0.00): MNIST와 같으므로 그대로 두었습니다."
    )
    assert english["notes"][2] == (
        "Cropped to the ink: 80x64 pixels (height x width), as MNIST's digits were measured by "
        "their ink alone."
    )
    assert korean["notes"][2] == (
        "잉크에 맞춰 80x64픽셀(높이 x 너비)로 잘랐습니다. MNIST의 숫자도 잉크만으로 크기를 "
        "쟀습니다."
    )
    assert len(korean["notes"]) == len(english["notes"])
    assert not any(
        note.startswith(("Ink:", "The ", "Scaled", "Padded")) for note in korean["notes"]
    )


def test_a_photos_preparation_is_told_in_the_requests_language(web: TestClient) -> None:
    photo = png(random_rgb(40, 60))

    def notes(headers: dict[str, str]) -> list[str]:
        response = post_image(web, "/api/models/colour-shapes/predict", photo, headers=headers)
        assert response.status_code == 200, response.text
        result: list[str] = response.json()["preprocessing"]["notes"]
        return result

    assert notes({}) == [
        "The image was 60x40 (width x height); it was shrunk to 32x32, cropping 10 columns from "
        "each side so its shape fits.",
        "Shrinking averaged the pixels that each new pixel covers (area interpolation), so fine "
        "detail blends instead of flickering.",
        "Each pixel value (0 to 255) was divided by 255, so the model gets numbers from 0 to 1.",
    ]
    assert notes(KOREAN) == [
        "이미지는 60x40(너비 x 높이)였으며, 모양이 맞도록 양옆에서 10열씩 잘라내고 32x32 "
        "크기로 줄였습니다.",
        "줄일 때는 새 픽셀 하나가 덮는 픽셀들의 평균을 냈으므로(영역 보간) 세밀한 부분이 "
        "깜박이지 않고 섞입니다.",
        "각 픽셀 값(0~255)을 255로 나눠서 모델은 0부터 1까지의 수를 받습니다.",
    ]


VALIDATORS = {
    "duplicate class names": (
        lambda c, h: c.post(
            "/api/models",
            files={"file": ("a.keras", b"PK", "application/octet-stream")},
            data={"name": "n", "classes": "cat, cat"},
            headers=h,
        ),
        "body.classes (got 'cat, cat'): two classes have the same name; give each class its own.",
        "body.classes (받은 값 'cat, cat'): 두 클래스의 이름이 같습니다. 클래스마다 다른 이름을 "
        "주세요.",
    ),
    "flips without augment": (
        lambda c, h: c.post(
            "/api/training",
            json={"dataset": "nope", "architecture": "mlp", "flips": True},
            headers=h,
        ),
        "body: flips is part of augmentation: set augment to true as well.",
        "body: flips는 증강의 일부입니다. augment도 true로 설정하세요.",
    ),
    "a stack over the layer cap": (
        lambda c, h: c.post(
            "/api/architectures/summary",
            json={"input_shape": [8, 8, 1], "layers": [{"type": "Flatten"}] * 301},
            headers=h,
        ),
        "body: The stack has more than 300 layers (branches included), the most this lab "
        "summarises. ResNet-50 needs under 200; remove some layers. Fix",
        "body: 스택에 층이 300개보다 많습니다(가지 포함). 이 실험실이 요약하는 최대치입니다. "
        "ResNet-50도 200개가 안 됩니다. 층을 몇 개 빼세요. ",
    ),
}


@pytest.mark.parametrize("name", VALIDATORS)
def test_our_validators_speak_in_the_requests_language_without_pythons_words(
    web: TestClient, name: str
) -> None:
    """A validator's ValueError reads as its sentence alone: no pydantic "Value error, "."""
    send, english_words, korean_words = VALIDATORS[name]
    english = send(web, {})
    korean = send(web, KOREAN)

    assert english.status_code == korean.status_code == 422
    assert english_words in english.json()["detail"]
    assert korean_words in korean.json()["detail"]
    assert "Value error" not in english.json()["detail"] + korean.json()["detail"]
