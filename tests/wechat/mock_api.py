"""WeChat's API played on loopback: ``token``, ``message/custom/send`` and ``media/get``, as the
real API answers them, recording every call.

A ThreadingHTTPServer in a thread of the test process. Tokens stay valid until
:meth:`WeChatApiMock.expire_tokens` (then WeChat's 40001); a follower can be made unreachable
with an error code (45015: outside the 48-hour window). Tests wait for sends on a condition,
never by sleeping.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

APP_ID = "wx0123456789abcdef"
APP_SECRET = "test-app-secret-0123456789abcdef"
TOKEN_DELAY_S = 0.2
"""The token endpoint answers slowly, so that concurrent needs overlap."""


@dataclass
class Call:
    """One recorded call."""

    path: str
    query: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)
    errcode: int = 0


class WeChatApiMock:
    """The recorded state of the fake API."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.valid_tokens: set[str] = set()
        self.failing: dict[str, int] = {}
        """OpenID → the errcode custom/send answers for it."""
        self.media: dict[str, bytes] = {}
        self.changed = threading.Condition()
        self._issued = 0
        self.url = ""

    def expire_tokens(self) -> None:
        """Every token issued so far is stale (WeChat answers 40001)."""
        with self.changed:
            self.valid_tokens.clear()

    def token_fetches(self) -> int:
        """How many tokens were issued."""
        with self.changed:
            return self._issued

    def sent(self, openid: str, *, delivered_only: bool = True) -> list[str]:
        """The texts sent to ``openid`` through custom/send, in order."""
        with self.changed:
            return [
                str(call.body["text"]["content"])
                for call in self.calls
                if call.path.endswith("message/custom/send")
                and call.body.get("touser") == openid
                and (call.errcode == 0 or not delivered_only)
            ]

    def wait_sent(self, openid: str, count: int, timeout_s: float = 60.0) -> list[str]:
        """Wait until ``count`` texts reached ``openid`` (or were refused); return them."""
        deadline = time.monotonic() + timeout_s
        with self.changed:
            while len(self.sent(openid, delivered_only=False)) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{count} sends expected, got {self.sent(openid)}"
                self.changed.wait(left)
        return self.sent(openid, delivered_only=False)

    def paths(self) -> list[str]:
        """The paths called, in order."""
        with self.changed:
            return [call.path for call in self.calls]

    # ----------------------------------------------------------------- the server side
    def answer(self, method: str, path: str, query: dict[str, str], raw: bytes) -> Any:
        if path.endswith("/token"):
            time.sleep(TOKEN_DELAY_S)
            if query.get("appid") != APP_ID or query.get("secret") != APP_SECRET:
                return self._record(Call(path, query, errcode=40013), {"errcode": 40013})
            with self.changed:
                self._issued += 1
                token = f"token-{self._issued}"
                self.valid_tokens.add(token)
            return self._record(Call(path, query), {"access_token": token, "expires_in": 7200})
        if query.get("access_token") not in self.valid_tokens:
            errcode = 40001
            return self._record(Call(path, query, errcode=errcode), {"errcode": errcode})
        if path.endswith("message/custom/send"):
            body = json.loads(raw.decode("utf-8"))
            errcode = self.failing.get(str(body.get("touser")), 0)
            answer = {"errcode": errcode, "errmsg": "ok" if not errcode else "refused"}
            return self._record(Call(path, query, body, errcode), answer)
        if path.endswith("media/get"):
            audio = self.media.get(query.get("media_id", ""))
            if audio is None:
                return self._record(Call(path, query, errcode=40007), {"errcode": 40007})
            self._record(Call(path, query), None)
            return audio
        return self._record(Call(path, query, errcode=404), {"errcode": 404})

    def _record(self, call: Call, answer: Any) -> Any:
        with self.changed:
            self.calls.append(call)
            self.changed.notify_all()
        return answer


def _handler(mock: WeChatApiMock) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            parsed = urlparse(self.path)
            query = {key: values[0] for key, values in parse_qs(parsed.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            answer = mock.answer(method, parsed.path, query, raw)
            if isinstance(answer, bytes):
                body, kind = answer, "audio/amr"
            else:
                body, kind = json.dumps(answer).encode(), "application/json"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def log_message(self, *_args: Any) -> None:
            return

    return Handler


@contextmanager
def wechat_api() -> Iterator[WeChatApiMock]:
    """The fake API on a free loopback port; ``mock.url`` is its ``api_base``."""
    mock = WeChatApiMock()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(mock))
    server.daemon_threads = True
    mock.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield mock
    finally:
        server.shutdown()
        server.server_close()
