"""The Architecture lab in Korean: the layer editor's labels and help, the presets' titles and
descriptions, and the table's arithmetic and warnings follow the request's language, with the
real numbers filled in; a paper's citation stays as published. Without Korean, the English is
byte for byte what it was."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from app.core.architecture.limits import MAX_INPUT_CHANNELS, MAX_INPUT_SIDE

KOREAN = {"accept-language": "ko-KR,ko;q=0.9"}
DENSE_ON_A_MAP = {
    "input_shape": [6, 6, 2],
    "layers": [
        {"type": "GlobalMaxPooling2D", "keepdims": True},
        {"type": "Dense", "units": 4, "use_bias": False},
    ],
}


def field(catalogue: dict[str, Any], layer_type: str, key: str) -> dict[str, Any]:
    layer = next(t for t in catalogue["layer_types"] if t["type"] == layer_type)
    return next(f for f in layer["fields"] if f["key"] == key)


def row(table: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in table["layers"] if r["name"] == name)


def test_the_layer_editor_reads_in_korean(web: TestClient) -> None:
    korean = web.get("/api/architectures/layer-types", headers=KOREAN).json()
    english = web.get("/api/architectures/layer-types").json()

    conv = next(t for t in korean["layer_types"] if t["type"] == "Conv2D")
    assert conv["about"] == "필터가 입력 위를 미끄러집니다"
    assert field(korean, "Conv2D", "filters")["label"] == "필터"
    assert field(korean, "Conv2D", "filters")["description"] == (
        "필터의 개수, 곧 출력 채널의 개수입니다."
    )
    assert field(korean, "Conv2D", "kernel_size")["description"] == (
        "창 크기: 정수 하나 또는 [행, 열]입니다."
    )
    assert field(korean, "Input", "shape")["description"] == (
        f"이미지는 [높이, 너비, 채널](한 변 최대 {MAX_INPUT_SIDE}, "
        f"채널 최대 {MAX_INPUT_CHANNELS}개), 벡터는 [길이]입니다. 배치 축은 넣지 않습니다."
    )
    # Keys, types, options and numbers are the same in every language.
    assert field(korean, "Conv2D", "padding")["options"] == ["valid", "same"]
    assert [t["type"] for t in korean["layer_types"]] == [t["type"] for t in english["layer_types"]]
    assert korean["limits"] == english["limits"]

    conv = next(t for t in english["layer_types"] if t["type"] == "Conv2D")
    assert conv["about"] == "filters slide over the input"
    assert field(english, "Conv2D", "filters")["label"] == "Filters"
    assert field(english, "Input", "shape")["description"] == (
        f"[height, width, channels] for images (up to {MAX_INPUT_SIDE} a side, "
        f"{MAX_INPUT_CHANNELS} channels), or [length] "
        "for vectors; no batch axis."
    )


def test_a_preset_reads_in_korean_with_its_citation_as_published(web: TestClient) -> None:
    korean = web.get("/api/architectures/lenet5", headers=KOREAN).json()
    english = web.get("/api/architectures/lenet5").json()

    assert korean["title"] == "LeNet-5"
    assert korean["description"].startswith("르쿤의 숫자 인식기를")
    assert (
        korean["source"]
        == english["source"]
        == (
            "LeCun, Bottou, Bengio, Haffner (1998), Gradient-Based Learning Applied to Document "
            "Recognition."
        )
    )
    assert row(korean["summary"], "fc2")["output_formula"] == (
        "유닛 84개가 각각 입력 120개를 모두 봅니다 -> 84"
    )
    assert row(korean["summary"], "fc1")["receptive_field_formula"] == (
        "모든 유닛이 마지막 특징 맵 전체를 봅니다: 32x32 픽셀"
    )
    assert row(korean["summary"], "flatten")["params_formula"] == "0: Flatten은 모양만 바꿉니다"
    assert row(korean["summary"], "conv1")["settings"] == "필터 6개 5x5, 스트라이드 1, same, relu"
    assert row(english["summary"], "conv1")["settings"] == "6 filters 5x5, strides 1, same, relu"
    assert row(korean["summary"], "pool2")["receptive_field_formula"] == (
        "14 + (2-1)*2 = 16, 점프 2*2 = 4"
    )
    assert row(english["summary"], "fc2")["output_formula"] == (
        "each of the 84 units sees all 120 inputs -> 84"
    )
    assert row(english["summary"], "fc1")["receptive_field_formula"] == (
        "every unit sees all of the last feature map: 32x32 pixels"
    )
    assert korean["total_params"] == english["total_params"] == 61_706

    listing = web.get("/api/architectures", headers=KOREAN).json()
    mlp = next(p for p in listing if p["name"] == "mlp")
    assert mlp["title"] == "Dense 기준 모델 (MLP)"
    assert mlp["source"] == (
        "ConvLens에 들어 있는 모델(app/ml/recipes.py)로, 다층 퍼셉트론 기준 모델입니다."
    )


def test_a_summary_reads_in_korean_with_its_warnings_naming_the_layer(web: TestClient) -> None:
    korean = web.post("/api/architectures/summary", json=DENSE_ON_A_MAP, headers=KOREAN).json()
    english = web.post("/api/architectures/summary", json=DENSE_ON_A_MAP).json()

    pool, dense = korean["layers"][1], korean["layers"][2]
    assert (
        korean["layers"][0]["receptive_field_formula"] == "1 픽셀: 각 입력값은 자기 자신을 봅니다"
    )
    # "1x1x2(으)로" with the particle chosen: 2 is read 이, no final consonant, so 로.
    assert pool["output_formula"] == "6x6 맵마다 최댓값 -> 값 2개, 1x1x2로 유지"
    assert dense["settings"] == "유닛 4개, 편향 없음"
    assert dense["output_formula"] == (
        "Dense는 마지막 축에만 작용합니다: 1x1 위치마다 2 -> 4 -> 1x1x4"
    )
    assert korean["warnings"] == [
        "layers[1] 'dense': 1x1x2 입력에 쓴 Dense 층은 (1x1 Conv2D처럼) 위치마다 마지막 축에만 "
        "작용하므로 출력은 1x1x4입니다. 모든 값을 모든 유닛에 연결하려면 그 앞에 Flatten(또는 "
        "전역 풀링)을 두세요."
    ]

    pool, dense = english["layers"][1], english["layers"][2]
    assert pool["output_formula"] == "the max of each 6x6 map -> 2 values, kept as 1x1x2"
    assert dense["settings"] == "4 units, no bias"
    assert english["warnings"] == [
        "layers[1] 'dense': Dense on a 1x1x2 input acts on the last axis only, at every position "
        "(as a 1x1 Conv2D would), so the output is 1x1x4. To wire every value to every unit, put "
        "a Flatten (or global pooling) before it."
    ]
    assert {k: v for k, v in korean.items() if k not in ("layers", "warnings")} == {
        k: v for k, v in english.items() if k not in ("layers", "warnings")
    }
