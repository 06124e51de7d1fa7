"""E-certificates and presentation codes (``routers/certificates.py``)."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
from sandbox_testkit import assert_error, identify

from platform_sandbox.seed import DEMO_ALLOWANCE_ELIGIBLE, DEMO_UNDER_80

pytestmark = pytest.mark.integration


def test_certificates_of_a_citizen(client: httpx.Client) -> None:
    headers = identify(client, DEMO_ALLOWANCE_ELIGIBLE)
    certificates = client.get("/v1/certificates", headers=headers).json()
    types = [c["type"] for c in certificates]
    assert {"id_card", "hukou", "social_security_card", "senior_card", "retirement"} <= set(types)
    id_card = certificates[types.index("id_card")]
    assert id_card["name"] == "居民身份证" and id_card["status"] == "valid"
    assert id_card["number_full"] == DEMO_ALLOWANCE_ELIGIBLE.id_number
    assert "*" in id_card["number_masked"] and "expires_on" not in id_card


def test_presentation_code_lasts_five_minutes(client: httpx.Client) -> None:
    headers = identify(client, DEMO_ALLOWANCE_ELIGIBLE)
    response = client.post("/v1/certificates/id_card/presentations", headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert re.fullmatch(r"[0-9]{8}", body["presentation_code"])
    expires = dt.datetime.fromisoformat(body["expires_at"])
    left = expires - dt.datetime.now(dt.timezone.utc)
    assert dt.timedelta(minutes=4) < left <= dt.timedelta(minutes=5)
    other = client.post("/v1/certificates/id_card/presentations", headers=headers).json()
    assert other["presentation_code"] != body["presentation_code"]


def test_presentation_errors(client: httpx.Client) -> None:
    headers = identify(client, DEMO_UNDER_80)
    assert_error(
        client.post("/v1/certificates/passport/presentations", headers=headers),
        422,
        "invalid_certificate_type",
    )
    assert_error(
        client.post("/v1/certificates/senior_card/presentations", headers=headers),
        404,
        "certificate_not_found",
    )
    assert_error(
        client.post("/v1/certificates/driving_license/presentations", headers=headers),
        409,
        "certificate_expired",
    )
    assert_error(
        client.post("/v1/certificates/id_card/presentations"), 401, "citizen_token_required"
    )
