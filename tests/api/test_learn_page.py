"""GET and HEAD /learn: the lesson path page, and its place first in the site navigation."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_learn_page_is_served_with_its_script_and_marked_in_the_navigation(
    client: TestClient,
) -> None:
    response = client.get("/learn")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<a href="/learn" aria-current="page">Learn</a>' in response.text
    assert "/static/js/learn.js" in response.text


def test_head_on_learn_answers_like_get(client: TestClient) -> None:
    response = client.head("/learn")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == ""


def test_every_page_links_to_learn_first(client: TestClient) -> None:
    response = client.get("/draw")

    nav = response.text.split('<nav aria-label="Pages">')[1].split("</nav>")[0]
    assert re.findall(r'<a href="([^"]+)"', nav)[0] == "/learn"
