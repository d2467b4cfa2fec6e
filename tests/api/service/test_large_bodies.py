"""Large bodies against the real server: an unauthenticated 20 MB body is refused before it is
read (the answer comes while most of the body is still held back by the client), while
`/health` keeps answering; a large authenticated body is parsed off the event loop and answered
like the same document written small."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from app.api.json_body import OFF_LOOP_BYTES
from tests.api.helpers import SOLVE
from tests.api.live_server import serve
from tests.conftest import ClientFactory
from tests.tenants import Tenant

TWENTY_MB = 20 * 1024 * 1024
CHUNK = 64 * 1024
# The client sends this much, then holds the rest back until the server has answered: an answer
# that arrives in that pause was given without reading the body.
SENT_BEFORE_PAUSE = 16 * CHUNK


@pytest.fixture
def live_server(client_factory: ClientFactory) -> Iterator[str]:
    with serve(client_factory(None).app) as url:
        yield url


def _head(framing: str, authorization: str | None) -> bytes:
    lines = [f"POST {SOLVE} HTTP/1.1", "Host: onderbouwd", "Content-Type: application/json"]
    lines.append(f"Content-Length: {TWENTY_MB}" if framing == "length"
                 else "Transfer-Encoding: chunked")
    if authorization:
        lines.append(f"Authorization: {authorization}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _send_body(sock: socket.socket, framing: str, answered: threading.Event,
               resumed: threading.Event) -> None:
    """The first megabyte, then (once the server has answered, or after 30 s) the rest, for as
    long as the server takes it (it may close the connection)."""
    piece = b" " * CHUNK
    if framing == "chunked":
        piece = f"{CHUNK:x}\r\n".encode() + piece + b"\r\n"
    try:
        for sent in range(0, TWENTY_MB, CHUNK):
            if sent == SENT_BEFORE_PAUSE:
                answered.wait(30)
                resumed.set()
            sock.sendall(piece)
    except OSError:
        pass


def _status(sock: socket.socket) -> int:
    received = b""
    while b"\r\n" not in received:
        data = sock.recv(4096)
        if not data:
            break
        received += data
    return int(received.split(b" ", 2)[1])


@pytest.mark.parametrize("framing", ["length", "chunked"])
@pytest.mark.parametrize("authorization", [None, "Bearer obd_not_a_key"])
def test_an_unauthenticated_20_mb_body_is_refused_at_once(
    live_server: str, framing: str, authorization: str | None
) -> None:
    address = urlsplit(live_server)
    health: list[int] = []
    done = threading.Event()

    polling = threading.Event()
    failures: list[str] = []

    def poll_health() -> None:
        with httpx.Client(base_url=live_server, timeout=5) as client:
            client.get("/health")  # connected before the upload starts
            polling.set()
            while not done.is_set():
                try:
                    status = client.get("/health").status_code
                except httpx.HTTPError as error:
                    failures.append(repr(error))
                    return
                health.append(status)
                if status != 200:
                    failures.append(f"/health answered {status}")
                time.sleep(0.02)

    poller = threading.Thread(target=poll_health)
    poller.start()
    assert polling.wait(10)
    answer, resumed = threading.Event(), threading.Event()
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(_head(framing, authorization))
        sender = threading.Thread(target=_send_body, args=(sock, framing, answer, resumed))
        sender.start()
        status = _status(sock)
        # The rest still held back, so the server answered from the head alone.
        answered_in_the_pause = not resumed.is_set()
        health_before = len(health)
        while len(health) < health_before + 3 and poller.is_alive():
            time.sleep(0.02)  # /health, while the connection of the refused body is still open
        answer.set()
        done.set()
        with contextlib.suppress(OSError):  # the server may have closed it already
            sock.shutdown(socket.SHUT_RDWR)
        sender.join()
    poller.join()

    assert status in (401, 413)
    assert answered_in_the_pause
    assert failures == []


def test_a_large_body_is_answered_as_the_same_document_small(
    client_factory: ClientFactory, tenant_a: Tenant, design_example: dict[str, Any]
) -> None:
    small = json.dumps(design_example)
    # The same document, with whitespace enough to be parsed in a worker thread.
    large = small[:-1] + " " * OFF_LOOP_BYTES + "}"
    with serve(client_factory(None).app) as url, httpx.Client(
        base_url=url, timeout=60, headers=tenant_a.headers("viewer")
    ) as client:
        answers = [client.post(SOLVE, content=body, params={"explain": "false"},
                               headers={"content-type": "application/json"})
                   for body in (small, large)]
        broken = client.post(SOLVE, content=large[:-1],
                             headers={"content-type": "application/json"})

    assert [answer.status_code for answer in answers] == [200, 200]
    # DESIGN §3: the example's proven optimum.
    assert [round(a.json()["objective"], 2) for a in answers] == [10737.17] * 2
    assert broken.status_code == 400
    assert broken.json()["type"].endswith("/malformed-json")


@pytest.mark.parametrize(("path", "wrap"), [(SOLVE, False), ("/api/v1/scenarios", True)])
def test_a_large_invalid_body_is_refused_as_the_same_document_small(
    client_factory: ClientFactory, tenant_a: Tenant, design_example: dict[str, Any],
    path: str, wrap: bool,
) -> None:
    """Validated in a worker thread, a large body gets the 422 FastAPI gives the same document
    small (validated on the event loop): the same problem type and the same errors."""
    invalid = {**design_example, "unknown_field": 1,
               "budget": {**design_example["budget"], "total": "a lot"}}
    small = json.dumps({"document": invalid} if wrap else invalid)
    large = small[:-1] + " " * OFF_LOOP_BYTES + "}"
    with serve(client_factory(None).app) as url, httpx.Client(
        base_url=url, timeout=60, headers=tenant_a.headers("planner")
    ) as client:
        answers = [client.post(path, content=body, headers={"content-type": "application/json"})
                   for body in (small, large)]

    assert [answer.status_code for answer in answers] == [422, 422]
    problems = [answer.json() for answer in answers]
    assert problems[0]["type"] == problems[1]["type"]
    assert problems[0]["errors"] == problems[1]["errors"]
    named = {error["path"] for error in problems[0]["errors"]}
    assert any("unknown_field" in p for p in named), named
    assert any("budget" in p for p in named), named
