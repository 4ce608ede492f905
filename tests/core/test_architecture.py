"""The architecture engine against shapes, parameters and receptive fields worked out by hand."""

from __future__ import annotations

import json
import time

import pytest
from pydantic import TypeAdapter, ValidationError

from app.core.architecture.catalogue import layer_catalogue
from app.core.architecture.layers import (
    Activation,
    Add,
    AveragePooling2D,
    BatchNormalization,
    Concatenate,
    Conv2D,
    Dense,
    DepthwiseConv2D,
    Dropout,
    Flatten,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    Input,
    Layer,
    LeakyReLU,
    MaxPooling2D,
    ReLU,
    Rescaling,
    SeparableConv2D,
    Softmax,
    Stack,
    ZeroPadding2D,
)
from app.core.architecture.limits import MAX_LAYERS
from app.core.architecture.presets import PRESETS, get_preset, preset_summary
from app.core.architecture.summary import summarize_stack
from app.errors import InvalidParameter, UnknownResource


def rows_by_name(input_shape, layers):
    return {row.name: row for row in summarize_stack(input_shape, layers).rows}


def test_alexnet_first_layer_writes_out_the_textbook_arithmetic():
    row = rows_by_name((227, 227, 3), [Conv2D(filters=96, kernel_size=11, strides=4, name="c")])[
        "c"
    ]
    assert row.output_shape == (55, 55, 96)
    assert row.output_formula == "(227 - 11 + 2*0) / 4 + 1 = 54 + 1 = 55; 96 filters -> 55x55x96"
    assert row.params == 34_944
    assert row.params_formula == "11*11*3*96 + 96 = 34,944"
    assert row.macs == 55 * 55 * 11 * 11 * 3 * 96
    assert row.macs_formula == "55*55*11*11*3*96 = 105,415,200"
    assert row.activation_values == 55 * 55 * 96
    assert row.activation_bytes == 4 * 55 * 55 * 96


def test_lenet5_shows_the_classic_parameter_counts():
    rows = {row.name: row for row in preset_summary("lenet5").rows}
    assert rows["conv1"].params_formula == "5*5*1*6 + 6 = 156"
    assert rows["conv2"].params_formula == "5*5*6*16 + 16 = 2,416"
    assert rows["flatten"].output_shape == (400,)
    assert rows["fc1"].params_formula == "400*120 + 120 = 48,120"
    assert rows["fc2"].params_formula == "120*84 + 84 = 10,164"
    assert rows["output"].params_formula == "84*10 + 10 = 850"


@pytest.mark.parametrize(
    ("name", "total"), [("lenet5", 61_706), ("mnist-cnn", 123_690), ("mlp", 66_790)]
)
def test_shipped_mnist_models_have_their_known_totals(name, total):
    summary = preset_summary(name)
    assert summary.total_params == total
    assert summary.trainable_params == total
    assert summary.output_shape == (10,)


@pytest.mark.parametrize(
    ("name", "total", "non_trainable", "depth"),
    [
        ("alexnet", 62_378_344, 0, 8),
        ("vgg16", 138_357_544, 0, 16),
        ("resnet50", 25_636_712, 53_120, 50),
        ("googlenet", 6_998_552, 0, 22),
        ("course-conv", 78 + 456 + 24_010, 0, 3),
        ("course-conv-pool", 78 + 456 + 970, 0, 3),
    ],
)
def test_famous_architectures_have_their_published_totals_and_depth(
    name, total, non_trainable, depth
):
    # AlexNet, VGG16 and ResNet-50 totals as Keras reports them; depth counts weight layers on the
    # longest path, which is where the names VGG16 and ResNet-50 come from (GoogLeNet: "22 layers").
    summary = preset_summary(name)
    assert summary.total_params == total
    assert summary.non_trainable_params == non_trainable
    assert summary.depth == depth


def test_same_padding_is_ceil_of_size_over_stride_and_reports_the_zeros_added():
    row = rows_by_name(
        (224, 224, 3), [Conv2D(filters=8, kernel_size=7, strides=2, padding="same")]
    )["conv2d"]
    assert row.output_shape == (112, 112, 8)
    # Keras pads (112 - 1)*2 + 7 - 224 = 5 zeros: 2 before, 3 after.
    assert row.output_formula.startswith("(224 - 7 + (2+3)) / 2 + 1 = 111 + 1 = 112")
    assert row.warnings == ()


