"""The contract as a whole: every route of the shared PLATFORM_API.md and of our additions in
``platform_client/CONTRACT.md`` is in ``/openapi.json``, every error code of the catalog is
documented, used by a test, and explained by the client side."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from sandbox_testkit import REPO_ROOT

from platform_sandbox import errors

pytestmark = pytest.mark.integration

SHARED_CONTRACT = REPO_ROOT.parent / "shared" / "PLATFORM_API.md"
"""The platform contract, next to the repository (CI copies ``shared/`` there)."""
OUR_ADDITIONS = REPO_ROOT / "platform_client" / "CONTRACT.md"
"""Routes banshi asks of the platform beyond the shared contract, written the same way."""

ROUTE = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/[^\s`?]*)")
"""A route as the contract documents write it: ``- `GET /v1/services?q=&district=` → …``
(also several on one line, and in running text)."""

NAMED_IN_WORDS = {("delete", "/v1/proxy-authorizations/{authorization_id}"): "`DELETE` revokes"}
"""Routes the shared contract names in words, not as ``METHOD /path``, and its words for them
(proxy authorization: "`DELETE` revokes")."""


def routes_of(text: str) -> set[tuple[str, str]]:
    """(method, path) of every route ``text`` names: the query string dropped, ``{param}``
    kept."""
    return {(method.lower(), path) for method, path in ROUTE.findall(text)}


def shape(path: str) -> str:
    """``path`` with every ``{param}`` written ``{}``: the contract says ``{id}`` where the
    OpenAPI document names the parameter ``{verification_id}``."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def contract_routes() -> set[tuple[str, str]]:
    """The routes of the shared contract and of our additions to it."""
    if not SHARED_CONTRACT.is_file():
        pytest.fail(
            f"the platform contract {SHARED_CONTRACT} is missing: shared/ belongs next to the "
            "repository (CI copies it there)",
            pytrace=False,
        )
    text = SHARED_CONTRACT.read_text(encoding="utf-8")
    shared = routes_of(text)
    assert shared, f"no route found in {SHARED_CONTRACT}: has its format changed?"
    for route, words in NAMED_IN_WORDS.items():
        assert words in text, f"{SHARED_CONTRACT} no longer says {words!r} for {route}"
        shared.add(route)
    return shared | routes_of(OUR_ADDITIONS.read_text(encoding="utf-8"))


CATALOG = [value for value in vars(errors).values() if isinstance(value, errors.ErrorSpec)]


def test_routes_are_read_as_the_documents_write_them() -> None:
    line = (
        "- `GET /v1/services?q=&district=` → `[{code, name}]`; "
        "`POST /v1/sandbox/payments/{id}/complete`; `POST /v1/sandbox/faults {latency_ms}`"
    )
    assert routes_of(line) == {
        ("get", "/v1/services"),
        ("post", "/v1/sandbox/payments/{id}/complete"),
        ("post", "/v1/sandbox/faults"),
    }
    assert routes_of("`../shared/PLATFORM_API.md` and `GETTING /v1/x`") == set()
    assert shape("/v1/certificates/{type}/presentations") == "/v1/certificates/{}/presentations"


def test_every_contract_route_is_in_the_openapi_document(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    served = {(method, shape(path)) for path, item in document["paths"].items() for method in item}
    missing = sorted(
        (method, path) for method, path in contract_routes() if (method, shape(path)) not in served
    )
    assert missing == []


def test_every_documented_error_response_uses_the_error_body(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    for path, item in document["paths"].items():
        if not path.startswith("/v1"):
            continue
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path)
            assert "401" in operation["responses"], (method, path)


def test_error_codes_are_unique_snake_case_with_chinese_messages() -> None:
    codes = [spec.code for spec in CATALOG]
    assert len(codes) == len(set(codes))
    for spec in CATALOG:
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", spec.code), spec.code
        assert 400 <= spec.status < 600
        assert any("\u4e00" <= char <= "\u9fff" for char in spec.message)


def test_every_error_code_is_exercised_by_a_test() -> None:
    """A code counts when another test file of the sandbox names it (this file lists them all)."""
    own = Path(__file__).resolve()
    tests = "".join(
        path.read_text(encoding="utf-8")
        for path in Path(__file__).parent.glob("test_*.py")
        if path.resolve() != own
    )
    untested = [spec.code for spec in CATALOG if f'"{spec.code}"' not in tests]
    assert untested == ["internal_error"]  # a bug, not a contract answer: no test can ask for it


def test_the_client_knows_and_explains_every_code() -> None:
    from actions.explain import explained_codes
    from platform_client.errors import error_types

    sandbox_codes = {spec.code for spec in CATALOG} - {"internal_error", "service_unavailable"}
    assert set(error_types()) == sandbox_codes
    assert explained_codes() == sandbox_codes
