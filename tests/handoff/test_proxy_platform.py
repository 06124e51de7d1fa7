"""A proxy case end to end on the real processes and the platform sandbox: consent in the chat,
identity from the ID card, the platform's proxy authorization for the staff member, done."""

from __future__ import annotations

import pytest

from platform_sandbox.seed import DEMO_ALLOWANCE_ELIGIBLE
from tests.conftest import RunningSystem
from tests.handoff.kit import (
    Console,
    add_staff,
    citizen_says,
    citizen_sees,
    conversation,
    handoff,
    new_district,
)

pytestmark = pytest.mark.integration


def test_proxy_case_creates_the_platform_authorization(system: RunningSystem) -> None:
    district = new_district()
    (account,) = add_staff(system, ("staff", district))
    conversation_id = conversation(system)
    handoff_id = handoff(
        system,
        conversation_id,
        district=district,
        reason="needs_person",
        detail="elderly_allowance",
    )["handoff_id"]
    citizen = DEMO_ALLOWANCE_ELIGIBLE
    with Console(system.gateway, account) as console:
        console.post(f"/api/handoffs/{handoff_id}/claim")
        opened = console.post(
            f"/api/handoffs/{handoff_id}/proxy-cases", {"service_code": "elderly_allowance"}
        )
        case_id = opened.json()["proxy_case"]["id"]
        card = {"name": citizen.name, "id_number": citizen.id_number}
        early = console.post(f"/api/proxy-cases/{case_id}/authorize", card)
        assert early.status_code == 409 and early.json()["error"]["code"] == "consent_missing"

        assert (
            "已记录您的同意"
            in citizen_says(system, conversation_id, "我同意")["messages"][0]["text"]
        )
        not_yet = console.post(f"/api/proxy-cases/{case_id}/complete", {"result": "已提交"})
        assert not_yet.status_code == 409
        assert not_yet.json()["error"]["code"] == "authorization_missing"
        wrong = console.post(f"/api/proxy-cases/{case_id}/authorize", {**card, "name": "王某某"})
        assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "citizen_not_found"
        granted = console.post(f"/api/proxy-cases/{case_id}/authorize", card)
        assert granted.status_code == 200, granted.text
        case = granted.json()["proxy_case"]
        assert case["status"] == "authorized"
        authorization_id = case["platform_authorization_id"]
        assert authorization_id.startswith("pa_")
        assert citizen.id_number not in granted.text

        done = console.post(
            f"/api/proxy-cases/{case_id}/complete", {"result": "已提交高龄津贴申请"}
        )
        assert done.status_code == 200
        assert [h["event"] for h in done.json()["proxy_case"]["history"]] == [
            "created",
            "consented",
            "authorize_failed",
            "authorized",
            "done",
        ]
    assert "已提交高龄津贴申请" in citizen_sees(system, conversation_id)["messages"][-1]["text"]

    # On the platform: the citizen's authorizations include this staff member, for this service.
    with system.platform() as platform:
        session = platform.post(
            "/v1/identity/card-reads",
            json={"card_payload": {"id_number": citizen.id_number, "name": citizen.name}},
        ).json()
        listed = platform.get(
            "/v1/proxy-authorizations", headers={"X-Citizen-Token": session["citizen_token"]}
        ).json()
    mine = next(a for a in listed if a["authorization_id"] == authorization_id)
    assert mine["agent_kind"] == "staff" and mine["agent_id"] == account.username
    assert mine["scopes"] == ["elderly_allowance"]