def test_uneven_division_is_a_warning_and_keras_floors_it():
    row = rows_by_name((28, 28, 1), [Conv2D(filters=4, kernel_size=5, strides=2, name="c")])["c"]
    assert row.output_shape == (12, 12, 4)
    assert "(28 - 5 + 2*0) / 2 + 1 = floor(11.5) + 1 = 12" in row.output_formula
    # 23 = 11 steps of 2 and 1 left over: window 12 reads 22..26, never index 27.
    assert row.warnings == (
        "rows and columns alike: the division is not exact: window number 12 starts at padded "
        "index 22 (11 steps of 2) and one more step would run past the edge, so the last padded "
        "row is never reached by the window. Keras does the same; change the stride or padding "
        "to make it divide evenly.",
    )
    tall = rows_by_name((9, 8, 1), [MaxPooling2D(pool_size=2, name="p")])["p"]
    assert tall.output_shape == (4, 4, 1)
    assert tall.warnings == (
        "rows: the division is not exact: window number 4 starts at padded index 6 (3 steps of "
        "2) and one more step would run past the edge, so the last padded row is never reached "
        "by the window. Keras does the same; change the stride or padding to make it divide "
        "evenly.",
    )
    wide = rows_by_name((8, 13, 1), [MaxPooling2D(pool_size=1, strides=4, name="p")])["p"]
    assert wide.warnings[0].startswith("rows: the division is not exact: window number 2 ")
    assert "so the last 3 padded rows are never reached" in wide.warnings[0]
    assert len(wide.warnings) == 1  # cols: 13 - 1 = 12 divides by 4, all read


def test_asymmetric_windows_are_worked_out_per_axis():
    row = rows_by_name(
        (10, 20, 2), [Conv2D(filters=3, kernel_size=(3, 5), strides=(1, 3), name="c")]
    )["c"]
    assert row.output_shape == (8, 6, 3)
    assert row.output_formula.startswith(
        "rows: (10 - 3 + 2*0) / 1 + 1 = 7 + 1 = 8; cols: (20 - 5 + 2*0) / 3 + 1 = 5 + 1 = 6"
    )
    assert row.params == 3 * 5 * 2 * 3 + 3
    assert row.receptive_field == (3, 5)
    assert row.jump == (1, 3)


def test_a_kernel_larger_than_its_input_is_impossible_and_named():
    layers = [
        Conv2D(filters=4, kernel_size=3),
        MaxPooling2D(pool_size=2),
        Conv2D(filters=8, kernel_size=5, name="too_big"),
    ]
    with pytest.raises(InvalidParameter) as caught:
        summarize_stack((8, 8, 1), layers)
    message = caught.value.detail
    assert message.startswith(
        'layers[2] "too_big" (Conv2D): The kernel (5x5) is larger than the padded input (3x3) '
        "along the rows."
    )
    assert "Keras raises ValueError" in message
    assert "Computed output size would be zero or negative" in message
    assert 'padding "same"' in message


def test_a_pool_that_leaves_nothing_is_impossible():
    with pytest.raises(InvalidParameter, match=r'layers\[0\] "max_pooling2d" \(MaxPooling2D\)'):
        summarize_stack((1, 1, 3), [MaxPooling2D(pool_size=2)])


def test_pooling_strides_default_to_the_pool_size():
    row = rows_by_name((7, 7, 2), [AveragePooling2D(pool_size=3)])["average_pooling2d"]
    assert row.output_shape == (2, 2, 2)
    assert row.params == 0 and row.macs == 0
    assert row.jump == (3, 3)


def test_depthwise_convolution_multiplies_channels_by_the_depth_multiplier():
    row = rows_by_name(
        (16, 16, 8), [DepthwiseConv2D(kernel_size=3, depth_multiplier=2, padding="same")]
    )["depthwise_conv2d"]
    assert row.output_shape == (16, 16, 16)
    assert row.params_formula == "3*3*8*2 + 16 = 160"
    assert row.macs == 16 * 16 * 3 * 3 * 8 * 2


def test_conv_without_bias_counts_only_the_kernel():
    row = rows_by_name((5, 5, 3), [Conv2D(filters=4, kernel_size=3, use_bias=False)])["conv2d"]
    assert row.params == 3 * 3 * 3 * 4
    assert row.params_formula == "3*3*3*4 = 108"


