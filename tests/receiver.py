"""A real HTTP server on 127.0.0.1 (port 0) that records what webhooks deliver to it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    failures: int = 0  # answer 500 to this many requests first
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, timeout_s: float = 60) -> list[Received]:
        deadline = time.monotonic() + timeout_s
        while True:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            assert time.monotonic() < deadline, (
                f"{len(self.received)} of {count} requests arrived within {timeout_s} s")
            time.sleep(0.02)


@contextmanager
def receiver(failures: int = 0) -> Iterator[Receiver]:
    state = Receiver(url="", failures=failures)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server name
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            with state.lock:
                state.received.append(Received(self.path, dict(self.headers.items()), body))
                failing = len(state.received) <= state.failures
            self.send_response(500 if failing else 204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/onderbouwd"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
