"""Service catalog and agency points (``routers/catalog.py``)."""

from __future__ import annotations

import httpx
import pytest
from sandbox_testkit import assert_error

from platform_sandbox.synthetic.geography import DISTRICTS

pytestmark = pytest.mark.integration

CONTRACT_CODES = {
    "education_fee", "pension_certification", "pension_query", "medical_insurance_query",
    "utility_payment", "elderly_allowance", "senior_card", "e_certificate", "hukou_transfer",
    "appointment", "social_assistance", "application_status", "complaint",
}  # fmt: skip


def test_catalog_lists_the_thirteen_services_of_the_contract(client: httpx.Client) -> None:
    services = client.get("/v1/services").json()
    assert {s["code"] for s in services} == CONTRACT_CODES
    for service in services:
        assert set(service) == {
            "code", "name", "department", "requires_identity", "accepts_commitment",
            "materials", "channels", "proxy_allowed",
        }  # fmt: skip
    allowance = next(s for s in services if s["code"] == "elderly_allowance")
    assert allowance["accepts_commitment"] is True
    assert allowance["requires_identity"] is True
    assert "居民身份证" in allowance["materials"]
    certificate = next(s for s in services if s["code"] == "e_certificate")
    assert certificate["proxy_allowed"] is False


@pytest.mark.parametrize(
    ("q", "codes"),
    [
        ("尊老金", {"elderly_allowance"}),
        ("老年卡", {"senior_card"}),
        ("电费", {"utility_payment"}),
        ("低保", {"social_assistance"}),
        ("hukou", {"hukou_transfer"}),
        ("没有这种事", set()),
    ],
)
def test_search_by_everyday_words(client: httpx.Client, q: str, codes: set[str]) -> None:
    found = client.get("/v1/services", params={"q": q}).json()
    assert {s["code"] for s in found} == codes


def test_unknown_district_is_invalid_district(client: httpx.Client) -> None:
    assert len(client.get("/v1/services", params={"district": "姑苏区"}).json()) == 13
    assert_error(client.get("/v1/services", params={"district": "朝阳区"}), 422, "invalid_district")
    assert_error(
        client.get("/v1/agency-points", params={"district": "朝阳区"}), 422, "invalid_district"
    )


def test_every_district_has_a_hall_and_two_community_points(client: httpx.Client) -> None:
    points = client.get("/v1/agency-points").json()
    assert len(points) == 3 * len(DISTRICTS)
    for district in DISTRICTS:
        mine = client.get("/v1/agency-points", params={"district": district}).json()
        assert sorted(p["kind"] for p in mine) == ["community_point", "community_point", "hall"]
        assert all(p["district"] == district and p["address"].startswith("苏州市") for p in mine)
        assert all(p["opening_hours"].startswith("周一至周五") for p in mine)
    hall = next(p for p in points if p["point_id"] == "AP01")
    assert hall["name"] == "姑苏区政务服务中心"
    assert set(hall) == {
        "point_id", "name", "address", "district", "kind", "opening_hours", "services"
    }  # fmt: skip
