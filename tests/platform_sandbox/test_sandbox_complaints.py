"""Complaints and suggestions (``routers/complaints.py``)."""

from __future__ import annotations

import re

import httpx
import pytest
from sandbox_testkit import RunningSandbox, assert_error, identify

from platform_sandbox.seed import DEMO_ALLOWANCE_ELIGIBLE

pytestmark = pytest.mark.integration


def test_anonymous_and_identified_complaints(client: httpx.Client, sandbox: RunningSandbox) -> None:
    anonymous = client.post(
        "/v1/complaints",
        json={"category": "complaint", "content": "小区路灯坏了一个月没人修", "location": "平江路"},
    )
    assert anonymous.status_code == 201, anonymous.text
    assert re.fullmatch(r"GD\d{14}", anonymous.json()["ticket_number"])
    identified = client.post(
        "/v1/complaints",
        json={
            "category": "praise",
            "content": "社区代办点的小王很耐心",
            "contact_phone": "13912345678",
        },
        headers=identify(client, DEMO_ALLOWANCE_ELIGIBLE),
    )
    assert identified.status_code == 201
    rows = sandbox.query("SELECT category, citizen_id FROM complaints ORDER BY category")
    assert rows == [("complaint", None), ("praise", DEMO_ALLOWANCE_ELIGIBLE.citizen_id)]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"category": "rant", "content": "内容足够长了"}, "invalid_category"),
        ({"category": "complaint", "content": "太短"}, "invalid_content"),
        ({"category": "complaint", "content": "长" * 2001}, "invalid_content"),
        ({"category": "help", "content": "请帮我看看", "contact_phone": "110"}, "invalid_phone"),
    ],
)
def test_complaint_errors(client: httpx.Client, body: dict, code: str) -> None:
    assert_error(client.post("/v1/complaints", json=body), 422, code)


def test_a_repeated_key_opens_one_ticket(client: httpx.Client, sandbox: RunningSandbox) -> None:
    body = {"category": "suggestion", "content": "希望公交站加个座椅"}
    headers = {"Idempotency-Key": "c-1"}
    first = client.post("/v1/complaints", json=body, headers=headers).json()
    second = client.post("/v1/complaints", json=body, headers=headers).json()
    assert first == second
    assert sandbox.query("SELECT COUNT(*) FROM complaints") == [(1,)]
