"""Proxy authorizations: scopes, revocation, calls recorded with both identities
(``routers/proxies.py``, ``identity.py``)."""

from __future__ import annotations

import sqlite3

import httpx
import pytest
from sandbox_testkit import SECOND_CLIENT_KEY, RunningSandbox, assert_error, identify

from platform_sandbox.seed import (
    DEMO_ALLOWANCE_ELIGIBLE,
    DEMO_GRANDPARENT,
    DEMO_STUDENT_ID,
    DEMO_UNDER_80,
)

pytestmark = pytest.mark.integration

SON = "13700001111"


def _authorize(
    client: httpx.Client, headers: dict[str, str], **overrides: object
) -> httpx.Response:
    body = {
        "agent_kind": "family",
        "agent_id": SON,
        "scopes": ["pension_query"],
        "expires_in_days": 30,
    }
    return client.post("/v1/proxy-authorizations", json={**body, **overrides}, headers=headers)


def test_an_agent_acts_within_scope_and_is_recorded(
    client: httpx.Client, sandbox: RunningSandbox
) -> None:
    citizen = identify(client, DEMO_ALLOWANCE_ELIGIBLE)
    created = _authorize(client, citizen, scopes=["pension_query", "elderly_allowance"])
    assert created.status_code == 201, created.text
    proxy = {"X-Proxy-Authorization": created.json()["authorization_id"]}
    payments = client.get("/v1/pension/payments", headers=proxy)
    assert payments.status_code == 200
    assert all("bank_full" not in p for p in payments.json())  # not the citizen themself
    applied = client.post(
        "/v1/applications",
        json={"service_code": "elderly_allowance", "commitment": True},
        headers=proxy,
    )
    assert applied.status_code == 201, applied.text
    assert_error(
        client.get("/v1/medical-insurance/account", headers=proxy), 403, "proxy_scope_denied"
    )
    rows = sandbox.query(
        "SELECT citizen_id, agent_kind, agent_id, service_code, method, path FROM proxy_calls "
        "ORDER BY id"
    )
    assert rows[:2] == [
        (DEMO_ALLOWANCE_ELIGIBLE.citizen_id, "family", SON, "pension_query", "GET",
         "/v1/pension/payments"),
        (DEMO_ALLOWANCE_ELIGIBLE.citizen_id, "family", SON, "elderly_allowance", "POST",
         "/v1/applications"),
    ]  # fmt: skip
    stored = sandbox.query(
        "SELECT proxy_authorization_id FROM applications WHERE application_number = ?",
        (applied.json()["application_number"],),
    )
    assert stored == [(created.json()["authorization_id"],)]
    listed = client.get("/v1/proxy-authorizations", headers=citizen).json()
    assert len(listed) == 1 and listed[0]["scopes"] == ["pension_query", "elderly_allowance"]
    assert [c["service_code"] for c in listed[0]["calls"]] == ["pension_query", "elderly_allowance"]


def test_a_grandchild_proxy_pays_school_fees(client: httpx.Client) -> None:
    citizen = identify(client, DEMO_GRANDPARENT)
    bills = client.get("/v1/education/bills", headers=citizen).json()
    assert [b["bill_id"] for b in bills] == ["EB202600001"]
    created = _authorize(client, citizen, scopes=["education_fee"]).json()
    proxy = {"X-Proxy-Authorization": created["authorization_id"]}
    assert client.get("/v1/education/bills", headers=proxy).json() == bills
    paid = client.post(
        "/v1/payments", json={"bill_id": "EB202600001", "payer": "family"}, headers=proxy
    )
    assert paid.status_code == 201
    assert (
        client.get("/v1/education/bills", params={"student_id": DEMO_STUDENT_ID}).status_code == 200
    )


def test_revoked_authorizations_stop_working(client: httpx.Client) -> None:
    citizen = identify(client, DEMO_ALLOWANCE_ELIGIBLE)
    authorization_id = _authorize(client, citizen).json()["authorization_id"]
    proxy = {"X-Proxy-Authorization": authorization_id}
    assert client.get("/v1/pension/payments", headers=proxy).status_code == 200
    revoked = client.delete(f"/v1/proxy-authorizations/{authorization_id}", headers=citizen)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert_error(
        client.get("/v1/pension/payments", headers=proxy), 403, "proxy_authorization_invalid"
    )
    other = identify(client, DEMO_UNDER_80)
    assert_error(
        client.delete(f"/v1/proxy-authorizations/{authorization_id}", headers=other),
        404,
        "proxy_authorization_not_found",
    )


