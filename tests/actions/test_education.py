"""Education fees in the service form, replayed on saved trackers against a real sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.service_form import ActionCompleteService, ValidateServiceForm
from actions.services import by_code, by_intent
from actions.services.base import Turn
from actions.services.education import EducationFee, extract_student_id
from actions.services.paying import (
    OpenBill,
    ask_to_pay,
    choose,
    open_bills,
    read_back,
    say_still_open,
)
from platform_sandbox.seed import (
    DEMO_GRANDPARENT,
    DEMO_KINDERGARTEN_STUDENT_ID,
    DEMO_SEVERAL_BILLS_STUDENT_ID,
    DEMO_STUDENT_ID,
)
from platform_sandbox.synthetic.education import term_of
from tests import days
from tests.actions.conftest import load_tracker, text_turns, verified
from tests.conftest import RunningSystem


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [str(m.get("text")) for m in dispatcher.messages]


SERVICE = EducationFee()
turn = text_turns("education_fee", "education-test")

DEMO_BILL = OpenBill("EB202600001", "学费和住宿费", "2550.00", ("学费", "住宿费", "住宿"))
SEVERAL = [
    OpenBill("EB202600033", "学费和住宿费", "3050.00", ("学费", "住宿费", "住宿")),
    OpenBill("EB202600035", "教材费和作业本费", "425.30", ("教材费", "教材", "作业本费", "作业本")),
    OpenBill("EB202600034", "餐费", "1452.00", ("餐费",)),
]
"""The open bills of DEMO_SEVERAL_BILLS_STUDENT_ID, the soonest due first."""
KINDERGARTEN = [
    OpenBill("EB202600067", "校服费", "220.00", ("校服费", "校服")),
    OpenBill(
        "EB202600065",
        "幼儿园保育费和餐费",
        "4500.00",
        ("幼儿园保育费", "幼儿园保育", "保育费", "保育", "餐费"),
    ),
]


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("7320291068", "7320291068"),
        ("学号是七三二零 二九幺零 六八", "7320291068"),
        ("732 029 1068", "7320291068"),
        ("12345", None),
        ("73202910681", None),
        (None, None),
    ],
)
def test_extract_student_id(said: Any, expected: str | None) -> None:
    assert extract_student_id(said) == expected


def test_idempotency_key_is_per_conversation_service_and_bill() -> None:
    turn = Turn(CollectingDispatcher(), load_tracker("service_student_id_given"))
    other = Turn(CollectingDispatcher(), load_tracker("service_student_id_given"))
    other.tracker.sender_id = "another-conversation"
    assert turn.idempotency_key("EB1") == turn.idempotency_key("EB1")
    assert turn.idempotency_key("EB1") != turn.idempotency_key("EB2")
    assert turn.idempotency_key("EB1") != other.idempotency_key("EB1")


async def test_student_with_an_unpaid_bill_fills_the_bill_slots(
    platform: None, domain: dict
) -> None:
    dispatcher = CollectingDispatcher()
    events = await ValidateServiceForm().run(
        dispatcher, load_tracker("service_student_id_given"), domain
    )
    assert dispatcher.messages == []
    assert events == [
        SlotSet("student_id", DEMO_STUDENT_ID),
        SlotSet("bill_id", [DEMO_BILL.as_slot()]),
        SlotSet("bill_total", "2550.00"),
        SlotSet("bill_school", "相城区阳澄湖高级中学"),
        SlotSet("bill_term", term_of(days.today())),
        SlotSet("education_confirmed", None),
        SlotSet("requested_slot", "education_confirmed"),
    ]


async def test_a_number_with_no_bill_is_asked_again(platform: None, domain: dict) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("service_student_id_given", student_id="1234567890")
    tracker.latest_message["entities"] = []
    tracker.latest_message["text"] = "1234567890"
    events = await ValidateServiceForm().run(dispatcher, tracker, domain)
    assert texts(dispatcher) == ["学号 1234567890 没有要缴的费用。请核对后再说一遍。"]
    assert events == [
        SlotSet("student_id", None),
        SlotSet("field_failures", 1),
        SlotSet("requested_slot", "student_id"),
    ]


async def test_nothing_to_check_lets_the_rules_answer(platform: None, domain: dict) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("service_student_id_given", student_id=None)
    tracker.events = tracker.events[:-1]  # "再说一遍": no slot was filled
    tracker.latest_message = {"text": "再说一遍", "intent": {"name": "repeat"}, "entities": []}
    events = await ValidateServiceForm().run(dispatcher, tracker, domain)
    assert dispatcher.messages == []
    assert events == [SlotSet("requested_slot", "student_id")]


async def test_the_third_unusable_answer_hands_over(platform: None, domain: dict) -> None:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("service_student_id_given", student_id="那个嗯", field_failures=2)
    tracker.latest_message["entities"] = []
    tracker.latest_message["text"] = "那个嗯"
    events = await ValidateServiceForm().run(dispatcher, tracker, domain)
    assert texts(dispatcher)[-1] == "抱歉，我几次都没听清，我请工作人员来帮您。"
    assert SlotSet("escalate", True) in events
    assert events[-1] == SlotSet("requested_slot", None)


async def test_confirmed_bill_is_paid_once(
    platform: None, domain: dict, sandbox: RunningSystem
) -> None:
    slots = {
        "bill_id": [DEMO_BILL.as_slot()],
        "bill_total": "2550.00",
        "education_confirmed": True,
        "requested_slot": None,
    }
    first, again = CollectingDispatcher(), CollectingDispatcher()
    events = await ActionCompleteService().run(
        first, load_tracker("service_student_id_given", **slots), domain
    )
    await ActionCompleteService().run(
        again, load_tracker("service_student_id_given", **slots), domain
    )
    said = texts(first)
    assert said[0] == "缴费单已生成：学费和住宿费，2550.00 元。"
    assert said[1].startswith("缴费码是 ") and texts(again)[1] == said[1]
    assert SlotSet("service", None) in events and SlotSet("bill_id", None) in events
    with sandbox.platform() as client:
        bills = client.get("/v1/education/bills", params={"student_id": DEMO_STUDENT_ID}).json()
    assert [b["status"] for b in bills if b["bill_id"] == "EB202600001"] == ["unpaid"]


def test_the_service_is_found_by_its_intent() -> None:
    assert isinstance(by_intent("pay_education_fee"), EducationFee)
    assert by_code("education_fee") is by_intent("pay_education_fee")


async def test_a_bill_waiting_for_payment_is_told_as_waiting_then_as_paid(
    platform: None, domain: dict, sandbox: RunningSystem
) -> None:
    slots = {
        "bill_id": [DEMO_BILL.as_slot()],
        "bill_total": "2550.00",
        "education_confirmed": True,
        "requested_slot": None,
    }
    first, other = CollectingDispatcher(), CollectingDispatcher()
    await ActionCompleteService().run(
        first, load_tracker("service_student_id_given", **slots), domain
    )
    pay_code = texts(first)[1].removeprefix("缴费码是 ").removesuffix("。")
    # The same bill from another conversation (another Idempotency-Key): not a new order.
    elsewhere = load_tracker("service_student_id_given", **slots)
    elsewhere.sender_id = "a-grandchild-asks-again"
    await ActionCompleteService().run(other, elsewhere, domain)
    said = texts(other)
    assert said[0] == "这笔费用已经生成过缴费码，还没有付款。"
    assert said[1] == f"缴费码还是 {pay_code}，金额 2550.00 元。"
    assert "已经缴过了" not in "".join(said)

    with sandbox.platform() as client:
        refused = client.post("/v1/payments", json={"bill_id": "EB202600001", "payer": "family"})
        pending = refused.json()["error"]["pending_payment"]
        assert pending["pay_code"] == pay_code
        client.post(f"/v1/sandbox/payments/{pending['payment_id']}/complete").raise_for_status()
    # Asked again once paid: the lookup says it is paid, and the service ends.
    dispatcher = CollectingDispatcher()
    events = await ValidateServiceForm().run(
        dispatcher, load_tracker("service_student_id_given"), domain
    )
    assert texts(dispatcher) == ["这笔费用已经缴过了，不用再缴。", "还有别的事要办吗？"]
    assert SlotSet("service_done", True) in events


async def test_one_bill_is_read_back_with_its_items(platform: None) -> None:
    current = turn(
        "",
        bill_id=[DEMO_BILL.as_slot()],
        bill_school="相城区阳澄湖高级中学",
        bill_term="2026年秋季学期",
    )
    await SERVICE.ask("education_confirmed", current)
    assert texts(current.dispatcher) == [
        "查到了：相城区阳澄湖高级中学，2026年秋季学期。",
        "学费和住宿费，一共 2550.00 元。",
        "现在缴费吗？",
    ]


async def test_several_open_bills_are_counted_and_each_said(platform: None) -> None:
    looked_up = turn(DEMO_SEVERAL_BILLS_STUDENT_ID)
    result = await SERVICE.validate("student_id", DEMO_SEVERAL_BILLS_STUDENT_ID, looked_up)
    assert result is not None
    assert open_bills(result["bill_id"]) == SEVERAL and result["bill_total"] == "4927.30"
    current = turn("", **result)
    await SERVICE.ask("education_confirmed", current)
    assert texts(current.dispatcher) == [
        f"查到了：虎丘区通安高级中学，{term_of(days.today())}。",
        "有三笔费用没缴，一共 4927.30 元。",
        "第一笔，学费和住宿费 3050.00 元。第二笔，教材费和作业本费 425.30 元。"
        "第三笔，餐费 1452.00 元。",
        "全部缴，还是只缴其中一笔？",
    ]
    buttons = current.dispatcher.messages[-1]["buttons"]
    assert [b["title"] for b in buttons] == ["全部缴", "只缴第一笔", "先不缴"]


@pytest.mark.parametrize(
    ("text", "chosen"),
    [
        ("全部缴", [0, 1, 2]),
        ("都交了吧", [0, 1, 2]),
        ("三笔都缴", [0, 1, 2]),
        ("只缴第一笔", [0]),
        ("第二笔", [1]),
        ("第3笔", [2]),
        ("只交餐费", [2]),
        ("学费和餐费", [0, 2]),
        ("只缴学费，别的先不缴", [0]),
        ("最后一笔", [2]),
        ("一笔一笔缴", [0]),
        ("先不缴", None),
        ("好的", None),
        ("都不缴", None),
    ],
)
def test_the_bills_an_answer_chooses(text: str, chosen: list[int] | None) -> None:
    picked = choose(text, SEVERAL)
    assert picked == (None if chosen is None else [SEVERAL[i] for i in chosen])


def test_kindergarten_items_are_named_the_way_people_say_them() -> None:
    assert choose("只缴保育费", KINDERGARTEN) == KINDERGARTEN[1:]
    assert choose("校服的", KINDERGARTEN) == KINDERGARTEN[:1]


async def test_a_plain_yes_to_several_bills_asks_which(platform: None) -> None:
    current = turn("对", intent="affirm", bill_id=[b.as_slot() for b in SEVERAL])
    assert await SERVICE.validate("education_confirmed", True, current) == {
        "education_confirmed": None
    }
    assert current.failed and texts(current.dispatcher) == ["请说“全部缴”，或者说缴第几笔。"]
    chosen = turn("只缴餐费", bill_id=[b.as_slot() for b in SEVERAL])
    assert await SERVICE.validate("education_confirmed", "只缴餐费", chosen) == {
        "bill_chosen": ["EB202600034"],
        "education_confirmed": None,
    }


async def test_a_choice_among_several_is_said_back_with_its_total_before_paying(
    platform: None,
) -> None:
    bills = [b.as_slot() for b in SEVERAL]
    chosen = turn("两样都交掉", bill_id=bills[:2])
    outcome = await SERVICE.validate("education_confirmed", "两样都交掉", chosen)
    assert outcome == {"bill_chosen": ["EB202600033", "EB202600035"], "education_confirmed": None}
    asked = turn("", bill_id=bills[:2], **outcome)
    await SERVICE.ask("education_confirmed", asked)
    assert texts(asked.dispatcher) == ["两笔都缴，一共 3475.30 元。", "现在缴费吗？"]
    confirmed = turn("对的", intent="affirm", bill_id=bills[:2], **outcome)
    assert await SERVICE.validate("education_confirmed", True, confirmed) == {
        "education_confirmed": ["EB202600033", "EB202600035"]
    }
    one = turn("", bill_id=bills, bill_chosen=["EB202600034"])
    await SERVICE.ask("education_confirmed", one)
    assert texts(one.dispatcher)[0] == "只缴餐费，1452.00 元。"
    declined = turn("先不缴", intent="deny", bill_id=bills, bill_chosen=["EB202600034"])
    result = await SERVICE.validate("education_confirmed", False, declined)
    assert result is not None and result["education_confirmed"] is False


async def test_without_the_student_number_the_grandparent_is_verified_instead(
    platform: None, sandbox: RunningSystem
) -> None:
    request = turn("我是小孩的爷爷，孙女学费要交，学号我不晓得", intent="pay_education_fee")
    assert SERVICE.heard(request) == {"lookup_by_citizen": True, "relation": "本人"}
    assert SERVICE.needs_identity(request) is False  # the slot is set by the form, not yet here
    answered = turn("学号我也记不清", relation=None)
    result = await SERVICE.validate("student_id", "学号我也记不清", answered)
    assert result == {"student_id": None, "lookup_by_citizen": True, "relation": "本人"}
    assert not answered.failed
    looked_up = turn(
        "",
        lookup_by_citizen=True,
        **await verified(sandbox, DEMO_GRANDPARENT),
    )
    assert SERVICE.needs_identity(looked_up) and SERVICE.steps(looked_up) == ["education_confirmed"]
    found = await SERVICE.prepare(looked_up)
    assert [bill["bill_id"] for bill in found["bill_id"]] == ["EB202600001"]
    assert found["bill_school"] == "相城区阳澄湖高级中学"


async def test_a_student_number_said_in_the_request_is_taken(platform: None) -> None:
    request = turn("帮我孙子交一下学费，学号是七三二，零二九，幺零六八")
    assert SERVICE.heard(request) == {"student_id": DEMO_STUDENT_ID}
    corrected = turn(
        "学号是7320291086，不对不对，是7320291068",
        entities=[{"entity": "student_id", "value": "7320291086"}],
    )
    result = await SERVICE.validate("student_id", "7320291086", corrected)
    assert result is not None and result["student_id"] == DEMO_STUDENT_ID


async def test_paying_all_bills_says_each_pay_code(platform: None, sandbox: RunningSystem) -> None:
    ids = [bill.bill_id for bill in SEVERAL]
    current = turn("全部缴", bill_id=[b.as_slot() for b in SEVERAL], education_confirmed=ids)
    assert await SERVICE.complete(current) == []
    said = texts(current.dispatcher)
    assert said[0] == "好的，三笔分开缴，每笔一个缴费码。"
    codes = []
    for text, bill in zip(said[1:4], SEVERAL, strict=True):
        prefix = f"{bill.what} {bill.amount} 元，缴费码是 "
        assert text.startswith(prefix)
        codes.append(text.removeprefix(prefix).removesuffix("。"))
    assert len(set(codes)) == 3
    assert said[4:] == ["请在支付应用里输入缴费码付款。", "付款后学校会收到，回执在支付应用里。"]
    with sandbox.platform() as client:
        for bill_id, code in zip(ids, codes, strict=True):
            refused = client.post("/v1/payments", json={"bill_id": bill_id, "payer": "family"})
            assert refused.json()["error"]["pending_payment"]["pay_code"] == code


async def test_paying_one_bill_says_what_is_still_open(
    platform: None, sandbox: RunningSystem
) -> None:
    current = turn(
        "只缴校服费",
        bill_id=[b.as_slot() for b in KINDERGARTEN],
        education_confirmed=["EB202600067"],
    )
    await SERVICE.complete(current)
    said = texts(current.dispatcher)
    assert said[0] == "缴费单已生成：校服费，220.00 元。"
    assert said[-2:] == [
        "还有一笔幼儿园保育费和餐费 4500.00 元没缴。",
        "要缴的时候，再跟我说“交学费”。",
    ]
    with sandbox.platform() as client:
        bills = client.get(
            "/v1/education/bills", params={"student_id": DEMO_KINDERGARTEN_STUDENT_ID}
        ).json()
        kept_open = client.post("/v1/payments", json={"bill_id": "EB202600065", "payer": "family"})
    assert {b["bill_id"]: b["status"] for b in bills}["EB202600065"] == "unpaid"
    assert kept_open.status_code == 201, kept_open.text


def test_more_bills_than_can_be_listed_are_said_as_a_count_and_a_total() -> None:
    many = [OpenBill(f"EB9{i}", f"第{i}项费", "100.50") for i in range(4)]
    current = turn("")
    read_back(current, many)
    ask_to_pay(current, many)
    say_still_open(current, many[1:], again="交学费")
    assert texts(current.dispatcher) == [
        "有四笔费用没缴，一共 402.00 元。",
        "全部缴，还是一笔一笔缴？",
        "还有三笔没缴。第1项费 100.50 元。第2项费 100.50 元。第3项费 100.50 元。",
        "要缴的时候，再跟我说“交学费”。",
    ]
    buttons = current.dispatcher.messages[1]["buttons"]
    assert [b["title"] for b in buttons] == ["全部缴", "一笔一笔缴", "先不缴"]
    assert choose("一笔一笔缴", many) == many[:1]
