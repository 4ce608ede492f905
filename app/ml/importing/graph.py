"""A functional model's graph, read as data, as a stack: forks that end in Add or Concatenate.

Both formats of the inbound nodes are read: Keras 3's (``{"args": [...], "kwargs": {}}``) and
Keras 2's (``[name, node, tensor, kwargs]``). Every layer is called once, reads the first output
of another layer's only call, and every fork's branches meet in one merge (residual and
inception blocks, nested at most ``MAX_NESTING`` deep); each refusal names the layer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.architecture.limits import MAX_NESTING
from app.errors import InvalidParameter
from app.ml.importing.entries import (
    MODEL_INPUT_LAYERS,
    MODEL_OUTPUT_LAYERS,
    as_list,
    as_mapping,
    layer_spec,
    shown,
)


@dataclass
class Node:
    """One layer of the graph: its spec (engine format) and the layers it reads from."""

    name: str
    spec: dict[str, Any]
    inputs: list[str]
    consumers: list[str] = field(default_factory=list)


def functional_stack(entries: list[Any], body: Mapping[str, Any]) -> list[dict[str, Any]]:
    nodes: dict[str, Node] = {}
    for index, entry in enumerate(entries):
        where = f"layers[{index}]"
        spec = layer_spec(entry, where)
        name = spec.get("name")
        if not isinstance(name, str) or name in nodes:
            raise InvalidParameter(
                "{where} has a missing or repeated name {name}.", where=where, name=shown(name)
            )
        layer = as_mapping(entry, where)
        inputs = _inbound(layer.get("inbound_nodes"), f'{where} "{name}"')
        nodes[name] = Node(name, spec, inputs)
    for node in nodes.values():
        for source in node.inputs:
            if source not in nodes:
                raise InvalidParameter(
                    'Layer "{layer}" reads from {source}, which is not a layer of this model; '
                    "the file is damaged. Save the model again.",
                    layer=node.name,
                    source=shown(source),
                )
            nodes[source].consumers.append(node.name)
    start = _single_end(body.get("input_layers"), "input")
    end = _single_end(body.get("output_layers"), "output")
    for name in (start, end):
        if name not in nodes:
            raise InvalidParameter(
                "The model's input or output {name!r} is not one of its layers.", name=name
            )
    if nodes[start].spec["type"] != "Input":
        raise InvalidParameter("The model's input {name!r} is not an Input layer.", name=start)
    walk = _GraphWalk(nodes)
    stack, last, merge = walk.follow(start, 0)
    unreached = [name for name in nodes if name not in walk.visited and name != start]
    if merge is not None or last != end or unreached:
        raise InvalidParameter(
            "The model's layers do not form one path from {start!r} to its output {end!r} "
            "(it stops at {last!r}); ConvLens reads models with one input and one output whose "
            "branches end in an Add or Concatenate.",
            start=start,
            end=end,
            last=last,
        )
    return [nodes[start].spec, *stack]


class _GraphWalk:
    def __init__(self, nodes: dict[str, Node]) -> None:
        self.nodes = nodes
        self.visited: set[str] = set()

    def _visit(self, name: str) -> None:
        if name in self.visited:
            raise InvalidParameter(
                'Layer "{layer}" is reached twice on the way from the input: the graph has a '
                "cycle or a shape ConvLens does not read. Save the model again with model.save().",
                layer=name,
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
                'Branches after layer "{fork}" are nested more than {limit} deep; '
                "ConvLens reads models with merges nested at most that deep.",
                fork=fork,
                limit=MAX_NESTING,
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
                    'The branch from layer "{fork}" through "{consumer}" never joins the '
                    "others; ConvLens reads models with one output, whose branches end in an "
                    "Add or Concatenate.",
                    fork=fork,
                    consumer=consumer,
                )
            merges.add(merge)
            ends[last] = [node.spec, *layers]
        if len(merges) != 1:
            raise InvalidParameter(
                'The branches from layer "{fork}" end in different merges ({merges}); '
                "ConvLens reads models whose branches all end in the same Add or Concatenate.",
                fork=fork,
                merges=", ".join(sorted(merges)),
            )
        merge_node = self.nodes[merges.pop()]
        if merge_node.spec["type"] not in ("Add", "Concatenate"):
            raise InvalidParameter(
                'Layer "{layer}" ({kind}) joins branches; '
                "ConvLens reads branches joined by Add or Concatenate.",
                layer=merge_node.name,
                kind=merge_node.spec["type"],
            )
        if sorted(merge_node.inputs) != sorted(ends) or len(set(merge_node.inputs)) != len(
            merge_node.inputs
        ):
            raise InvalidParameter(
                'Layer "{layer}" joins {inputs}, which are not exactly the branches that start '
                'at layer "{fork}"; ConvLens reads models whose merges join the branches of one '
                "fork.",
                layer=merge_node.name,
                inputs=", ".join(merge_node.inputs),
                fork=fork,
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
    nodes = as_list(value, where, own="inbound_nodes")
    if len(nodes) != 1:
        raise InvalidParameter(
            "{where} is called {count} times in the model (a shared layer); ConvLens reads "
            "models that call each layer once.",
            where=where,
            count=len(nodes),
        )
    node = nodes[0]
    if isinstance(node, dict):  # Keras 3: {"args": [tensor or [tensors]], "kwargs": {}}
        extra = set(node) - {"args", "kwargs"}
        kwargs = node.get("kwargs") or {}
        if extra or not isinstance(kwargs, dict) or not _inert_call(kwargs):
            raise _called_with(where, kwargs)
        args = as_list(node.get("args"), where)
        tensors = args[0] if len(args) == 1 and isinstance(args[0], list) else args
        return [_history(tensor, where) for tensor in tensors]
    return [_legacy_history(entry, where) for entry in as_list(node, where)]  # Keras 2


def _inert_call(kwargs: Mapping[str, Any]) -> bool:
    """Call arguments that do not change inference: ``training=False`` (or None), no mask."""
    return all(
        (key == "training" and value in (False, None)) or (key == "mask" and value is None)
        for key, value in kwargs.items()
    )


def _history(tensor: object, where: str) -> str:
    item = as_mapping(tensor, where)
    history = as_mapping(item.get("config"), where).get("keras_history")
    if item.get("class_name") != "__keras_tensor__" or not isinstance(history, list):
        raise InvalidParameter("{where} reads an input ConvLens cannot follow.", where=where)
    return _tensor_source(history, where)


def _legacy_history(entry: object, where: str) -> str:
    items = as_list(entry, where)
    if len(items) == 4 and not (items[3] is None or _inert_call(as_mapping(items[3], where))):
        raise _called_with(where, items[3])
    return _tensor_source(items[:3], where)


def _called_with(where: str, arguments: object) -> InvalidParameter:
    return InvalidParameter(
        "{where} is called with arguments {arguments}; ConvLens reads layers called "
        "on their input alone (training=False at most). Call the layer as layer(x).",
        where=where,
        arguments=shown(arguments),
    )


def _tensor_source(history: Sequence[Any], where: str, end: str = "") -> str:
    """The layer a tensor comes from; ``end`` ("input" or "output"): the model's own."""
    if len(history) != 3 or not isinstance(history[0], str) or list(history[1:]) != [0, 0]:
        reads = shown(list(history))
        if end == "input":
            raise InvalidParameter(
                "the model's input reads {reads}; ConvLens reads layers that take the first "
                "output of another layer's only call.",
                reads=reads,
            )
        if end == "output":
            raise InvalidParameter(
                "the model's output reads {reads}; ConvLens reads layers that take the first "
                "output of another layer's only call.",
                reads=reads,
            )
        raise InvalidParameter(
            "{where} reads {reads}; ConvLens reads layers that take the first "
            "output of another layer's only call.",
            where=where,
            reads=reads,
        )
    return history[0]


def _single_end(value: object, what: str) -> str:
    items = as_list(value, MODEL_INPUT_LAYERS if what == "input" else MODEL_OUTPUT_LAYERS)
    if items and isinstance(items[0], list):
        if len(items) != 1 and what == "input":
            raise InvalidParameter(
                "The model has {count} inputs; ConvLens reads models with one image input.",
                count=len(items),
            )
        if len(items) != 1:
            raise InvalidParameter(
                "The model has {count} outputs; ConvLens reads models with one image output.",
                count=len(items),
            )
        items = items[0]
    return _tensor_source(items, f"the model's {what}", end=what)
