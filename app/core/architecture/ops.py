"""What one layer does to a tensor's shape, parameters, multiply-accumulates and receptive field.

:mod:`app.core.architecture.summary` walks the stack; each function here takes one layer and
the :class:`Tensor` it receives and returns the :class:`Result`, with the arithmetic written
out. The formulas are in the docstring of :mod:`app.core.architecture.summary`; output sizes are
:func:`app.core.shapes.output_sizes`, the arithmetic and the words the Kernel lab shows too.

:func:`apply` dispatches on the layer's type. The layers that change the layout are worked out
here (convolutions, poolings, padding, Flatten, Dense), with the window arithmetic they share
(:func:`window_axes`, the receptive field's growth); the layers that keep their input's shape
(Dropout, BatchNormalization, the activations, Rescaling) in
:mod:`app.core.architecture.ops_elementwise`.
"""

from __future__ import annotations

import math

from app.core.architecture import ops_elementwise
from app.core.architecture.layers import (
    Activation,
    AveragePooling2D,
    BatchNormalization,
    Conv2D,
    Dense,
    DepthwiseConv2D,
    Dropout,
    Flatten,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    Layer,
    LeakyReLU,
    MaxPooling2D,
    ReLU,
    Rescaling,
    SeparableConv2D,
    Softmax,
    ZeroPadding2D,
)
from app.core.architecture.tensor import (
    Pair,
    Result,
    Shape,
    Tensor,
    Words,
    shape_text,
)
from app.core.shapes import (
    AxisSize,
    PaddingMode,
    as_pair,
    both_axes_formula,
    output_sizes,
    resolve_padding,
    uneven_explanations,
)
from app.errors import N_, InvalidParameter


def apply(layer: Layer, tensor: Tensor, where: str) -> Result:
    """The result of a layer that is not a merge on ``tensor``; ``where`` names it in errors."""
    match layer:
        case Conv2D() | DepthwiseConv2D():
            return _conv(layer, tensor, where)
        case SeparableConv2D():
            return _separable_conv(layer, tensor, where)
        case MaxPooling2D() | AveragePooling2D():
            return _pool(layer, tensor, where)
        case GlobalAveragePooling2D() | GlobalMaxPooling2D():
            return _global_pool(layer, tensor, where)
        case ZeroPadding2D():
            return _zero_padding(layer, tensor, where)
        case Flatten():
            return _flatten(tensor)
        case Dense():
            return _dense(layer, tensor)
        case Dropout():
            return ops_elementwise.dropout(layer, tensor)
        case BatchNormalization():
            return ops_elementwise.batch_norm(layer, tensor)
        case Activation():
            return ops_elementwise.activation(layer, tensor)
        case ReLU() | LeakyReLU() | Softmax():
            return ops_elementwise.activation_layer(layer, tensor)
        case Rescaling():
            return ops_elementwise.rescaling(layer, tensor)
    raise InvalidParameter(
        "{where} cannot be summarised here: it is a {layer_type}.",
        where=where,
        layer_type=type(layer).__name__,
    )


def _conv(layer: Conv2D | DepthwiseConv2D, tensor: Tensor, where: str) -> Result:
    c, window, strides, rows, cols = _conv_window(layer, tensor, where)
    kh, kw = window
    if isinstance(layer, Conv2D):
        per_position = layer.filters
        channels = per_position
        what = Words(N_("{filters} filters"), filters=per_position)
        settings: str = Words(
            N_("{filters} filters {rows}x{cols}"), filters=per_position, rows=kh, cols=kw
        )
    else:
        per_position = layer.depth_multiplier
        channels = c * per_position
        what = Words(
            N_("{channels} channels x depth_multiplier {multiplier}"),
            channels=c,
            multiplier=per_position,
        )
        settings = Words(
            N_("{rows}x{cols} depthwise, depth_multiplier {multiplier}"),
            rows=kh,
            cols=kw,
            multiplier=per_position,
        )
    weights = f"{kh}*{kw}*{c}*{per_position}"
    params = kh * kw * c * per_position + (channels if layer.use_bias else 0)
    params_formula = (
        f"{weights} + {channels} = {params:,}" if layer.use_bias else f"{weights} = {params:,}"
    )
    shape = (rows.output, cols.output, channels)
    macs = rows.output * cols.output * kh * kw * c * per_position
    settings = _joined(
        settings,
        _window_settings(strides, layer.padding),
        _activation(layer.activation),
        "" if layer.use_bias else Words(N_(", no bias")),
    )
    return Result(
        _windowed(tensor, shape, window, strides, 1),
        settings,
        Words(
            N_("{axes}; {what} -> {shape}"),
            axes=both_axes_formula(rows, cols),
            what=what,
            shape=shape_text(shape),
        ),
        _rf_formula(tensor, window, strides),
        params=params,
        params_formula=params_formula,
        param_kind="conv",
        macs=macs,
        macs_formula=f"{rows.output}*{cols.output}*{weights} = {macs:,}",
        warnings=uneven_explanations(rows, cols),
    )


