"""预约办事 (actions/services/appointments.py) against a real sandbox: what people say about
services, places, days and times, the places of the district, the free times, the booking and
every refusal of the platform, with exact slot values and texts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pytest

from actions.services.appointments import HOME, BookAppointment
from actions.services.base import Turn
from actions.services.when_where import Place, clock_in, match_place, parse_day, service_in
from platform_sandbox import seed
from tests import days
from tests.actions.conftest import form_turn, said, user, verified
from tests.conftest import RunningSystem

SENDER = "test-appointments"
SERVICE = BookAppointment()
AP01 = {
    "point_id": "AP01",
    "name": "姑苏区政务服务中心",
    "address": "苏州市姑苏区平江路109号",
    "kind": "hall",
}
AP02 = {
    "point_id": "AP02",
    "name": "平江街道党群服务中心代办点",
    "address": "苏州市姑苏区干将西路240号",
    "kind": "community_point",
}
AP03 = {
    "point_id": "AP03",
    "name": "双塔街道党群服务中心代办点",
    "address": "苏州市姑苏区干将西路104号",
    "kind": "community_point",
}
SATURDAY = date(2026, 11, 28)  # parse_day takes "today" as an argument


def demo() -> seed.DemoSlots:
    """The demo slots of the day the sandbox works on."""
    return days.slots()


def turn(
    slots: dict[str, Any],
    *,
    text: str = "",
    intent: str = "inform",
    events: Sequence[dict[str, Any]] = (),
) -> Turn:
    """A turn of ``service_form`` in the appointment with ``slots`` set and ``text`` just said."""
    return form_turn(
        {"relation": None, **slots},
        text=text,
        intent=intent,
        events=events,
        with_user_event=True,
        sender=SENDER,
        service="appointment",
    )


async def senior_card_at_ap01(
    sandbox: RunningSystem, date: str, time: str, **slots: Any
) -> dict[str, Any]:
    """A verified citizen who chose a senior-card visit to AP01 at ``time`` on ``date``."""
    return await verified(
        sandbox,
        seed.DEMO_ALLOWANCE_ELIGIBLE,
        appointment_service="senior_card",
        appointment_place="AP01",
        appointment_point=AP01,
        appointment_date=date,
        appointment_time=time,
        **slots,
    )


def appointments_of(sandbox: RunningSystem, token: str) -> list[dict[str, Any]]:
    with sandbox.platform() as client:
        response = client.get("/v1/appointments", headers={"X-Citizen-Token": token})
    assert response.status_code == 200, response.text
    return [a for a in response.json() if a["status"] == "booked"]


def book(sandbox: RunningSystem, token: str, slot_id: str, key: str) -> None:
    """A booking made elsewhere (another channel, another person)."""
    with sandbox.platform() as client:
        response = client.post(
            "/v1/appointments",
            json={"slot_id": slot_id, "service_code": "senior_card"},
            headers={"X-Citizen-Token": token, "Idempotency-Key": key},
        )
    assert response.status_code == 201, response.text


# -- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天", date(2026, 11, 28)),
        ("明天上午", date(2026, 11, 29)),
        ("后天", date(2026, 11, 30)),
        ("下周三", date(2026, 12, 2)),
        ("下礼拜三", date(2026, 12, 2)),
        ("下周3", date(2026, 12, 2)),
        ("周三", date(2026, 12, 2)),
        ("12月3号", date(2026, 12, 3)),
        ("十二月三号", date(2026, 12, 3)),
        ("十二 月 三 号", date(2026, 12, 3)),
        ("十二月二十号", date(2026, 12, 20)),
        ("3号", date(2026, 12, 3)),
        ("二十八号", date(2026, 11, 28)),
        ("11月5号", date(2027, 11, 5)),
        ("2026-12-03", date(2026, 12, 3)),
        ("2月30号", None),
        ("越快越好", None),
        (None, None),
    ],
)
def test_days_as_people_say_them(text: Any, expected: date | None) -> None:
    assert parse_day(text, SATURDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9点", (9, 0)),
        ("上午九点", (9, 0)),
        ("下午两点", (14, 0)),
        ("两点半", (14, 30)),
        ("14:00", (14, 0)),
        ("十点钟", (10, 0)),
        ("第二个", None),
    ],
)
def test_times_as_people_say_them(text: str, expected: tuple[int, int] | None) -> None:
    assert clock_in(text) == expected


def test_services_and_places_in_what_was_said() -> None:
    assert service_in("我想预约办老年卡") == "senior_card"
    assert service_in("申请高龄津贴") == "elderly_allowance"
    assert service_in("迁户口") == "hukou_transfer"
    assert service_in("养老金认证") == "pension_certification"
    assert service_in("低保") == "social_assistance"
    assert service_in("交学费") is None
    places = [Place(**AP01), Place(**AP02), Place(**AP03)]
    assert match_place("姑苏区政务服务中心", places) == places[0]
    assert match_place("去大厅", places) == places[0]
    assert match_place("平江那个代办点", places) == places[1]
    assert match_place("双塔", places) == places[2]
    assert match_place("第二个", places) == places[1]
    assert match_place("社区代办点", places) is None  # two of them: which one?
    assert match_place("去大厅", places, generic=False) is None
    assert match_place("平江街道党群服务中心代办点", places[:1]) is None  # not the hall


# -- the conversation against the sandbox ----------------------------------------------------


async def test_request_names_the_service_and_the_district_gives_the_places(
    platform: None, sandbox: RunningSystem
) -> None:
    slots = await verified(sandbox, seed.DEMO_ALLOWANCE_ELIGIBLE)
    events = [user("我想预约办老年卡", "book_appointment"), user("320508194002282402")]
    current = turn(slots, text="123456", events=events)
    updates = await SERVICE.prepare(current)
    assert updates == {
        "appointment_service": "senior_card",
        "appointment_points": [AP01, AP02, AP03],
        "appointment_materials": ["居民身份证", "近期免冠照片"],
    }
    current.updates.update(updates)
    await SERVICE.ask("appointment_place", current)
    # One place a message, then the question with the places as buttons.
    assert said(current) == [
        "可以去姑苏区政务服务中心。",
        "也可以去平江街道党群服务中心代办点。",
        "还可以请工作人员上门来办。",
        "您想在哪里办？",
    ]
    assert [b["payload"] for b in current.dispatcher.messages[-1]["buttons"]] == [
        "姑苏区政务服务中心",
        "平江街道党群服务中心代办点",
        "上门",
    ]


async def test_an_offer_names_the_service_and_the_only_place_is_taken(
    platform: None, sandbox: RunningSystem
) -> None:
    slots = await verified(sandbox, seed.DEMO_ALLOWANCE_ELIGIBLE, appointment_for="e_certificate")
    ended = {"event": "slot", "name": "service", "value": None}
    current = turn(slots, text="对", intent="affirm", events=[user("出示驾驶证", "x"), ended])
    updates = await SERVICE.prepare(current)
    assert updates == {
        "appointment_for": None,
        "appointment_service": "e_certificate",
        "appointment_points": [AP01],
        "appointment_materials": ["居民身份证"],
        "appointment_place": "AP01",
        "appointment_point": AP01,
    }
    current.updates.update(updates)
    assert SERVICE.steps(current)[:3] == [
        "appointment_service",
        "appointment_place",
        "appointment_date",
    ]


async def test_a_full_time_is_refused_and_another_is_taken(platform: None) -> None:
    slots = {
        "appointment_service": "senior_card",
        "appointment_place": "AP01",
        "appointment_point": AP01,
    }
    full_day = days.day_of(demo().full)
    current = turn(slots, text=days.said(full_day))
    updates = await SERVICE.validate("appointment_date", days.said(full_day), current)
    assert updates is not None and updates["appointment_date"] == full_day.isoformat()
    stamp = f"AP01-{full_day:%Y%m%d}"
    assert [(s["slot_id"], s["remaining"]) for s in updates["appointment_slots"]] == [
        (f"{stamp}-0900", 0),
        (f"{stamp}-1000", 6),
        (f"{stamp}-1400", 3),
        (f"{stamp}-1500", 6),
    ]
    current.updates.update(updates)
    await SERVICE.ask("appointment_time", current)
    assert said(current) == [
        f"{days.written(full_day)}还能约：上午10点、下午2点、下午3点。您选哪个时间？"
    ]

    with_hour = f"{days.said(full_day)}上午九点"
    taken = turn(slots, text=with_hour)
    day_and_hour = await SERVICE.validate("appointment_date", with_hour, taken)
    assert day_and_hour is not None and day_and_hour["appointment_time"] is None
    assert said(taken) == ["上午9点已经约满了。"]

    full = turn({**slots, **updates}, text="9点")
    assert await SERVICE.validate("appointment_time", "9点", full) == {"appointment_time": None}
    assert said(full) == ["上午9点已经约满了。"] and not full.failed
    other = turn({**slots, **updates}, text="上午10点")
    assert await SERVICE.validate("appointment_time", "上午10点", other) == {
        "appointment_time": f"{stamp}-1000"
    }


async def test_a_day_without_free_time_asks_for_another(platform: None) -> None:
    slots = {
        "appointment_service": "senior_card",
        "appointment_place": "AP01",
        "appointment_point": AP01,
    }
    weekend = days.weekend_after(days.today())
    current = turn(slots, text=days.said(weekend))
    assert await SERVICE.validate("appointment_date", days.said(weekend), current) == {
        "appointment_date": None,
        "appointment_slots": None,
    }
    assert said(current) == [f"{days.written(weekend)}没有能约的时间，请换一天。"]


async def test_a_day_that_has_passed_is_refused(platform: None) -> None:
    slots = {
        "appointment_service": "senior_card",
        "appointment_place": "AP01",
        "appointment_point": AP01,
    }
    yesterday = days.today() - timedelta(days=1)
    text = yesterday.isoformat()
    current = turn(slots, text=text)
    assert await SERVICE.validate("appointment_date", text, current) == {"appointment_date": None}
    assert said(current) == [f"{days.written(yesterday)}已经过去了。"]


async def test_the_question_for_the_day_gives_an_example_a_week_ahead(platform: None) -> None:
    current = turn({"appointment_service": "senior_card", "appointment_point": AP01})
    await SERVICE.ask("appointment_date", current)
    week = days.today() + timedelta(days=7)
    assert said(current) == [
        f"地点是姑苏区政务服务中心。您想哪天去？比如明天，或者{week.month}月{week.day}号。"
    ]


async def test_a_day_and_time_in_one_answer(platform: None) -> None:
    slots = {
        "appointment_service": "senior_card",
        "appointment_place": "AP01",
        "appointment_point": AP01,
    }
    text = f"{days.said(days.day_of(demo().open))}上午9点"
    current = turn(slots, text=text)
    updates = await SERVICE.validate("appointment_date", text, current)
    assert updates is not None and updates["appointment_time"] == demo().open


async def test_yes_books_once_and_the_ending_says_code_place_time_and_materials(
    platform: None, sandbox: RunningSystem
) -> None:
    open_day = days.day_of(demo().open)
    slots = await senior_card_at_ap01(
        sandbox,
        open_day.isoformat(),
        demo().open,
        appointment_materials=["居民身份证", "近期免冠照片"],
    )
    current = turn(slots, text="对", intent="affirm")
    day_slots = await SERVICE.validate("appointment_date", days.said(open_day), current)
    assert day_slots is not None
    slots["appointment_slots"] = day_slots["appointment_slots"]
    read_back = turn(slots)
    await SERVICE.ask("appointment_confirmed", read_back)
    assert said(read_back) == [
        "请核对：办老年卡。",
        "地点：姑苏区政务服务中心。",
        f"时间：{days.written(open_day)}上午9点到10点。",
        "现在预约吗？",
    ]
    codes = []
    for _ in range(2):  # a repeated "对" reuses the Idempotency-Key
        yes = turn(slots, text="对", intent="affirm")
        updates = await SERVICE.validate("appointment_confirmed", True, yes)
        assert updates is not None and updates["appointment_confirmed"] is True
        codes.append(updates["appointment_booked"]["code"])
    assert codes[0] == codes[1] and len(codes[0]) == 6
    assert [a["start"] for a in appointments_of(sandbox, slots["citizen_token"])] == [
        f"{open_day.isoformat()}T09:00:00+08:00"
    ]
    assert updates is not None
    ending = turn({**slots, **updates})
    assert await SERVICE.complete(ending) == []
    assert said(ending) == [
        f"预约好了，预约码是 {codes[0]}。",
        f"时间：{days.written(open_day)}上午9点到10点。",
        "地点：姑苏区政务服务中心。",
        "地址：苏州市姑苏区平江路109号。",
        "请带上：居民身份证、近期免冠照片。",
        "到时把预约码告诉工作人员就行。",
    ]


async def test_the_last_place_taken_meanwhile_offers_the_other_times(
    platform: None, sandbox: RunningSystem
) -> None:
    other = await verified(sandbox, seed.DEMO_UNDER_80)
    last_place = demo().last_place
    slots = await senior_card_at_ap01(sandbox, days.day_of(last_place).isoformat(), last_place)
    book(sandbox, other["citizen_token"], last_place, "someone-else")
    current = turn(slots, text="对", intent="affirm")
    updates = await SERVICE.validate("appointment_confirmed", True, current)
    assert updates is not None
    assert updates["appointment_confirmed"] is None and updates["appointment_time"] is None
    assert said(current) == ["这个时间刚刚被约满了。"]
    assert updates["appointment_slots"][0]["remaining"] == 0
    assert appointments_of(sandbox, slots["citizen_token"]) == []


async def test_a_time_that_no_longer_exists_offers_the_other_times(
    platform: None, sandbox: RunningSystem
) -> None:
    open_day = days.day_of(demo().open)
    slots = await senior_card_at_ap01(sandbox, open_day.isoformat(), f"AP01-{open_day:%Y%m%d}-1200")
    current = turn(slots, text="对", intent="affirm")
    updates = await SERVICE.validate("appointment_confirmed", True, current)
    assert updates is not None and updates["appointment_time"] is None
    assert said(current) == ["这个时间刚刚被约满了。"]


async def test_the_same_time_booked_before_is_a_duplicate(
    platform: None, sandbox: RunningSystem
) -> None:
    open_slot = demo().open
    slots = await senior_card_at_ap01(sandbox, days.day_of(open_slot).isoformat(), open_slot)
    book(sandbox, slots["citizen_token"], open_slot, "at-the-counter")
    current = turn(slots, text="对", intent="affirm")
    updates = await SERVICE.validate("appointment_confirmed", True, current)
    assert updates == {"appointment_confirmed": False, "service_done": True}
    assert said(current) == ["这个时间您已经约过了。", "不用再约。还有别的事吗？"]


async def test_home_visit_refusals_go_back_to_the_right_question(
    platform: None, sandbox: RunningSystem
) -> None:
    slots = await verified(
        sandbox,
        seed.DEMO_ALLOWANCE_ELIGIBLE,
        appointment_service="hukou_transfer",
        appointment_place=HOME,
        appointment_point=AP01,
        appointment_address="苏州市姑苏区平江路1号",
        appointment_date=days.day_of(demo().open).isoformat(),
        appointment_time=demo().open,
    )
    current = turn(slots, text="对", intent="affirm")
    updates = await SERVICE.validate("appointment_confirmed", True, current)
    assert updates is not None and updates["appointment_no_home"] is True
    assert updates["appointment_place"] is None and updates["appointment_time"] is None
    assert said(current) == ["这件事不能上门办理，要到大厅或代办点办。"]

    no_address = turn({**slots, "appointment_service": "senior_card", "appointment_address": ""})
    updates = await SERVICE.validate("appointment_confirmed", True, no_address)
    assert updates == {"appointment_confirmed": None, "appointment_address": None}
    assert said(no_address) == ["上门服务需要您家的地址。"]


async def test_a_place_that_does_not_do_the_service(platform: None) -> None:
    slots = {"appointment_service": "hukou_transfer", "appointment_points": [AP01]}
    current = turn(slots, text="平江街道代办点")
    updates = await SERVICE.validate("appointment_place", "平江街道代办点", current)
    assert updates is not None and updates["appointment_place"] is None
    assert said(current) == ["平江街道党群服务中心代办点办不了户口迁移。", "请换一个地方。"]

    home = turn(slots, text="上门")
    assert await SERVICE.validate("appointment_place", "上门", home) == {"appointment_place": None}
    assert said(home) == ["户口迁移不能上门办理，要到大厅或代办点办。"]


async def test_a_place_the_platform_does_not_know(platform: None) -> None:
    gone = {**AP01, "point_id": "AP99"}
    slots = {
        "appointment_service": "senior_card",
        "appointment_place": "AP99",
        "appointment_point": gone,
    }
    text = days.said(days.day_of(demo().open))
    current = turn(slots, text=text)
    updates = await SERVICE.validate("appointment_date", text, current)
    assert updates is not None
    assert updates["appointment_date"] is None and updates["appointment_place"] is None
    assert said(current) == ["没有找到这个办事地点。", "请换一个地方。"]


async def test_a_wrong_read_back_goes_back_to_the_day(platform: None) -> None:
    slots = {
        "appointment_service": "senior_card",
        "appointment_place": "AP01",
        "appointment_point": AP01,
        "appointment_date": days.day_of(demo().open).isoformat(),
        "appointment_time": demo().open,
    }
    current = turn(slots, text="不对", intent="deny")
    updates = await SERVICE.validate("appointment_confirmed", False, current)
    assert updates == {"appointment_confirmed": False, "appointment_change": None}
    current.updates.update(updates)
    assert SERVICE.steps(current)[-1] == "appointment_change"
    change = turn({**slots, **updates}, text="改日期")
    updates = SERVICE._change("改日期", change)
    assert updates["appointment_date"] is None and updates["appointment_confirmed"] is None
    assert "appointment_place" not in updates


async def test_a_home_visit_asked_for_before_the_service(
    platform: None, sandbox: RunningSystem
) -> None:
    slots = await verified(sandbox, seed.DEMO_ALLOWANCE_ELIGIBLE)
    events = [user("能不能预约上门服务", "book_appointment")]
    current = turn(slots, text="高龄津贴", events=events)
    updates = await SERVICE.validate("appointment_service", "高龄津贴", current)
    assert updates is not None
    assert updates["appointment_service"] == "elderly_allowance"
    assert updates["appointment_place"] == HOME and updates["appointment_point"] == AP02
    current.updates.update(updates)
    assert SERVICE.steps(current)[2] == "appointment_address"
    await SERVICE.ask("appointment_address", current)
    assert said(current) == ["请说您家的地址，要说到门牌号。"]


async def test_a_place_named_instead_of_a_day(platform: None) -> None:
    slots = {
        "appointment_service": "hukou_transfer",
        "appointment_points": [AP01],
        "appointment_place": "AP01",
        "appointment_point": AP01,
    }
    current = turn(slots, text="我想去平江街道代办点")
    updates = await SERVICE.validate("appointment_date", "我想去平江街道代办点", current)
    assert updates is not None
    assert updates["appointment_date"] is None and updates["appointment_place"] is None
    assert said(current) == ["平江街道党群服务中心代办点办不了户口迁移。", "请换一个地方。"]
