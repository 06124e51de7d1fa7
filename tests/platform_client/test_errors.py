"""Typed errors from error bodies (``platform_client/errors.py``); no process."""

from __future__ import annotations

import pytest

from platform_client import errors as e


def test_every_code_has_its_own_class() -> None:
    types = e.error_types()
    assert len(types) >= 60
    for code, cls in types.items():
        assert cls.code_name == code
        assert issubclass(cls, e.PlatformError)
        assert cls.__doc__
    assert types["bill_already_paid"] is e.BillAlreadyPaid
    assert types["not_eligible"] is e.NotEligible


def test_error_from_response_keeps_the_details() -> None:
    error = e.error_from_response(
        422,
        {
            "error": {
                "code": "not_eligible",
                "message": "高龄津贴要年满80周岁",
                "reason": "age_under_80",
            }
        },
    )
    assert isinstance(error, e.NotEligible)
    assert (error.code, error.status, error.reason) == ("not_eligible", 422, "age_under_80")
    missing = e.error_from_response(
        422, {"error": {"code": "materials_required", "message": "缺", "missing": ["户口簿"]}}
    )
    assert missing.missing == ("户口簿",)
    limited = e.error_from_response(
        429, {"error": {"code": "rate_limited", "message": "慢点"}}, retry_after="3"
    )
    assert isinstance(limited, e.RateLimited) and limited.retry_after_s == 3.0


@pytest.mark.parametrize(
    "body", ["<html>", {"detail": "x"}, {"error": "x"}, {"error": {"message": "x"}}, [], None]
)
def test_a_body_that_is_not_the_contract_is_unexpected_response(body: object) -> None:
    error = e.error_from_response(400, body)
    assert type(error) is e.UnexpectedResponse
    assert (error.code, error.status) == ("unexpected_response", 400)
    assert "x" not in error.message and "html" not in error.message  # the body is not kept


def test_the_client_codes_are_not_contract_codes() -> None:
    own = e.client_error_types()
    assert set(own) == {"platform_unavailable", "unexpected_response"}
    assert not set(own) & set(e.error_types())
    for cls in own.values():
        assert issubclass(cls, e.PlatformError) and cls.__doc__ and not cls.code_name
    assert e.PlatformUnavailable("timeout").code == "platform_unavailable"
    assert e.UnexpectedResponse("GET /v1/services: not_json", 200).code == "unexpected_response"


def test_an_unknown_code_is_a_plain_platform_error() -> None:
    error = e.error_from_response(418, {"error": {"code": "teapot", "message": "茶壶"}})
    assert type(error) is e.PlatformError and error.code == "teapot"


def test_unavailable_and_circuit_open() -> None:
    down = e.PlatformUnavailable("timeout", 0)
    assert down.code == "platform_unavailable" and down.reached_platform
    fast = e.CircuitOpen(2.5)
    assert isinstance(fast, e.PlatformUnavailable) and fast.retry_after_s == 2.5
