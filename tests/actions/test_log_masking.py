"""The action server's log holds student and utility account numbers only masked: the lines
of the actions, of the platform client and of httpx under it (which logs every URL), as the
server's masking (``actions.logs``) leaves them."""

from __future__ import annotations

import logging

import pytest

from actions.logs import mask_personal_numbers
from actions.services import by_code
from platform_sandbox.seed import DEMO_STUDENT_ID
from tests.actions.conftest import form_turn, said
from zhtext.masking import mask_log_text

ELECTRICITY_ACCOUNT = "1566359967"  # a seeded electricity account (tests/actions/test_utilities.py)


@pytest.fixture
def server_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every log record of the process at DEBUG, with the action server's masking on."""
    mask_personal_numbers()
    caplog.set_level(logging.DEBUG)
    return caplog


async def test_student_and_account_numbers_are_logged_masked(
    platform: None, server_log: pytest.LogCaptureFixture
) -> None:
    education, utilities = by_code("education_fee"), by_code("utility_payment")
    assert education is not None and utilities is not None
    turn = form_turn(text=DEMO_STUDENT_ID, service="education_fee")
    found = await education.validate("student_id", DEMO_STUDENT_ID, turn)
    assert found is not None and found["bill_id"][0]["bill_id"] == "EB202600001"
    turn = form_turn(text=ELECTRICITY_ACCOUNT, service="utility_payment")
    looked_up = await utilities.validate("utility_account", ELECTRICITY_ACCOUNT, turn)
    assert looked_up is not None and looked_up["utility_bill_id"], said(turn)

    lines = [record.getMessage() for record in server_log.records]
    urls = [line for line in lines if "/v1/" in line]
    assert any(f"student_id=******{DEMO_STUDENT_ID[-4:]}" in line for line in urls), urls
    assert any(f"account_number=******{ELECTRICITY_ACCOUNT[-4:]}" in line for line in urls)
    client_lines = [
        r.getMessage() for r in server_log.records if r.name.startswith("platform_client")
    ]
    assert any("platform.call" in line for line in client_lines), client_lines
    for line in lines:
        assert DEMO_STUDENT_ID not in line and ELECTRICITY_ACCOUNT not in line, line


def test_the_log_rule_masks_numbers_but_keeps_times_and_ids() -> None:
    line = (
        "GET /v1/education/bills?student_id=7320291068 id=320508194002282402 "
        "phone=13813090612 at 2026-12-05 09:30:12 key=ab12345678cd ms=1234.5"
    )
    assert mask_log_text(line) == (
        "GET /v1/education/bills?student_id=******1068 id=320508********2402 "
        "phone=138****0612 at 2026-12-05 09:30:12 key=ab12345678cd ms=1234.5"
    )
