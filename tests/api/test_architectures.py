"""GET /api/architectures[/{name}] and POST /api/architectures/summary."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

PRESET_NAMES = [
    "lenet5",
    "mnist-cnn",
    "mlp",
    "course-conv",
    "course-conv-pool",
    "alexnet",
    "vgg16",
    "resnet50",
    "googlenet",
]
ISSUE_EXAMPLE = {
    "input_shape": [28, 28, 1],
    "layers": [
        {
            "type": "Conv2D",
            "filters": 32,
            "kernel_size": 3,
            "strides": 1,
            "padding": "valid",
            "activation": "relu",
        },
        {"type": "MaxPooling2D", "pool_size": 2},
        {"type": "Flatten"},
        {"type": "Dense", "units": 64},
    ],
}


def summary(client: TestClient, body: dict[str, object]) -> dict[str, object]:
    response = client.post("/api/architectures/summary", json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def refused(client: TestClient, body: object, status: int = 422) -> str:
    response = client.post("/api/architectures/summary", json=body)
    assert response.status_code == status, response.text
    return response.json()["detail"]  # type: ignore[no-any-return]


def test_listing_gives_every_preset_with_totals_and_sources(client: TestClient) -> None:
    response = client.get("/api/architectures")

    assert response.status_code == 200
    presets = response.json()
    assert [p["name"] for p in presets] == PRESET_NAMES
    lenet = presets[0]
    assert lenet["title"] == "LeNet-5"
    assert lenet["total_params"] == 61_706
    assert lenet["input_shape"] == [28, 28, 1]
    assert lenet["output_shape"] == [10]
    assert lenet["depth"] == 5
    assert lenet["params_by_kind"] == {
        "conv": 156 + 2_416,
        "dense": 48_120 + 10_164 + 850,
        "norm": 0,
    }
    # input 1; conv1 5; pool1 6 (jump 2); conv2 6 + 4*2 = 14; pool2 16 (jump 4); flatten 16;
    # the dense layers see the whole 5x5 map: 16 + 4*4 = 32.
    assert lenet["receptive_field_growth"] == [1, 5, 6, 14, 16, 16, 32, 32, 32]
    assert all(p["source"] and p["description"] for p in presets)


def test_a_preset_gives_its_layers_in_the_request_format_and_its_table(client: TestClient) -> None:
    response = client.get("/api/architectures/alexnet")

    assert response.status_code == 200
    alexnet = response.json()
    assert alexnet["layers"][0] == {"type": "Input", "shape": [227, 227, 3], "name": "input_layer"}
    assert alexnet["layers"][1]["filters"] == 96
    conv1 = alexnet["summary"]["layers"][1]
    assert conv1["name"] == "conv1"
    assert conv1["output_shape"] == [55, 55, 96]
    assert conv1["output_formula"].startswith("(227 - 11 + 2*0) / 4 + 1 = 54 + 1 = 55")
    assert conv1["params_formula"] == "11*11*3*96 + 96 = 34,944"
    assert alexnet["summary"]["total_params"] == alexnet["total_params"] == 62_378_344

    resent = summary(client, {"layers": alexnet["layers"]})
    assert resent == alexnet["summary"]


def test_an_unknown_preset_is_a_404_listing_the_names(client: TestClient) -> None:
    response = client.get("/api/architectures/lenet")

    assert response.status_code == 404
    assert response.json()["detail"] == (
        "There is no architecture preset named 'lenet'. Use one of: "
        + ", ".join(PRESET_NAMES)
        + " (GET /api/architectures lists them)."
    )


def test_the_issue_example_is_summarised_with_the_arithmetic(client: TestClient) -> None:
    result = summary(client, ISSUE_EXAMPLE)

    rows = result["layers"]
    assert [row["type"] for row in rows] == ["Input", "Conv2D", "MaxPooling2D", "Flatten", "Dense"]
    assert [row["output_shape"] for row in rows] == [[28, 28, 1], [26, 26, 32], [13, 13, 32],
                                                     [5408], [64]]  # fmt: skip
    assert [row["params"] for row in rows] == [0, 320, 0, 0, 346_176]
    assert rows[1]["params_formula"] == "3*3*1*32 + 32 = 320"
    assert rows[4]["params_formula"] == "5408*64 + 64 = 346,176"
    assert rows[1]["macs"] == 26 * 26 * 3 * 3 * 32
    assert rows[4]["macs"] == 5408 * 64
    assert rows[2]["receptive_field"] == [4, 4]
    assert result["total_params"] == result["trainable_params"] == 346_496
    assert result["params_bytes"] == 4 * 346_496
    assert result["activation_values"] == 784 + 26 * 26 * 32 + 13 * 13 * 32 + 5408 + 64


def test_batch_normalization_makes_trainable_differ_from_total(client: TestClient) -> None:
    result = summary(
        client, {"input_shape": [8, 8, 16], "layers": [{"type": "BatchNormalization"}]}
    )

    assert (result["total_params"], result["trainable_params"]) == (64, 32)
    assert result["non_trainable_params"] == 32


def test_branches_write_down_a_residual_block_and_an_inception_module(client: TestClient) -> None:
    def conv(filters: int, size: int, strides: int = 1) -> dict[str, object]:
        return {"type": "Conv2D", "filters": filters, "kernel_size": size, "strides": strides,
                "padding": "same"}  # fmt: skip

    body = {
        "input_shape": [16, 16, 8],
        "layers": [
            {"type": "Add", "branches": [[conv(8, 3), conv(8, 3)], []]},
            {"type": "Add", "branches": [[conv(16, 3, 2)], [conv(16, 1, 2)]], "name": "down"},
            {
                "type": "Concatenate",
                "branches": [
                    [conv(4, 1)],
                    [conv(4, 1), conv(8, 3)],
                    [{"type": "MaxPooling2D", "pool_size": 3, "strides": 1, "padding": "same"}],
                ],
            },
        ],
    }
    result = summary(client, body)

    by_name = {row["name"]: row for row in result["layers"]}
    assert by_name["add"]["output_shape"] == [16, 16, 8]
    assert by_name["down"]["output_shape"] == [8, 8, 16]
    assert by_name["down"]["input_shapes"] == [[8, 8, 16], [8, 8, 16]]
    assert by_name["concatenate"]["output_shape"] == [8, 8, 4 + 8 + 16]
    assert by_name["conv2d_3"]["location"] == "layers[1].branches[1][0]"
    assert by_name["conv2d_3"]["nesting"] == 1
    assert result["total_params"] == (
        2 * (3 * 3 * 8 * 8 + 8) + (3 * 3 * 8 * 16 + 16) + (8 * 16 + 16)
        + (16 * 4 + 4) + (16 * 4 + 4) + (3 * 3 * 4 * 8 + 8)
    )  # fmt: skip
    # Longest weight path: two convs, one, then 1x1 + 3x3.
    assert result["depth"] == 5


def test_an_impossible_stack_is_a_422_naming_the_layer(client: TestClient) -> None:
    detail = refused(
        client,
        {
            "input_shape": [28, 28, 1],
            "layers": [
                {"type": "Conv2D", "filters": 6, "kernel_size": 5},
                {"type": "MaxPooling2D", "pool_size": 8},
                {"type": "Conv2D", "filters": 16, "kernel_size": 5, "name": "conv2"},
            ],
        },
    )

    assert detail.startswith(
        'layers[2] "conv2" (Conv2D): The kernel (5x5) is larger than the padded input (3x3) '
        "along the rows."
    )
    assert "Keras raises ValueError" in detail


def test_uneven_divisions_are_warnings_not_errors(client: TestClient) -> None:
    result = summary(
        client,
        {"input_shape": [11, 11, 1], "layers": [{"type": "MaxPooling2D", "pool_size": 2}]},
    )

    assert result["output_shape"] == [5, 5, 1]
    assert result["warnings"][0].startswith(
        "layers[0] 'max_pooling2d': rows and columns alike: the division is not exact: window "
        "number 5 starts at padded index 8 (4 steps of 2)"
    )


def test_an_unknown_layer_type_is_a_422_listing_the_valid_types(client: TestClient) -> None:
    detail = refused(client, {"input_shape": [8, 8, 1], "layers": [{"type": "Conv3D"}]})

    assert "body.layers.0" in detail
    for name in ("'Conv2D'", "'DepthwiseConv2D'", "'Add'", "'Concatenate'", "'Dropout'"):
        assert name in detail


def test_settings_are_strict_and_bounded(client: TestClient) -> None:
    def one(layer: dict[str, object]) -> str:
        return refused(client, {"input_shape": [8, 8, 1], "layers": [layer]})

    assert "filters" in one({"type": "Conv2D", "filters": True, "kernel_size": 3})
    assert "filters" in one({"type": "Conv2D", "filters": "3", "kernel_size": 3})
    assert "pool_size" in one({"type": "Dense", "units": 3, "pool_size": 2})
    assert "strides" in one({"type": "Conv2D", "filters": 1, "kernel_size": 1, "strides": 0})
    assert "units" in one({"type": "Dense", "units": 10**9})
    assert "rate" in one({"type": "Dropout", "rate": 1.5})
    assert "activation" in one({"type": "Dense", "units": 1, "activation": "glu"})
    assert "input_shape" in refused(client, {"input_shape": [8, 8, 1, 1], "layers": []})
    assert "input_shape" in refused(client, {"input_shape": [5000, 5, 1], "layers": []})


def test_the_input_is_given_once(client: TestClient) -> None:
    dense = {"type": "Dense", "units": 10}
    result = summary(client, {"layers": [{"type": "Input", "shape": [784]}, dense]})
    assert result["total_params"] == 7_850
    assert "given twice" in refused(
        client, {"input_shape": [784], "layers": [{"type": "Input", "shape": [784]}, dense]}
    )
    assert "no input" in refused(client, {"layers": [dense]})


def test_too_many_layers_or_too_deep_nesting_is_refused_cheaply(client: TestClient) -> None:
    start = time.perf_counter()
    many = {
        "input_shape": [4],
        "layers": [{"type": "Dropout", "rate": 0.1}] * 20_000,
    }  # 660 KB, under the JSON cap
    assert "more than 300 layers" in refused(client, many)
    # Too deep for json.dumps, so written out by hand: 5,000 merges inside each other.
    nested = '{"type": "Dropout", "rate": 0.1}'
    for _ in range(5_000):
        nested = f'{{"type": "Add", "branches": [[{nested}], []]}}'
    response = client.post(
        "/api/architectures/summary",
        content=f'{{"input_shape": [4], "layers": [{nested}]}}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422)
    assert time.perf_counter() - start < 5
    branches_in_branches: dict[str, object] = {"type": "Dropout", "rate": 0.1}
    for _ in range(6):
        branches_in_branches = {"type": "Add", "branches": [[branches_in_branches], []]}
    assert "nested more than 4 deep" in refused(
        client, {"input_shape": [4], "layers": [branches_in_branches]}
    )


def test_huge_valid_stacks_answer_exact_numbers(client: TestClient) -> None:
    result = summary(
        client,
        {
            "input_shape": [4096, 4096, 1],
            "layers": [
                {"type": "Conv2D", "filters": 65_536, "kernel_size": 1},
                {"type": "Flatten"},
                {"type": "Dense", "units": 65_536},
            ],
        },
    )
    flat = 4096 * 4096 * 65_536
    assert result["layers"][-1]["params"] == flat * 65_536 + 65_536


def test_the_page_is_served_and_named_in_the_navigation(client: TestClient) -> None:
    response = client.get("/architectures")

    assert response.status_code == 200
    assert '<a href="/architectures" aria-current="page">Architectures</a>' in response.text
    assert "architecture_lab.js" in response.text


def test_merges_nest_and_stay_strictly_validated_inside_branches(client: TestClient) -> None:
    # An Inception-ResNet style block: an inception module on the main path of a residual block.
    module = {
        "type": "Concatenate",
        "branches": [
            [{"type": "Conv2D", "filters": 4, "kernel_size": 1}],
            [{"type": "Conv2D", "filters": 4, "kernel_size": 3, "padding": "same"}],
        ],
    }
    block = {"type": "Add", "branches": [[module], []], "name": "block"}
    result = summary(client, {"input_shape": [6, 6, 8], "layers": [block]})
    assert result["output_shape"] == [6, 6, 8]
    assert result["layers"][1]["location"] == "layers[0].branches[0][0].branches[0][0]"
    assert result["layers"][1]["nesting"] == 2

    module["branches"][0][0]["filters"] = 0  # type: ignore[index]
    detail = refused(client, {"input_shape": [6, 6, 8], "layers": [block]})
    assert "body.layers.0.Add.branches.0.0.Concatenate.branches.0.0.Conv2D.filters" in detail


def test_layer_types_describe_every_setting_with_its_bounds(client: TestClient) -> None:
    response = client.get("/api/architectures/layer-types")

    assert response.status_code == 200
    catalogue = response.json()
    types = {entry["type"]: entry for entry in catalogue["layer_types"]}
    assert list(types) == [
        "Input", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling2D",
        "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "ZeroPadding2D",
        "Flatten", "Dense", "Dropout", "BatchNormalization", "Activation", "ReLU", "LeakyReLU",
        "Softmax", "Rescaling", "Add", "Concatenate",
    ]  # fmt: skip
    conv = {field["key"]: field for field in types["Conv2D"]["fields"]}
    # keras.layers.Conv2D's own argument names, in its order.
    assert list(conv) == ["filters", "kernel_size", "strides", "padding", "use_bias", "activation"]
    assert conv["filters"] | {"description": ""} == {
        "key": "filters", "label": "Filters", "description": "", "kind": "int",
        "required": True, "nullable": False, "default": None, "example": 8,
        "minimum": 1, "maximum": 65_536, "options": [],
    }  # fmt: skip
    assert (conv["kernel_size"]["kind"], conv["kernel_size"]["maximum"]) == ("pair", 256)
    assert conv["padding"]["options"] == ["valid", "same"]
    assert conv["activation"]["nullable"] and "relu" in conv["activation"]["options"]
    pool_strides = types["MaxPooling2D"]["fields"][1]
    assert (pool_strides["key"], pool_strides["nullable"]) == ("strides", True)
    rate = types["Dropout"]["fields"][0]
    assert (rate["kind"], rate["minimum"], rate["maximum"]) == ("float", 0, 1)
    assert types["Flatten"]["fields"] == []
    assert types["Add"]["fields"][0]["kind"] == "branches"
    assert types["Conv2D"]["keras_name"] == "conv2d"
    assert catalogue["limits"]["max_layers"] == 300
    assert catalogue["limits"]["max_branches"] == 8


def test_every_layer_type_s_example_is_a_layer_the_summary_accepts(client: TestClient) -> None:
    types = client.get("/api/architectures/layer-types").json()["layer_types"]
    input_layer, *others = (entry["example"] for entry in types)
    assert input_layer == {"type": "Input", "shape": [28, 28, 1]}

    for layer in others:
        if layer["type"] == "Add":  # as the page does: the main path keeps the channels
            layer["branches"][0][0]["filters"] = input_layer["shape"][-1]
        rows = summary(client, {"layers": [input_layer, layer]})["layers"]
        assert rows[-1]["type"] == layer["type"]
        assert rows[-1]["location"] == "layers[1]"


def test_a_stack_that_grows_past_what_the_lab_follows_is_a_clear_422(client: TestClient) -> None:
    # Issue 14: 299 layers multiplying the channels by 256 each once reached 720 digits.
    depthwise = {"type": "DepthwiseConv2D", "kernel_size": 1, "depth_multiplier": 256}
    detail = refused(client, {"input_shape": [4, 4, 3], "layers": [depthwise] * 299})

    assert detail == (
        'layers[2] "depthwise_conv2d_2" (DepthwiseConv2D) gives 50,331,648 channels; this lab '
        "follows up to 1,048,576 channels a layer (depth multipliers multiply them, "
        "concatenations add them up). Use fewer filters, a smaller depth_multiplier or fewer "
        "branches."
    )
    # 4096 * 256 = 1,048,576 is the most; it still answers.
    assert summary(client, {"input_shape": [1, 1, 4096], "layers": [depthwise]})[
        "output_shape"
    ] == [1, 1, 1_048_576]
