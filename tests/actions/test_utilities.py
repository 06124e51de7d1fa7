"""水电燃气缴费 (actions/services/utilities.py) against a real sandbox: exact slots and texts."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import FollowupAction, SlotSet

from actions import runtime
from actions.config import ActionConfig
from actions.service_form import ActionAnswerWithoutQuestion, ActionCancelService
from actions.services.utilities import (
    UtilityPayment,
    extract_account_number,
    utility_type_in,
)
from platform_sandbox.seed import (
    DEMO_ARREARS_ACCOUNT,
    DEMO_ARREARS_BILLS,
    DEMO_UTILITIES,
    DEMO_UTILITY_BILLS,
)
from tests import days
from tests.actions.conftest import form_turn, said, text_turns, verified
from tests.conftest import RunningSystem

WATER = "3140831426"
LAST_MONTH = days.months_before(days.today(), 1)[0]
"""The month of the demo citizen's unpaid bills: the month before this one."""
ELECTRICITY = "1566359967"
GAS = "6280814050"
"""The demo household's accounts (DEMO_UTILITIES), each with its October bill unpaid."""
PAID_UP = "1556954371"
"""An electricity account whose bills are all paid."""

SERVICE = UtilityPayment()


def month_words(period: str) -> str:
    """2026-11 → 2026年11月."""
    year, month = period.split("-")
    return f"{year}年{int(month)}月"


def bill(bill_id: str, what: str, amount: str, period: str) -> dict[str, Any]:
    """A bill as the service keeps it in ``utility_bill_id``."""
    month = int(period.split("-")[1])
    return {"bill_id": bill_id, "what": what, "amount": amount, "names": [], "month": month}


WATER_BILL = bill(DEMO_UTILITY_BILLS[0], f"{month_words(LAST_MONTH)}的水费", "122.83", LAST_MONTH)
ELECTRICITY_BILL = bill(
    DEMO_UTILITY_BILLS[1], f"{month_words(LAST_MONTH)}的电费", "255.87", LAST_MONTH
)
ARREARS_MONTHS = days.months_before(days.today(), 3)[::-1]
ARREARS = [
    bill(bill_id, f"{month_words(period)}的水费", amount, period)
    for bill_id, amount, period in zip(
        DEMO_ARREARS_BILLS, ("86.98", "57.37", "62.78"), ARREARS_MONTHS, strict=True
    )
]


turn = text_turns("utility_payment", "utilities-test")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我要交电费", "electricity"),
        ("水费", "water"),
        ("家里的煤气费怎么交", "gas"),
        ("燃气", "gas"),
        ("water", "water"),
        ("水电费", None),
        ("我的电话", None),
        ("交费", None),
    ],
)
def test_utility_type_in(text: str, expected: str | None) -> None:
    assert utility_type_in(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1566359967", "1566359967"),
        ("户号是幺五六六 三五九九 六七", "1566359967"),
        ("156 6359 967", "1566359967"),
        ("幺二三", None),
        ("15663599671", None),
    ],
)
def test_extract_account_number(text: str, expected: str | None) -> None:
    assert extract_account_number(text) == expected


async def test_account_with_an_unpaid_bill_is_read_back(platform: None) -> None:
    current = turn("幺五六六三五九九六七", utility_type="electricity")
    result = await SERVICE.validate("utility_account", "幺五六六三五九九六七", current)
    assert result == {
        "utility_type": "electricity",
        "utility_account": ELECTRICITY,
        "utility_confirmed": None,
        "utility_bill_id": [ELECTRICITY_BILL],
        "utility_amount": "255.87",
        "utility_period": LAST_MONTH,
    }
    assert not current.failed
    confirm = turn("", **result)
    await SERVICE.ask("utility_confirmed", confirm)
    year, month = LAST_MONTH.split("-")
    assert said(confirm) == [
        f"户号尾号 9967，{year}年{int(month)}月的电费 255.87 元。",
        "现在缴费吗？",
    ]
    buttons = confirm.dispatcher.messages[1]["buttons"]
    assert [b["title"] for b in buttons] == ["对，缴费", "先不缴"]


async def test_an_account_of_another_kind_switches_the_bill(platform: None) -> None:
    current = turn(GAS, utility_type="water")
    result = await SERVICE.validate("utility_account", GAS, current)
    assert result is not None
    assert result["utility_type"] == "gas"
    assert [b["bill_id"] for b in result["utility_bill_id"]] == [DEMO_UTILITY_BILLS[2]]
    assert said(current) == ["这个户号是交燃气费的。"]