def _separable_conv(layer: SeparableConv2D, tensor: Tensor, where: str) -> Result:
    """A DepthwiseConv2D (``m`` filters per channel) and a 1x1 Conv2D of ``filters``, one layer.

    Input ``H x W x C``, output ``H' x W' x filters`` (the depthwise part's ``H' x W'``)::

        params = kh*kw*C*m + C*m*filters + filters   (depthwise, pointwise, bias)
        MACs   = H'*W'*kh*kw*C*m + H'*W'*C*m*filters

    The receptive field grows as a convolution's with the ``kh x kw`` window: the 1x1 part
    sees no further.
    """
    c, window, strides, rows, cols = _conv_window(layer, tensor, where)
    kh, kw = window
    m, filters = layer.depth_multiplier, layer.filters
    depthwise, pointwise = f"{kh}*{kw}*{c}*{m}", f"{c}*{m}*{filters}"
    weights = f"{depthwise} + {pointwise}"
    params = kh * kw * c * m + c * m * filters + (filters if layer.use_bias else 0)
    params_formula = (
        f"{weights} + {filters} = {params:,}" if layer.use_bias else f"{weights} = {params:,}"
    )
    shape = (rows.output, cols.output, filters)
    positions = f"{rows.output}*{cols.output}"
    macs = rows.output * cols.output * (kh * kw * c * m + c * m * filters)
    settings = _joined(
        Words(N_("{filters} filters {rows}x{cols} separable"), filters=filters, rows=kh, cols=kw),
        f", depth_multiplier {m}" if m != 1 else "",
        _window_settings(strides, layer.padding),
        _activation(layer.activation),
        "" if layer.use_bias else Words(N_(", no bias")),
    )
    return Result(
        _windowed(tensor, shape, window, strides, 1),
        settings,
        Words(
            N_(
                "{axes}; {channels} channels x depth_multiplier {multiplier}, then {filters} 1x1 "
                "filters -> {shape}"
            ),
            axes=both_axes_formula(rows, cols),
            channels=c,
            multiplier=m,
            filters=filters,
            shape=shape_text(shape),
        ),
        _rf_formula(tensor, window, strides),
        params=params,
        params_formula=params_formula,
        param_kind="conv",
        macs=macs,
        macs_formula=f"{positions}*{depthwise} + {positions}*{pointwise} = {macs:,}",
        warnings=uneven_explanations(rows, cols),
    )


def _conv_window(
    layer: Conv2D | DepthwiseConv2D | SeparableConv2D, tensor: Tensor, where: str
) -> tuple[int, Pair, Pair, AxisSize, AxisSize]:
    """The input's channels, the window and strides, and each axis's output size."""
    c = _image_input(tensor, where)[2]
    window = as_pair(layer.kernel_size, "kernel_size")
    strides = as_pair(layer.strides, "strides")
    rows, cols = window_axes(tensor, window, strides, layer.padding, where, "kernel")
    return c, window, strides, rows, cols


def _pool(layer: MaxPooling2D | AveragePooling2D, tensor: Tensor, where: str) -> Result:
    c = _image_input(tensor, where)[2]
    window = as_pair(layer.pool_size, "pool_size")
    strides = window if layer.strides is None else as_pair(layer.strides, "strides")
    rows, cols = window_axes(tensor, window, strides, layer.padding, where, "pooling window")
    shape = (rows.output, cols.output, c)
    mode = "max" if isinstance(layer, MaxPooling2D) else "average"
    return Result(
        _windowed(tensor, shape, window, strides, 0),
        _joined(
            Words(N_("max {rows}x{cols}"), rows=window[0], cols=window[1])
            if mode == "max"
            else Words(N_("average {rows}x{cols}"), rows=window[0], cols=window[1]),
            _window_settings(strides, layer.padding),
        ),
        Words(
            N_("{axes}; channels stay {channels} -> {shape}"),
            axes=both_axes_formula(rows, cols),
            channels=c,
            shape=shape_text(shape),
        ),
        _rf_formula(tensor, window, strides),
        params_formula=Words(N_("0: pooling has no weights")),
        macs_formula=Words(N_("0: pooling takes the max of each window; no multiply-accumulates"))
        if mode == "max"
        else Words(N_("0: pooling takes the average of each window; no multiply-accumulates")),
        warnings=uneven_explanations(rows, cols),
    )


