"""Property: whatever a client sends to any public route of the gateway, the answer is never a
5xx (except ``503`` from a part that is down on purpose here: Rasa, the platform), and every
error has the form ``{"error": {"code", "message"}}``.

The gateway runs in this process on its own SQLite database, with a supervisor logged in, a
conversation and a handoff, so that the generated requests reach past the login check. The
text strategy includes every code point (lone surrogates too) and the characters that broke
the gateway before. Each route gets a bounded number of examples.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from banshi.gateway import GatewayConfig, create_app
from handoff.config import HandoffConfig
from handoff.models import Role
from handoff.passwords import hash_password
from tests.chat import TOKEN_HEADER
from tests.conftest import free_port
from tests.handoff.kit import PASSWORD

SERVICE_TOKEN = "fuzz-service-token-0123456789"
EXAMPLES = 60
# A part that is down in this test may be said to be down: Rasa (no Rasa runs), the platform,
# the synthesizer (where espeak-ng is missing).
DOWN_ON_PURPOSE = {"bot_unavailable", "platform_unavailable", "tts_unavailable"}

# The characters that broke the gateway before, and some that did not; drawn often.
TRICKY = st.sampled_from(
    [
        *("\ud800", "\udfff", "\udc00", "\u200b", "\ufeff", "\U000e0041", "\x00", "\n"),
        *("\ufffe", "\u202e", "", "你好", "a", "0", " "),
    ]
)
TRICKY_TEXT = st.lists(TRICKY, min_size=1, max_size=6).map("".join)
TEXT = st.one_of(
    TRICKY_TEXT,
    TRICKY_TEXT,
    st.text(st.characters(exclude_categories=()), max_size=40),
    st.text(st.sampled_from("abc01_-"), min_size=7, max_size=12),
)
INTS = st.one_of(
    st.integers(-5, 5),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**31, 2**63, 2**64, 10**20, -(2**63) - 1]),
)
SCALARS = st.one_of(st.none(), st.booleans(), INTS, st.floats(), TEXT)
JSON_VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4)
)
FIELD_VALUES = st.one_of(TEXT, TEXT, TEXT, INTS, JSON_VALUES)
QUERY_VALUES = st.one_of(
    TEXT, INTS, INTS, st.sampled_from(["1e20", "-1", "0x10", "NaN", "1.5", " 1", "true"])
)


@dataclass
class Fuzzed:
    """The gateway under test and what exists in it."""

    client: TestClient
    auth: dict[str, dict[str, str]]
    conversation: str
    handoff: str


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    app = create_app(
        GatewayConfig(
            database_url=f"sqlite+aiosqlite:///{folder / 'gateway.db'}",
            rasa_url=f"http://127.0.0.1:{free_port()}",
            rasa_token="unused",
            service_token=SERVICE_TOKEN,
            rasa_timeout_s=1.0,
            rasa_start_within_s=0.5,
            handoff=HandoffConfig(
                working_hours="1-7 00:00-24:00",
                tick_s=3600.0,
                platform_url=f"http://127.0.0.1:{free_port()}",
            ),
        )
    )
    with TestClient(app, base_url="http://gateway.test", raise_server_exceptions=False) as client:
        assert client.portal is not None
        runtime = app.state.handoff
        password_hash = client.portal.call(hash_password, PASSWORD)
        client.portal.call(
            lambda: runtime.staff.add(
                username="fuzz-sup",
                display_name="测试主管",
                role=Role.SUPERVISOR,
                district="模糊区",
                password_hash=password_hash,
            )
        )
        login = client.post("/api/staff/login", json={"username": "fuzz-sup", "password": PASSWORD})
        assert login.status_code == 200, login.text
        client.cookies.clear()
        store = app.state.conversations.store
        conversation, token = client.portal.call(store.start_conversation, "webchat")
        service = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
        body = {"conversation_id": conversation}
        created = client.post("/api/handoffs", json=body, headers=service)
        assert created.status_code == 201, created.text
        yield Fuzzed(
            client,
            {
                "none": {},
                "supervisor": {"Authorization": f"Bearer {login.json()['token']}"},
                "service": service,
                "citizen": {TOKEN_HEADER: token},
            },
            conversation,
            created.json()["handoff_id"],
        )


@dataclass(frozen=True)
class Route:
    """One route: method, path with ``{}`` for its one path parameter, what it takes."""

    method: str
    path: str
    auth: str = "supervisor"
    query: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    path_kind: str = ""
    valid: tuple[tuple[str, Any], ...] = ()
    """A valid body, which the generated fields replace or join."""

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


HANDOFF_ACTIONS = (
    "claim",
    "messages",
    "notes",
    "transfer",
    "reassign",
    "release",
    "close",
    "route",
)
ROUTES = [
    Route(
        "POST",
        "/api/chat",
        "citizen",
        body=("conversation_id", "text", "channel", "metadata", "message_id"),
        valid=(("text", "你好"),),
    ),
    Route(
        "GET",
        "/api/chat/{}/messages",
        "citizen",
        query=("after", "include"),
        path_kind="conversation",
    ),
    Route("GET", "/api/chat/{}/messages/1/audio", "citizen", path_kind="conversation"),
    Route("GET", "/api/chat/welcome/audio", "none"),
    Route(
        "POST",
        "/api/staff/login",
        "none",
        body=("username", "password"),
        valid=(("username", "fuzz-sup"), ("password", "wrong")),
    ),
    Route("POST", "/api/staff/logout", "none"),
    Route("GET", "/api/staff/me"),
    Route("GET", "/api/staff"),
    Route("POST", "/api/staff/{}/disable", path_kind="text"),
    Route("GET", "/api/handoffs", query=("status",)),
    Route(
        "POST",
        "/api/handoffs",
        "service",
        body=(
            "conversation_id",
            "reason",
            "priority",
            "citizen",
            "detail",
            "collected",
            "accessibility",
            "announce",
        ),
        valid=(("conversation_id", "fuzzconversation02"),),
    ),
    Route("GET", "/api/handoffs/{}", query=("reveal", "why"), path_kind="handoff"),
    *(
        Route(
            "POST",
            f"/api/handoffs/{{}}/{action}",
            body=("text", "to", "summary", "outcome", "district"),
            path_kind="handoff",
            valid=(
                ("text", "好的"),
                ("to", "fuzz-sup"),
                ("outcome", "resolved"),
                ("district", "姑苏区"),
            ),
        )
        for action in HANDOFF_ACTIONS
    ),
    Route("POST", "/api/handoffs/{}/proxy-cases", body=("service_code",), path_kind="handoff"),
    Route(
        "GET",
        "/api/conversations/{}/transcript",
        query=("after", "reveal", "why"),
        path_kind="conversation",
    ),
    Route("GET", "/api/conversations/live", query=("minutes",)),
    Route("POST", "/api/conversations/{}/step-in", path_kind="conversation"),
    Route("GET", "/api/console/events", "none"),
    Route("GET", "/api/console/canned-replies"),
    Route("GET", "/api/console/services"),
    Route("GET", "/api/dashboard", query=("hours",)),
    Route("GET", "/api/audit", query=("target_kind", "target_id", "action", "limit")),
    Route("GET", "/api/callbacks", query=("status",)),
    Route("POST", "/api/callbacks/{}/reveal", body=("why",), path_kind="callback"),
    Route("POST", "/api/callbacks/{}/done", body=("outcome",), path_kind="callback"),
    Route("GET", "/api/proxy-cases/{}", path_kind="text"),
    Route(
        "POST",
        "/api/proxy-cases/{}/authorize",
        body=("name", "id_number"),
        path_kind="text",
        valid=(("name", "陈素琴"), ("id_number", "320508194002282402")),
    ),
    Route("POST", "/api/proxy-cases/{}/complete", body=("result",), path_kind="text"),
    Route("POST", "/api/proxy-cases/{}/cancel", body=("result",), path_kind="text"),
    Route("GET", "/kiosk", "none"),
    Route("GET", "/kiosk/static/{}", "none", path_kind="text"),
    Route("GET", "/chat", "none"),
    Route("GET", "/console", "none"),
    Route("GET", "/healthz", "none"),
    Route("GET", "/metrics", "none"),
    Route("GET", "/api/openapi.json", "none"),
    Route("GET", "/api/docs", "none"),
]


def _encode(value: str) -> str:
    return quote(value, safe="", errors="surrogatepass")


def _query_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@st.composite
def requests(draw: st.DrawFn, route: Route, fuzzed: Fuzzed) -> tuple[str, bytes | None]:
    """A URL and a body for ``route``: real ids or anything in the path, anything in the
    query and in every field of the body (or a body that is not an object at all)."""
    known = {"conversation": fuzzed.conversation, "handoff": fuzzed.handoff, "callback": "1"}.get(
        route.path_kind
    )
    choices = [TEXT, INTS.map(str)]
    if known:
        choices += [st.just(known)] * 4 + [st.just(known + "\n")]
    path = route.path
    if route.path_kind:
        path = path.replace("{}", _encode(draw(st.one_of(*choices))) or "x")
    query = draw(
        st.dictionaries(
            st.sampled_from(route.query) if route.query else st.nothing(),
            QUERY_VALUES,
            max_size=len(route.query),
        )
    )
    if query:
        path += "?" + "&".join(f"{k}={_encode(_query_value(v))}" for k, v in query.items())
    if route.method == "GET":
        return path, None
    kind = draw(st.sampled_from(["mutated"] * 6 + ["any", "raw"]))
    if kind == "raw":
        return path, draw(st.binary(max_size=30))
    body: Any = draw(JSON_VALUES)
    if kind == "mutated":
        body = dict(route.valid)
        if route.body:
            names = st.sampled_from(route.body)
            body.update(draw(st.dictionaries(names, FIELD_VALUES, max_size=2)))
    return path, json.dumps(body, ensure_ascii=True).encode()


def check(route: Route, response: Any) -> None:
    status = response.status_code
    what = f"{route} → {status} {response.text[:300]}"
    if status >= 400:
        assert response.headers["content-type"].startswith("application/json"), what
        document = response.json()
        if route.path == "/healthz":
            assert status == 503 and document["status"] == "degraded", what
            return
        assert set(document) == {"error"} and set(document["error"]) == {"code", "message"}, what
        assert all(isinstance(v, str) and v for v in document["error"].values()), what
    if status >= 500:
        assert status == 503 and document["error"]["code"] in DOWN_ON_PURPOSE, what


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_no_input_gives_a_5xx(fuzzed: Fuzzed, route: Route) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(st.data())
    def property_holds(data: st.DataObject) -> None:
        path, body = data.draw(requests(route, fuzzed))
        headers = {**fuzzed.auth[route.auth], "content-type": "application/json"}
        response = fuzzed.client.request(route.method, path, content=body, headers=headers)
        check(route, response)

    property_holds()