async def test_unknown_and_malformed_accounts_are_asked_again(platform: None) -> None:
    unknown = turn("1234567890", utility_type="water")
    result = await SERVICE.validate("utility_account", "1234567890", unknown)
    assert result is not None and result["utility_account"] is None
    assert unknown.failed
    assert said(unknown) == ["没有查到户号 1234567890。", "请看一下缴费单，再说一遍户号。"]
    short = turn("幺二三", utility_type="water")
    assert await SERVICE.validate("utility_account", "幺二三", short) == {"utility_account": None}
    assert said(short) == ["户号是10位数字。请一位一位慢慢说。"]


async def test_a_paid_up_account_ends_the_service(platform: None) -> None:
    current = turn(PAID_UP, utility_type="electricity")
    result = await SERVICE.validate("utility_account", PAID_UP, current)
    assert result is not None and result["service_done"] is True
    assert said(current) == ["户号尾号 4371 的电费都缴清了，不用缴。", "还有别的事要办吗？"]


async def test_request_with_type_and_account_is_looked_up_at_once(platform: None) -> None:
    current = turn(
        f"燃气费户号{GAS}",
        intent="pay_utility_bill",
        entities=(
            {"entity": "utility_type", "value": "gas"},
            {"entity": "account_number", "value": GAS},
        ),
    )
    result = await SERVICE.prepare(current)
    assert result["utility_account"] == GAS and result["utility_amount"] == "20.24"
    several = turn(
        "水电燃气缴费",
        intent="pay_utility_bill",
        entities=(
            {"entity": "utility_type", "value": "water"},
            {"entity": "utility_type", "value": "electricity"},
        ),
    )
    assert await SERVICE.prepare(several) == {"utility_type": None}


async def test_wrong_read_back_and_not_now(platform: None) -> None:
    wrong = turn("不对", intent="deny", utility_account=WATER)
    result = await SERVICE.validate("utility_confirmed", False, wrong)
    assert result == {"utility_account": None, "utility_confirmed": None}
    assert said(wrong) == ["好的，我们重新说户号。"]
    corrected = turn(f"不对，是{ELECTRICITY}", intent="deny", utility_account=WATER)
    result = await SERVICE.validate("utility_confirmed", False, corrected)
    assert result is not None and result["utility_account"] == ELECTRICITY
    later = turn("先不缴", intent="deny", utility_account=WATER)
    result = await SERVICE.validate("utility_confirmed", False, later)
    assert result == {"utility_confirmed": False, "service_done": True}
    assert said(later) == ["好的，这次先不缴，没有扣任何钱。"]


async def test_yes_creates_one_payment_even_when_repeated(platform: None) -> None:
    slots: dict[str, Any] = {
        "utility_type": "water",
        "utility_account": WATER,
        "utility_bill_id": [WATER_BILL],
        "utility_amount": "122.83",
        "utility_confirmed": True,
    }
    codes = []
    for _ in range(2):
        current = turn("对", intent="affirm", sender="utilities-pay", **slots)
        assert await SERVICE.complete(current) == []
        texts = said(current)
        assert texts[0] == f"缴费单已生成：{month_words(LAST_MONTH)}的水费，122.83 元。"
        assert texts[2] == "请在30分钟内，在支付应用里输入缴费码付款。"
        assert texts[3] == "付款后自来水公司会收到，回执在支付应用里。"
        codes.append(texts[1])
    assert codes[0] == codes[1] and codes[0].startswith("缴费码是 ")


async def test_a_bill_waiting_for_payment_is_told_as_waiting_with_its_pay_code(
    platform: None, sandbox: RunningSystem
) -> None:
    with sandbox.platform() as client:
        issued = client.post(
            "/v1/payments",
            json={"bill_id": DEMO_UTILITY_BILLS[1], "payer": "self"},
            headers={"Idempotency-Key": "issued-at-the-counter"},
        )
        issued.raise_for_status()
    waiting = issued.json()
    current = turn(
        "对",
        intent="affirm",
        utility_type="electricity",
        utility_account=ELECTRICITY,
        utility_bill_id=[ELECTRICITY_BILL],
        utility_confirmed=True,
    )
    assert await SERVICE.complete(current) == []
    texts = said(current)
    assert texts[0] == "这笔费用已经生成过缴费码，还没有付款。"
    assert texts[1].startswith(f"缴费码还是 {waiting['pay_code']}，金额 ")
    assert texts[2].startswith("请在") and texts[2].endswith("前，在支付应用里输入缴费码付款。")
    assert not any("已经缴过了" in text for text in texts)

    # Once paid, it is said as paid (asked in another conversation: a repeated request of the
    # same conversation gets the platform's first answer again).
    with sandbox.platform() as client:
        done = client.post(f"/v1/sandbox/payments/{waiting['payment_id']}/complete")
        done.raise_for_status()
    again = turn(
        "对",
        intent="affirm",
        sender="utilities-asked-after-paying",
        utility_type="electricity",
        utility_account=ELECTRICITY,
        utility_bill_id=[ELECTRICITY_BILL],
        utility_confirmed=True,
    )
    assert await SERVICE.complete(again) == []
    assert said(again) == ["这笔费用已经缴过了，不用再缴。", "还有别的事要办吗？"]


