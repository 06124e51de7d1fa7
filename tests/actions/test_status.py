"""办件进度查询 (actions/services/status.py) against a real sandbox: exact slots and texts."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.services.status import (
    MINE,
    ApplicationStatus,
    extract_application_number,
    forgot_number,
    names_an_application,
)
from platform_sandbox.seed import DEMO_ALLOWANCE_APPLIED
from platform_sandbox.synthetic.applications import MISSING_MATERIALS
from tests import days
from tests.actions.conftest import said, text_turns
from tests.conftest import RunningSystem

# Dated demo records, for the day the sandbox works on.
DEMO_ALLOWANCE_APPLICATION = days.allowance_application()

NEEDS_INFO_APPLICATION = days.needs_info_application()
NEEDS_INFO = NEEDS_INFO_APPLICATION.application_number
"""A senior-card application waiting for materials (an ordinary citizen's)."""


SERVICE = ApplicationStatus()


turn = text_turns("application_status", "status-test")


def citizen_token(sandbox: RunningSystem) -> str:
    """Verify the demo citizen with a pending allowance through the sandbox."""
    citizen = DEMO_ALLOWANCE_APPLIED
    with sandbox.platform() as client:
        started = client.post(
            "/v1/identity/verifications",
            json={"name": citizen.name, "id_number": citizen.id_number},
        )
        started.raise_for_status()
        code = client.get("/v1/sandbox/sms", params={"phone": citizen.phone}).json()["code"]
        confirmed = client.post(
            f"/v1/identity/verifications/{started.json()['verification_id']}/confirm",
            json={"code": code},
        )
        confirmed.raise_for_status()
        return str(confirmed.json()["citizen_token"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SQ20260913000001", "SQ20260913000001"),
        ("sq20260913000001", "SQ20260913000001"),
        ("S Q 二零二六 零九幺三 零零零零零幺", "SQ20260913000001"),
        ("编号是 二零二六零九幺三零零零零零幺", "SQ20260913000001"),
        ("SQ2026091300000", None),
        ("不记得了", None),
    ],
)
def test_extract_application_number(text: str, expected: str | None) -> None:
    assert extract_application_number(text) == expected


def test_forgot_number() -> None:
    assert forgot_number("编号我不记得了") and forgot_number("忘了")
    assert not forgot_number("SQ20260913000001")


async def test_an_application_named_by_what_it_was_for_takes_the_identity_path() -> None:
    request = turn("我申请的高龄补贴到现在还没个信，是不是弄丢了", intent=SERVICE.intent)
    assert await SERVICE.prepare(request) == {"status_mode": MINE}
    assert said(request) == ["好的，帮您查申请进度。"]
    assert names_an_application("老年卡申请了没消息") and not names_an_application("查办件")


async def test_a_known_number_is_looked_up_and_said_in_plain_words(platform: None) -> None:
    current = turn(days.spoken(DEMO_ALLOWANCE_APPLICATION))
    result = await SERVICE.validate("status_application_number", current.latest_text(), current)
    assert result is not None
    assert result["status_application_number"] == DEMO_ALLOWANCE_APPLICATION
    assert result["status_service"] == "elderly_allowance"
    assert result["status_state"] == "reviewing"
    assert result["status_note"] == "街道（镇）正在审核"
    done = turn("", **result)
    assert await SERVICE.complete(done) == []
    texts = said(done)
    assert texts[0] == "查到了，是高龄津贴申请。"
    assert texts[1] == "现在正在审核。"
    latest = days.beijing_day(
        next(
            a
            for a in days.dataset().applications
            if a.application_number == DEMO_ALLOWANCE_APPLICATION
        )
        .events[-1]
        .at
    )
    assert texts[2] == f"最新进展：{days.written(latest)}，街道（镇）正在审核。"
    assert texts[3] == "审核完会发短信告诉您，请耐心等。"


async def test_needing_materials_offers_an_appointment(platform: None) -> None:
    current = turn(NEEDS_INFO)
    result = await SERVICE.validate("status_application_number", NEEDS_INFO, current)
    assert result is not None and result["status_state"] == "needs_info"
    done = turn("", **result)
    assert await SERVICE.complete(done) == [
        SlotSet("pending_action", "service:appointment"),
        SlotSet("appointment_for", "senior_card"),
    ]
    assert said(done)[1:] == [
        "现在还要补交材料。",
        f"最新进展：{days.written(days.beijing_day(NEEDS_INFO_APPLICATION.events[-1].at))}，{NEEDS_INFO_APPLICATION.events[-1].note}。",
        f"请带上{MISSING_MATERIALS[NEEDS_INFO_APPLICATION.service_code]}，到社区代办点补交。",
        "要帮您预约去补材料吗？",
    ]


async def test_an_unknown_number_is_explained_and_asked_again(platform: None) -> None:
    current = turn("SQ20260101999999")
    result = await SERVICE.validate("status_application_number", "SQ20260101999999", current)
    assert result == {"status_application_number": None}
    assert current.failed
    assert said(current) == ["没有查到这个办件编号。", "请核对编号，再说一遍。"]
    short = turn("幺二三")
    assert await SERVICE.validate("status_application_number", "幺二三", short) == {
        "status_application_number": None
    }
    assert said(short) == ["办件编号是SQ加14位数字。请一位一位慢慢说。"]


async def test_a_number_in_the_request_is_looked_up_at_start(platform: None) -> None:
    current = turn(
        f"查一下{DEMO_ALLOWANCE_APPLICATION}",
        intent="query_application_status",
        entities=({"entity": "application_number", "value": DEMO_ALLOWANCE_APPLICATION},),
    )
    result = await SERVICE.prepare(current)
    assert result["status_application_number"] == DEMO_ALLOWANCE_APPLICATION
    assert await SERVICE.prepare(turn("查一下我的办件进度")) == {}


async def test_a_verified_person_offered_a_progress_check_is_not_asked_the_number() -> None:
    offered = turn("对", intent="affirm", citizen_verified=True)
    assert await SERVICE.prepare(offered) == {"status_mode": MINE}
    # Nobody verified: the number is asked for, as when the person asks themselves.
    assert await SERVICE.prepare(turn("对", intent="affirm")) == {}
    asked = turn("查一下进度", intent="query_application_status", citizen_verified=True)
    assert await SERVICE.prepare(asked) == {}


async def test_no_number_takes_the_identity_path(platform: None) -> None:
    current = turn("编号不记得了")
    result = await SERVICE.validate("status_application_number", "编号不记得了", current)
    assert result == {"status_application_number": None, "status_mode": MINE}
    assert said(current) == ["没关系，核对身份后，我帮您查您的申请。"]
    assert SERVICE.steps(turn("", status_mode=MINE)) == [
        "id_number",
        "id_number_confirmed",
        "person_name",
        "sms_code",
    ]
    verified = turn("", status_mode=MINE, citizen_token="t", citizen_subject="本人")
    assert SERVICE.steps(verified) == []
    assert SERVICE.steps(turn("")) == ["status_application_number"]


async def test_the_verified_person_hears_their_applications(
    platform: None, sandbox: RunningSystem
) -> None:
    current = turn("", status_mode=MINE, citizen_token=citizen_token(sandbox))
    assert await SERVICE.complete(current) == []
    texts = said(current)
    assert texts[0] == "查到您最近的1件申请。"
    made = days.day_of(f"-{DEMO_ALLOWANCE_APPLICATION[2:10]}-")
    assert texts[1] == f"第1件，高龄津贴申请，{days.written(made)}提交，正在审核。"
    assert texts[2] == f"编号 {DEMO_ALLOWANCE_APPLICATION}。"
    assert len(texts) == 4


async def test_an_application_number_said_when_asked_for_the_id_is_looked_up(
    platform: None,
) -> None:
    digits = "零幺二三四五六七八九"
    said_number = "S Q " + "".join(digits[int(d)] for d in NEEDS_INFO.removeprefix("SQ"))
    mine = turn(said_number, status_mode=MINE)
    found = await SERVICE.answered_otherwise("id_number", said_number, mine)
    assert found is not None
    assert found["status_application_number"] == NEEDS_INFO
    assert found["status_state"] == "needs_info"
    assert found["status_mode"] is None and found["id_number"] is None
    by_number = turn(said_number)
    assert await SERVICE.answered_otherwise("id_number", said_number, by_number) is None
