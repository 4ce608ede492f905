"""The arithmetic a Korean learner reads in the answers: the uneven-division warnings of the
Architecture lab and the formula columns of a model's summary (the Explorer's table) come in
Korean, with the numbers worked by hand below; English stays as it was (other tests hold it)."""

from __future__ import annotations

from fastapi.testclient import TestClient

KOREAN = {"accept-language": "ko-KR,ko;q=0.9"}


def summary(client: TestClient, input_shape: list[int], headers: dict[str, str]) -> dict:
    response = client.post(
        "/api/architectures/summary",
        json={"input_shape": input_shape, "layers": [{"type": "MaxPooling2D", "pool_size": 2}]},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_an_uneven_division_on_both_axes_is_explained_once_in_korean(web: TestClient) -> None:
    # 11 rows, window 2, stride 2: (11 - 2) / 2 = 4.5, floored to 4 steps: the 5th window starts
    # at 8 and covers 8..9, so row 10 (one row) is never reached; the columns alike.
    answer = summary(web, [11, 11, 1], KOREAN)

    assert answer["warnings"] == [
        "layers[0] 'max_pooling2d': 행과 열 모두: 나누어떨어지지 않습니다: 5번째 창은 패딩한 "
        "인덱스 8에서 시작하고(2씩 4걸음), 한 걸음 더 가면 가장자리를 넘으므로 패딩한 마지막 "
        "행에는 창이 닿지 않습니다. Keras도 같습니다. 나누어떨어지게 하려면 스트라이드나 "
        "패딩을 바꾸세요."
    ]


def test_an_uneven_division_on_one_axis_names_it_in_korean(web: TestClient) -> None:
    # 11 rows leave one unreached; 12 columns divide evenly: (12 - 2) / 2 + 1 = 6.
    korean = summary(web, [11, 12, 1], KOREAN)
    english = summary(web, [11, 12, 1], {})

    (row,) = korean["layers"][1:]
    assert row["warnings"] == [
        "행: 나누어떨어지지 않습니다: 5번째 창은 패딩한 인덱스 8에서 시작하고(2씩 4걸음), 한 "
        "걸음 더 가면 가장자리를 넘으므로 패딩한 마지막 행에는 창이 닿지 않습니다. Keras도 "
        "같습니다. 나누어떨어지게 하려면 스트라이드나 패딩을 바꾸세요."
    ]
    assert row["output_formula"].startswith(
        "행: (11 - 2 + 2*0) / 2 + 1 = floor(4.5) + 1 = 5; 열: (12 - 2 + 2*0) / 2 + 1 = 5 + 1 = 6"
    )
    (english_row,) = english["layers"][1:]
    assert english_row["warnings"] == [
        "rows: the division is not exact: window number 5 starts at padded index 8 (4 steps of "
        "2) and one more step would run past the edge, so the last padded row is never reached "
        "by the window. Keras does the same; change the stride or padding to make it divide "
        "evenly."
    ]
    assert english_row["output_formula"].startswith(
        "rows: (11 - 2 + 2*0) / 2 + 1 = floor(4.5) + 1 = 5; cols: (12 - 2 + 2*0) / 2 + 1"
    )


def test_the_explorers_summary_table_works_lenet5_out_in_korean(web: TestClient) -> None:
    rows = web.get("/api/models/lenet5", headers=KOREAN).json()["summary"]
    english = web.get("/api/models/lenet5").json()["summary"]

    formulas = [(row["type"], row["params_formula"], row["output_formula"]) for row in rows]
    # LeNet-5 by hand: 5x5 kernels on 28x28 with padding 2, 2x2 pools, 16*5*5 = 400 inputs.
    assert formulas == [
        (
            "Conv2D",
            "5*5*1*6 + 6 = 156",
            "높이와 너비: (28 - 5 + 2*2) / 1 + 1 = 27 + 1 = 28; 깊이 6 (필터 6개)",
        ),
        (
            "MaxPooling2D",
            "0 (가중치 없음)",
            "높이와 너비: (28 - 2 + 2*0) / 2 + 1 = 13 + 1 = 14; 깊이 6 (입력 채널마다 맵 하나)",
        ),
        (
            "Conv2D",
            "5*5*6*16 + 16 = 2,416",
            "높이와 너비: (14 - 5 + 2*0) / 1 + 1 = 9 + 1 = 10; 깊이 16 (필터 16개)",
        ),
        (
            "MaxPooling2D",
            "0 (가중치 없음)",
            "높이와 너비: (10 - 2 + 2*0) / 2 + 1 = 4 + 1 = 5; 깊이 16 (입력 채널마다 맵 하나)",
        ),
        ("Flatten", "0 (가중치 없음)", "5 x 5 x 16 = 한 줄로 늘어선 값 400개"),
        ("Dense", "400*120 + 120 = 48,120", "유닛 120개"),
        ("Dense", "120*84 + 84 = 10,164", "유닛 84개"),
        ("Dense", "84*10 + 10 = 850", "유닛 10개"),
    ]
    assert [row["output_formula"] for row in english][4:6] == [
        "5 x 5 x 16 = 400 values in a row",
        "120 units",
    ]
    assert english[1]["output_formula"].endswith("depth 6 (one map per input channel)")