async def test_platform_down_is_explained_and_nothing_is_charged(sandbox: RunningSystem) -> None:
    env = {**sandbox.settings.child_env(), "BANSHI_PLATFORM_URL": "http://127.0.0.1:9"}
    runtime.start_client(ActionConfig.from_env(env))
    try:
        current = turn(WATER, utility_type="water")
        result = await SERVICE.validate("utility_account", WATER, current)
    finally:
        await runtime.stop_client()
    assert result is not None and result["utility_account"] is None
    assert said(current) == [
        "抱歉，办事平台暂时连不上，没有扣任何钱。",
        "您可以稍后再试，或说“转人工”。",
    ]


async def test_several_kinds_named_ask_which() -> None:
    current = turn(
        "水电燃气缴费",
        intent="pay_utility_bill",
        entities=({"entity": "utility_type", "value": "gas"},),
    )
    assert await SERVICE.prepare(current) == {"utility_type": None}
    await SERVICE.ask("utility_type", current)
    assert said(current) == ["好的，帮您交费。要交水费、电费，还是燃气费？"]


async def test_an_account_with_several_open_months_says_each_and_asks_which(
    platform: None,
) -> None:
    current = turn(DEMO_ARREARS_ACCOUNT, utility_type="water")
    result = await SERVICE.validate("utility_account", DEMO_ARREARS_ACCOUNT, current)
    assert result is not None
    assert result["utility_bill_id"] == ARREARS and result["utility_amount"] == "207.13"
    confirm = turn("", **result)
    await SERVICE.ask("utility_confirmed", confirm)
    first, second, third = (f"{month_words(p)}的水费" for p in ARREARS_MONTHS)
    assert said(confirm) == [
        "户号尾号 2673 有三笔水费没缴，一共 207.13 元。",
        f"第一笔，{first} 86.98 元。第二笔，{second} 57.37 元。第三笔，{third} 62.78 元。",
        "全部缴，还是只缴其中一笔？",
    ]
    buttons = confirm.dispatcher.messages[-1]["buttons"]
    assert [b["title"] for b in buttons] == ["全部缴", "只缴第一笔", "先不缴"]


@pytest.mark.parametrize(
    ("text", "value", "chosen"),
    [
        ("全部缴", True, [0, 1, 2]),
        ("三笔都交了吧", "三笔都交了吧", [0, 1, 2]),
        ("只缴第一笔", "只缴第一笔", [0]),
        ("第三笔", "第三笔", [2]),
        ("只缴{month}月的", "只缴{month}月的", [1]),
    ],
)
async def test_the_months_chosen_among_several(
    platform: None, text: str, value: Any, chosen: list[int]
) -> None:
    month = str(int(ARREARS_MONTHS[1].split("-")[1]))
    text, value = (
        text.format(month=month),
        value.format(month=month) if value is not True else value,
    )
    slots = {"utility_type": "water", "utility_account": DEMO_ARREARS_ACCOUNT}
    current = turn(text, utility_bill_id=ARREARS, **slots)
    result = await SERVICE.validate("utility_confirmed", value, current)
    ids = [DEMO_ARREARS_BILLS[i] for i in chosen]
    assert result == {"bill_chosen": ids, "utility_confirmed": None}
    assert not current.failed
    # Said back with the total, then paid on "对".
    asked = turn("", utility_bill_id=ARREARS, bill_chosen=ids, **slots)
    await SERVICE.ask("utility_confirmed", asked)
    assert said(asked)[-1] == "现在缴费吗？"
    yes = turn("对", intent="affirm", utility_bill_id=ARREARS, bill_chosen=ids, **slots)
    assert await SERVICE.validate("utility_confirmed", True, yes) == {"utility_confirmed": ids}


async def test_a_plain_yes_to_several_months_is_asked_which(platform: None) -> None:
    current = turn("好的", intent="affirm", utility_bill_id=ARREARS)
    result = await SERVICE.validate("utility_confirmed", True, current)
    assert result == {"utility_confirmed": None}
    assert current.failed and said(current) == ["请说“全部缴”，或者说缴第几笔。"]