def _global_pool(
    layer: GlobalAveragePooling2D | GlobalMaxPooling2D, tensor: Tensor, where: str
) -> Result:
    h, w, c = _image_input(tensor, where)
    mode = "max" if isinstance(layer, GlobalMaxPooling2D) else "average"
    if layer.keepdims:
        out = _windowed(tensor, (1, 1, c), (h, w), (h, w), 0)
    else:
        out = Tensor((c,), tensor.span, None, tensor.span, tensor.depth)
    sizes: dict[str, object] = {"height": h, "width": w, "channels": c}
    if layer.keepdims:
        sizes["kept"] = shape_text(out.shape)
    match (mode, layer.keepdims):
        case ("max", False):
            formula = Words(
                N_("the max of each {height}x{width} map -> {channels} values"), **sizes
            )
        case ("max", True):
            formula = Words(
                N_("the max of each {height}x{width} map -> {channels} values, kept as {kept}"),
                **sizes,
            )
        case (_, False):
            formula = Words(
                N_("the average of each {height}x{width} map -> {channels} values"), **sizes
            )
        case _:
            formula = Words(
                N_("the average of each {height}x{width} map -> {channels} values, kept as {kept}"),
                **sizes,
            )
    return Result(
        out,
        "keepdims" if layer.keepdims else "",
        formula,
        _rf_formula(tensor, (h, w), (h, w)),
        params_formula=Words(N_("0: pooling has no weights")),
        macs_formula=Words(N_("0: pooling takes the max of each map; no multiply-accumulates"))
        if mode == "max"
        else Words(N_("0: pooling takes the average of each map; no multiply-accumulates")),
    )


def _zero_padding(layer: ZeroPadding2D, tensor: Tensor, where: str) -> Result:
    h, w, c = _image_input(tensor, where)
    (top, bottom), (left, right) = _zero_padding_amounts(layer)
    shape = (h + top + bottom, w + left + right, c)
    out = Tensor.image(shape, _known(tensor.receptive_field), _known(tensor.jump), tensor.depth)
    return Result(
        out,
        f"(({top}, {bottom}), ({left}, {right}))",
        Words(
            N_(
                "rows {height} + {top} + {bottom} = {rows}, cols {width} + {left} + {right} = "
                "{cols} -> {shape}"
            ),
            height=h,
            top=top,
            bottom=bottom,
            rows=shape[0],
            width=w,
            left=left,
            right=right,
            cols=shape[1],
            shape=shape_text(shape),
        ),
        Words(N_("unchanged: zeros add nothing of the input")),
        params_formula=Words(N_("0: padding has no weights")),
    )


def _flatten(tensor: Tensor) -> Result:
    shape = tensor.shape
    size = math.prod(shape)
    formula = (
        Words(N_("already flat: {size:,} values"), size=size)
        if len(shape) == 1
        else Words(
            N_("{product} = {size:,} values in one vector"),
            product="*".join(map(str, shape)),
            size=size,
        )
    )
    out = Tensor((size,), tensor.receptive_field, None, tensor.span, tensor.depth)
    return Result(
        out,
        "",
        formula,
        Words(N_("unchanged: each value still sees what it saw; the next Dense sees them all")),
        params_formula=Words(N_("0: Flatten only reshapes")),
    )


def _dense(layer: Dense, tensor: Tensor) -> Result:
    units = layer.units
    *leading, last = tensor.shape
    params = last * units + (units if layer.use_bias else 0)
    weights = f"{last}*{units}"
    params_formula = (
        f"{weights} + {units} = {params:,}" if layer.use_bias else f"{weights} = {params:,}"
    )
    shape = (*leading, units)
    macs = math.prod(leading) * last * units
    warnings: tuple[str, ...] = ()
    if leading:
        out = Tensor(shape, tensor.receptive_field, tensor.jump, tensor.span, tensor.depth + 1)
        output_formula = Words(
            N_(
                "Dense acts on the last axis only: {inputs} -> {units} at each of the "
                "{positions} positions -> {shape}"
            ),
            inputs=last,
            units=units,
            positions=shape_text(leading),
            shape=shape_text(shape),
        )
        rf_formula = Words(N_("unchanged: a Dense on the last axis is a 1x1 convolution"))
        warnings = (
            Words(
                N_(
                    "Dense on a {input} input acts on the last axis only, at every position (as "
                    "a 1x1 Conv2D would), so the output is {output}. To wire every value to "
                    "every unit, put a Flatten (or global pooling) before it."
                ),
                input=shape_text(tensor.shape),
                output=shape_text(shape),
            ),
        )
    else:
        out = Tensor(shape, tensor.span, None, tensor.span, tensor.depth + 1)
        output_formula = Words(
            N_("each of the {units} units sees all {inputs:,} inputs -> {units}"),
            units=units,
            inputs=last,
        )
        rf_formula = (
            Words(
                N_("every unit sees all of the last feature map: {rows}x{cols} pixels"),
                rows=tensor.span[0],
                cols=tensor.span[1],
            )
            if tensor.span
            else Words(N_("none: a vector input has no spatial layout"))
        )
    return Result(
        out,
        Words(
            N_("{units} units{activation}{bias}"),
            units=units,
            activation=_activation(layer.activation),
            bias="" if layer.use_bias else Words(N_(", no bias")),
        ),
        output_formula,
        rf_formula,
        params=params,
        params_formula=params_formula,
        param_kind="dense",
        macs=macs,
        macs_formula=f"{'*'.join(map(str, tensor.shape))}*{units} = {macs:,}",
        warnings=warnings,
    )


