"""Signing a test client in to the web pages through the form, as a browser does."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, key: str) -> str:
    """Signs in; answers the session's CSRF token."""
    form = client.get("/sign-in")
    answer = client.post("/sign-in", data={"csrf_token": csrf_of(form.text), "key": key,
                                           "next": "/scenarios"}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/scenarios").text)
