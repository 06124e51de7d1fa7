"""A relative's binding in WeChat, against a real sandbox process: bind with the parent's SMS
code, act for the parent under it (recorded with both identities), list, revoke, expiry,
scopes, two relatives for one parent and one relative for two parents."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from actions import bindings, identity
from actions.service_form import ValidateServiceForm, start_service
from actions.services import by_code
from actions.services.base import Service, Turn
from actions.services.binding import DEFAULT_SCOPES, NOT_HERE, FamilyBinding
from banshi.runner import ProcessGroup, process_specs
from platform_sandbox.seed import DEMO_ALLOWANCE_ELIGIBLE, DEMO_UTILITIES, DemoCitizen
from tests.actions import conftest
from tests.actions.conftest import form_turn
from tests.conftest import RunningSystem, system_settings
from tests.stories.play import response_rule_problem

SON = "a1" * 32
"""A relative's WeChat identity as the gateway gives it: the hash of their OpenID."""
DAUGHTER = "b2" * 32
WATER = "3140831426"
"""The water account of DEMO_UTILITIES (the father here), with last month's bill unpaid."""
BINDING = FamilyBinding()
UTILITIES = by_code("utility_payment")
ALLOWANCE = by_code("elderly_allowance")
FATHER = "父亲"
MOTHER = "母亲"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """The platform sandbox as a real process; a code may follow another to the same phone at
    once (two relatives bind one parent within a minute here)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BANSHI_SANDBOX_SMS_RESEND_INTERVAL_S", "0")
        settings = system_settings(tmp_path_factory.mktemp("binding")).with_secrets()
        specs = [s for s in process_specs(settings, Path("unused")) if s.name == "sandbox"]
        with ProcessGroup(settings, specs, log_dir=settings.var_dir / "logs", echo=False) as group:
            yield RunningSystem(settings, group)


def said(turn: Turn) -> list[str]:
    """What the actions said in ``turn``, each message held to the response rules (short
    sentences, one question, at most three buttons)."""
    for message in turn.dispatcher.messages:
        problem = response_rule_problem({"text": message.get("text") or "", **message})
        assert problem is None, problem
    return conftest.said(turn)


def wechat(
    text: str,
    *,
    agent: str | None = SON,
    channel: str = "wechat",
    intent: str = "inform",
    service: str = "family_binding",
    entities: tuple[dict[str, Any], ...] = (),
    events: tuple[dict[str, Any], ...] = (),
    **slots: Any,
) -> Turn:
    """A turn in which the relative just said ``text`` on ``channel``, with the metadata the
    gateway sets for WeChat turns."""
    turn = form_turn(
        slots,
        text=text,
        intent=intent,
        confidence=0.95,
        entities=entities,
        events=events,
        sender=f"binding-{(agent or 'none')[:8]}",
        service=service,
    )
    metadata: dict[str, Any] = {"channel": channel}
    if agent is not None:
        metadata[bindings.OPENID_HASH_KEY] = agent
    turn.tracker.latest_message["metadata"] = metadata
    return turn


def sms(sandbox: RunningSystem, phone: str) -> httpx.Response:
    """The last SMS the sandbox "sent" to ``phone``."""
    with sandbox.platform() as client:
        return client.get("/v1/sandbox/sms", params={"phone": phone})


class Binding:
    """The binding conversation of one relative, answered question by question."""

    def __init__(self, agent: str = SON, relation: str = FATHER) -> None:
        self.agent = agent
        self.slots: dict[str, Any] = {"relation": relation}
        self.said: list[str] = []

    async def answer(self, slot: str, text: str, value: Any = None) -> Turn:
        turn = wechat(text, agent=self.agent, **self.slots)
        result = await BINDING.validate(slot, text if value is None else value, turn)
        assert result is not None
        self.slots.update(result)
        self.said += said(turn)
        return turn

    async def asked(self, slot: str) -> list[str]:
        """What the bot asks for ``slot`` now."""
        turn = wechat("", agent=self.agent, **self.slots)
        await BINDING.ask(slot, turn)
        return said(turn)

    async def up_to_the_code(self, parent: DemoCitizen, terms: str = "1") -> None:
        await self.answer("binding_terms", terms)
        await self.answer("person_name", parent.name)
        await self.answer("id_number", parent.id_number)
        await self.answer("id_number_confirmed", "对", True)
        await self.answer("phone_number", parent.phone)
        await self.answer("phone_number_confirmed", "对", True)

    async def bind(self, sandbox: RunningSystem, parent: DemoCitizen, terms: str = "1") -> None:
        await self.up_to_the_code(parent, terms)
        await self.answer("sms_code", sms(sandbox, parent.phone).json()["code"])
        assert self.slots["service_done"] is True and self.slots["sms_code"] is None


def held(sandbox: RunningSystem, agent: str = SON) -> list[dict[str, Any]]:
    """The agent's authorizations as the platform lists them to banshi."""
    with sandbox.platform() as client:
        answer = client.get(
            "/v1/agent-authorizations", params={"agent_kind": "family", "agent_id": agent}
        )
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def calls_seen_by(sandbox: RunningSystem, parent: DemoCitizen) -> list[dict[str, Any]]:
    """Every call made for ``parent`` through their authorizations, as the parent sees them."""
    with sandbox.platform() as client:
        card = client.post(
            "/v1/identity/card-reads",
            json={"card_payload": {"id_number": parent.id_number, "name": parent.name}},
        )
        token = {"X-Citizen-Token": card.json()["citizen_token"]}
        listed = client.get("/v1/proxy-authorizations", headers=token).json()
    return [call for authorization in listed for call in authorization["calls"]]