def window_axes(
    tensor: Tensor, window: Pair, strides: Pair, padding: PaddingMode, where: str, what: str
) -> tuple[AxisSize, AxisSize]:
    """Each axis's output size as :func:`app.core.shapes.output_sizes` works it out."""
    spatial = (tensor.shape[0], tensor.shape[1])
    zeros = resolve_padding(padding, spatial, window, strides)
    try:
        return output_sizes(spatial, window, strides, zeros, what)
    except InvalidParameter as exc:
        raise InvalidParameter(
            '{where}: {problem} Keras raises ValueError ("Computed output size would be zero '
            'or negative") when it builds such a layer.',
            where=where,
            problem=exc,  # translated with this message
        ) from exc


def _zero_padding_amounts(layer: ZeroPadding2D) -> tuple[Pair, Pair]:
    """((top, bottom), (left, right)) from n, (rows, cols) or ((top, bottom), (left, right))."""
    match layer.padding:
        case int(n):
            return (n, n), (n, n)
        case (int(rows), int(cols)):
            return (rows, rows), (cols, cols)
        case ((top, bottom), (left, right)):
            return (top, bottom), (left, right)
    raise AssertionError(f"ZeroPadding2D has padding {layer.padding!r}")


def _image_input(tensor: Tensor, where: str) -> tuple[int, int, int]:
    if len(tensor.shape) != 3:
        raise InvalidParameter(
            "{where} needs an image-shaped input [height, width, channels], but its input is "
            "a vector of {values:,} values. Keras raises ValueError: the layer expects a 4-D "
            "batch and gets a {dimensions}-D one. Move this layer before the Flatten (or global "
            "pooling), or remove it.",
            where=where,
            values=tensor.shape[0],
            dimensions=len(tensor.shape) + 1,
        )
    h, w, c = tensor.shape
    return h, w, c


def _windowed(tensor: Tensor, shape: Shape, window: Pair, strides: Pair, weights: int) -> Tensor:
    rf, jump = _known(tensor.receptive_field), _known(tensor.jump)
    return Tensor.image(
        shape,
        (rf[0] + (window[0] - 1) * jump[0], rf[1] + (window[1] - 1) * jump[1]),
        (jump[0] * strides[0], jump[1] * strides[1]),
        tensor.depth + weights,
    )


def _rf_formula(tensor: Tensor, window: Pair, strides: Pair) -> str:
    rf, jump = _known(tensor.receptive_field), _known(tensor.jump)
    parts = [
        Words(
            N_("{rf} + ({window}-1)*{jump} = {field}, jump {jump}*{stride} = {next_jump}"),
            rf=rf[i],
            window=window[i],
            jump=jump[i],
            field=rf[i] + (window[i] - 1) * jump[i],
            stride=strides[i],
            next_jump=jump[i] * strides[i],
        )
        for i in (0, 1)
    ]
    if parts[0] == parts[1]:
        return parts[0]
    return Words(N_("rows: {rows}; cols: {cols}"), rows=parts[0], cols=parts[1])


def _known(pair: Pair | None) -> Pair:
    # Image tensors always carry a receptive field; vectors never reach a windowed layer.
    return pair if pair is not None else (1, 1)


def _window_settings(strides: Pair, padding: str) -> Words:
    stride_text = str(strides[0]) if strides[0] == strides[1] else f"{strides[0]}x{strides[1]}"
    return Words(N_(", strides {strides}, {padding}"), strides=stride_text, padding=padding)


def _joined(*parts: str) -> Words:
    """Parts of a settings text, one after another, each translated on its own when sent."""
    return Words(
        "".join(f"{{part{i}}}" for i in range(len(parts))),
        **{f"part{i}": part for i, part in enumerate(parts)},
    )


def _activation(name: str | None) -> str:
    return f", {name}" if name and name != "linear" else ""
