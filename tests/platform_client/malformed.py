"""A stand-in for the platform that answers with bodies of the wrong shape: a real HTTP server
on a free loopback port (a thread of the test process), one fixed answer per route.

Routes without an answer get the contract's ``not_found`` error; every request is recorded
(with its Idempotency-Key), so tests can tell that an answer was not asked for twice.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

PERSON_NAME = "王秀英"
PERSON_ID = "110105194403121238"
PERSON_PHONE = "13912345678"
"""Made-up personal data that the bad answers carry (and no log may show)."""


@dataclass(frozen=True)
class Answer:
    """What the stand-in answers on one route."""

    body: bytes
    status: int = 200
    content_type: str = "application/json"


@dataclass(frozen=True)
class Seen:
    """A request the stand-in got."""

    method: str
    path: str
    idempotency_key: str | None


def json_answer(data: Any, status: int = 200) -> Answer:
    """``data`` as a JSON answer."""
    return Answer(json.dumps(data, ensure_ascii=False).encode(), status)


def html_answer(status: int = 200) -> Answer:
    """The kind of page a proxy in front of the platform answers with."""
    page = f"<html><body><h1>网关维护中</h1><p>{PERSON_NAME} {PERSON_ID}</p></body></html>"
    return Answer(page.encode(), status, "text/html; charset=utf-8")


_NOT_FOUND = json_answer({"error": {"code": "not_found", "message": "没有这个地址"}}, 404)


class MalformedPlatform:
    """The server's answers (set them per test) and the requests it got."""

    def __init__(self) -> None:
        self.base_url = ""
        """``http://127.0.0.1:PORT`` once started."""
        self.answers: dict[tuple[str, str], Answer] = {}
        self.requests: list[Seen] = []

    def answer(self, method: str, path: str, answer: Answer) -> None:
        """Answer ``method path`` (the path without its query) with ``answer`` from now on."""
        self.answers[(method, path)] = answer

    def reset(self) -> None:
        """Forget the answers and the requests."""
        self.answers.clear()
        self.requests.clear()

    def requests_to(self, path: str) -> int:
        """How many requests reached ``path``."""
        return len(self.keys_to(path))

    def keys_to(self, path: str) -> list[str | None]:
        """The Idempotency-Keys of the requests to ``path``, in order."""
        return [seen.idempotency_key for seen in self.requests if seen.path == path]


def _handler(platform: MalformedPlatform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            path = urlsplit(self.path).path
            platform.requests.append(Seen(self.command, path, self.headers.get("Idempotency-Key")))
            found = platform.answers.get((self.command, path))
            if found is None:
                found = json_answer(
                    {"error": {"code": "not_found", "message": "没有这个地址"}}, 404
                )
            self.send_response(found.status)
            self.send_header("Content-Type", found.content_type)
            self.send_header("Content-Length", str(len(found.body)))
            self.end_headers()
            self.wfile.write(found.body)

        do_GET = do_POST = do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests look at ``platform.requests``."""

    return Handler


@contextmanager
def malformed_platform() -> Iterator[MalformedPlatform]:
    """Start the stand-in on a free port; stop it on exit."""
    platform = MalformedPlatform()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(platform))
    platform.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="malformed-platform", daemon=True)
    thread.start()
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