def for_relative(text: str, relation_word: str, relation: str) -> tuple[dict[str, Any], ...]:
    """The relation entity of ``text`` ("给我爸交水费": 我爸 → 父亲) as the NLU gives it."""
    start = text.index(relation_word)
    return (
        {
            "entity": "relation",
            "value": relation,
            "start": start,
            "end": start + len(relation_word),
        },
    )


async def started(
    text: str, relation_word: str, relation: str, service: Service, **kw: Any
) -> Turn:
    """``service`` started by ``text`` ("给我爸交水费") on WeChat."""
    assert service is not None
    turn = wechat(
        text,
        intent=service.intent,
        service=service.code,
        entities=for_relative(text, relation_word, relation),
        **kw,
    )
    await start_service(turn, service)
    return turn


def expire(sandbox: RunningSystem, authorization_id: str) -> None:
    """Let an authorization run out (as the calendar would)."""
    path = sandbox.settings.sandbox_database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path, timeout=10) as database:
        database.execute(
            "UPDATE proxy_authorizations SET expires_at = '2000-01-01 00:00:00.000000' "
            "WHERE authorization_id = ?",
            (authorization_id,),
        )


async def test_bound_then_paid_for_listed_and_revoked(
    platform: None, sandbox: RunningSystem
) -> None:
    assert UTILITIES is not None
    son = Binding()
    await son.up_to_the_code(DEMO_UTILITIES)
    # The code goes to the parent's phone, and the SMS and the bot both say what it is for.
    text = sms(sandbox, DEMO_UTILITIES.phone).json()["text"]
    assert "您的家人正在申请在微信上代您办理" in text and "同意才把验证码告诉他" in text
    prompt = await son.asked("sms_code")
    assert prompt[0] == "验证码已发到您父亲的手机 158****8322。"
    assert "您的家人正在申请在微信上代您办理" in prompt[1]
    assert "别的任何时候，验证码都不要告诉别人" in prompt[2]
    await son.answer("sms_code", sms(sandbox, DEMO_UTILITIES.phone).json()["code"])
    assert son.slots["service_done"] is True
    assert any(s.startswith(f"绑定好了！{DEMO_UTILITIES.name}同意您代办") for s in son.said)
    [binding] = held(sandbox)
    assert binding["scopes"] == list(DEFAULT_SCOPES) and binding["status"] == "active"
    assert binding["citizen_name_masked"] == "黎*庆"

    # A later conversation: "给我爸交水费" runs under the binding.
    turn = await started("给我爸交水费", "我爸", FATHER, UTILITIES)
    assert said(turn) == ["好的，为您父亲黎*庆办理交水电燃气费。"]
    assert turn.slot("proxy_authorization_id") == binding["authorization_id"]
    assert identity.identity_steps(turn, UTILITIES) == []
    account = wechat(WATER, **{**turn.updates, "service": "utility_payment"})
    result = await UTILITIES.validate("utility_account", WATER, account)
    assert result is not None and result["utility_account"] == WATER
    paying = wechat("对", **{**turn.updates, **result, "service": "utility_payment"})
    paying.updates["utility_confirmed"] = True
    await UTILITIES.complete(paying)
    assert any("缴费码是" in s for s in said(paying)), said(paying)
    calls = calls_seen_by(sandbox, DEMO_UTILITIES)
    assert [(c["agent_kind"], c["agent_id"], c["method"], c["path"]) for c in calls] == [
        ("family", SON, "GET", "/v1/utilities/bills"),
        ("family", SON, "POST", "/v1/payments"),
    ]

    # "我绑定了谁"
    listing = wechat("我绑定了谁", intent="list_bindings", service="family_binding_list")
    await by_code("family_binding_list").complete(listing)  # type: ignore[union-attr]
    assert said(listing)[0] == "您绑定了1位老人："
    assert said(listing)[1].startswith("黎*庆：授权到")
    assert "可以代办交学费、交水电燃气费" in said(listing)[1]

    # "解除绑定": one binding, so only the confirmation is asked; then it no longer works.
    unbinding = by_code("family_unbinding")
    assert unbinding is not None
    unbind = wechat("解除绑定", intent="unbind_family", service="family_unbinding")
    await start_service(unbind, unbinding)
    assert unbind.slot("binding_name") == "黎*庆"
    confirm = wechat("确定解除", **{**unbind.updates, "service": "family_unbinding"})
    confirm.updates.update(await unbinding.validate("unbind_confirmed", True, confirm) or {})
    await unbinding.complete(confirm)
    assert said(confirm)[0] == "已经解除了。以后不能再为黎*庆代办了。"
    assert held(sandbox)[0]["status"] == "revoked"
    again = await started("给我爸交水费", "我爸", FATHER, UTILITIES)
    assert again.slot("service_done") is True and not again.slot("proxy_authorization_id")
    assert said(again)[0] == "您和黎*庆的代办绑定已经解除了，不能再代办。"


