"""What every answer of the gateway carries: the security headers on pages, JSON answers,
errors, static files and the 404; ``no-store`` where personal data may be; answers counted by
status class in ``/metrics``; ``/api/docs`` with nothing from another origin."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from banshi.gateway import GatewayConfig, create_app
from conversation.middleware import CONTENT_SECURITY_POLICY
from tests.chat import TOKEN_HEADER
from tests.handoff.conftest import GatewayFactory

PROTECTIONS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def assert_protected(response: httpx.Response, *, no_store: bool) -> None:
    what = f"{response.request.method} {response.request.url.path} → {response.status_code}"
    for name, value in PROTECTIONS.items():
        assert response.headers.get(name) == value, f"{what}: {name}"
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy
    cache = response.headers.get("cache-control", "")
    assert ("no-store" in cache) is no_store, f"{what}: cache-control {cache!r}"


def test_the_policy_allows_no_inline_code_and_no_other_origin() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert all("http" not in value and "*" not in value for value in directives.values())


async def test_every_kind_of_answer_carries_the_protections(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as gateway:
        http = gateway.http
        member = await gateway.staff()
        conversation = await gateway.conversation()
        for page in ("/chat", "/kiosk"):
            response = await http.get(page)
            assert response.status_code == 200 and "text/html" in response.headers["content-type"]
            assert_protected(response, no_store=False)
        console = await http.get("/console")
        assert console.status_code == 200
        assert_protected(console, no_store=True)
        for asset in ("/static/chat.js", "/console/static/console.css", "/kiosk/static/kiosk.js"):
            response = await http.get(asset)
            assert response.status_code == 200, asset
            assert_protected(response, no_store=False)
        token = {TOKEN_HEADER: gateway.tokens[conversation]}
        polled = await http.get(f"/api/chat/{conversation}/messages", headers=token)
        assert polled.status_code == 200
        assert_protected(polled, no_store=True)
        queue = await http.get("/api/handoffs", headers=member["headers"])
        assert queue.status_code == 200
        assert_protected(queue, no_store=True)
        refused = await http.post("/api/chat", json={"text": ""})
        assert refused.status_code == 422
        assert_protected(refused, no_store=True)
        unauthorised = await http.get("/api/staff/me")
        assert unauthorised.status_code == 401
        assert_protected(unauthorised, no_store=True)
        missing = await http.get("/no/such/page")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        assert_protected(missing, no_store=False)
        missing_api = await http.get("/api/nothing-here")
        assert missing_api.status_code == 404
        assert_protected(missing_api, no_store=True)
        too_large = await http.post("/api/chat", content=b"x" * (64 * 1024 + 1))
        assert too_large.status_code == 413
        assert_protected(too_large, no_store=True)
        metrics = await http.get("/metrics")
        assert_protected(metrics, no_store=False)


def responses(metrics: str) -> dict[str, int]:
    """``banshi_gateway_responses_total`` by class."""
    found = re.findall(r'banshi_gateway_responses_total\{class="(\dxx)"\} (\d+)', metrics)
    return {status_class: int(count) for status_class, count in found}


async def test_answers_are_counted_by_status_class(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as gateway:
        http = gateway.http
        before = responses((await http.get("/metrics")).text)
        assert set(before) == {"2xx", "3xx", "4xx", "5xx"}
        assert (await http.get("/chat")).status_code == 200
        assert (await http.post("/api/chat", json={"text": ""})).status_code == 422
        assert (await http.get("/api/nothing-here")).status_code == 404
        after = responses((await http.get("/metrics")).text)
        # The first /metrics answer itself is a 2xx counted before the second one renders.
        assert after["2xx"] - before["2xx"] == 2
        assert after["4xx"] - before["4xx"] == 2
        assert after["5xx"] == before["5xx"] == 0


async def test_a_failure_nobody_expected_is_a_coded_500_with_the_protections_and_counted(
    make_gateway: GatewayFactory,
) -> None:
    """Break something real (the messages table is gone): the answer is the coded 500, with
    the headers, and ``/metrics`` shows it."""
    async with make_gateway() as gateway:
        conversation = await gateway.conversation()
        store = gateway.app.state.conversations.store
        async with store.engine.begin() as connection:
            await connection.execute(text("DROP TABLE messages"))
        transport = httpx.ASGITransport(app=gateway.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
            broken = await http.get(
                f"/api/chat/{conversation}/messages",
                headers={TOKEN_HEADER: gateway.tokens[conversation]},
            )
            assert broken.status_code == 500
            assert broken.json()["error"]["code"] == "internal_error"
            assert_protected(broken, no_store=True)
            counted = responses((await http.get("/metrics")).text)
            assert counted["5xx"] == 1


async def test_without_local_swagger_files_there_is_no_docs_page(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway() as gateway:
        assert gateway.app.state.config.swagger_ui_dir == ""  # swagger-ui-bundle not installed
        docs = await gateway.http.get("/api/docs")
        assert docs.status_code == 404 and docs.json()["error"]["code"] == "not_found"
        assert "cdn" not in docs.text
        schema = await gateway.http.get("/api/openapi.json")
        assert schema.status_code == 200 and "/api/chat" in schema.json()["paths"]


@pytest.fixture
def swagger_files(tmp_path: Path) -> Path:
    """A folder laid out like the ``swagger-ui-bundle`` package's files."""
    folder = tmp_path / "swagger"
    folder.mkdir()
    (folder / "swagger-ui-bundle.js").write_text("window.SwaggerUIBundle = function () {};\n")
    (folder / "swagger-ui.css").write_text("body { margin: 0; }\n")
    return folder


async def test_the_docs_page_loads_nothing_from_another_origin(swagger_files: Path) -> None:
    app = create_app(
        GatewayConfig(
            database_url="sqlite+aiosqlite://",
            rasa_url="http://127.0.0.1:9",
            rasa_token="unused",
            service_token="unused",
            swagger_ui_dir=str(swagger_files),
        )
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
        page = await http.get("/api/docs")
        assert page.status_code == 200, page.text
        assert_protected(page, no_store=True)
        assert "<script>" not in page.text and "style=" not in page.text  # nothing inline
        references = re.findall(r'(?:src|href)="([^"]*)"', page.text)
        assert references and all(ref.startswith("/") for ref in references), references
        assert "//" not in "".join(references)
        for reference in references:
            asset = await http.get(reference)
            assert asset.status_code == 200, reference
            assert asset.headers["x-content-type-options"] == "nosniff"
        start = await http.get("/api/docs/start.js")
        assert "/api/openapi.json" in start.text