def test_dense_on_an_image_acts_on_the_last_axis_and_warns():
    row = rows_by_name((28, 28, 3), [Dense(units=5)])["dense"]
    assert row.output_shape == (28, 28, 5)
    assert row.params_formula == "3*5 + 5 = 20"
    assert row.macs == 28 * 28 * 3 * 5
    assert row.receptive_field == (1, 1)
    assert "put a Flatten" in row.warnings[0]


def test_batch_normalization_has_four_per_channel_of_which_two_are_not_trained():
    row = rows_by_name((4, 4, 64), [BatchNormalization()])["batch_normalization"]
    assert (row.params, row.trainable_params, row.non_trainable_params) == (256, 128, 128)
    assert row.params_formula.startswith("4*64 = 256")
    no_center = rows_by_name((10,), [BatchNormalization(center=False)])["batch_normalization"]
    assert (no_center.params, no_center.trainable_params) == (30, 10)


def test_zero_padding_accepts_an_int_a_pair_and_per_side_pairs():
    for padding, shape in [(1, (7, 9, 2)), ((2, 0), (9, 7, 2)), (((1, 2), (3, 4)), (8, 14, 2))]:
        row = rows_by_name((5, 7, 2), [ZeroPadding2D(padding=padding)])["zero_padding2d"]
        assert row.output_shape == shape, padding
        assert row.params == 0


def test_layers_without_weights_count_zero():
    summary = summarize_stack(
        (6, 6, 2), [Activation(activation="relu"), Dropout(rate=0.3), Flatten(), Dropout(rate=0)]
    )
    assert [row.params for row in summary.rows] == [0, 0, 0, 0, 0]
    assert summary.output_shape == (72,)
    assert summary.rows[3].output_formula == "6*6*2 = 72 values in one vector"


def test_global_pooling_gives_one_value_per_channel():
    summary = summarize_stack((7, 5, 32), [GlobalMaxPooling2D()])
    assert summary.output_shape == (32,)
    kept = summarize_stack((7, 5, 32), [GlobalAveragePooling2D(keepdims=True)])
    assert kept.output_shape == (1, 1, 32)
    assert kept.receptive_field == (7, 5)


def test_receptive_field_follows_the_recurrence():
    # Three stacked 3x3 convolutions see 7x7 (VGG's argument); with a stride-2 pool between the
    # first and the second, the later kernels step 2 input pixels: 3, 4, 4 + 2*2, 8 + 2*2.
    three = summarize_stack((32, 32, 1), [Conv2D(filters=1, kernel_size=3)] * 3)
    assert [row.receptive_field for row in three.rows] == [(1, 1), (3, 3), (5, 5), (7, 7)]
    pooled = summarize_stack(
        (32, 32, 1),
        [
            Conv2D(filters=1, kernel_size=3),
            MaxPooling2D(pool_size=2),
            Conv2D(filters=1, kernel_size=3),
            Conv2D(filters=1, kernel_size=3),
        ],
    )
    assert [row.receptive_field[0] for row in pooled.rows] == [1, 3, 4, 8, 12]
    assert [row.jump[0] for row in pooled.rows] == [1, 1, 2, 2, 2]
    assert pooled.rows[3].receptive_field_formula == "4 + (3-1)*2 = 8, jump 2*1 = 2"


def test_dense_after_flatten_sees_the_whole_last_feature_map():
    summary = summarize_stack(
        (28, 28, 1), [Conv2D(filters=2, kernel_size=5), MaxPooling2D(), Flatten(), Dense(units=3)]
    )
    # The pooled map is 12x12 with units 6 pixels wide, 2 apart: 6 + 11*2 = 28.
    assert summary.rows[2].receptive_field == (6, 6)
    assert summary.rows[3].receptive_field == (6, 6)
    assert summary.rows[4].receptive_field == (28, 28)