async def test_a_wrong_code_binds_nothing_and_the_code_leaves_the_tracker(
    platform: None, sandbox: RunningSystem
) -> None:
    son = Binding()
    await son.up_to_the_code(DEMO_UTILITIES)
    real = sms(sandbox, DEMO_UTILITIES.phone).json()["code"]
    wrong = f"{(int(real) + 1) % 1_000_000:06d}"
    turn = await son.answer("sms_code", wrong)
    assert turn.failed and son.slots["sms_code"] is None
    assert said(turn) == ["验证码不对。", "还可以再试4次，请慢慢念给我。"]
    assert not son.slots.get("service_done")
    assert held(sandbox) == []
    await son.answer("sms_code", real)
    assert [b["status"] for b in held(sandbox)] == ["active"]


async def test_a_phone_that_is_not_the_parents_gets_no_code(
    platform: None, sandbox: RunningSystem
) -> None:
    son = Binding()
    await son.answer("binding_terms", "1")
    await son.answer("person_name", DEMO_UTILITIES.name)
    await son.answer("id_number", DEMO_UTILITIES.id_number)
    await son.answer("id_number_confirmed", "对", True)
    stranger = "13900001234"
    await son.answer("phone_number", stranger)
    turn = await son.answer("phone_number_confirmed", "对", True)
    assert said(turn)[0] == "这个手机号不是平台给您父亲登记的手机号，没有发验证码。"
    assert son.slots["phone_number"] is None
    assert sms(sandbox, stranger).status_code == 404