def test_proxy_checks(client: httpx.Client) -> None:
    citizen = identify(client, DEMO_ALLOWANCE_ELIGIBLE)
    assert_error(
        client.get("/v1/pension/payments", headers={"X-Proxy-Authorization": "pa_forged"}),
        403,
        "proxy_authorization_invalid",
    )
    proxy = {
        "X-Proxy-Authorization": _authorize(client, citizen, scopes=["appointment"]).json()[
            "authorization_id"
        ]
    }
    assert_error(client.get("/v1/certificates", headers=proxy), 403, "proxy_not_allowed")
    mismatch = {**proxy, **identify(client, DEMO_UNDER_80)}
    assert_error(
        client.get("/v1/appointments", headers=mismatch), 403, "proxy_authorization_invalid"
    )
    # Only the citizen themself grants authorizations.
    assert_error(_authorize(client, proxy), 401, "citizen_token_required")


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"agent_kind": "neighbour"}, "invalid_agent"),
        ({"agent_id": ""}, "invalid_agent"),
        ({"scopes": []}, "invalid_scopes"),
        ({"scopes": ["flying"]}, "invalid_scopes"),
        ({"scopes": ["e_certificate"]}, "invalid_scopes"),
        ({"expires_in_days": 0}, "invalid_expires_in_days"),
        ({"expires_in_days": 366}, "invalid_expires_in_days"),
    ],
)
def test_authorization_validation(client: httpx.Client, overrides: dict, code: str) -> None:
    citizen = identify(client, DEMO_ALLOWANCE_ELIGIBLE)
    assert_error(_authorize(client, citizen, **overrides), 422, code)


WECHAT_AGENT = "9f" * 32
"""A relative's WeChat identity as banshi names it: a 64-hex hash, never the OpenID."""


def _by_agent(client: httpx.Client, agent_id: str = WECHAT_AGENT) -> list[dict]:
    listed = client.get(
        "/v1/agent-authorizations", params={"agent_kind": "family", "agent_id": agent_id}
    )
    assert listed.status_code == 200, listed.text
    return list(listed.json())


def test_an_agent_lists_what_it_holds_and_gives_it_up(
    client: httpx.Client, sandbox: RunningSandbox
) -> None:
    mother = identify(client, DEMO_ALLOWANCE_ELIGIBLE)
    father = identify(client, DEMO_UNDER_80)
    first = _authorize(client, mother, agent_id=WECHAT_AGENT, scopes=["utility_payment"]).json()
    second = _authorize(client, father, agent_id=WECHAT_AGENT, scopes=["senior_card"]).json()
    _authorize(client, mother, agent_id="someone-else")
    listed = _by_agent(client)
    assert [a["authorization_id"] for a in listed] == [
        second["authorization_id"],
        first["authorization_id"],
    ]  # newest first, nobody else's
    assert (
        listed[1]["citizen_name_masked"]
        == DEMO_ALLOWANCE_ELIGIBLE.name[0]
        + "*" * (len(DEMO_ALLOWANCE_ELIGIBLE.name) - 2)
        + DEMO_ALLOWANCE_ELIGIBLE.name[-1]
    )
    assert listed[1]["scopes"] == ["utility_payment"] and listed[1]["status"] == "active"
    assert isinstance(listed[1]["citizen_age"], int)
    assert DEMO_ALLOWANCE_ELIGIBLE.name not in str(listed)
    # Another calling system sees none of them, and cannot give them up.
    other_system = {"Authorization": f"Bearer {SECOND_CLIENT_KEY}"}
    elsewhere = client.get(
        "/v1/agent-authorizations",
        params={"agent_kind": "family", "agent_id": WECHAT_AGENT},
        headers=other_system,
    )
    assert elsewhere.status_code == 200 and elsewhere.json() == []
    path = f"/v1/proxy-authorizations/{first['authorization_id']}"
    holder = {"X-Proxy-Authorization": first["authorization_id"]}
    assert_error(
        client.delete(path, headers={**holder, **other_system}),
        404,
        "proxy_authorization_not_found",
    )
    # Holding one authorization does not give up another.
    assert_error(
        client.delete(path, headers={"X-Proxy-Authorization": second["authorization_id"]}),
        404,
        "proxy_authorization_not_found",
    )
    given_up = client.delete(path, headers=holder)
    assert given_up.status_code == 200 and given_up.json()["revoked_at"]
    statuses = {a["authorization_id"]: a["status"] for a in _by_agent(client)}
    assert statuses[first["authorization_id"]] == "revoked"
    assert statuses[second["authorization_id"]] == "active"
    assert_error(
        client.get("/v1/utilities/bills", params={"type": "water"}, headers=holder),
        403,
        "proxy_authorization_invalid",
    )
    with sqlite3.connect(sandbox.db_path, timeout=10) as database:
        database.execute(
            "UPDATE proxy_authorizations SET expires_at = '2000-01-01 00:00:00.000000' "
            "WHERE authorization_id = ?",
            (second["authorization_id"],),
        )
    assert {a["status"] for a in _by_agent(client)} == {"revoked", "expired"}


def test_a_binding_code_says_what_it_is_for(client: httpx.Client) -> None:
    citizen = DEMO_ALLOWANCE_ELIGIBLE
    started = client.post(
        "/v1/identity/verifications",
        json={"name": citizen.name, "id_number": citizen.id_number, "purpose": "proxy_binding"},
    )
    assert started.status_code == 201, started.text
    sms = client.get("/v1/sandbox/sms", params={"phone": citizen.phone}).json()
    assert sms["code"] in sms["text"]
    assert "您的家人正在申请在微信上代您办理" in sms["text"]
    assert "同意才把验证码告诉他" in sms["text"]
    assert_error(
        client.post(
            "/v1/identity/verifications",
            json={"name": citizen.name, "id_number": citizen.id_number, "purpose": "lottery"},
        ),
        422,
        "invalid_request",
    )
