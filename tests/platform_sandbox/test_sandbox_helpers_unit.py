"""Small helpers: ID numbers, masking, the rate limiter (``idcard.py``, ``masking.py``,
``ratelimit.py``); no process."""

from __future__ import annotations

from datetime import date

import pytest

from platform_sandbox.masking import mask_account, mask_id_number, mask_phone
from platform_sandbox.ratelimit import RateLimiter
from zhtext.idcard import (
    check_character,
    gender_of,
    is_valid_id_number,
    make_id_number,
)


def test_known_id_number_check_characters() -> None:
    # Published GB 11643 examples.
    assert check_character("11010519491231002") == "X"
    assert check_character("44052418800101001") == "4"
    assert is_valid_id_number("11010519491231002X")
    assert not is_valid_id_number("110105194912310021")


@pytest.mark.parametrize(
    "value",
    ["", "11010519491231002x", "1101051949123100X2", "110105194913310024", "１１０１０５"],
)
def test_malformed_id_numbers(value: str) -> None:
    assert not is_valid_id_number(value)


def test_make_id_number_round_trips() -> None:
    number = make_id_number("320508", date(1940, 2, 28), 241)
    assert is_valid_id_number(number)
    assert number.startswith("32050819400228241")
    assert gender_of(number) == "M"


def test_masks() -> None:
    assert mask_id_number("320205194001011234") == "320205********1234"
    assert mask_phone("13912345678") == "139****5678"
    assert mask_account("6222021234567891234") == "6222***********1234"
    assert mask_account("3140831426") == "3140**1426"
    assert mask_account("12345678") == "****5678"


def test_rate_limiter_bucket() -> None:
    now = [0.0]
    limiter = RateLimiter(rate_per_s=2, burst=3, clock=lambda: now[0])
    assert [limiter.check("a") for _ in range(3)] == [None, None, None]
    assert limiter.check("a") == 1
    assert limiter.check("b") is None
    now[0] += 0.5
    assert limiter.check("a") is None
    assert limiter.check("a") == 1
    assert RateLimiter(0, 1).check("a") is None
