"""Applications: eligibility, commitment, materials, duplicates, timelines
(``routers/applications.py``, ``services/applications.py``)."""

from __future__ import annotations

import re

import httpx
import pytest
from sandbox_testkit import assert_error, identify

from platform_sandbox.seed import (
    DEFAULT_SEED,
    DEMO_ALLOWANCE_APPLIED,
    DEMO_ALLOWANCE_ELIGIBLE,
    DEMO_UNDER_60,
    DEMO_UNDER_80,
)
from platform_sandbox.synthetic import generate_dataset
from tests import days

# Dated demo records, for the day the sandbox works on.
DEMO_ALLOWANCE_APPLICATION = days.allowance_application()

pytestmark = pytest.mark.integration

HUKOU_FORM = {"from_address": "苏州市吴中区东吴北路1号", "to_address": "苏州市姑苏区人民路100号"}


def _apply(client: httpx.Client, headers: dict[str, str], **body: object) -> httpx.Response:
    return client.post("/v1/applications", json=body, headers=headers)


def test_allowance_with_commitment_is_submitted_and_tracked(client: httpx.Client) -> None:
    headers = identify(client, DEMO_ALLOWANCE_ELIGIBLE)
    response = _apply(client, headers, service_code="elderly_allowance", form={}, commitment=True)
    assert response.status_code == 201, response.text
    body = response.json()
    assert re.fullmatch(r"SQ\d{14}", body["application_number"])
    assert body["status"] == "submitted"
    assert body["next_steps"] and all(isinstance(s, str) for s in body["next_steps"])
    number = body["application_number"]
    detail = client.get(f"/v1/applications/{number}").json()
    assert detail["service_code"] == "elderly_allowance"
    assert detail["status"] == "submitted"
    assert [t["status"] for t in detail["timeline"]] == ["submitted"]
    mine = client.get("/v1/applications", headers=headers).json()
    assert [a["application_number"] for a in mine] == [number]


def test_allowance_under_80_is_not_eligible_with_a_reason(client: httpx.Client) -> None:
    headers = identify(client, DEMO_UNDER_80)
    response = _apply(client, headers, service_code="elderly_allowance", commitment=True)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "not_eligible"
    assert error["reason"] == "age_under_80"
    assert "80" in error["message"]


def test_senior_card_under_60_is_not_eligible(client: httpx.Client) -> None:
    headers = identify(client, DEMO_UNDER_60)
    response = _apply(client, headers, service_code="senior_card", commitment=True)
    assert response.json()["error"] == {
        "code": "not_eligible",
        "message": response.json()["error"]["message"],
        "reason": "age_under_60",
    }


def test_without_commitment_every_material_is_required(client: httpx.Client) -> None:
    headers = identify(client, DEMO_UNDER_80)
    response = _apply(
        client, headers, service_code="senior_card", form={"materials": ["居民身份证"]}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "materials_required"
    assert response.json()["error"]["missing"] == ["近期免冠照片"]
    complete = _apply(
        client,
        headers,
        service_code="senior_card",
        form={"materials": ["居民身份证", "近期免冠照片"]},
    )
    assert complete.status_code == 201, complete.text


def test_duplicates_are_refused(client: httpx.Client) -> None:
    applied = identify(client, DEMO_ALLOWANCE_APPLIED)
    response = _apply(client, applied, service_code="elderly_allowance", commitment=True)
    assert_error(response, 409, "duplicate_application")
    has_card = identify(client, DEMO_ALLOWANCE_ELIGIBLE)
    assert_error(
        _apply(client, has_card, service_code="senior_card", commitment=True),
        409,
        "duplicate_application",
    )
    replacement = _apply(
        client, has_card, service_code="senior_card", form={"replacement": True}, commitment=True
    )
    assert replacement.status_code == 201
    fresh = identify(client, DEMO_UNDER_80)
    assert _apply(client, fresh, service_code="senior_card", commitment=True).status_code == 201
    assert_error(
        _apply(client, fresh, service_code="senior_card", commitment=True),
        409,
        "duplicate_application",
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"service_code": "moon_landing"}, 404, "service_not_found"),
        ({"service_code": "pension_query"}, 422, "service_not_applicable"),
        ({"service_code": "hukou_transfer", "form": {"from_address": "x"}}, 422, "invalid_form"),
        ({"service_code": "hukou_transfer", "form": HUKOU_FORM, "commitment": True}, 422,
         "commitment_not_accepted"),
        ({"service_code": "elderly_allowance", "form": "not-an-object"}, 422, "invalid_form"),
        ({"service_code": "social_assistance",
          "form": {"kind": "subsistence", "monthly_income_per_person": 5000}}, 422, "not_eligible"),
    ],
)  # fmt: skip
def test_application_errors(client: httpx.Client, body: dict, status: int, code: str) -> None:
    headers = identify(client, DEMO_UNDER_80)
    response = client.post("/v1/applications", json=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_applying_needs_a_citizen(client: httpx.Client) -> None:
    assert_error(
        client.post("/v1/applications", json={"service_code": "senior_card"}),
        401,
        "citizen_token_required",
    )


def test_seeded_applications_cover_every_status_with_timelines(client: httpx.Client) -> None:
    dataset = generate_dataset(DEFAULT_SEED, days.today())
    seen = set()
    for application in dataset.applications:
        if application.status in seen:
            continue
        seen.add(application.status)
        body = client.get(f"/v1/applications/{application.application_number}").json()
        assert body["status"] == application.status
        assert body["timeline"][0]["status"] == "submitted"
        assert body["timeline"][-1]["status"] == application.status
        times = [t["at"] for t in body["timeline"]]
        assert times == sorted(times)
    assert seen == {"submitted", "reviewing", "approved", "rejected", "needs_info"}


def test_an_application_number_of_another_citizen_is_not_found_with_a_token(
    client: httpx.Client,
) -> None:
    path = f"/v1/applications/{DEMO_ALLOWANCE_APPLICATION}"
    assert client.get(path).json()["status"] == "reviewing"
    own = client.get(path, headers=identify(client, DEMO_ALLOWANCE_APPLIED))
    assert own.json()["service_code"] == "elderly_allowance"
    other = client.get(path, headers=identify(client, DEMO_UNDER_80))
    assert_error(other, 404, "application_not_found")
    assert_error(client.get("/v1/applications/SQ0"), 404, "application_not_found")


def test_a_repeated_key_submits_once(client: httpx.Client) -> None:
    headers = {**identify(client, DEMO_ALLOWANCE_ELIGIBLE), "Idempotency-Key": "apply-1"}
    body = {"service_code": "elderly_allowance", "commitment": True}
    first = client.post("/v1/applications", json=body, headers=headers)
    second = client.post("/v1/applications", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    mine = client.get("/v1/applications", headers=headers).json()
    assert len(mine) == 1
