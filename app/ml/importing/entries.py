"""One layer entry of a Keras model configuration, read as data, as an engine spec.

Each layer must be one of the engine's types (:mod:`app.core.architecture.layers`, named as in
Keras) from Keras' own ``keras.layers`` module; each of its settings is either one the engine
takes (then the engine's bounds apply) or one that cannot change what the model computes at
inference (an initializer, a regulariser, the dtype, ``trainable``), which is never read but
must still be Keras' own; anything else is refused by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.core.architecture.layers import ACTIVATIONS, LAYER_TYPE_NAMES
from app.errors import InvalidParameter

MODEL_CLASSES = ("Sequential", "Functional", "Model")
LAYER_MODULES = (None, "keras.layers")
MODEL_MODULES = (None, "keras", "keras.models", "keras.src.models.functional",
                 "keras.src.models.sequential", "keras.src.models.model")  # fmt: skip
# Settings that do not change what a trained model computes, so they are never read.
INERT_SETTINGS = frozenset(
    {
        "name",
        "trainable",
        "dtype",
        "kernel_initializer",
        "bias_initializer",
        "depthwise_initializer",
        "pointwise_initializer",
        "beta_initializer",
        "gamma_initializer",
        "moving_mean_initializer",
        "moving_variance_initializer",
        "kernel_regularizer",
        "bias_regularizer",
        "depthwise_regularizer",
        "pointwise_regularizer",
        "beta_regularizer",
        "gamma_regularizer",
        "activity_regularizer",
        "kernel_constraint",
        "bias_constraint",
        "depthwise_constraint",
        "pointwise_constraint",
        "beta_constraint",
        "gamma_constraint",
        "seed",
        "renorm_momentum",
    }
)
# Settings Keras has that the engine does not: accepted only at the value that changes nothing.
FIXED_SETTINGS: dict[str, tuple[object, ...]] = {
    "data_format": (None, "channels_last"),
    "dilation_rate": (1, (1, 1)),
    "groups": (1,),
    "noise_shape": (None,),
    "quantization_config": (None,),
    "lora_rank": (None,),
    "lora_alpha": (None,),
    "synchronized": (False,),
    "renorm": (False,),
    "renorm_clipping": (None,),
    "virtual_batch_size": (None,),
    "adjustment": (None,),
    "fused": (None, True, False),
    "sparse": (False,),
    "ragged": (False,),
    "optional": (False,),
    "axis": (-1, 3, (3,), (-1,)),
    "keepdims": (False, True),
}
ENTRY_KEYS = frozenset(
    {"module", "class_name", "config", "registered_name", "build_config", "name", "inbound_nodes"}
)
DTYPE_NAMES = ("float32",)


def _dtype_ok(value: object) -> bool:
    if value is None or value in DTYPE_NAMES:
        return True
    if isinstance(value, dict) and value.get("class_name") == "DTypePolicy":
        inner = value.get("config")
        return isinstance(inner, dict) and inner.get("name") in DTYPE_NAMES
    return False


def layer_spec(entry: object, where: str) -> dict[str, Any]:
    """One layer entry as an engine spec: type and settings, checked key by key."""
    layer = as_mapping(entry, where)
    class_name = layer.get("class_name")
    settings = as_mapping(layer.get("config"), where, own="config")
    name = settings.get("name", layer.get("name"))
    label = f'{where} "{name}" ({class_name})' if isinstance(name, str) else f"{where}"
    extra = sorted(set(layer) - ENTRY_KEYS)
    if extra:
        raise InvalidParameter(
            "{label} has {key}, which a Keras layer entry does not have; the file was not "
            "written by Keras, or was edited. Save the model again with model.save().",
            label=label,
            key=shown(extra[0]),
        )
    if class_name == "Lambda":
        raise InvalidParameter(
            "{label}: arbitrary Python code is not loaded; rebuild the model without it "
            "(use built-in layers such as Rescaling or Activation instead of a Lambda).",
            label=label,
        )
    if class_name in MODEL_CLASSES and layer.get("module") in MODEL_MODULES:
        # Keras 3 saves a model used as a layer with its model module ("keras"), so this comes
        # before the module check: the refusal then says what to do about a nested model.
        raise InvalidParameter(
            "{label} is a whole model inside the model. ConvLens reads one level of layers: "
            "build the model from the inner model's tensors, e.g. "
            "keras.Model(base.input, head(base.output)), and save that.",
            label=label,
        )
    if layer.get("module") not in LAYER_MODULES or layer.get("registered_name") not in (
        None,
        class_name,
    ):
        raise InvalidParameter(
            "{label} comes from module {module} (registered name {registered}); only Keras' "
            "built-in layers (keras.layers) are read. Custom layers are code, which is never run "
            "here: rebuild the model with built-in layers.",
            label=label,
            module=shown(layer.get("module")),
            registered=shown(layer.get("registered_name")),
        )
    translator = _TRANSLATORS.get(class_name) if isinstance(class_name, str) else None
    if translator is None:
        raise InvalidParameter(
            "{label}: {kind} is not a layer type ConvLens reads. It reads {known}; rebuild the "
            "model with those.",
            label=label,
            kind=shown(class_name),
            known=", ".join(sorted((*LAYER_TYPE_NAMES, "InputLayer", "MaxPool2D"))),
        )
    if not _dtype_ok(settings.get("dtype")):
        raise InvalidParameter(
            "{label} computes in {dtype}; ConvLens runs float32 models. Set the layers' dtype "
            "to float32 (no mixed precision) and save it again.",
            label=label,
            dtype=shown(settings.get("dtype")),
        )
    spec = translator(settings, label)
    if isinstance(name, str):
        spec["name"] = name
    return spec


def _translated_settings(*engine: str, renamed: Mapping[str, str] | None = None) -> Callable[
    [Mapping[str, Any], str], dict[str, Any]
]:  # fmt: skip
    """A translator that keeps ``engine`` settings and checks that every other one is inert."""
    renamed = renamed or {}

    def translate_settings(settings: Mapping[str, Any], label: str) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        for key, value in settings.items():
            key = renamed.get(key, key)
            if key in engine:
                spec[key] = plain(value)
            elif key in INERT_SETTINGS:
                _check_inert(key, value, label)
            elif key in FIXED_SETTINGS:
                if plain(value) not in FIXED_SETTINGS[key]:
                    raise InvalidParameter(
                        "{label} sets {key}={value}; ConvLens computes it only with "
                        "{key}={default} (Keras' default). Rebuild the layer without it.",
                        label=label,
                        key=key,
                        value=shown(value),
                        default=shown(FIXED_SETTINGS[key][-1]),
                    )
            elif engine:
                raise InvalidParameter(
                    "{label} has a setting {key} that ConvLens does not know; it reads "
                    "{known} for this layer type. Save the model with a current Keras, or "
                    "rebuild the layer without it.",
                    label=label,
                    key=shown(key),
                    known=", ".join(engine),
                )
            else:
                raise InvalidParameter(
                    "{label} has a setting {key} that ConvLens does not know; it reads no "
                    "settings for this layer type. Save the model with a current Keras, or "
                    "rebuild the layer without it.",
                    label=label,
                    key=shown(key),
                )
        if "activation" in spec and spec["activation"] not in (None, *ACTIVATIONS):
            raise InvalidParameter(
                "{label}: its activation {activation} is not one ConvLens computes ({known}). "
                "Custom activations are code, which is never run here: use one of those.",
                label=label,
                activation=shown(spec["activation"]),
                known=", ".join(ACTIVATIONS),
            )
        return spec

    return translate_settings


INERT_MODULES = ("keras", "keras.initializers", "keras.regularizers", "keras.constraints")


def _check_inert(key: str, value: object, label: str) -> None:
    """A setting that is never read must still be Keras' own: an initializer, regulariser or
    constraint naming another module or a registered (custom) class is refused, as a Keras
    model file never holds one."""
    if isinstance(value, dict) and (
        value.get("module") not in INERT_MODULES
        or value.get("registered_name") not in (None, value.get("class_name"))
    ):
        raise InvalidParameter(
            "{label}: its {key} names {module}.{kind}; only Keras' own objects are accepted "
            "(custom objects are code, which is never run here). Save the model without it.",
            label=label,
            key=key,
            module=shown(value.get("module")),
            kind=shown(value.get("class_name")),
        )


def _typed(type_name: str, translate_settings: Callable[..., dict[str, Any]]) -> Callable[
    [Mapping[str, Any], str], dict[str, Any]
]:  # fmt: skip
    def translator(settings: Mapping[str, Any], label: str) -> dict[str, Any]:
        return {"type": type_name, **translate_settings(settings, label)}

    return translator


def _input(settings: Mapping[str, Any], label: str) -> dict[str, Any]:
    shape = None
    for key, value in settings.items():
        if key in ("batch_shape", "batch_input_shape"):
            shape = input_shape(value, f"{label} {key}")
        elif key == "shape" and value is not None:
            shape = input_shape([None, *as_list(value, label)], f"{label} shape")
        elif key in ("name", "dtype", "batch_size") or _is_fixed_default(key, value):
            continue
        else:
            raise InvalidParameter(
                "{label} has a setting {key} an Input does not take.", label=label, key=shown(key)
            )
    if shape is None:
        raise InvalidParameter(
            "{label} does not say its input shape; save the model again.", label=label
        )
    return {"type": "Input", "shape": shape}


def _is_fixed_default(key: str, value: object) -> bool:
    return key in FIXED_SETTINGS and plain(value) in FIXED_SETTINGS[key]


def input_shape(value: object, where: str) -> list[int]:
    dims = as_list(value, where)
    if len(dims) != 4 or dims[0] is not None:
        raise InvalidParameter(
            "{where} is {value}; ConvLens reads models with one image input "
            "(batch, height, width, channels). Give the model a fixed input shape such as "
            "keras.Input(shape=(224, 224, 3)).",
            where=where,
            value=shown(value),
        )
    sizes = dims[1:]
    if any(not isinstance(d, int) or isinstance(d, bool) for d in sizes):
        raise InvalidParameter(
            "{where} is {value}: the height, width and channels must be fixed numbers "
            "(a model built with shape=(None, None, 3) takes any size; build it for one size, "
            "e.g. keras.Input(shape=(224, 224, 3)), and copy its weights over).",
            where=where,
            value=shown(value),
        )
    return list(sizes)


SETTINGS = {
    "Conv2D": ("filters", "kernel_size", "strides", "padding", "use_bias", "activation"),
    "DepthwiseConv2D": (
        "kernel_size", "strides", "padding", "depth_multiplier", "use_bias", "activation"
    ),
    "SeparableConv2D": ("filters", "kernel_size", "strides", "padding", "depth_multiplier",
                        "use_bias", "activation"),
    "MaxPooling2D": ("pool_size", "strides", "padding"),
    "AveragePooling2D": ("pool_size", "strides", "padding"),
    "GlobalAveragePooling2D": ("keepdims",),
    "GlobalMaxPooling2D": ("keepdims",),
    "ZeroPadding2D": ("padding",),
    "Flatten": (),
    "Dense": ("units", "use_bias", "activation"),
    "Dropout": ("rate",),
    "BatchNormalization": ("center", "scale", "epsilon", "momentum"),
    "Activation": ("activation",),
    "ReLU": ("max_value", "negative_slope", "threshold"),
    "LeakyReLU": ("negative_slope",),
    "Softmax": (),
    "Rescaling": ("scale", "offset"),
    "Add": (),
    "Concatenate": (),
}  # fmt: skip
RENAMED = {"LeakyReLU": {"alpha": "negative_slope"}}
_TRANSLATORS: dict[str, Callable[[Mapping[str, Any], str], dict[str, Any]]] = {
    "InputLayer": _input,
    **{
        name: _typed(name, _translated_settings(*keys, renamed=RENAMED.get(name)))
        for name, keys in SETTINGS.items()
    },
    "MaxPool2D": _typed("MaxPooling2D", _translated_settings(*SETTINGS["MaxPooling2D"])),
}


def as_mapping(value: object, where: str, own: str = "") -> Mapping[str, Any]:
    """``value`` as a JSON object, or a refusal naming ``where`` (``own="config"``: where's
    config; ``where`` one of :data:`PLACES`: that place, in a sentence of its own)."""
    if isinstance(value, dict):
        return value
    if own == "config":
        raise InvalidParameter(
            "{where}'s config is not a JSON object; the file is damaged or not Keras'.",
            where=where,
        )
    if where == MODEL_CONFIG:
        raise InvalidParameter(
            "the model configuration is not a JSON object; the file is damaged or not Keras'."
        )
    if where == MODEL_BODY:
        raise InvalidParameter(
            "the model's config is not a JSON object; the file is damaged or not Keras'."
        )
    raise InvalidParameter(
        "{where} is not a JSON object; the file is damaged or not Keras'.", where=where
    )


def as_list(value: object, where: str, own: str = "") -> list[Any]:
    """``value`` as a JSON list, or a refusal naming ``where`` (``own``: where's setting of
    that name, e.g. "inbound_nodes"; ``where`` one of :data:`PLACES`: a sentence of its own)."""
    if isinstance(value, list):
        return value
    if own:
        raise InvalidParameter(
            "{where} {setting} is not a list; the file is damaged or not Keras'.",
            where=where,
            setting=own,
        )
    if where == MODEL_INPUT_LAYERS:
        raise InvalidParameter(
            "the model's input layers is not a list; the file is damaged or not Keras'."
        )
    if where == MODEL_OUTPUT_LAYERS:
        raise InvalidParameter(
            "the model's output layers is not a list; the file is damaged or not Keras'."
        )
    raise InvalidParameter("{where} is not a list; the file is damaged or not Keras'.", where=where)


# Places named in English words rather than by a path in the file: each has its own sentences.
MODEL_CONFIG = "the model configuration"
MODEL_BODY = "the model's config"
MODEL_INPUT_LAYERS = "the model's input layers"
MODEL_OUTPUT_LAYERS = "the model's output layers"
PLACES = (MODEL_CONFIG, MODEL_BODY, MODEL_INPUT_LAYERS, MODEL_OUTPUT_LAYERS)


def plain(value: Any) -> Any:
    """JSON lists as tuples, so that ``[1, 1]`` compares equal to ``(1, 1)``."""
    if isinstance(value, list):
        return tuple(plain(v) for v in value)
    return value


def shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
