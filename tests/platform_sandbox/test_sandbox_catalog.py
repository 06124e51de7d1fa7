"""Service catalog and agency points (``routers/catalog.py``)."""

from __future__ import annotations

import httpx
import pytest
from sandbox_testkit import RunningSandbox, assert_error

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


def test_districts_with_their_area_codes(client: httpx.Client) -> None:
    districts = client.get("/v1/districts").json()
    assert [d["name"] for d in districts] == list(DISTRICTS)
    assert all(set(d) == {"code", "name"} for d in districts)
    assert {"code": "320508", "name": "姑苏区"} in districts
    assert all(d["code"].isdigit() and len(d["code"]) == 6 for d in districts)


def test_schools_of_the_city_and_of_one_district(client: httpx.Client) -> None:
    schools = client.get("/v1/schools").json()
    assert len(schools) == 4 * len(DISTRICTS)
    assert len({s["school_id"] for s in schools}) == len(schools)
    assert {s["district"] for s in schools} == set(DISTRICTS)
    first = schools[0]
    assert first == {
        "school_id": "SC01",
        "name": "姑苏区平江幼儿园",
        "district": "姑苏区",
        "kind": "kindergarten",
    }
    mine = client.get("/v1/schools", params={"district": "吴中区"}).json()
    assert sorted(s["kind"] for s in mine) == ["junior", "kindergarten", "primary", "senior"]
    assert mine == [s for s in schools if s["district"] == "吴中区"]
    assert "吴中区木渎实验小学" in {s["name"] for s in mine}
    assert_error(client.get("/v1/schools", params={"district": "朝阳区"}), 422, "invalid_district")


def test_the_school_of_every_seeded_student_is_listed(
    client: httpx.Client, sandbox: RunningSandbox
) -> None:
    listed = {(s["name"], s["district"]) for s in client.get("/v1/schools").json()}
    seeded = set(sandbox.query("SELECT DISTINCT school, district FROM students"))
    assert seeded and seeded <= listed


def test_the_reference_lists_are_in_the_openapi_document(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    schools = paths["/v1/schools"]["get"]
    assert schools["responses"]["200"]["content"]["application/json"]["schema"]["items"] == {
        "$ref": "#/components/schemas/SchoolOut"
    }
    assert "422" in schools["responses"]
    assert "get" in paths["/v1/districts"]


def test_the_reference_lists_need_the_client_key(anonymous: httpx.Client) -> None:
    assert_error(anonymous.get("/v1/districts"), 401, "unauthorized")
    assert_error(anonymous.get("/v1/schools"), 401, "unauthorized")