async def test_terms_as_people_say_them(platform: None) -> None:
    son = Binding()
    turn = await son.answer("binding_terms", "只交水电费，一年")
    assert son.slots["binding_scopes"] == ["utility_payment"]
    assert son.slots["binding_days"] == 365
    assert said(turn) == ["好的，授权365天。可以代办：交水电燃气费。"]
    await son.answer("binding_terms", "高龄津贴和老年卡，三个月")
    assert son.slots["binding_scopes"] == ["elderly_allowance", "senior_card"]
    assert son.slots["binding_days"] == 90
    too_long = await son.answer("binding_terms", "两年")
    assert too_long.failed and son.slots["binding_terms"] is None
    in_person = await son.answer("binding_terms", "帮她出示身份证")
    assert in_person.failed and said(in_person)[0] == "出示证件要老人本人来，不能代办。"


async def test_outside_the_scopes_or_after_expiry_is_refused_plainly(
    platform: None, sandbox: RunningSystem
) -> None:
    assert UTILITIES is not None and ALLOWANCE is not None
    son = Binding(relation=MOTHER)
    await son.bind(sandbox, DEMO_ALLOWANCE_ELIGIBLE, terms="只交水电费，一年")
    refused = await started("帮我妈申请高龄津贴", "我妈", MOTHER, ALLOWANCE)
    assert refused.slot("service_done") is True
    assert said(refused) == [
        "您绑定的陈*琴没有授权您代办申请高龄津贴。",
        "要办这件事，可以说“绑定老人”重新授权，或者请老人本人来办。",
    ]
    expire(sandbox, held(sandbox)[0]["authorization_id"])
    expired = await started("给我妈交水费", "我妈", MOTHER, UTILITIES)
    assert expired.slot("service_done") is True
    assert said(expired)[0].startswith("您和陈*琴的代办绑定在2000年1月1日到期了")


async def test_the_allowance_applied_for_under_a_binding(
    platform: None, sandbox: RunningSystem
) -> None:
    assert ALLOWANCE is not None
    son = Binding(relation=MOTHER)
    await son.bind(sandbox, DEMO_ALLOWANCE_ELIGIBLE)
    turn = await started("帮我妈申请高龄津贴", "我妈", MOTHER, ALLOWANCE)
    assert said(turn) == ["好的，为您母亲陈*琴办理申请高龄津贴。"]
    assert identity.identity_steps(turn, ALLOWANCE) == []  # no verification, no consent
    assert turn.slot("binding_age") == 86 and not turn.slot("service_done")
    submitting = wechat("同意", **{**turn.updates, "service": "elderly_allowance"})
    events = await ALLOWANCE.submit(submitting, {}, commitment=True, key=("test",))  # type: ignore[attr-defined]
    assert [event["name"] for event in events] == ["last_receipt"]
    assert said(submitting)[0] == "高龄津贴申请提交好了。"
    calls = calls_seen_by(sandbox, DEMO_ALLOWANCE_ELIGIBLE)
    assert (calls[-1]["agent_id"], calls[-1]["method"], calls[-1]["path"]) == (
        SON,
        "POST",
        "/v1/applications",
    )
    assert {c["agent_id"] for c in calls} == {SON}


async def test_two_relatives_for_one_parent_each_hold_their_own(
    platform: None, sandbox: RunningSystem
) -> None:
    assert UTILITIES is not None
    son, daughter = Binding(SON), Binding(DAUGHTER)
    await son.bind(sandbox, DEMO_UTILITIES)
    await daughter.bind(sandbox, DEMO_UTILITIES)
    [sons], [daughters] = held(sandbox, SON), held(sandbox, DAUGHTER)
    assert sons["authorization_id"] != daughters["authorization_id"]
    # The son gives his up; the daughter's still works.
    unbinding = by_code("family_unbinding")
    assert unbinding is not None
    unbind = wechat("解除绑定", intent="unbind_family", service="family_unbinding")
    await start_service(unbind, unbinding)
    await unbinding.complete(unbind)
    assert held(sandbox, SON)[0]["status"] == "revoked"
    assert held(sandbox, DAUGHTER)[0]["status"] == "active"
    turn = await started("给我爸交水费", "我爸", FATHER, UTILITIES, agent=DAUGHTER)
    assert turn.slot("proxy_authorization_id") == daughters["authorization_id"]


