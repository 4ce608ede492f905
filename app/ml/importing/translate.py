"""A Keras model configuration, read as data, translated into the Architecture lab's stack.

Nothing here imports Keras or resolves a name to code. Each layer must be one of the engine's
types (:mod:`app.core.architecture.layers`, named as in Keras) from Keras' own ``keras.layers``
module; each of its settings is either one the engine takes (then the engine's bounds apply) or
one that cannot change what the model computes at inference (an initializer, a regulariser, the
dtype, ``trainable``), which is ignored unread; anything else is refused by name. The graph of a
functional model must be a stack whose forks end in an ``Add`` or ``Concatenate`` (residual and
inception blocks); each refusal names the first layer that does not fit and says what to do.

Both config formats are read: Keras 3's (``.keras`` files, and ``.h5`` files it saves) and
Keras 2's (``tf.keras`` ``.h5`` files: no ``module``, nodes as ``[name, node, tensor, kwargs]``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.architecture.layers import ACTIVATIONS, LAYER_TYPE_NAMES
from app.core.architecture.limits import MAX_LAYERS, MAX_NESTING
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


@dataclass
class Node:
    """One layer of the graph: its spec (engine format) and the layers it reads from."""

    name: str
    spec: dict[str, Any]
    inputs: list[str]
    consumers: list[str] = field(default_factory=list)


def translate(config: object) -> list[dict[str, Any]]:
    """The stack (a JSON-able list, ``Input`` first) equivalent to a Keras model config."""
    model = _mapping(config, "the model configuration")
    class_name = model.get("class_name")
    if class_name not in MODEL_CLASSES:
        raise InvalidParameter(
            f"The file's model is a {_shown(class_name)}; ConvLens reads Sequential and "
            "functional models (keras.Sequential, keras.Model). Subclassed models hold Python "
            "code, which is never run here: rebuild the model as Sequential or functional."
        )
    if model.get("module") not in MODEL_MODULES or model.get("registered_name") not in (
        None,
        class_name,
    ):
        raise InvalidParameter(
            f"The model names module {_shown(model.get('module'))} and registered name "
            f"{_shown(model.get('registered_name'))}; only Keras' own model classes are read "
            "(custom model classes are code, which is never run here)."
        )
    body = _mapping(model.get("config"), "the model's config")
    entries = body.get("layers")
    if not isinstance(entries, list) or not entries:
        raise InvalidParameter("The model's config lists no layers; the file holds no model.")
    if len(entries) > MAX_LAYERS:
        raise InvalidParameter(
            f"The model has {len(entries)} layers; ConvLens reads models of up to {MAX_LAYERS}."
        )
    if class_name == "Sequential":
        return _sequential(entries, body)
    return _functional(entries, body)


def _sequential(entries: list[Any], body: Mapping[str, Any]) -> list[dict[str, Any]]:
    stack: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        stack.append(_layer(entry, f"layers[{index}]"))
    if stack[0]["type"] != "Input":
        shape = body.get("build_input_shape")
        if shape is None:
            raise InvalidParameter(
                "The Sequential model has no input shape (no Input layer and never built). "
                "Start it with keras.Input(shape=(height, width, channels)) and save it again."
            )
        stack.insert(0, {"type": "Input", "shape": _input_shape(shape, "build_input_shape")})
    return stack


def _layer(entry: object, where: str) -> dict[str, Any]:
    """One layer entry as an engine spec: type and settings, checked key by key."""
    layer = _mapping(entry, where)
    class_name = layer.get("class_name")
    settings = _mapping(layer.get("config"), f"{where}'s config")
    name = settings.get("name", layer.get("name"))
    label = f'{where} "{name}" ({class_name})' if isinstance(name, str) else f"{where}"
    extra = sorted(set(layer) - ENTRY_KEYS)
    if extra:
        raise InvalidParameter(
            f"{label} has {_shown(extra[0])}, which a Keras layer entry does not have; the "
            "file was not written by Keras, or was edited. Save the model again with model.save()."
        )
    if class_name == "Lambda":
        raise InvalidParameter(
            f"{label}: arbitrary Python code is not loaded; rebuild the model without it "
            "(use built-in layers such as Rescaling or Activation instead of a Lambda)."
        )
    if class_name in MODEL_CLASSES and layer.get("module") in MODEL_MODULES:
        # Keras 3 saves a model used as a layer with its model module ("keras"), so this comes
        # before the module check: the refusal then says what to do about a nested model.
        raise InvalidParameter(
            f"{label} is a whole model inside the model. ConvLens reads one level of layers: "
            "build the model from the inner model's tensors, e.g. "
            "keras.Model(base.input, head(base.output)), and save that."
        )
    if layer.get("module") not in LAYER_MODULES or layer.get("registered_name") not in (
        None,
        class_name,
    ):
        raise InvalidParameter(
            f"{label} comes from module {_shown(layer.get('module'))} (registered name "
            f"{_shown(layer.get('registered_name'))}); only Keras' built-in layers "
            "(keras.layers) are read. Custom layers are code, which is never run here: rebuild "
            "the model with built-in layers."
        )
    translator = _TRANSLATORS.get(class_name) if isinstance(class_name, str) else None
    if translator is None:
        raise InvalidParameter(
            f"{label}: {_shown(class_name)} is not a layer type ConvLens reads. It reads "
            f"{', '.join(sorted((*LAYER_TYPE_NAMES, 'InputLayer', 'MaxPool2D')))}; rebuild the "
            "model with those."
        )
    if not _dtype_ok(settings.get("dtype")):
        raise InvalidParameter(
            f"{label} computes in {_shown(settings.get('dtype'))}; ConvLens runs float32 "
            "models. Set the layers' dtype to float32 (no mixed precision) and save it again."
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
                spec[key] = _plain(value)
            elif key in INERT_SETTINGS:
                _check_inert(key, value, label)
            elif key in FIXED_SETTINGS:
                if _plain(value) not in FIXED_SETTINGS[key]:
                    raise InvalidParameter(
                        f"{label} sets {key}={_shown(value)}; ConvLens computes it only with "
                        f"{key}={_shown(FIXED_SETTINGS[key][-1])} (Keras' default). Rebuild the "
                        "layer without it."
                    )
            else:
                raise InvalidParameter(
                    f"{label} has a setting {_shown(key)} that ConvLens does not know; it reads "
                    f"{', '.join(engine) or 'no settings'} for this layer type. Save the model "
                    "with a current Keras, or rebuild the layer without it."
                )
        if "activation" in spec and spec["activation"] not in (None, *ACTIVATIONS):
            raise InvalidParameter(
                f"{label}: its activation {_shown(spec['activation'])} is not one ConvLens "
                f"computes ({', '.join(ACTIVATIONS)}). Custom activations are code, which is "
                "never run here: use one of those."
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
            f"{label}: its {key} names {_shown(value.get('module'))}."
            f"{_shown(value.get('class_name'))}; only Keras' own objects are accepted (custom "
            "objects are code, which is never run here). Save the model without it."
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
            shape = _input_shape(value, f"{label} {key}")
        elif key == "shape" and value is not None:
            shape = _input_shape([None, *_sequence(value, label)], f"{label} shape")
        elif key in ("name", "dtype", "batch_size") or _is_fixed_default(key, value):
            continue
        else:
            raise InvalidParameter(f"{label} has a setting {_shown(key)} an Input does not take.")
    if shape is None:
        raise InvalidParameter(f"{label} does not say its input shape; save the model again.")
    return {"type": "Input", "shape": shape}


def _is_fixed_default(key: str, value: object) -> bool:
    return key in FIXED_SETTINGS and _plain(value) in FIXED_SETTINGS[key]


def _input_shape(value: object, where: str) -> list[int]:
    dims = _sequence(value, where)
    if len(dims) != 4 or dims[0] is not None:
        raise InvalidParameter(
            f"{where} is {_shown(value)}; ConvLens reads models with one image input "
            "(batch, height, width, channels). Give the model a fixed input shape such as "
            "keras.Input(shape=(224, 224, 3))."
        )
    sizes = dims[1:]
    if any(not isinstance(d, int) or isinstance(d, bool) for d in sizes):
        raise InvalidParameter(
            f"{where} is {_shown(value)}: the height, width and channels must be fixed numbers "
            "(a model built with shape=(None, None, 3) takes any size; build it for one size, "
            "e.g. keras.Input(shape=(224, 224, 3)), and copy its weights over)."
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


def _functional(entries: list[Any], body: Mapping[str, Any]) -> list[dict[str, Any]]:
    nodes: dict[str, Node] = {}
    for index, entry in enumerate(entries):
        where = f"layers[{index}]"
        spec = _layer(entry, where)
        name = spec.get("name")
        if not isinstance(name, str) or name in nodes:
            raise InvalidParameter(f"{where} has a missing or repeated name {_shown(name)}.")
        layer = _mapping(entry, where)
        inputs = _inbound(layer.get("inbound_nodes"), f'{where} "{name}"')
        nodes[name] = Node(name, spec, inputs)
    for node in nodes.values():
        for source in node.inputs:
            if source not in nodes:
                raise InvalidParameter(
                    f'Layer "{node.name}" reads from {_shown(source)}, which is not a layer of '
                    "this model; the file is damaged. Save the model again."
                )
            nodes[source].consumers.append(node.name)
    start = _single_end(body.get("input_layers"), "input")
    end = _single_end(body.get("output_layers"), "output")
    for name in (start, end):
        if name not in nodes:
            raise InvalidParameter(
                f"The model's input or output {name!r} is not one of its layers."
            )
    if nodes[start].spec["type"] != "Input":
        raise InvalidParameter(f"The model's input {start!r} is not an Input layer.")
    walk = _GraphWalk(nodes)
    stack, last, merge = walk.follow(start, 0)
    unreached = [name for name in nodes if name not in walk.visited and name != start]
    if merge is not None or last != end or unreached:
        raise InvalidParameter(
            f"The model's layers do not form one path from {start!r} to its output {end!r} "
            f"(it stops at {last!r}); ConvLens reads models with one input and one output whose "
            "branches end in an Add or Concatenate."
        )
    return [nodes[start].spec, *stack]


class _GraphWalk:
    def __init__(self, nodes: dict[str, Node]) -> None:
        self.nodes = nodes
        self.visited: set[str] = set()

    def _visit(self, name: str) -> None:
        if name in self.visited:
            raise InvalidParameter(
                f'Layer "{name}" is reached twice on the way from the input: the graph has a '
                "cycle or a shape ConvLens does not read. Save the model again with model.save()."
            )
        self.visited.add(name)

    def follow(self, name: str, depth: int) -> tuple[list[dict[str, Any]], str, str | None]:
        """The layers after ``name`` up to the end or a merge that ends the current fork:
        (their specs, the last node, the merge reached or None)."""
        layers: list[dict[str, Any]] = []
        current = name
        while True:
            consumers = self.nodes[current].consumers
            if not consumers:
                return layers, current, None
            if len(consumers) == 1:
                following = self.nodes[consumers[0]]
                if len(following.inputs) > 1:
                    return layers, current, following.name
                self._visit(following.name)
                layers.append(following.spec)
                current = following.name
                continue
            merged = self._fork(current, depth + 1)
            self._visit(merged.name)
            layers.append(merged.spec)
            current = merged.name

    def _fork(self, fork: str, depth: int) -> Node:
        if depth > MAX_NESTING:
            raise InvalidParameter(
                f'Branches after layer "{fork}" are nested more than {MAX_NESTING} deep; '
                "ConvLens reads models with merges nested at most that deep."
            )
        ends: dict[str, list[dict[str, Any]]] = {}
        merges: set[str] = set()
        for consumer in self.nodes[fork].consumers:
            node = self.nodes[consumer]
            if len(node.inputs) > 1:  # the fork feeds the merge directly: an identity branch
                merges.add(node.name)
                ends[fork] = []
                continue
            self._visit(consumer)
            layers, last, merge = self.follow(consumer, depth)
            if merge is None:
                raise InvalidParameter(
                    f'The branch from layer "{fork}" through "{consumer}" never joins the '
                    "others; ConvLens reads models with one output, whose branches end in an "
                    "Add or Concatenate."
                )
            merges.add(merge)
            ends[last] = [node.spec, *layers]
        if len(merges) != 1:
            raise InvalidParameter(
                f'The branches from layer "{fork}" end in different merges '
                f"({', '.join(sorted(merges))}); ConvLens reads models whose branches all end "
                "in the same Add or Concatenate."
            )
        merge_node = self.nodes[merges.pop()]
        if merge_node.spec["type"] not in ("Add", "Concatenate"):
            raise InvalidParameter(
                f'Layer "{merge_node.name}" ({merge_node.spec["type"]}) joins branches; '
                "ConvLens reads branches joined by Add or Concatenate."
            )
        if sorted(merge_node.inputs) != sorted(ends) or len(set(merge_node.inputs)) != len(
            merge_node.inputs
        ):
            raise InvalidParameter(
                f'Layer "{merge_node.name}" joins {", ".join(merge_node.inputs)}, which are not '
                f'exactly the branches that start at layer "{fork}"; ConvLens reads models whose '
                "merges join the branches of one fork."
            )
        branches = [ends[source] for source in merge_node.inputs]
        return Node(
            merge_node.name,
            {**merge_node.spec, "branches": branches},
            merge_node.inputs,
            merge_node.consumers,
        )


def _inbound(value: object, where: str) -> list[str]:
    """The names of the layers a functional layer reads, from either config format."""
    if value in (None, []):
        return []
    nodes = _sequence(value, f"{where} inbound_nodes")
    if len(nodes) != 1:
        raise InvalidParameter(
            f"{where} is called {len(nodes)} times in the model (a shared layer); ConvLens reads "
            "models that call each layer once."
        )
    node = nodes[0]
    if isinstance(node, dict):  # Keras 3: {"args": [tensor or [tensors]], "kwargs": {}}
        extra = set(node) - {"args", "kwargs"}
        kwargs = node.get("kwargs") or {}
        if extra or not isinstance(kwargs, dict) or not _inert_call(kwargs):
            raise InvalidParameter(
                f"{where} is called with arguments {_shown(kwargs)}; ConvLens reads layers called "
                "on their input alone (training=False at most). Call the layer as layer(x)."
            )
        args = _sequence(node.get("args"), where)
        tensors = args[0] if len(args) == 1 and isinstance(args[0], list) else args
        return [_history(tensor, where) for tensor in tensors]
    return [_legacy_history(entry, where) for entry in _sequence(node, where)]  # Keras 2


def _inert_call(kwargs: Mapping[str, Any]) -> bool:
    """Call arguments that do not change inference: ``training=False`` (or None), no mask."""
    return all(
        (key == "training" and value in (False, None)) or (key == "mask" and value is None)
        for key, value in kwargs.items()
    )


def _history(tensor: object, where: str) -> str:
    item = _mapping(tensor, where)
    history = _mapping(item.get("config"), where).get("keras_history")
    if item.get("class_name") != "__keras_tensor__" or not isinstance(history, list):
        raise InvalidParameter(f"{where} reads an input ConvLens cannot follow.")
    return _tensor_source(history, where)


def _legacy_history(entry: object, where: str) -> str:
    items = _sequence(entry, where)
    if len(items) == 4 and not (items[3] is None or _inert_call(_mapping(items[3], where))):
        raise InvalidParameter(
            f"{where} is called with arguments {_shown(items[3])}; ConvLens reads layers called "
            "on their input alone (training=False at most). Call the layer as layer(x)."
        )
    return _tensor_source(items[:3], where)


def _tensor_source(history: Sequence[Any], where: str) -> str:
    if len(history) != 3 or not isinstance(history[0], str) or list(history[1:]) != [0, 0]:
        raise InvalidParameter(
            f"{where} reads {_shown(list(history))}; ConvLens reads layers that take the first "
            "output of another layer's only call."
        )
    return history[0]


def _single_end(value: object, what: str) -> str:
    items = _sequence(value, f"the model's {what} layers")
    if items and isinstance(items[0], list):
        if len(items) != 1:
            raise InvalidParameter(
                f"The model has {len(items)} {what}s; ConvLens reads models with one image {what}."
            )
        items = items[0]
    return _tensor_source(items, f"the model's {what}")


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InvalidParameter(f"{where} is not a JSON object; the file is damaged or not Keras'.")
    return value


def _sequence(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidParameter(f"{where} is not a list; the file is damaged or not Keras'.")
    return value


def _plain(value: Any) -> Any:
    """JSON lists as tuples, so that ``[1, 1]`` compares equal to ``(1, 1)``."""
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    return value


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
