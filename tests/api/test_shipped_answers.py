"""The shipped models give every answer they gave before models of any shape arrived.

``tests/data/shipped-answers.json`` holds the SHA-256 of each answer's numbers (predict's
probabilities and model_input, every layer's activations) as commit 4f4d5c3 gave them, for the
20 MNIST digits the app ships and three other pictures (see ``tests/data/record_answers.py``).
"""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.data.record_answers import ANSWERS, answers


def test_the_shipped_models_answer_number_for_number_as_before(client: TestClient) -> None:
    before = json.loads(ANSWERS.read_text())

    now = answers(client)

    assert sum(len(by_input) for by_input in before.values()) == 69
    assert now == before
