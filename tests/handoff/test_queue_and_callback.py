"""The queue and the call-back, in a gateway app in this process (tiny timeouts, clock by hand):
priority order, position and estimated wait, working hours, nobody on duty, the claim timeout,
taking and confirming a phone number, cancelling, and the one mode check."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from handoff.hours import WorkingHours
from tests.handoff.conftest import GatewayFactory


async def test_queue_order_is_age_then_fraud_then_waiting_time(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway() as gateway:
        member = await gateway.staff(district="排序区")
        first = await gateway.conversation()
        fraud = await gateway.conversation()
        elderly = await gateway.conversation()
        last = await gateway.conversation()
        citizen = {"district": "排序区"}
        ids = {}
        for name, conversation, extra in (
            ("first", first, {"citizen": {**citizen, "age": 70}}),
            ("fraud", fraud, {"citizen": {**citizen, "age": 66}, "reason": "fraud_risk"}),
            ("elderly", elderly, {"citizen": {**citizen, "age": 86}}),
            ("last", last, {"citizen": citizen}),
        ):
            response = await gateway.request(conversation, **extra)
            assert response.status_code == 201, response.text
            ids[name] = response.json()["handoff_id"]
        listed = await gateway.http.get("/api/handoffs?status=waiting", headers=member["headers"])
        order = [h["id"] for h in listed.json()["handoffs"]]
        assert order == [ids["elderly"], ids["fraud"], ids["first"], ids["last"]]
        assert [h["position"] for h in listed.json()["handoffs"]] == [1, 2, 3, 4]
        fraud_item = listed.json()["handoffs"][1]
        assert fraud_item["priority"] == "high" and fraud_item["reason_zh"] == "疑似诈骗风险"


async def test_position_and_estimated_wait_are_told(make_gateway: GatewayFactory) -> None:
    async with make_gateway(default_handle_s=240.0) as gateway:
        await gateway.staff(district="估计区")
        for expected_position, expected_minutes in ((1, 2), (2, 6)):
            conversation = await gateway.conversation()
            response = await gateway.request(conversation, citizen={"district": "估计区"})
            body = response.json()
            assert body["position"] == expected_position
            # One person on duty, four minutes each: half a round, then one more round.
            assert body["estimated_wait_s"] == (expected_position - 0.5) * 240
            assert body["callback_offered"] is False
            assert f"大约{expected_minutes}分钟" in body["notice"]["text"]
            if expected_position == 2:
                assert "您前面还有1位" in body["notice"]["text"]


async def test_a_second_request_returns_the_open_handoff(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as gateway:
        await gateway.staff(district="重复区")
        conversation = await gateway.conversation()
        first, second = await asyncio.gather(
            gateway.request(conversation, citizen={"district": "重复区"}),
            gateway.request(conversation, citizen={"district": "重复区"}),
        )
        assert sorted([first.status_code, second.status_code]) == [200, 201]
        assert first.json()["handoff_id"] == second.json()["handoff_id"]


async def test_nobody_on_duty_offers_a_callback_and_takes_the_number(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway() as gateway:
        member = await gateway.staff(district="别的区")
        conversation = await gateway.conversation()
        response = await gateway.request(
            conversation, citizen={"district": "无人区"}, announce=True
        )
        body = response.json()
        assert body["callback_offered"] is True
        assert "暂时没有工作人员在线" in body["notice"]["text"]
        assert [b["title"] for b in body["notice"]["buttons"]] == ["要回电", "继续等"]
        offer = (await gateway.seen(conversation))[-1]
        assert offer["from"] == "system" and "给您回电吗" in offer["text"]

        asked = await gateway.say(conversation, "回电")
        assert asked["mode"] == "waiting"
        assert "手机号码" in asked["messages"][0]["text"]
        confirm = await gateway.say(conversation, "幺三九 幺二三四 五六七八")
        assert confirm["messages"][0]["text"] == "您的电话是 139 1234 5678，对吗？"
        # Read back in groups, one digit at a time, 1 as 幺 (ACCESSIBILITY.md V10).
        assert "幺三九，幺二三四，五六七八" in confirm["messages"][0]["speech"]
        again = await gateway.say(conversation, "不对")
        assert "再说一遍手机号码" in again["messages"][0]["text"]
        await gateway.say(conversation, "13812345678")
        done = await gateway.say(conversation, "对")
        assert done["mode"] == "bot"
        assert "138****5678" in done["messages"][0]["text"]
        assert "13812345678" not in done["messages"][0]["text"]

        # The task is in the console: masked in the list, in full after an audited reveal.
        supervisor = await gateway.staff(role="supervisor", district="无人区")
        tasks = await gateway.http.get("/api/callbacks", headers=supervisor["headers"])
        task = next(t for t in tasks.json()["callbacks"] if t["conversation_id"] == conversation)
        assert task["phone"] == "138****5678" and task["district"] == "无人区"
        other = await gateway.http.get("/api/callbacks", headers=member["headers"])
        assert all(t["conversation_id"] != conversation for t in other.json()["callbacks"])
        shown = await gateway.http.post(
            f"/api/callbacks/{task['id']}/reveal",
            json={"why": "回电"},
            headers=supervisor["headers"],
        )
        assert shown.json()["callback"]["phone"] == "13812345678"
        finished = await gateway.http.post(
            f"/api/callbacks/{task['id']}/done",
            json={"outcome": "reached"},
            headers=supervisor["headers"],
        )
        assert finished.json()["callback"]["status"] == "done"
        twice = await gateway.http.post(
            f"/api/callbacks/{task['id']}/done", json={}, headers=supervisor["headers"]
        )
        assert twice.status_code == 409
        audit = await gateway.runtime.audit.entries(
            target_kind="callback", target_id=str(task["id"])
        )
        assert [e.action for e in reversed(audit)] == [
            "callback.create",
            "callback.reveal",
            "callback.done",
        ]


async def test_claim_timeout_offers_a_callback_and_keep_waiting_works(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway(claim_timeout_s=0.3) as gateway:
        await gateway.staff(district="超时区")
        conversation = await gateway.conversation()
        response = await gateway.request(conversation, citizen={"district": "超时区"})
        assert response.json()["callback_offered"] is False
        await gateway.runtime.service.tick()
        assert not any(m.get("buttons") for m in await gateway.seen(conversation))
        await asyncio.sleep(0.4)
        await gateway.runtime.service.tick()
        offer = (await gateway.seen(conversation))[-1]
        assert "工作人员现在都在忙" in offer["text"] and "给您回电吗" in offer["text"]
        kept = await gateway.say(conversation, "继续等")
        assert kept["mode"] == "waiting"
        assert "请继续等待" in kept["messages"][0]["text"]
        assert "排第1位" in kept["messages"][0]["text"]


async def test_outside_working_hours_the_offer_names_the_next_opening(
    make_gateway: GatewayFactory,
) -> None:
    tomorrow = (datetime.now(timezone(timedelta(hours=8))) + timedelta(days=1)).isoweekday()
    async with make_gateway(working_hours=f"{tomorrow} 09:00-11:00") as gateway:
        conversation = await gateway.conversation()
        body = (await gateway.request(conversation)).json()
        assert body["callback_offered"] is True
        assert "现在是下班时间" in body["notice"]["text"]
        assert "明天9:00以后给您回电" in body["notice"]["text"]


async def test_citizen_can_stop_waiting(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as gateway:
        member = await gateway.staff(district="取消区")
        conversation = await gateway.conversation()
        handoff_id = (await gateway.request(conversation, citizen={"district": "取消区"})).json()[
            "handoff_id"
        ]
        while_waiting = await gateway.say(conversation, "我要交学费")
        assert while_waiting["mode"] == "waiting"
        assert "工作人员接入后会看到您说的话" in while_waiting["messages"][0]["text"]
        stopped = await gateway.say(conversation, "不等了")
        assert stopped["mode"] == "bot" and "已取消转人工" in stopped["messages"][0]["text"]
        claim = await gateway.http.post(
            f"/api/handoffs/{handoff_id}/claim", headers=member["headers"]
        )
        assert claim.status_code == 409


async def test_bot_never_answers_while_with_staff(make_gateway: GatewayFactory) -> None:
    """The one mode check: waiting and human turns never go to Rasa (here Rasa is down, so a
    turn that reached it would fail with 503)."""
    async with make_gateway() as gateway:
        member = await gateway.staff(district="模式区")
        conversation = await gateway.conversation()
        handoff_id = (await gateway.request(conversation, citizen={"district": "模式区"})).json()[
            "handoff_id"
        ]
        assert (await gateway.say(conversation, "有人吗"))["mode"] == "waiting"
        await gateway.http.post(f"/api/handoffs/{handoff_id}/claim", headers=member["headers"])
        answer = await gateway.say(conversation, "我想问养老金")
        assert answer == {
            "conversation_id": conversation,
            "mode": "human",
            "messages": [],
            "settings": {},
        }
        assert all(m["from"] != "bot" for m in await gateway.seen(conversation))


def test_working_hours_rules() -> None:
    hours = WorkingHours("1-5 08:30-12:00,13:30-17:30; 6 09:00-12:00", "Asia/Shanghai")
    friday_evening = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)  # 18:00 in Shanghai
    assert not hours.is_open(friday_evening)
    assert hours.next_open(friday_evening).isoformat() == "2026-11-28T09:00:00+08:00"
    assert hours.is_open(datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc))  # 09:00 Friday
    assert not hours.is_open(datetime(2026, 11, 27, 4, 30, tzinfo=timezone.utc))  # lunch
    assert hours.describe() == "周一至周五 8:30-12:00、13:30-17:30；周六 9:00-12:00"


async def test_waiting_citizens_hear_when_their_place_changes(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as gateway:
        member = await gateway.staff(district="前移区")
        first, second = await gateway.conversation(), await gateway.conversation()
        first_id = (await gateway.request(first, citizen={"district": "前移区"})).json()[
            "handoff_id"
        ]
        told = (await gateway.request(second, citizen={"district": "前移区"})).json()
        assert "您前面还有1位" in told["notice"]["text"]
        await gateway.runtime.service.tick()
        assert not [m for m in await gateway.seen(second) if m.get("speech", "").startswith("马上")]
        await gateway.http.post(f"/api/handoffs/{first_id}/claim", headers=member["headers"])
        await gateway.runtime.service.tick()
        update = (await gateway.seen(second))[-1]
        assert update["from"] == "system" and update["text"].startswith("马上就到您了")
        await gateway.runtime.service.tick()
        assert (await gateway.seen(second))[-1]["seq"] == update["seq"]  # told once


def test_demo_accounts_only_in_the_embedded_profile() -> None:
    from banshi.settings import Settings, SettingsError

    demo = Settings(profile="embedded", demo=True, demo_password="").with_secrets()
    assert demo.demo_password  # a known password, printed by `banshi run --demo`
    assert Settings(profile="embedded").with_secrets().demo is False
    with pytest.raises(SettingsError, match="BANSHI_DEMO"):
        Settings(
            profile="scale",
            demo=True,
            rasa_token="a" * 32,
            action_token="b" * 32,
            service_token="c" * 32,
            platform_client_key="d" * 32,
        ).with_secrets()


async def test_demo_accounts_exist_in_the_demo(make_gateway: GatewayFactory) -> None:
    async with make_gateway(demo_accounts=True, demo_password="banshi-demo-2026") as gateway:
        for username in ("demo-staff", "demo-supervisor"):
            response = await gateway.http.post(
                "/api/staff/login", json={"username": username, "password": "banshi-demo-2026"}
            )
            assert response.status_code == 200
