"""Identity verification and the family-proxy path, against a real sandbox process."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from actions import identity, runtime
from actions.service_form import start_service
from actions.services import by_code
from actions.services.base import Turn
from actions.sessions import citizen_sessions, utc_now
from platform_sandbox.seed import DEMO_ALLOWANCE_ELIGIBLE, DEMO_CERTIFICATION_OVERDUE
from tests.actions.conftest import form_turn, said
from tests.conftest import RunningSystem
from zhtext.idcard import is_valid_id_number

PENSION = by_code("pension_certification")


def turn_with(text: str = "", intent: str = "inform", **slots: Any) -> Turn:
    """A turn whose user just said ``text``, with ``slots`` already set."""
    return form_turn(
        slots, text=text, intent=intent, sender="identity-test", service="pension_certification"
    )


@pytest.mark.parametrize(
    ("id_number", "valid"),
    [
        (DEMO_ALLOWANCE_ELIGIBLE.id_number, True),
        (DEMO_CERTIFICATION_OVERDUE.id_number, True),
        ("11010519491231002X", True),
        ("110105194912310021", False),
        ("32050819400228240", False),
        ("3205081940022824XX", False),
        ("320508194002302402", False),  # 30 February: no such birth date
    ],
)
def test_the_actions_use_the_one_id_check(id_number: str, valid: bool) -> None:
    assert is_valid_id_number(id_number) is valid


def test_numbers_said_digit_by_digit_are_found() -> None:
    assert identity.find_id_number("三二零五零八 幺九四零零二二八 二四零二") == "320508194002282402"
    assert identity.find_id_number("幺幺零幺零五幺九四九幺二三幺零零二叉") == "11010519491231002X"
    assert identity.find_phone("幺三八 幺三零九 零六幺二") == "13813090612"
    assert identity.find_phone("电话是 12345") is None


def test_steps_follow_the_chosen_way_and_the_proxy_path() -> None:
    assert PENSION is not None
    assert identity.identity_steps(turn_with(), PENSION)[0] == "id_number"
    assert identity.identity_steps(turn_with(id_method="phone"), PENSION)[0] == "phone_number"
    verified = turn_with(citizen_verified=True, citizen_subject=identity.SELF)
    assert identity.identity_steps(verified, PENSION) == []
    for_mother = turn_with(citizen_verified=True, citizen_subject="母亲", relation="母亲")
    assert identity.identity_steps(for_mother, PENSION) == ["agent_name", "proxy_consent"]
    # Verified for oneself, but now the service is for the mother: verify her.
    switched = turn_with(citizen_verified=True, citizen_subject=identity.SELF, relation="母亲")
    assert identity.identity_steps(switched, PENSION)[0] == "id_number"


async def test_a_wrong_checksum_is_refused_before_any_read_back(platform: None) -> None:
    assert PENSION is not None
    turn = turn_with("110105194912310021")
    result = await identity.validate("id_number", "110105194912310021", turn, PENSION)
    assert result == {"id_number": None}
    assert turn.failed and said(turn) == ["这个号码好像有一位不对。请再说一遍。"]


async def test_forgetting_the_id_switches_to_the_phone(platform: None) -> None:
    assert PENSION is not None
    turn = turn_with("记不清身份证号")
    assert await identity.validate("id_number", "记不清身份证号", turn, PENSION) == {
        "id_number": None,
        "id_method": "phone",
    }
    assert not turn.failed


async def test_correction_instead_of_no_replaces_the_number(platform: None) -> None:
    assert PENSION is not None
    text = f"不对 是{DEMO_ALLOWANCE_ELIGIBLE.id_number}"
    turn = turn_with(text, intent="deny", id_number=DEMO_CERTIFICATION_OVERDUE.id_number)
    result = await identity.validate("id_number_confirmed", False, turn, PENSION)
    assert result == {"id_number": DEMO_ALLOWANCE_ELIGIBLE.id_number, "id_number_confirmed": None}


async def test_name_sends_the_code_and_the_code_verifies(
    platform: None, sandbox: RunningSystem
) -> None:
    assert PENSION is not None
    citizen = DEMO_CERTIFICATION_OVERDUE
    turn = turn_with(f"我叫{citizen.name}", id_number=citizen.id_number, id_number_confirmed=True)
    sent = await identity.validate("person_name", f"我叫{citizen.name}", turn, PENSION)
    assert sent is not None and sent["person_name"] == citizen.name
    assert sent["verification_phone"].startswith(citizen.phone[:3])
    with sandbox.platform() as client:
        code = client.get("/v1/sandbox/sms", params={"phone": citizen.phone}).json()["code"]
    wrong = "000000" if code != "000000" else "111111"
    attempt = turn_with(wrong, **sent)
    assert await identity.validate("sms_code", wrong, attempt, PENSION) == {"sms_code": None}
    assert "验证码不对。" in said(attempt)
    spoken = "".join("幺" if d == "1" else "零一二三四五六七八九"[int(d)] for d in code)
    final = turn_with(spoken, **sent)
    result = await identity.validate("sms_code", spoken, final, PENSION)
    assert result is not None and result["citizen_verified"] is True
    assert result["citizen_name"] == citizen.name
    assert result["citizen_subject"] == identity.SELF
    assert said(final) == [f"{citizen.name}，身份核对好了。"]
    # The code is cleared by the check that used it; the token is kept by the action server.
    assert result["sms_code"] is None and "citizen_token" not in result
    assert code not in repr(result)
    token = await runtime.citizen_sessions().token("identity-test")
    assert token and token not in repr(result)
    assert await PENSION.prepare(turn_with(**result)) is not None  # the token works


async def test_a_name_said_with_the_number_is_not_asked_again(
    platform: None, sandbox: RunningSystem
) -> None:
    assert PENSION is not None
    citizen = DEMO_CERTIFICATION_OVERDUE
    text = f"身份证是{citizen.id_number}，名字{citizen.name}"
    heard = await identity.validate("id_number", text, turn_with(text), PENSION)
    assert heard == {
        "id_number": citizen.id_number,
        "id_number_confirmed": None,
        "person_name": citizen.name,
    }
    confirmed = turn_with("对", intent="affirm", **heard)
    sent = await identity.validate("id_number_confirmed", True, confirmed, PENSION)
    assert sent is not None and sent["id_number_confirmed"] is True
    assert sent["verification_id"] and sent["verification_phone"].startswith(citizen.phone[:3])
    after = turn_with(**{**heard, **sent})
    steps = identity.identity_steps(after, PENSION)
    assert [step for step in steps if after.slot(step) is None] == ["sms_code"]
    assert identity.name_said_with(f"我叫{citizen.name}，身份证号{citizen.id_number}") == (
        citizen.name
    )
    assert identity.name_said_with(f"叫个人来，身份证号{citizen.id_number}") is None


async def test_an_id_number_in_the_request_is_read_back_first(platform: None) -> None:
    assert PENSION is not None
    citizen = DEMO_CERTIFICATION_OVERDUE
    spoken = "".join(
        "幺" if d == "1" else "零一二三四五六七八九"[int(d)] for d in citizen.id_number
    )
    request = turn_with(f"养老金认证怎么弄，你帮我查查，身份证号是{spoken[:6]} {spoken[6:]}")
    await start_service(request, PENSION)
    assert request.updates["id_number"] == citizen.id_number
    assert request.updates["id_number_confirmed"] is None
    nothing = turn_with("我要养老金认证")
    await start_service(nothing, PENSION)
    assert nothing.updates["id_number"] is None and said(nothing) == []


async def test_an_expired_citizen_token_asks_for_verification_again(
    platform: None, sandbox: RunningSystem
) -> None:
    assert PENSION is not None
    sessions = runtime.citizen_sessions()
    slots = {"citizen_verified": True, "citizen_subject": identity.SELF, "citizen_name": "某某"}
    await sessions.save("expired-test", "tok-old", utc_now() - timedelta(seconds=1))
    turn = form_turn(slots, sender="expired-test", service="pension_certification")
    cleared = await identity.lapsed(turn)
    assert cleared["citizen_verified"] is None and cleared["citizen_name"] is None
    assert await sessions.token("expired-test") is None
    async with sessions.engine.connect() as connection:
        left = (await connection.execute(select(citizen_sessions.c.sender_id))).all()
    assert ("expired-test",) not in left  # purged

    # Starting a service that needs identity asks for the ID number again.
    await sessions.save("expired-test", "tok-old", utc_now() - timedelta(seconds=1))
    start = form_turn(slots, text="我要养老金认证", sender="expired-test")
    await start_service(start, PENSION)
    assert start.updates["citizen_verified"] is None
    assert identity.identity_steps(start, PENSION)[0] == "id_number"

    # A live token is kept, and used.
    await sessions.save("live-test", "tok-new", utc_now() + timedelta(minutes=30))
    live = form_turn(slots, sender="live-test", service="pension_certification")
    assert await identity.lapsed(live) == {}
    assert (await live.auth()).citizen_token == "tok-new"


async def test_unknown_person_starts_over(platform: None) -> None:
    assert PENSION is not None
    turn = turn_with(
        "张三丰", id_number=DEMO_ALLOWANCE_ELIGIBLE.id_number, id_number_confirmed=True
    )
    result = await identity.validate("person_name", "张三丰", turn, PENSION)
    assert result is not None and result["id_number"] is None and result["person_name"] is None
    assert "没有查到相符的登记信息。" in said(turn)


def on_the_phone(turn: Turn, **metadata: Any) -> Turn:
    """``turn`` as the gateway sends a phone call's turn (its metadata is the gateway's)."""
    turn.tracker.latest_message["metadata"] = {"channel": "phone", **metadata}
    return turn


async def test_on_a_call_from_a_mobile_its_number_is_confirmed_instead_of_asked() -> None:
    assert PENSION is not None
    turn = on_the_phone(turn_with("记不清身份证号"), caller_number="13912345678")
    assert await identity.validate("id_number", "记不清身份证号", turn, PENSION) == {
        "id_number": None,
        "id_method": "phone",
        "phone_number": "13912345678",
        "phone_number_confirmed": None,
    }
    asking = on_the_phone(
        turn_with(id_method="phone", phone_number="13912345678"), caller_number="13912345678"
    )
    assert await identity.ask("phone_number_confirmed", asking, PENSION)
    (message,) = asking.dispatcher.messages
    assert message["text"] == "用您现在打电话的号码 139 1234 5678，对吗？"
    assert message["custom"]["speech"] == "用您现在打电话的号码 幺三九，幺二三四，五六七八，对吗？"
    assert [b["title"] for b in message["buttons"]] == ["对", "不对"]


async def test_the_caller_number_counts_only_on_a_call_from_a_mobile_and_for_oneself() -> None:
    assert PENSION is not None
    cases = [
        turn_with("记不清身份证号"),  # not a call
        on_the_phone(turn_with("记不清身份证号"), caller_number="051265001234"),  # a landline
        on_the_phone(turn_with("记不清身份证号", relation="母亲"), caller_number="13912345678"),
    ]
    web = turn_with("记不清身份证号")
    web.tracker.latest_message["metadata"] = {"channel": "webchat", "caller_number": "13912345678"}
    for turn in [*cases, web]:
        result = await identity.validate("id_number", "记不清身份证号", turn, PENSION)
        assert result == {"id_number": None, "id_method": "phone"}