def test_add_sums_equal_shapes_and_an_empty_branch_is_the_identity():
    block = Add(
        branches=(
            (Conv2D(filters=4, kernel_size=3, padding="same"), BatchNormalization()),
            (),
        ),
        name="block",
    )
    summary = summarize_stack((8, 8, 4), [block])
    rows = {row.name: row for row in summary.rows}
    assert rows["block"].output_shape == (8, 8, 4)
    assert rows["block"].input_shapes == ((8, 8, 4), (8, 8, 4))
    assert rows["block"].params == 0
    assert rows["conv2d"].location == "layers[0].branches[0][0]"
    assert rows["conv2d"].nesting == 1
    assert [row.name for row in summary.rows] == [
        "input_layer",
        "conv2d",
        "batch_normalization",
        "block",
    ]
    assert summary.total_params == 3 * 3 * 4 * 4 + 4 + 4 * 4
    assert summary.receptive_field == (3, 3)


def test_add_of_different_shapes_is_impossible():
    block = Add(branches=((Conv2D(filters=4, kernel_size=3),), ()))
    with pytest.raises(InvalidParameter) as caught:
        summarize_stack((8, 8, 4), [block])
    message = caught.value.detail
    assert message.startswith('layers[0] "add" (Add): its branches end in different shapes')
    assert "branch 0 gives 6x6x4, branch 1 (identity) gives 8x8x4" in message
    assert "projection shortcut" in message


def test_concatenate_adds_up_channels_and_needs_equal_sizes():
    module = Concatenate(
        branches=(
            (Conv2D(filters=16, kernel_size=1),),
            (Conv2D(filters=8, kernel_size=1), Conv2D(filters=24, kernel_size=3, padding="same")),
            (MaxPooling2D(pool_size=3, strides=1, padding="same"),),
        )
    )
    summary = summarize_stack((14, 14, 32), [module])
    assert summary.output_shape == (14, 14, 16 + 24 + 32)
    assert summary.rows[-1].output_formula == "channels 16 + 24 + 32 = 72 -> 14x14x72"
    assert summary.receptive_field == (3, 3)
    uneven = Concatenate(branches=((Conv2D(filters=16, kernel_size=3),), ()))
    with pytest.raises(InvalidParameter, match="differ in more than the channels"):
        summarize_stack((14, 14, 32), [uneven])


def test_convolution_after_flatten_is_impossible():
    with pytest.raises(InvalidParameter) as caught:
        summarize_stack((8, 8, 1), [Flatten(), Conv2D(filters=1, kernel_size=1)])
    assert caught.value.detail.startswith('layers[1] "conv2d" (Conv2D) needs an image-shaped')
    assert "vector of 64 values" in caught.value.detail


def test_unnamed_layers_get_keras_style_names_that_avoid_given_ones():
    summary = summarize_stack(
        (8, 8, 1),
        [
            Conv2D(filters=1, kernel_size=1, name="conv2d"),
            Conv2D(filters=1, kernel_size=1),
            Conv2D(filters=1, kernel_size=1),
        ],
    )
    assert [row.name for row in summary.rows] == ["input_layer", "conv2d", "conv2d_1", "conv2d_2"]


def test_duplicate_names_are_refused_as_keras_would():
    with pytest.raises(InvalidParameter, match="Two layers are named 'x'"):
        summarize_stack((4,), [Dense(units=1, name="x"), Dense(units=1, name="x")])


def test_the_input_can_be_a_first_input_layer_but_only_once():
    summary = summarize_stack(None, [Input(shape=(784,), name="pixels"), Dense(units=10)])
    assert summary.rows[0].name == "pixels"
    assert summary.rows[0].location == "layers[0]"
    assert summary.rows[1].location == "layers[1]"
    assert summary.total_params == 7_850
    with pytest.raises(InvalidParameter, match="given twice"):
        summarize_stack((784,), [Input(shape=(784,)), Dense(units=10)])
    with pytest.raises(InvalidParameter, match="no input"):
        summarize_stack(None, [Dense(units=10)])
    with pytest.raises(InvalidParameter, match="can only come first"):
        summarize_stack((4,), [Dense(units=10), Input(shape=(4,))])


@pytest.mark.parametrize("shape", [(28, 28), (0, 5, 1), (4097, 3, 1), (5, 5, 4097), ()])
def test_input_shapes_that_are_not_images_or_vectors_are_refused(shape):
    with pytest.raises(InvalidParameter, match="input"):
        summarize_stack(shape, [Flatten()])


