"""Identity verification: SMS codes, lockout, card reads, tokens (``routers/identity.py``)."""

from __future__ import annotations

import re

import httpx
import pytest
from sandbox_testkit import assert_error

from platform_sandbox.seed import (
    DEMO_ALLOWANCE_ELIGIBLE,
    DEMO_UNDER_80,
    DemoCitizen,
)

pytestmark = pytest.mark.integration

CITIZEN = DEMO_ALLOWANCE_ELIGIBLE


def _start(client: httpx.Client, citizen: DemoCitizen = CITIZEN) -> dict[str, str]:
    response = client.post(
        "/v1/identity/verifications", json={"name": citizen.name, "id_number": citizen.id_number}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _code(client: httpx.Client, citizen: DemoCitizen = CITIZEN) -> str:
    response = client.get("/v1/sandbox/sms", params={"phone": citizen.phone})
    assert response.status_code == 200, response.text
    return str(response.json()["code"])


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_verification_by_name_and_id_number_sends_a_code(client: httpx.Client) -> None:
    started = _start(client)
    assert set(started) == {"verification_id", "channel", "masked_phone", "expires_at"}
    assert started["channel"] == "sms"
    assert started["masked_phone"] == CITIZEN.phone[:3] + "****" + CITIZEN.phone[-4:]
    sms = client.get("/v1/sandbox/sms", params={"phone": CITIZEN.phone}).json()
    assert sms["verification_id"] == started["verification_id"]
    assert re.fullmatch(r"[0-9]{6}", sms["code"])
    assert sms["expires_at"] == started["expires_at"]


def test_confirming_the_code_gives_a_token_and_the_citizen(client: httpx.Client) -> None:
    started = _start(client)
    response = client.post(
        f"/v1/identity/verifications/{started['verification_id']}/confirm",
        json={"code": _code(client)},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["citizen_token"].startswith("ct_")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", body["expires_at"])
    assert body["citizen"] == {
        "citizen_id": CITIZEN.citizen_id,
        "name": CITIZEN.name,
        "masked_id": CITIZEN.id_number[:6] + "********" + CITIZEN.id_number[-4:],
        "age": body["citizen"]["age"],
        "district": "姑苏区",
        "phone_masked": CITIZEN.phone[:3] + "****" + CITIZEN.phone[-4:],
        "id_number_full": CITIZEN.id_number,
        "phone_full": CITIZEN.phone,
    }
    assert body["citizen"]["age"] >= 86


def test_verification_by_phone_and_last_six(client: httpx.Client) -> None:
    response = client.post(
        "/v1/identity/verifications",
        json={"phone": DEMO_UNDER_80.phone, "id_last6": DEMO_UNDER_80.id_last6},
    )
    assert response.status_code == 201, response.text
    confirmed = client.post(
        f"/v1/identity/verifications/{response.json()['verification_id']}/confirm",
        json={"code": _code(client, DEMO_UNDER_80)},
    )
    assert confirmed.json()["citizen"]["citizen_id"] == DEMO_UNDER_80.citizen_id


@pytest.mark.parametrize(
    "body",
    [
        {"name": "王小二", "id_number": CITIZEN.id_number},
        {"phone": CITIZEN.phone, "id_last6": "000000"},
        {"phone": "13000000000", "id_last6": CITIZEN.id_last6},
        {"name": CITIZEN.name, "id_number": "11010519491231002X"},
    ],
    ids=["wrong-name", "wrong-last6", "unknown-phone", "unknown-id"],
)
def test_unknown_citizen_is_citizen_not_found(client: httpx.Client, body: dict) -> None:
    assert_error(client.post("/v1/identity/verifications", json=body), 404, "citizen_not_found")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": CITIZEN.name, "id_number": CITIZEN.id_number[:-1] + "0"}, "invalid_id_number"),
        ({"name": CITIZEN.name, "id_number": "12345"}, "invalid_id_number"),
        ({"name": CITIZEN.name}, "invalid_verification_request"),
        ({"phone": CITIZEN.phone}, "invalid_verification_request"),
        ({}, "invalid_verification_request"),
        (
            {"name": CITIZEN.name, "id_number": CITIZEN.id_number, "phone": CITIZEN.phone},
            "invalid_verification_request",
        ),
        ({"phone": "123", "id_last6": "123456"}, "invalid_phone"),
        ({"phone": CITIZEN.phone, "id_last6": "12"}, "invalid_id_last6"),
        ({"name": "", "id_number": CITIZEN.id_number}, "invalid_name"),
    ],
)
def test_malformed_verification_requests(client: httpx.Client, body: dict, code: str) -> None:
    assert_error(client.post("/v1/identity/verifications", json=body), 422, code)