async def test_one_relative_for_two_parents_is_asked_whose_errand(
    platform: None, sandbox: RunningSystem
) -> None:
    assert UTILITIES is not None
    await Binding(relation=FATHER).bind(sandbox, DEMO_UTILITIES)
    await Binding(relation=MOTHER).bind(sandbox, DEMO_ALLOWANCE_ELIGIBLE)
    turn = await started("给我爸交水费", "我爸", FATHER, UTILITIES)
    assert not turn.slot("proxy_authorization_id")
    assert identity.identity_steps(turn, UTILITIES) == [bindings.BINDING_CHOICE]
    asking = wechat("", **{**turn.updates, "service": "utility_payment"})
    await identity.ask(bindings.BINDING_CHOICE, asking, UTILITIES)
    [question] = asking.dispatcher.messages
    assert question["text"].startswith("您绑定了2位老人，这次为谁交水电燃气费？")
    assert [b["title"] for b in question["buttons"]] == ["陈*琴", "黎*庆"]  # newest first
    unclear = wechat("都行", **{**turn.updates, "service": "utility_payment"})
    result = await identity.validate(bindings.BINDING_CHOICE, "都行", unclear, UTILITIES)
    assert unclear.failed and result == {bindings.BINDING_CHOICE: None}
    answer = wechat("2", **{**turn.updates, "service": "utility_payment"})
    result = await identity.validate(bindings.BINDING_CHOICE, "2", answer, UTILITIES)
    assert result is not None and result["binding_name"] == "黎*庆"
    assert said(answer) == ["好的，为您父亲黎*庆办理交水电燃气费。"]
    by_name = wechat("黎国庆", **{**turn.updates, "service": "utility_payment"})
    result = await identity.validate(bindings.BINDING_CHOICE, "黎国庆", by_name, UTILITIES)
    assert result is not None and result["binding_name"] == "黎*庆"


async def test_off_wechat_there_is_no_binding(platform: None, sandbox: RunningSystem) -> None:
    assert UTILITIES is not None
    await Binding().bind(sandbox, DEMO_UTILITIES)
    # The web chat: binding is done in WeChat, and a service for a parent takes the one-off
    # family path, even with the hash in the metadata (the gateway never passes it there).
    web = wechat("绑定老人", channel="webchat", intent="bind_family")
    await start_service(web, BINDING)
    assert said(web) == list(NOT_HERE) and web.slot("service_done") is True
    spoofed = await started("给我爸交水费", "我爸", FATHER, UTILITIES, channel="webchat")
    assert said(spoofed) == [] and not spoofed.slot("proxy_authorization_id")
    malformed = await started("给我爸交水费", "我爸", FATHER, UTILITIES, agent="not-a-hash")
    assert not malformed.slot("proxy_authorization_id")
    # On WeChat, someone who never bound anyone keeps the one-off path too.
    never = await started("给我爸交水费", "我爸", FATHER, UTILITIES, agent=DAUGHTER)
    assert said(never) == [] and not never.slot("service_done")


async def test_the_form_asks_the_binding_questions_in_order(platform: None) -> None:
    form = ValidateServiceForm()
    son = Binding()
    turn = wechat("绑定老人", intent="bind_family", **son.slots)
    await start_service(turn, BINDING)
    assert not turn.slot("service_done")
    required = await form.required_slots([], turn.dispatcher, turn.tracker, {})
    assert required == list(BINDING.asked)
    # The binding's own checks, not identity's: a name does not send a code.
    named = wechat(
        "黎国庆",
        events=({"event": "slot", "name": "person_name", "value": "黎国庆"},),
        requested_slot="person_name",
        person_name="黎国庆",
        binding_terms=True,
    )
    events = await form.get_validation_events(named.dispatcher, named.tracker, {})
    assert {"event": "slot", "name": "person_name", "value": "黎国庆"} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]
    assert all(e.get("name") != "verification_id" for e in events)
