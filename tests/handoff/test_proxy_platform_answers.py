"""The platform side of a proxy case through the one platform client, against a stand-in
platform (a real HTTP server with fixed answers, ``tests/platform_client/malformed.py``) and a
gateway app in this process: what staff see when the platform answers badly or not at all, and
the Idempotency-Keys that make trying again for the same case do the work once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from handoff.proxy_grant import idempotency_key
from tests.conftest import free_port
from tests.handoff.conftest import GatewayFactory, LocalGateway
from tests.platform_client.malformed import (
    PERSON_ID,
    PERSON_NAME,
    MalformedPlatform,
    html_answer,
    json_answer,
    malformed_platform,
)

CARD_READS = "/v1/identity/card-reads"
GRANTS = "/v1/proxy-authorizations"
CARD = {"name": PERSON_NAME, "id_number": PERSON_ID}
SESSION = {
    "citizen_token": "tok-1",
    "citizen": {
        "citizen_id": "c1",
        "name": PERSON_NAME,
        "masked_id": "110105********1238",
        "age": 82,
        "district": "代办区",
        "phone_masked": "139****5678",
    },
}
GRANTED = {"authorization_id": "pa_0001", "expires_at": "2026-03-09T10:00:00+08:00"}


@pytest.fixture(scope="module")
def stand_in() -> Iterator[MalformedPlatform]:
    """The stand-in platform, one per module."""
    with malformed_platform() as platform:
        yield platform


@pytest.fixture
def platform(stand_in: MalformedPlatform) -> MalformedPlatform:
    """The stand-in with no answers and no requests yet."""
    stand_in.reset()
    return stand_in


async def _consented(gateway: LocalGateway) -> tuple[dict[str, str], str]:
    """A staff member's headers and a proxy case the citizen has consented to."""
    member = await gateway.staff(district="代办区")
    conversation = await gateway.conversation()
    created = await gateway.request(
        conversation, citizen={"district": "代办区"}, reason="needs_person", detail="x"
    )
    handoff_id = created.json()["handoff_id"]
    headers = member["headers"]
    claimed = await gateway.http.post(f"/api/handoffs/{handoff_id}/claim", headers=headers)
    assert claimed.status_code == 200, claimed.text
    opened = await gateway.http.post(
        f"/api/handoffs/{handoff_id}/proxy-cases",
        json={"service_code": "elderly_allowance"},
        headers=headers,
    )
    assert opened.status_code == 201, opened.text
    await gateway.say(conversation, "我同意")
    return headers, opened.json()["proxy_case"]["id"]


async def _authorize(gateway: LocalGateway, headers: dict[str, str], case_id: str) -> Any:
    return await gateway.http.post(
        f"/api/proxy-cases/{case_id}/authorize", json=CARD, headers=headers
    )


async def _history(gateway: LocalGateway, headers: dict[str, str], case_id: str) -> list[str]:
    detail = await gateway.http.get(f"/api/proxy-cases/{case_id}", headers=headers)
    return [h["event"] for h in detail.json()["proxy_case"]["history"]]


async def test_a_malformed_answer_is_shown_to_staff_in_chinese_with_its_code(
    make_gateway: GatewayFactory, platform: MalformedPlatform
) -> None:
    platform.answer("POST", CARD_READS, html_answer())
    async with make_gateway(platform_url=platform.base_url, platform_client_key="k") as gateway:
        headers, case_id = await _consented(gateway)
        refused = await _authorize(gateway, headers, case_id)
        assert refused.status_code == 502
        error = refused.json()["error"]
        assert error["code"] == "unexpected_response"
        assert error["message"].startswith("办事平台的答复有问题")
        assert PERSON_ID not in refused.text
        assert await _history(gateway, headers, case_id) == [
            "created",
            "consented",
            "authorize_failed",
        ]
        # A citizen object without its age is the same error, on the same case.
        session = {**SESSION, "citizen": {**SESSION["citizen"], "age": "八十二"}}
        platform.answer("POST", CARD_READS, json_answer(session))
        again = await _authorize(gateway, headers, case_id)
        assert again.status_code == 502
        assert again.json()["error"]["code"] == "unexpected_response"
        assert platform.requests_to(GRANTS) == 0  # no token, no grant
        failures = await gateway.runtime.audit.entries(
            target_id=case_id, action="proxy.authorize_failed"
        )
        assert [e.detail for e in failures] == [{"code": "unexpected_response"}] * 2


async def test_an_unreachable_platform_is_platform_unavailable(
    make_gateway: GatewayFactory,
) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    async with make_gateway(platform_url=down, platform_client_key="k") as gateway:
        headers, case_id = await _consented(gateway)
        refused = await _authorize(gateway, headers, case_id)
    assert refused.status_code == 503
    assert refused.json()["error"] == {
        "code": "platform_unavailable",
        "message": "办事平台暂时连不上，请稍后再试。",
    }


async def test_trying_again_for_the_same_case_sends_the_same_keys(
    make_gateway: GatewayFactory, platform: MalformedPlatform
) -> None:
    platform.answer("POST", CARD_READS, json_answer(SESSION))
    platform.answer("POST", GRANTS, json_answer({"authorization_id": "pa_0001"}))  # no expiry
    async with make_gateway(platform_url=platform.base_url, platform_client_key="k") as gateway:
        headers, case_id = await _consented(gateway)
        first = await _authorize(gateway, headers, case_id)
        assert first.status_code == 502
        platform.answer("POST", GRANTS, json_answer(GRANTED))
        second = await _authorize(gateway, headers, case_id)
        assert second.status_code == 200, second.text
        case = second.json()["proxy_case"]
        assert case["status"] == "authorized"
        assert case["platform_authorization_id"] == "pa_0001"
        _, other_case = await _consented(gateway)
        await _authorize(gateway, headers, other_case)
    card_keys, grant_keys = platform.keys_to(CARD_READS), platform.keys_to(GRANTS)
    assert len(card_keys) == len(grant_keys) == 3
    assert card_keys[0] == card_keys[1] == idempotency_key(case_id, "card", PERSON_ID, PERSON_NAME)
    assert grant_keys[0] == grant_keys[1]
    assert card_keys[2] != card_keys[0] and grant_keys[2] != grant_keys[0]  # another case


def test_keys_depend_on_the_case_and_the_request() -> None:
    key = idempotency_key("case-1", "card", PERSON_ID, PERSON_NAME)
    assert key == idempotency_key("case-1", "card", PERSON_ID, PERSON_NAME)
    assert key != idempotency_key("case-2", "card", PERSON_ID, PERSON_NAME)
    assert key != idempotency_key("case-1", "card", PERSON_ID, "王某某")
    assert len(key) == 64