def test_stack_size_and_nesting_are_bounded():
    with pytest.raises(InvalidParameter, match=f"more than {MAX_LAYERS} layers"):
        summarize_stack((4,), [Dropout(rate=0.1)] * (MAX_LAYERS + 1))
    nested: Add | Dropout = Dropout(rate=0.1)
    for _ in range(6):
        nested = Add(branches=((nested,), ()))
    with pytest.raises(InvalidParameter, match="nested more than"):
        summarize_stack((4,), [nested])


def test_huge_but_valid_arithmetic_is_exact_and_quick():
    start = time.perf_counter()
    summary = summarize_stack(
        (4096, 4096, 1),
        [Conv2D(filters=65_536, kernel_size=1), Flatten(), Dense(units=65_536)],
    )
    assert time.perf_counter() - start < 0.5
    flat = 4096 * 4096 * 65_536
    assert summary.rows[-1].params == flat * 65_536 + 65_536
    assert summary.total_macs == 4096 * 4096 * 65_536 + flat * 65_536


def test_params_by_kind_says_where_the_parameters_sit():
    summary = preset_summary("alexnet")
    assert summary.params_by_kind["conv"] == 34_944 + 614_656 + 885_120 + 1_327_488 + 884_992
    assert summary.params_by_kind["dense"] == 37_752_832 + 16_781_312 + 4_097_000
    assert summary.params_by_kind["norm"] == 0


def test_presets_survive_the_json_round_trip():
    stack = TypeAdapter(Stack)
    for preset in PRESETS.values():
        as_json = json.loads(stack.dump_json(preset.layers))
        assert stack.validate_python(as_json) == preset.layers, preset.name


def test_layer_json_names_the_problem():
    layer = TypeAdapter(Layer)
    assert Conv2D(filters=3, kernel_size=(5, 5)).model_dump(mode="json") == {
        "type": "Conv2D",
        "name": None,
        "filters": 3,
        "kernel_size": [5, 5],
        "strides": 1,
        "padding": "valid",
        "use_bias": True,
        "activation": None,
    }
    with pytest.raises(ValidationError, match="expected tags: 'Input', 'Conv2D', 'Depthwise"):
        layer.validate_python({"type": "Conv3D"})
    with pytest.raises(ValidationError, match=r"Dense\.filters\n  Extra inputs are not permitted"):
        layer.validate_python({"type": "Dense", "units": 3, "filters": 3})
    with pytest.raises(ValidationError, match=r"Conv2D\.filters\n  Field required") as missing:
        layer.validate_python({"type": "Conv2D"})
    assert "Conv2D.kernel_size\n  Field required" in str(missing.value)


@pytest.mark.parametrize(
    ("layer", "setting"),
    [
        (lambda: Conv2D(filters=0, kernel_size=3), "filters"),
        (lambda: Conv2D(filters=True, kernel_size=3), "filters"),
        (lambda: DepthwiseConv2D(kernel_size=(3, 257)), "kernel_size"),
        (lambda: MaxPooling2D(strides=(1, 0)), "strides"),
        (lambda: ZeroPadding2D(padding=((1, 2), (3, 513))), "padding"),
        (lambda: Dropout(rate=1.5), "rate"),
        (lambda: Dense(units=3, activation="glu"), "activation"),
    ],
)
def test_layers_check_their_bounds_wherever_they_are_made(layer, setting):
    with pytest.raises(ValidationError, match=setting):
        layer()


def test_unknown_presets_list_the_valid_names():
    with pytest.raises(UnknownResource, match="Use one of: lenet5, mnist-cnn, mlp"):
        get_preset("lenet")


def test_every_preset_has_a_description_and_a_one_line_source():
    for preset in PRESETS.values():
        assert preset.description and preset.title
        assert preset.source.endswith(".") and "\n" not in preset.source


