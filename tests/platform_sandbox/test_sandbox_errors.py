"""Every error uses the contract's format, also FastAPI's own (``error_handlers.py``)."""

from __future__ import annotations

import httpx
import pytest
from sandbox_testkit import assert_error

pytestmark = pytest.mark.integration


def test_unknown_route_is_404_in_contract_format(client: httpx.Client) -> None:
    assert_error(client.get("/v1/no-such-thing"), 404, "not_found")
    assert_error(client.get("/nope"), 404, "not_found")


def test_wrong_method_is_405_in_contract_format(client: httpx.Client) -> None:
    assert_error(
        client.delete("/v1/education/bills?student_id=1234567890"), 405, "method_not_allowed"
    )


def test_malformed_json_body_is_invalid_json(client: httpx.Client) -> None:
    response = client.post(
        "/v1/payments", content=b'{"bill_id": ', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 422, "invalid_json")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "invalid_bill_id"),
        ({"payer": "self"}, "invalid_bill_id"),
        ({"bill_id": "", "payer": "self"}, "invalid_bill_id"),
        ({"bill_id": ["EB202600001"], "payer": "self"}, "invalid_bill_id"),
        ({"bill_id": "EB202600001"}, "invalid_payer"),
        ({"bill_id": "EB202600001", "payer": "grandson"}, "invalid_payer"),
        ({"bill_id": "EB202600001", "payer": None}, "invalid_payer"),
        ({"bill_id": "EB202600001", "payer": "self", "notify_phone": "12345"}, "invalid_phone"),
        (
            {"bill_id": "EB202600001", "payer": "self", "notify_phone": "1391234567a"},
            "invalid_phone",
        ),
        ([], "invalid_request"),
        ([["bill_id", "EB202600001"], ["payer", "self"]], "invalid_request"),
        ([{"bill_id": "EB202600001", "payer": "self"}], "invalid_request"),
        ("EB202600001", "invalid_request"),
        (None, "invalid_request"),
    ],
)
def test_invalid_payment_bodies_are_422_with_a_code(
    client: httpx.Client, body: object, code: str
) -> None:
    response = client.post("/v1/payments", json=body)
    assert_error(response, 422, code)


def test_invalid_input_never_creates_a_payment(client: httpx.Client) -> None:
    client.post("/v1/payments", json={"bill_id": "EB202600001", "payer": "grandson"})
    response = client.post("/v1/payments", json={"bill_id": "EB202600001", "payer": "self"})
    assert response.status_code == 201


@pytest.mark.parametrize(
    "path",
    [
        "/v1/payments/%00",
        "/v1/payments/" + "x" * 5000,
        "/v1/payments/支付",
        "/v1/education/bills?student_id=%FF%FE",
        "/v1/education/bills?student_id=" + "9" * 5000,
    ],
)
def test_odd_input_gets_4xx_not_500(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert 400 <= response.status_code < 500, response.text
    assert "error" in response.json()


def test_openapi_document_is_served(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    assert "/v1/education/bills" in document["paths"]
    assert "/v1/payments" in document["paths"]
