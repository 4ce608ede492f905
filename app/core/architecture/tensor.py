"""What the walk over a stack carries from layer to layer (:class:`Tensor`) and what each layer
gives back (:class:`Result`): shapes, receptive fields and the arithmetic, written out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from app.errors import N_

Shape = tuple[int, ...]
Pair = tuple[int, int]
ParamKind = Literal["conv", "dense", "norm"]


class Words(str):
    """English text a learner reads, built from a whole sentence's template (marked with N_()
    where it is written) and its fields: code that takes a ``str`` reads the English, and
    :func:`localized` gives it in the request's language when the answer is sent (summaries are
    cached, so they keep the English and its template both)."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Words:
        words = super().__new__(cls, cls.shown(template.format(**params) if params else template))
        words.template = template
        words.params = params
        return words

    def __reduce__(self) -> tuple[Any, ...]:
        return (_words, (type(self), self.template, self.params))

    @staticmethod
    def shown(text: str) -> str:
        return text

    def localized(self, language: str | None = None) -> str:
        from app.i18n import translate

        params = {
            name: value.localized(language) if isinstance(value, Words) else value
            for name, value in self.params.items()
        }
        return self.shown(translate(self.template, params, language))


class Clause(Words):
    """A whole sentence that follows a colon inside another ("rows: the division is not
    exact ..."): its first letter in lower case, in English and in a translation alike."""

    @staticmethod
    def shown(text: str) -> str:
        return text[:1].lower() + text[1:]


NO_WEIGHTS = Words(N_("0: no weights"))
NO_MACS = Words(N_("0: no multiply-accumulates counted"))


def _words(kind: type[Words], template: str, params: dict[str, Any]) -> Words:
    return kind(template, **params)


def localized(value: Any, language: str | None = None) -> Any:
    """A copy of an answer (dicts, lists) with every :class:`Words` in it translated."""
    if isinstance(value, Words):
        return value.localized(language)
    if isinstance(value, dict):
        return {key: localized(item, language) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [localized(item, language) for item in value]
    return value


def localized_answer(answer: dict[str, Any], language: str | None = None) -> dict[str, Any]:
    """An answer's dict (e.g. ``Summary.as_dict()``) with its words in the request's language."""
    return {key: localized(value, language) for key, value in answer.items()}


@dataclass(frozen=True)
class Tensor:
    """A layer's output as the walk sees it: shape (no batch axis) and what it sees of the input.

    ``span`` is the extent of the input that all units together see (for an image tensor,
    ``r + (H - 1)*j`` per axis); ``depth`` counts weight layers on the longest path to here.
    """

    shape: Shape
    receptive_field: Pair | None
    jump: Pair | None
    span: Pair | None
    depth: int

    @classmethod
    def image(cls, shape: Shape, rf: Pair = (1, 1), jump: Pair = (1, 1), depth: int = 0) -> Tensor:
        span = (rf[0] + (shape[0] - 1) * jump[0], rf[1] + (shape[1] - 1) * jump[1])
        return cls(shape, rf, jump, span, depth)

    @classmethod
    def vector(cls, shape: Shape) -> Tensor:
        return cls(shape, None, None, None, 0)


@dataclass(frozen=True)
class Result:
    tensor: Tensor
    settings: str
    output_formula: str
    receptive_field_formula: str
    params: int = 0
    trainable: int | None = None  # None: all of them
    params_formula: str = NO_WEIGHTS
    param_kind: ParamKind | None = None
    macs: int = 0
    macs_formula: str = NO_MACS
    warnings: tuple[str, ...] = ()

    @property
    def trainable_params(self) -> int:
        return self.params if self.trainable is None else self.trainable


def shape_text(shape: Sequence[int]) -> str:
    return "x".join(str(size) for size in shape)