def test_a_stack_is_bounded_in_what_it_grows_to_not_only_in_its_arguments():
    depthwise = DepthwiseConv2D(kernel_size=1, depth_multiplier=256)
    with pytest.raises(InvalidParameter, match=r"layers\[2\] .* gives 50,331,648 channels"):
        summarize_stack((4, 4, 3), [depthwise] * 299)
    # Eight branches of 65,536 channels each: 524,288, under 2**20; one more concatenation of
    # that with itself is 1,048,576 and still fits, a third doubling does not.
    wide = Concatenate(branches=((Conv2D(filters=65_536, kernel_size=1),),) * 8)
    twice = Concatenate(branches=((wide,), (wide,)))
    assert summarize_stack((1, 1, 1), [twice]).output_shape == (1, 1, 2**20)
    with pytest.raises(InvalidParameter, match="gives 2,097,152 channels"):
        summarize_stack((1, 1, 1), [Concatenate(branches=((twice,), (twice,)))])
    # 4096*4096 positions of 65,536 channels is 2**40 values, the most a layer may give; one
    # more row and column of zeros on each side is 4098*4098*65,536.
    widest = Conv2D(filters=65_536, kernel_size=1)
    assert summarize_stack((4096, 4096, 1), [widest]).rows[-1].activation_values == 2**40
    with pytest.raises(
        InvalidParameter, match=f"4098x4098x65536 = {4098 * 4098 * 65_536:,} values"
    ):
        summarize_stack((4096, 4096, 1), [widest, ZeroPadding2D(padding=1)])
    # A 256x256 "same" convolution of that: 4096*4096 * 256*256*65,536*65,536 = 2**72.
    costly = Conv2D(filters=65_536, kernel_size=256, padding="same")
    with pytest.raises(InvalidParameter, match=f"to {2**40 + 2**72:,} multiply-accumulates"):
        summarize_stack((4096, 4096, 1), [widest, costly])


# --- SeparableConv2D, ReLU, LeakyReLU, Softmax, Rescaling, BatchNormalization's settings -------


def test_separable_convolution_counts_a_depthwise_then_a_pointwise_convolution():
    row = rows_by_name(
        (16, 16, 8),
        [SeparableConv2D(filters=32, kernel_size=3, depth_multiplier=2, padding="same")],
    )["separable_conv2d"]
    assert row.output_shape == (16, 16, 32)
    assert row.params_formula == "3*3*8*2 + 8*2*32 + 32 = 688"
    assert row.macs == 16 * 16 * (3 * 3 * 8 * 2 + 8 * 2 * 32)
    assert row.macs_formula == "16*16*3*3*8*2 + 16*16*8*2*32 = 167,936"
    assert row.output_formula.endswith(
        "8 channels x depth_multiplier 2, then 32 1x1 filters -> 16x16x32"
    )
    assert row.settings == "32 filters 3x3 separable, depth_multiplier 2, strides 1, same"
    assert (row.param_kind, row.receptive_field, row.jump) == ("conv", (3, 3), (1, 1))


def test_separable_convolution_without_bias_strides_and_grows_the_receptive_field():
    summary = summarize_stack(
        (11, 9, 3),
        [
            Conv2D(filters=4, kernel_size=3, strides=2),
            SeparableConv2D(filters=6, kernel_size=(3, 1), use_bias=False, activation="relu"),
        ],
    )
    row = summary.rows[-1]
    assert row.output_shape == (3, 4, 6)
    assert row.params_formula == "3*1*4*1 + 4*1*6 = 36"
    assert row.settings == "6 filters 3x1 separable, strides 1, valid, relu, no bias"
    # rows: 3 + (3-1)*2 = 7; cols: 3 + (1-1)*2 = 3
    assert row.receptive_field == (7, 3)
    assert (
        row.receptive_field_formula
        == "rows: 3 + (3-1)*2 = 7, jump 2*1 = 2; cols: 3 + (1-1)*2 = 3, jump 2*1 = 2"
    )


def test_separable_convolution_needs_an_image_and_a_window_that_fits():
    with pytest.raises(InvalidParameter, match=r"layers\[1\] .*\(SeparableConv2D\) needs an image"):
        summarize_stack((4, 4, 1), [Flatten(), SeparableConv2D(filters=1, kernel_size=1)])
    with pytest.raises(InvalidParameter, match="Computed output size would be zero or negative"):
        summarize_stack((4, 4, 1), [SeparableConv2D(filters=1, kernel_size=5)])


