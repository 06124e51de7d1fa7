"""The application services (actions/services/applications.py) against a real sandbox: the
age checks, the informed commitment, the submissions and every refusal, with exact texts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from rasa_sdk.events import SlotSet

from actions.handoff import ActionMisunderstood
from actions.runtime import platform_client
from actions.services import by_code
from actions.services.applications import (
    HukouTransfer,
    card_kind_in,
    clean_address,
    household_size,
    income_per_person,
    kind_in,
    move_in,
    parse_income,
)
from actions.services.base import Service, Turn
from platform_client import CitizenAuth
from platform_sandbox import seed
from tests import days
from tests.actions.conftest import form_turn, said, user, verified
from tests.conftest import RunningSystem

SENDER = "test-applications"


def turn(slots: dict[str, Any], *, text: str = "", events: Sequence[dict[str, Any]] = ()) -> Turn:
    """A turn of ``service_form`` with ``slots`` set and ``text`` just said."""
    return form_turn({"relation": None, **slots}, text=text, events=events, sender=SENDER)


def service(code: str) -> Service:
    found = by_code(code)
    assert found is not None
    return found


def applications_of(sandbox: RunningSystem, token: str) -> list[dict[str, Any]]:
    with sandbox.platform() as client:
        response = client.get("/v1/applications", headers={"X-Citizen-Token": token})
    assert response.status_code == 200, response.text
    return list(response.json())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一千二", "1200.00"),
        ("每月1200块", "1200.00"),
        ("大概八百多块吧", "800.00"),
        ("800多块", "800.00"),
        ("1.2万", "12000.00"),
        ("没有收入", "0.00"),
        ("我家三口人一个月3000", "3000.00"),
        ("三口人 每人八百", "800.00"),
        ("不知道", None),
        ("3个人2000块", "2000.00"),
    ],
)
def test_parse_income(text: str, expected: str | None) -> None:
    income = parse_income(text)
    assert (str(income) if income is not None else None) == expected


@pytest.mark.parametrize(
    ("text", "per_person", "people"),
    [
        ("我跟老头子两个人，一个月加起来也就两千块不到", "1000.00", 2),
        ("我们家三口人一共三千", "1000.00", 3),
        ("老两口一共一千六", "800.00", 2),
        ("两个人，每人八百", "800.00", 1),
        ("一千二", "1200.00", 1),
    ],
)
def test_a_household_total_is_divided_by_its_people(
    text: str, per_person: str, people: int
) -> None:
    assert str(income_per_person(text)) == per_person
    assert household_size(text) == people


def test_showing_the_senior_card_is_an_e_certificate_not_an_application() -> None:
    card = service("senior_card")
    showing = turn({}, text="坐公交要给司机看老年卡，卡忘在屋里了，手机上能不能弄出来")
    assert card.rather(showing) == "e_certificate"
    assert card.rather(turn({}, text="我要办老年卡")) is None
    assert card.rather(turn({}, text="老年卡丢了，能在手机上补办吗")) is None


def test_kinds_cards_and_addresses_in_what_was_said() -> None:
    assert kind_in("我想申请低保") == "subsistence"
    assert kind_in("家里出了事 想申请临时救助") == "temporary"
    assert kind_in("看病的钱交不起了") == "medical"
    assert kind_in("家里困难 能申请补助吗") is None
    assert card_kind_in("老年卡丢了怎么补办") == "replacement"
    assert card_kind_in("第一次办") == "new"
    assert card_kind_in("办敬老卡") is None
    assert card_kind_in("给老伴办敬老卡，有补贴吗") is None
    assert move_in("想把户口从吴江区迁到姑苏区") == ("吴江区", "姑苏区")
    assert move_in("户口迁移") == (None, None)
    assert clean_address("户口现在在吴中区木渎镇那里") == "吴中区木渎镇"
    assert clean_address("嗯") is None


async def test_under_80_is_told_why_and_offered_the_senior_card() -> None:
    current = turn({"service": "elderly_allowance", "citizen_age": 72, "citizen_name": "任海根"})
    updates = await service("elderly_allowance").prepare(current)
    assert updates == {"service_done": True, "pending_action": "service:senior_card"}
    assert said(current) == [
        "高龄津贴要年满80周岁才能领。",
        "您今年72岁，还不到。",
        "您可以先办敬老卡，要帮您办吗？",
    ]


async def test_under_60_is_offered_nothing_but_a_person() -> None:
    current = turn({"service": "elderly_allowance", "citizen_age": 57, "relation": "父亲"})
    assert await service("elderly_allowance").prepare(current) == {"service_done": True}
    assert said(current)[1:] == ["您父亲今年57岁，还不到。", "有疑问可以说“转人工”。"]


async def test_commitment_question_then_refusal_lists_the_catalog_proofs(platform: None) -> None:
    allowance = service("elderly_allowance")
    current = turn({"service": "elderly_allowance", "citizen_age": 86, "citizen_name": "陈素琴"})
    assert await allowance.prepare(current) == {}
    await allowance.ask("allowance_commitment", current)
    assert said(current) == [
        "陈素琴，86岁，申请高龄津贴。",
        "告知承诺：您承诺信息真实，现在不用交证明，以后可能会核查。",
        "您同意承诺，就现在提交。同意吗？",
    ]
    assert [b["title"] for b in current.dispatcher.messages[2]["buttons"]] == ["同意", "不同意"]
    agreed = turn({"service": "elderly_allowance"}, text="好的，同意")
    # One "同意" agrees and submits: the question said both.
    assert await allowance.validate("allowance_commitment", "好的，同意", agreed) == {
        "allowance_commitment": True,
        "allowance_confirmed": True,
    }

    refusal = turn({"service": "elderly_allowance"}, text="不同意")
    updates = await allowance.validate("allowance_commitment", "不同意", refusal)
    assert updates == {
        "allowance_commitment": False,
        "service_done": True,
        "pending_action": "service:appointment",
        "appointment_for": "elderly_allowance",
    }
    assert said(refusal) == [
        "好的，那要交证明材料：居民身份证、居民户口簿、本人银行卡。",
        "请带上材料，到社区代办点办理。",
        "要帮您预约社区代办点吗？",
    ]


async def test_allowance_is_submitted_once_with_number_and_next_steps(
    platform: None, sandbox: RunningSystem
) -> None:
    slots = await verified(
        sandbox,
        seed.DEMO_ALLOWANCE_ELIGIBLE,
        service="elderly_allowance",
        allowance_commitment=True,
        allowance_confirmed=True,
    )
    allowance = service("elderly_allowance")
    confirm = turn(slots)
    await allowance.ask("allowance_confirmed", confirm)
    assert said(confirm) == [
        f"申请人陈素琴，{days.age(seed.DEMO_ALLOWANCE_ELIGIBLE.id_number)}岁，已同意告知承诺。",
        "为陈素琴申请高龄津贴，现在提交吗？",
    ]
    numbers = []
    for _ in range(2):  # a repeated "提交" of the same conversation applies once
        current = turn(slots)
        events = await allowance.complete(current)
        assert [event["name"] for event in events] == ["last_receipt"]
        assert events[0]["value"]["text"].startswith("高龄津贴申请提交好了，申请编号是 SQ")
        texts = said(current)
        assert texts[0] == "高龄津贴申请提交好了。"
        assert texts[2:] == [
            "街道在5个工作日内审核。",
            "审核通过后，津贴次月起发到社保卡。",
            "想知道办到哪了，随时说“查进度”。",
        ]
        numbers.append(texts[1])
    assert numbers[0] == numbers[1] and numbers[0].startswith("申请编号是 SQ")
    mine = applications_of(sandbox, slots["citizen_token"])
    assert [a["service_code"] for a in mine] == ["elderly_allowance"]
    assert numbers[0] == f"申请编号是 {mine[0]['application_number']}，请记一下。"


def applied_already(number: str) -> list[str]:
    """What the demo citizen with an allowance under review hears."""
    return [
        "您已经申请过高龄津贴了，不用再申请。",
        f"申请编号是 {number}。",
        "现在正在审核。",
        "审核完会发短信告诉您，请耐心等。",
    ]


async def test_an_allowance_applied_for_is_told_right_after_verification(
    platform: None, sandbox: RunningSystem
) -> None:
    slots = await verified(sandbox, seed.DEMO_ALLOWANCE_APPLIED, service="elderly_allowance")
    current = turn(slots)
    assert await service("elderly_allowance").prepare(current) == {"service_done": True}
    assert said(current) == applied_already(days.allowance_application())
    # Nothing to say for a citizen who has not applied: the questions follow.
    eligible = await verified(sandbox, seed.DEMO_ALLOWANCE_ELIGIBLE, service="elderly_allowance")
    fresh = turn(eligible)
    assert await service("elderly_allowance").prepare(fresh) == {}
    assert said(fresh) == []


async def test_a_second_allowance_application_is_told_with_its_number_and_state(
    platform: None, sandbox: RunningSystem
) -> None:
    slots = await verified(sandbox, seed.DEMO_ALLOWANCE_APPLIED, service="elderly_allowance")
    current = turn(slots)
    assert await service("elderly_allowance").complete(current) == []
    assert said(current) == applied_already(days.allowance_application())


async def test_senior_card_holder_needs_a_replacement_not_a_new_card(
    platform: None, sandbox: RunningSystem
) -> None:
    card = service("senior_card")
    slots = await verified(sandbox, seed.DEMO_ALLOWANCE_ELIGIBLE, service="senior_card")
    request = {"event": "user", "text": "老年卡丢了怎么补办", "parse_data": {
        "intent": {"name": "apply_senior_card", "confidence": 0.99}}}  # fmt: skip
    assert await card.prepare(turn(slots, events=[request])) == {"senior_card_kind": "replacement"}
    new = turn({**slots, "senior_card_kind": "new"})
    assert await card.complete(new) == [SlotSet("pending_action", "service:application_status")]
    assert said(new) == [
        "您已经有敬老卡，或者正在办。",
        "卡丢了的话，请说“补办敬老卡”。",
        "要帮您查一下办理进度吗？",
    ]
    replacement = turn({**slots, "senior_card_kind": "replacement"})
    await card.ask("senior_card_confirmed", replacement)
    assert said(replacement)[-1] == "为陈素琴补办敬老卡，现在提交吗？"
    assert [event["name"] for event in await card.complete(replacement)] == ["last_receipt"]
    texts = said(replacement)[2:]
    assert texts[0] == "敬老卡申请提交好了。" and texts[1].startswith("申请编号是 SQ")
    assert texts[2:4] == ["10个工作日内制卡。", "卡片制好后短信通知您到社区领取。"]


async def test_income_is_read_back_in_words_and_corrected_in_the_same_answer() -> None:
    assistance = service("social_assistance")
    asked = turn({"service": "social_assistance", "assistance_income": "1200.00"})
    await assistance.ask("assistance_income_confirmed", asked)
    assert said(asked) == ["您家每人每月收入一千二百元，对吗？"]

    answer = turn({"service": "social_assistance"}, text="一千二百块")
    assert await assistance.validate("assistance_income", "一千二百块", answer) == {
        "assistance_income": "1200.00",
        "assistance_income_confirmed": None,
    }
    corrected = turn({"service": "social_assistance"}, text="不对，是1500")
    assert await assistance.validate("assistance_income_confirmed", False, corrected) == {
        "assistance_income": "1500.00",
        "assistance_income_confirmed": None,
    }
    wrong = turn({"service": "social_assistance"}, text="不对")
    assert await assistance.validate("assistance_income_confirmed", False, wrong) == {
        "assistance_income": None,
        "assistance_income_confirmed": None,
    }
    unclear = turn({"service": "social_assistance"}, text="不太清楚")
    assert await assistance.validate("assistance_income", "不太清楚", unclear) == {
        "assistance_income": None
    }
    assert unclear.failed


async def test_social_assistance_says_what_is_missing_or_why_not(
    platform: None, sandbox: RunningSystem
) -> None:
    assistance = service("social_assistance")
    slots = await verified(
        sandbox, seed.DEMO_UNDER_60, service="social_assistance", assistance_kind="subsistence"
    )
    poor = turn({**slots, "assistance_income": "800.00"})
    assert await assistance.complete(poor) == [
        SlotSet("pending_action", "service:appointment"),
        SlotSet("appointment_for", "social_assistance"),
    ]
    assert said(poor) == [
        "还缺这些材料：居民身份证、居民户口簿、家庭收入证明、家庭财产申报表。",
        "请带上材料，到社区代办点办理。",
        "要帮您预约社区代办点吗？",
    ]
    above = turn({**slots, "assistance_income": "3000.00"})
    assert await assistance.complete(above) == []
    assert said(above) == [
        "家里人均收入高于低保标准，这次申请不上。",
        "有特别的困难，请说“转人工”。",
    ]


async def test_hukou_transfer_ends_in_an_offer_of_an_appointment(
    platform: None, sandbox: RunningSystem
) -> None:
    hukou = service("hukou_transfer")
    assert isinstance(hukou, HukouTransfer)
    request = {"event": "user", "text": "想把户口从吴江区迁到姑苏区", "parse_data": {
        "intent": {"name": "transfer_hukou", "confidence": 0.99}}}  # fmt: skip
    slots = await verified(sandbox, seed.DEMO_UNDER_80, service="hukou_transfer")
    prefilled = await hukou.prepare(turn(slots, events=[request]))
    assert prefilled == {"hukou_from": "吴江区", "hukou_to": "姑苏区"}
    current = turn({**slots, **prefilled, "hukou_confirmed": True})
    await hukou.ask("hukou_confirmed", current)
    assert said(current) == ["从：吴江区。", "迁到：姑苏区。", "地址对吗？"]
    assert await hukou.complete(current) == [
        SlotSet("pending_action", "service:appointment"),
        SlotSet("appointment_for", "hukou_transfer"),
    ]
    assert said(current)[3:] == [
        "户口迁移要交这些材料：居民身份证、居民户口簿、迁入地住房证明、准予迁入证明。",
        "请带上材料，到政务大厅办理。",
        "不约的话，也可以说“转人工”。",
        "要帮您预约政务大厅吗？",
    ]


async def test_family_member_applies_through_the_proxy_authorization(
    platform: None, sandbox: RunningSystem
) -> None:
    slots = await verified(sandbox, seed.DEMO_ALLOWANCE_ELIGIBLE, service="elderly_allowance")
    authorization = await platform_client().authorize_proxy(
        citizen=CitizenAuth(citizen_token=slots["citizen_token"]),
        agent_kind="family",
        agent_id=f"王小明/{SENDER}",
        scopes=["elderly_allowance"],
        expires_in_days=1,
    )
    proxy = {
        **slots,
        "relation": "母亲",
        "citizen_subject": "母亲",
        "proxy_authorization_id": authorization.authorization_id,
    }
    allowance = service("elderly_allowance")
    asked = turn(proxy)
    await allowance.ask("allowance_commitment", asked)
    assert said(asked) == [
        f"您母亲陈素琴，{days.age(seed.DEMO_ALLOWANCE_ELIGIBLE.id_number)}岁，申请高龄津贴。",
        "告知承诺：您母亲承诺信息真实，现在不用交证明，以后可能会核查。",
        "您母亲同意承诺，就现在提交。同意吗？",
    ]
    current = turn(proxy)
    assert [event["name"] for event in await allowance.complete(current)] == ["last_receipt"]
    assert said(current)[0] == "高龄津贴申请提交好了。"
    mine = applications_of(sandbox, slots["citizen_token"])
    assert [a["service_code"] for a in mine] == ["elderly_allowance"]


async def test_asking_again_right_after_hears_the_number_again() -> None:
    kept = {"text": "高龄津贴申请提交好了，申请编号是 SQ20261205000001。", "speech": "申请编号是 …"}
    done = [{"event": "slot", "name": "last_receipt", "value": kept}]
    again = form_turn(
        {},
        text="提交吧",
        intent="nlu_fallback",
        confidence=0.35,
        events=done,
        with_user_event=True,
    )
    assert await ActionMisunderstood().run(again.dispatcher, again.tracker, {}) == []
    assert said(again) == [f"已经办好了。{kept['text']}"]
    assert again.dispatcher.messages[0]["custom"]["speech"] == "已经办好了。申请编号是 …"
    later = form_turn(
        {},
        text="提交吧",
        intent="nlu_fallback",
        confidence=0.35,
        events=[*done, user("我要交电费", "pay_utility_bill")],
        with_user_event=True,
    )
    await ActionMisunderstood().run(later.dispatcher, later.tracker, {})
    assert not said(later)[0].startswith("已经办好了")
