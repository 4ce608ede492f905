"""The answers of long requests, made in a worker by the routes' own code.

When an explanation, patterns or dreams request would take more than about a second
(:func:`app.api.works.long_work`), its route queues it as a work with the request's fields (and
its upload); the worker that runs it calls :func:`answer`, which rebuilds the request and calls
the same function the route calls for a short one, so a long request's answer is the same JSON.
"""

from __future__ import annotations

import io
from typing import Any

from fastapi import UploadFile

from app.api.explain import _explanation
from app.api.patterns import _dreams, _dreams_from_image, _patterns, images_of
from app.config import Settings
from app.errors import InvalidParameter
from app.ml.explain import plan_explanation
from app.ml.loaded import LoadedModel
from app.ml.patterns import plan_dreams, plan_patterns
from app.schemas.explain import ExplainForm
from app.schemas.patterns import DreamsForm, DreamsQuery, PatternsQuery


def answer(
    kind: str,
    loaded: LoadedModel,
    options: dict[str, Any],
    upload: bytes | None,
    settings: Settings,
) -> bytes:
    """The JSON body the request would have answered with at once."""
    image = None if upload is None else UploadFile(io.BytesIO(upload), size=len(upload))
    if kind == "explain":
        form = ExplainForm.model_validate({**options, "image": image})
        response = _explanation(loaded, plan_explanation(loaded, form.request()), form, settings)
    elif kind == "patterns":
        query = PatternsQuery.model_validate(options)
        plan = plan_patterns(
            loaded,
            query.layer,
            query.unit_range(),
            query.steps,
            query.seed,
            query.jitter,
            query.blur,
        )
        response = _patterns(loaded, plan, images_of(loaded, settings))
    elif kind == "dreams" and image is None:
        dreams = DreamsQuery.model_validate(options)
        plan = plan_dreams(
            loaded, dreams.class_range(), dreams.steps, dreams.seed, dreams.jitter, dreams.blur
        )
        response = _dreams(loaded, plan)
    elif kind == "dreams":
        form_ = DreamsForm.model_validate({**options, "image": image})
        plan = plan_dreams(
            loaded, form_.class_range(), form_.steps, form_.seed, form_.jitter, form_.blur
        )
        response = _dreams_from_image(loaded, plan, form_, settings)
    else:
        raise InvalidParameter("No work of kind {kind} is answered here.", kind=repr(kind))
    return bytes(response.body)