@pytest.mark.parametrize(
    ("layer", "settings", "function"),
    [
        (ReLU(), "", "max(x, 0)"),
        (ReLU(max_value=6), "max_value 6", "min(max(x, 0), 6)"),
        (ReLU(negative_slope=0.1), "negative_slope 0.1", "x if x > 0, else 0.1*x"),
        (
            ReLU(max_value=6, negative_slope=0.1, threshold=0.5),
            "max_value 6, negative_slope 0.1, threshold 0.5",
            "x if x > 0.5, else 0.1*(x - 0.5); at most 6",
        ),
        (ReLU(threshold=1), "threshold 1", "x if x > 1, else 0"),
        (LeakyReLU(), "negative_slope 0.3", "x if x >= 0, else 0.3*x"),
        (LeakyReLU(negative_slope=0.01), "negative_slope 0.01", "x if x >= 0, else 0.01*x"),
        (
            Softmax(),
            "",
            "exp(x) / the sum of exp over the last axis, so the 3 values at each position add up "
            "to 1",
        ),
        (Rescaling(scale=1 / 255), "scale 0.00392157", "x*0.00392157 for each value"),
        (
            Rescaling(scale=1 / 127.5, offset=-1),
            "scale 0.00784314, offset -1",
            "x*0.00784314 - 1 for each value",
        ),
        (Rescaling(scale=2, offset=0.5), "scale 2, offset 0.5", "x*2 + 0.5 for each value"),
    ],
)
def test_activations_and_rescaling_change_values_not_shapes(layer, settings, function):
    summary = summarize_stack((5, 4, 3), [Conv2D(filters=3, kernel_size=3), layer])
    before, row = summary.rows[-2:]
    assert row.output_shape == (3, 2, 3)
    assert row.settings == settings
    assert row.output_formula == f"unchanged: {function} -> 3x2x3"
    assert (row.params, row.macs, row.param_kind) == (0, 0, None)
    assert row.params_formula.startswith("0: ")
    assert (row.receptive_field, row.jump) == (before.receptive_field, before.jump)
    assert row.receptive_field_formula == "unchanged"
    assert summary.depth == 1


def test_new_element_wise_layers_take_vectors_and_keras_style_names():
    summary = summarize_stack(
        (6,),
        [Rescaling(scale=0.5), Dense(units=4), ReLU(), LeakyReLU(), Dense(units=2), Softmax()],
    )
    assert [row.name for row in summary.rows[1:]] == [
        "rescaling", "dense", "re_lu", "leaky_re_lu", "dense_1", "softmax",
    ]  # fmt: skip
    assert summary.output_shape == (2,)
    assert summary.rows[-1].output_formula == (
        "unchanged: exp(x) / the sum of exp over the last axis, so the 2 values add up to 1 -> 2"
    )
    assert summary.total_params == 6 * 4 + 4 + 4 * 2 + 2


def test_softmax_over_one_value_warns_that_it_gives_1():
    row = summarize_stack((4, 4, 1), [Softmax()]).rows[-1]
    assert row.warnings == (
        "Softmax over a last axis of 1 value gives 1 everywhere: it has nothing to compare. Put "
        "it after a layer with one unit or channel per class.",
    )


