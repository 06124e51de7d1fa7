"""Proxy cases with recorded consent, the append-only audit log, and a transcript that survives
a restart — in a gateway app in this process, on a real SQLite file."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.handoff.conftest import GatewayFactory, LocalGateway


async def _serving(gateway: LocalGateway, district: str = "代办区") -> tuple[dict, str, str]:
    member = await gateway.staff(district=district)
    conversation = await gateway.conversation()
    created = await gateway.request(
        conversation, citizen={"district": district}, reason="needs_person", detail="hukou_transfer"
    )
    handoff_id = created.json()["handoff_id"]
    claim = await gateway.http.post(f"/api/handoffs/{handoff_id}/claim", headers=member["headers"])
    assert claim.status_code == 200
    return member, conversation, handoff_id


async def test_proxy_case_needs_the_citizens_consent(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as gateway:
        member, conversation, handoff_id = await _serving(gateway)
        headers = member["headers"]
        bad = await gateway.http.post(
            f"/api/handoffs/{handoff_id}/proxy-cases",
            json={"service_code": "moon"},
            headers=headers,
        )
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "service_code_invalid"
        opened = await gateway.http.post(
            f"/api/handoffs/{handoff_id}/proxy-cases",
            json={"service_code": "hukou_transfer"},
            headers=headers,
        )
        assert opened.status_code == 201
        case = opened.json()["proxy_case"]
        assert case["status"] == "awaiting_consent" and case["service_name"] == "户口迁移"
        asked = (await gateway.seen(conversation))[-1]
        assert "户口迁移" in asked["text"] and asked["buttons"][0]["title"] == "我同意"
        early = await gateway.http.post(
            f"/api/proxy-cases/{case['id']}/complete", json={"result": "已办"}, headers=headers
        )
        assert early.status_code == 409 and early.json()["error"]["code"] == "consent_missing"

        unrelated = await gateway.say(conversation, "我儿子在外地")
        assert unrelated["messages"] == []  # an ordinary message for staff, not an answer
        consent = await gateway.say(conversation, "我同意")
        assert "已记录您的同意" in consent["messages"][0]["text"]
        detail = (await gateway.http.get(f"/api/proxy-cases/{case['id']}", headers=headers)).json()
        recorded = detail["proxy_case"]
        assert recorded["status"] == "consented"
        assert recorded["consent"]["text"] == "我同意" and recorded["consent"]["method"] == "typed"
        assert recorded["consent"]["prompt_seq"] == asked["seq"]
        assert recorded["consent"]["message_seq"] > asked["seq"]
        assert [h["event"] for h in recorded["history"]] == ["created", "consented"]
        # No platform configured here: no authorization to ask for.
        refused = await gateway.http.post(
            f"/api/proxy-cases/{case['id']}/authorize",
            json={"name": "陈素琴", "id_number": "320508194002282402"},
            headers=headers,
        )
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "platform_not_configured"

        done = await gateway.http.post(
            f"/api/proxy-cases/{case['id']}/complete",
            json={"result": "已提交迁移申请，办件号 HK2026001"},
            headers=headers,
        )
        assert done.status_code == 200 and done.json()["proxy_case"]["status"] == "done"
        told = (await gateway.seen(conversation))[-1]
        assert told["text"] == "您委托代办的“户口迁移”已经办好：已提交迁移申请，办件号 HK2026001"
        actions = [
            e.action
            for e in reversed(
                await gateway.runtime.audit.entries(target_kind="proxy_case", target_id=case["id"])
            )
        ]
        assert actions == ["proxy.create", "proxy.consent", "proxy.view", "proxy.complete"]


async def test_tapped_refusal_is_recorded(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as gateway:
        member, conversation, handoff_id = await _serving(gateway, "拒绝区")
        opened = await gateway.http.post(
            f"/api/handoffs/{handoff_id}/proxy-cases",
            json={"service_code": "elderly_allowance"},
            headers=member["headers"],
        )
        case_id = opened.json()["proxy_case"]["id"]
        second = await gateway.http.post(
            f"/api/handoffs/{handoff_id}/proxy-cases",
            json={"service_code": "senior_card"},
            headers=member["headers"],
        )
        assert second.status_code == 409 and second.json()["error"]["code"] == "consent_pending"
        refused = await gateway.say(conversation, "/proxy_consent_decline")
        assert "不代办" in refused["messages"][0]["text"]
        case = (
            await gateway.http.get(f"/api/proxy-cases/{case_id}", headers=member["headers"])
        ).json()["proxy_case"]
        assert case["status"] == "declined" and case["consent"] is None


async def test_audit_log_refuses_updates_and_deletes(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as gateway:
        await gateway.staff()
        engine = gateway.runtime.handoffs.engine
        for statement in ("UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"):
            with pytest.raises(DBAPIError, match="append-only"):
                async with engine.begin() as connection:
                    await connection.execute(text(statement))
        entries = await gateway.runtime.audit.entries()
        assert [e.action for e in entries] == ["staff.login"]


async def test_transcript_survives_a_restart(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as gateway:
        member, conversation, handoff_id = await _serving(gateway, "重启区")
        await gateway.say(conversation, "第一句")
        await gateway.http.post(
            f"/api/handoffs/{handoff_id}/messages",
            json={"text": "第二句"},
            headers=member["headers"],
        )
        await gateway.say(conversation, "第三句")
        before = await gateway.seen(conversation)
        username = member["username"]
    async with make_gateway() as restarted:
        restarted.tokens.update(gateway.tokens)  # the citizen's page still holds its token
        assert await restarted.seen(conversation) == before
        login = await restarted.http.post(
            "/api/staff/login", json={"username": username, "password": "Correct-Horse-9"}
        )
        token = login.json()["token"]
        restarted.http.cookies.clear()
        transcript = await restarted.http.get(
            f"/api/conversations/{conversation}/transcript",
            headers={"Authorization": f"Bearer {token}"},
        )
        lines = [(m["from"], m["text"]) for m in transcript.json()["messages"]]
        assert [line for line in lines if line[1].startswith("第")] == [
            ("citizen", "第一句"),
            ("staff", "第二句"),
            ("citizen", "第三句"),
        ]
        assert transcript.json()["conversation"]["mode"] == "human"
        still = await restarted.say(conversation, "还在吗")
        assert still["mode"] == "human"