async def test_paying_all_months_gives_one_pay_code_each(platform: None) -> None:
    current = turn(
        "全部缴",
        utility_type="water",
        utility_account=DEMO_ARREARS_ACCOUNT,
        utility_bill_id=ARREARS,
        utility_confirmed=list(DEMO_ARREARS_BILLS),
    )
    assert await SERVICE.complete(current) == []
    texts = said(current)
    assert texts[0] == "好的，三笔分开缴，每笔一个缴费码。"
    codes = []
    for text, open_bill in zip(texts[1:4], ARREARS, strict=True):
        prefix = f"{open_bill['what']} {open_bill['amount']} 元，缴费码是 "
        assert text.startswith(prefix)
        codes.append(text.removeprefix(prefix))
    assert len(set(codes)) == 3
    assert texts[4:] == [
        "请在30分钟内，在支付应用里输入缴费码付款。",
        "付款后自来水公司会收到，回执在支付应用里。",
    ]


async def test_paying_one_month_says_the_months_still_open(
    platform: None, sandbox: RunningSystem
) -> None:
    current = turn(
        "只缴第一笔",
        utility_type="water",
        utility_account=DEMO_ARREARS_ACCOUNT,
        utility_bill_id=ARREARS,
        utility_confirmed=[DEMO_ARREARS_BILLS[0]],
    )
    await SERVICE.complete(current)
    texts = said(current)
    assert texts[0] == f"缴费单已生成：{ARREARS[0]['what']}，86.98 元。"
    assert texts[-2:] == [
        f"还有两笔没缴。{ARREARS[1]['what']} 57.37 元。{ARREARS[2]['what']} 62.78 元。",
        "要缴的时候，再跟我说“交水费”。",
    ]
    with sandbox.platform() as client:
        for bill_id, waiting in zip(DEMO_ARREARS_BILLS, (True, False, False), strict=True):
            answer = client.post("/v1/payments", json={"bill_id": bill_id, "payer": "self"})
            assert (answer.status_code == 409) is waiting, answer.text


async def test_without_the_account_number_all_the_households_bills_are_found(
    platform: None, sandbox: RunningSystem
) -> None:
    request = turn("我屋里水电煤气都要交，户号我记不住的", intent="pay_utility_bill")
    assert SERVICE.heard(request) == {"lookup_by_citizen": True, "relation": "本人"}
    assert said(request) == ["没关系，核对您的身份后，我帮您查家里要缴的费用。"]
    assert SERVICE.heard(turn(f"户号是{GAS}，忘了交没交")) == {}
    known = turn("", lookup_by_citizen=True, **await verified(sandbox, DEMO_UTILITIES))
    assert SERVICE.needs_identity(known) and SERVICE.steps(known) == ["utility_confirmed"]
    found = await SERVICE.prepare(known)
    amounts = [b["amount"] for b in found["utility_bill_id"]]
    assert amounts == ["122.83", "255.87", "20.24"] and found["utility_amount"] == "398.94"
    asked = turn("", lookup_by_citizen=True, **found)
    await SERVICE.ask("utility_confirmed", asked)
    assert said(asked)[0] == "有三笔费用没缴，一共 398.94 元。"


async def test_a_weak_goodbye_that_answers_the_question_goes_on_with_the_service(
    platform: None,
) -> None:
    events = [{"event": "slot", "name": "requested_slot", "value": "utility_confirmed"}]
    slots = {"service": "utility_payment", "utility_bill_id": [WATER_BILL]}
    weak = form_turn(slots, text="那就交了吧", intent="goodbye", confidence=0.41, events=events)
    answered = await ActionCancelService().run(weak.dispatcher, weak.tracker, {})
    assert SlotSet("utility_confirmed", True) in answered
    assert answered[-1] == FollowupAction("service_form")
    strong = form_turn(slots, text="不办了", intent="cancel", confidence=0.98, events=events)
    cancelled = await ActionCancelService().run(strong.dispatcher, strong.tracker, {})
    assert SlotSet("service", None) in cancelled
    assert said(strong) == ["好的，不办了，什么都没有提交。有事随时找我。"]


async def test_an_answer_outside_any_question_starts_the_service_it_names(
    platform: None,
) -> None:
    answer = form_turn(
        {},
        text=f"那我交燃气费，户号{GAS}",
        entities=[
            {"entity": "utility_type", "value": "gas"},
            {"entity": "account_number", "value": GAS},
        ],
    )
    events = await ActionAnswerWithoutQuestion().run(answer.dispatcher, answer.tracker, {})
    assert SlotSet("service", "utility_payment") in events
    assert SlotSet("utility_account", GAS) in events
    assert events[-1] == FollowupAction("service_form")
    nothing = form_turn({}, text="嗯嗯")
    assert await ActionAnswerWithoutQuestion().run(nothing.dispatcher, nothing.tracker, {}) == []
    assert nothing.dispatcher.messages[0]["response"] == "utter_how_can_i_help"