def test_batch_normalization_momentum_and_epsilon_change_no_count():
    default = rows_by_name((4, 4, 64), [BatchNormalization()])["batch_normalization"]
    tuned = rows_by_name(
        (4, 4, 64), [BatchNormalization(momentum=0.9, epsilon=1e-5, center=False)]
    )["batch_normalization"]
    assert default.settings == ""
    assert tuned.settings == "momentum 0.9, epsilon 1e-05, no center"
    assert (tuned.params, tuned.trainable_params) == (192, 64)
    assert tuned.output_formula == default.output_formula
    assert BatchNormalization().model_dump(exclude={"type", "name"}) == {
        "axis": -1, "momentum": 0.99, "epsilon": 1e-3, "center": True, "scale": True,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("layer", "setting"),
    [
        (lambda: SeparableConv2D(filters=0, kernel_size=3), "filters"),
        (lambda: SeparableConv2D(filters=1, kernel_size=(3, 257)), "kernel_size"),
        (lambda: SeparableConv2D(filters=1, kernel_size=3, strides=0), "strides"),
        (lambda: SeparableConv2D(filters=1, kernel_size=3, depth_multiplier=257), "depth_mult"),
        (lambda: SeparableConv2D(filters=1, kernel_size=3, padding="full"), "padding"),
        (lambda: SeparableConv2D(filters=1, kernel_size=3, activation="glu"), "activation"),
        (lambda: ReLU(max_value=-1), "max_value"),
        (lambda: ReLU(max_value=float("inf")), "max_value"),
        (lambda: ReLU(negative_slope=-0.1), "negative_slope"),
        (lambda: ReLU(threshold=-1), "threshold"),  # Keras refuses a negative threshold too
        (lambda: ReLU(threshold=float("nan")), "threshold"),
        (lambda: ReLU(max_value=2e6), "max_value"),
        (lambda: LeakyReLU(negative_slope=-0.3), "negative_slope"),
        (lambda: LeakyReLU(negative_slope=float("inf")), "negative_slope"),
        (lambda: LeakyReLU(negative_slope=True), "negative_slope"),
        (lambda: Softmax(axis=1), "axis"),
        (lambda: Softmax(axis=3), "axis"),
        (lambda: Rescaling(), "scale"),
        (lambda: Rescaling(scale=float("nan")), "scale"),
        (lambda: Rescaling(scale=-1e7), "scale"),
        (lambda: Rescaling(scale=1, offset=float("-inf")), "offset"),
        (lambda: Rescaling(scale=1, offset=1e6 + 1), "offset"),
        (lambda: Rescaling(scale=[1, 2, 3]), "scale"),  # scalars only
        (lambda: BatchNormalization(epsilon=0), "epsilon"),
        (lambda: BatchNormalization(epsilon=1.5), "epsilon"),
        (lambda: BatchNormalization(epsilon=float("nan")), "epsilon"),
        (lambda: BatchNormalization(momentum=-0.1), "momentum"),
        (lambda: BatchNormalization(momentum=1.01), "momentum"),
        (lambda: BatchNormalization(axis=3), "axis"),
        (lambda: BatchNormalization(axis=1), "axis"),
    ],
)
def test_new_layer_settings_are_checked_and_bounded(layer, setting):
    with pytest.raises(ValidationError, match=setting):
        layer()


def test_new_layer_settings_accept_json_numbers_but_not_strings():
    layer = TypeAdapter(Layer)
    assert layer.validate_json('{"type": "Rescaling", "scale": 2}') == Rescaling(scale=2.0)
    assert layer.validate_json('{"type": "ReLU", "max_value": null}') == ReLU()
    assert layer.validate_json('{"type": "BatchNormalization", "axis": -1}') == (
        BatchNormalization()
    )
    with pytest.raises(ValidationError, match=r"ReLU\.max_value\n  Input should be a valid number"):
        layer.validate_json('{"type": "ReLU", "max_value": "6"}')
    with pytest.raises(ValidationError, match=r"Softmax\.axis\n  Input should be -1"):
        layer.validate_json('{"type": "Softmax", "axis": 1}')


def test_the_catalogue_offers_the_new_types_and_fields_to_the_editor():
    types = {entry["type"]: entry for entry in layer_catalogue()["layer_types"]}
    for name in ("SeparableConv2D", "ReLU", "LeakyReLU", "Softmax", "Rescaling"):
        assert types[name]["about"] and "\n" not in types[name]["about"], name
        summary = summarize_stack(
            (8, 8, 3), [TypeAdapter(Layer).validate_python(types[name]["example"])]
        )
        assert summary.rows[-1].type == name
    fields = {
        (name, field["key"]): field for name, entry in types.items() for field in entry["fields"]
    }
    # An axis has one allowed value (-1), so the editor leaves it at its default.
    assert types["Softmax"]["fields"] == []
    assert types["Softmax"]["example"] == {"type": "Softmax"}
    cap = fields["ReLU", "max_value"]
    assert (cap["kind"], cap["nullable"], cap["default"], cap["minimum"]) == (
        "float",
        True,
        None,
        0,
    )
    epsilon = fields["BatchNormalization", "epsilon"]
    assert (epsilon["kind"], epsilon["default"], epsilon["maximum"]) == ("float", 1e-3, 1)
    assert fields["LeakyReLU", "negative_slope"]["default"] == 0.3
    scale = fields["Rescaling", "scale"]
    assert (scale["required"], scale["example"], scale["minimum"]) == (True, 1 / 255, -1e6)
    assert [f["key"] for f in types["SeparableConv2D"]["fields"]] == [
        "filters", "kernel_size", "strides", "padding", "depth_multiplier", "use_bias",
        "activation",
    ]  # fmt: skip
    assert [f["key"] for f in types["BatchNormalization"]["fields"]] == [
        "momentum", "epsilon", "center", "scale",
    ]  # fmt: skip