def test_a_second_code_within_a_minute_is_sms_too_frequent(client: httpx.Client) -> None:
    _start(client)
    response = client.post(
        "/v1/identity/verifications",
        json={"phone": CITIZEN.phone, "id_last6": CITIZEN.id_last6},
    )
    assert_error(response, 429, "sms_too_frequent")
    assert 1 <= int(response.headers["retry-after"]) <= 60


def test_wrong_codes_count_down_and_the_fifth_locks(client: httpx.Client) -> None:
    started = _start(client)
    path = f"/v1/identity/verifications/{started['verification_id']}/confirm"
    right = _code(client)
    for remaining in (4, 3, 2, 1):
        response = client.post(path, json={"code": _wrong(right)})
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "code_invalid"
        assert response.json()["error"]["remaining_tries"] == remaining
    assert_error(client.post(path, json={"code": _wrong(right)}), 423, "verification_locked")
    # Locked: even the right code is refused now.
    assert_error(client.post(path, json={"code": right}), 423, "verification_locked")


def test_a_confirmed_verification_cannot_be_used_again(client: httpx.Client) -> None:
    started = _start(client)
    path = f"/v1/identity/verifications/{started['verification_id']}/confirm"
    code = _code(client)
    assert client.post(path, json={"code": code}).status_code == 200
    assert_error(client.post(path, json={"code": code}), 409, "verification_already_used")


def test_a_retried_confirmation_with_its_key_replays_the_token(client: httpx.Client) -> None:
    started = _start(client)
    path = f"/v1/identity/verifications/{started['verification_id']}/confirm"
    code = _code(client)
    headers = {"Idempotency-Key": "confirm-1"}
    first = client.post(path, json={"code": code}, headers=headers)
    second = client.post(path, json={"code": code}, headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"


def test_malformed_code_is_code_invalid_and_unknown_verification_is_404(
    client: httpx.Client,
) -> None:
    started = _start(client)
    path = f"/v1/identity/verifications/{started['verification_id']}/confirm"
    assert_error(client.post(path, json={"code": "12ab"}), 422, "code_invalid")
    assert_error(
        client.post("/v1/identity/verifications/ver_nope/confirm", json={"code": "123456"}),
        404,
        "verification_not_found",
    )


def test_card_read_identifies_the_citizen(client: httpx.Client) -> None:
    response = client.post(
        "/v1/identity/card-reads",
        json={"card_payload": {"id_number": CITIZEN.id_number, "name": CITIZEN.name}},
    )
    assert response.status_code == 200
    assert response.json()["citizen"]["citizen_id"] == CITIZEN.citizen_id
    assert response.json()["citizen"]["id_number_full"] == CITIZEN.id_number


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"id_number": CITIZEN.id_number, "name": "别人"}, 404, "citizen_not_found"),
        ({"id_number": CITIZEN.id_number[:-1] + "0", "name": CITIZEN.name}, 422, "card_unreadable"),
        ({"id_number": "garbage"}, 422, "card_unreadable"),
        ("not-an-object", 422, "card_unreadable"),
    ],
)
def test_bad_card_reads(client: httpx.Client, payload: object, status: int, code: str) -> None:
    response = client.post("/v1/identity/card-reads", json={"card_payload": payload})
    assert_error(response, status, code)


def test_sms_read_back_for_a_phone_without_codes_is_sms_not_found(client: httpx.Client) -> None:
    assert_error(
        client.get("/v1/sandbox/sms", params={"phone": "13900000000"}), 404, "sms_not_found"
    )
    assert_error(client.get("/v1/sandbox/sms", params={"phone": "x"}), 422, "invalid_phone")


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "citizen_token_required"),
        ({"X-Citizen-Token": "ct_forged"}, "citizen_token_invalid"),
    ],
)
def test_citizen_routes_need_a_valid_token(
    client: httpx.Client, headers: dict[str, str], code: str
) -> None:
    assert_error(client.get("/v1/pension/certification", headers=headers), 401, code)
