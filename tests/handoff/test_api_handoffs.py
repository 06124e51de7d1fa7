"""Every handoff route on the real processes, with the 401/403 of each role boundary:
service token → queue → claim → reply (the citizen sees it) → notes → transfer → release (the
bot greets again) or close; transcript (masked, audited); supervisor-only routes."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import RunningSystem
from tests.handoff.kit import (
    Console,
    add_staff,
    citizen_says,
    citizen_sees,
    conversation,
    handoff,
    new_district,
    service,
)

pytestmark = pytest.mark.integration


def test_create_needs_the_service_token(system: RunningSystem) -> None:
    conversation_id = conversation(system)
    body = {"conversation_id": conversation_id}
    (account,) = add_staff(system, ("supervisor", new_district()))
    with Console(system.gateway, account) as console, httpx.Client(base_url=system.gateway) as anon:
        missing = anon.post("/api/handoffs", json=body)
        assert missing.status_code == 401
        assert missing.json()["error"]["code"] == "service_token_required"
        wrong = anon.post("/api/handoffs", json=body, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "service_token_invalid"
        staff_token = anon.post(
            "/api/handoffs", json=body, headers={"Authorization": f"Bearer {console.token}"}
        )
        assert staff_token.status_code == 401
    with service(system) as client:
        unknown = client.post("/api/handoffs", json={"conversation_id": "no-such-conversation"})
        assert unknown.status_code == 404
        assert unknown.json()["error"]["code"] == "conversation_not_found"
        for bad, code in (
            ({"conversation_id": "../etc"}, "conversation_id_invalid"),
            ({"conversation_id": conversation_id, "reason": "bored"}, "reason_invalid"),
            ({"conversation_id": conversation_id, "priority": "urgent"}, "priority_invalid"),
        ):
            response = client.post("/api/handoffs", json=bad)
            assert response.status_code == 422 and response.json()["error"]["code"] == code
        created = client.post("/api/handoffs", json=body)
        assert created.status_code == 201 and created.json()["created"] is True
        again = client.post("/api/handoffs", json=body)
        assert again.status_code == 200
        assert again.json()["handoff_id"] == created.json()["handoff_id"]
    assert citizen_sees(system, conversation_id)["mode"] == "waiting"


def test_districts_and_roles(system: RunningSystem) -> None:
    here, there = new_district(), new_district()
    local, foreign, boss = add_staff(
        system, ("staff", here), ("staff", there), ("supervisor", there)
    )
    conversation_id = conversation(system)
    item = handoff(system, conversation_id, district=here, citizen={"district": here, "age": 81})
    handoff_id = item["handoff_id"]
    with (
        Console(system.gateway, local) as mine,
        Console(system.gateway, foreign) as other,
        Console(system.gateway, boss) as supervisor,
    ):
        waiting = mine.get("/api/handoffs", status="waiting").json()["handoffs"]
        assert handoff_id in [h["id"] for h in waiting]
        assert handoff_id not in [
            h["id"] for h in other.get("/api/handoffs", status="waiting").json()["handoffs"]
        ]
        assert handoff_id in [
            h["id"] for h in supervisor.get("/api/handoffs", status="waiting").json()["handoffs"]
        ]
        seen = other.get(f"/api/handoffs/{handoff_id}")
        assert seen.status_code == 403 and seen.json()["error"]["code"] == "forbidden_district"
        assert other.post(f"/api/handoffs/{handoff_id}/claim").status_code == 403
        transcript = other.get(f"/api/conversations/{conversation_id}/transcript")
        assert transcript.status_code == 403
        assert transcript.json()["error"]["code"] == "forbidden_conversation"
        assert mine.get(f"/api/conversations/{conversation_id}/transcript").status_code == 200
        assert supervisor.get(f"/api/conversations/{conversation_id}/transcript").status_code == 200
        bad_status = mine.get("/api/handoffs", status="lost")
        assert (
            bad_status.status_code == 422 and bad_status.json()["error"]["code"] == "status_invalid"
        )
        for path in ("/api/dashboard", "/api/audit", "/api/conversations/live"):
            refused = mine.get(path)
            assert (
                refused.status_code == 403 and refused.json()["error"]["code"] == "supervisor_only"
            )
            assert supervisor.get(path).status_code == 200
    with httpx.Client(base_url=system.gateway) as anon:
        for path in (
            "/api/handoffs",
            f"/api/handoffs/{handoff_id}",
            "/api/dashboard",
            "/api/callbacks",
            "/api/console/events",
            f"/api/conversations/{conversation_id}/transcript",
        ):
            assert anon.get(path).status_code == 401, path
        for path in ("claim", "messages", "release", "close", "notes", "transfer"):
            response = anon.post(f"/api/handoffs/{handoff_id}/{path}", json={"text": "x"})
            assert response.status_code == 401, path


def test_claim_reply_note_transfer_and_close(system: RunningSystem) -> None:
    district = new_district()
    first, second, outsider, boss = add_staff(
        system,
        ("staff", district),
        ("staff", district),
        ("staff", new_district()),
        ("supervisor", district),
    )
    conversation_id = conversation(system)
    handoff_id = handoff(
        system, conversation_id, district=district, citizen={"district": district}
    )["handoff_id"]
    with (
        Console(system.gateway, first) as me,
        Console(system.gateway, second) as colleague,
        Console(system.gateway, boss) as supervisor,
    ):
        before = me.post(f"/api/handoffs/{handoff_id}/messages", {"text": "您好"})
        assert before.status_code == 409 and before.json()["error"]["code"] == "handoff_not_active"
        claimed = me.post(f"/api/handoffs/{handoff_id}/claim")
        assert claimed.status_code == 200 and claimed.json()["handoff"]["status"] == "active"
        assert claimed.json()["handoff"]["assigned_to"]["username"] == first.username
        assert citizen_sees(system, conversation_id)["mode"] == "human"
        late = colleague.post(f"/api/handoffs/{handoff_id}/claim")
        assert late.status_code == 409 and late.json()["error"]["code"] == "already_claimed"

        sent = me.post(
            f"/api/handoffs/{handoff_id}/messages", {"text": "您好，我是工作人员，请讲。"}
        )
        assert sent.status_code == 201
        seen = citizen_sees(system, conversation_id)["messages"]
        assert seen[-1] == {
            "seq": sent.json()["message"]["seq"],
            "from": "staff",
            "text": "您好，我是工作人员，请讲。",
            "speech": "您好，我是工作人员，请讲。",
        }
        not_mine = colleague.post(f"/api/handoffs/{handoff_id}/messages", {"text": "我来"})
        assert not_mine.status_code == 403 and not_mine.json()["error"]["code"] == "not_assigned"
        empty = me.post(f"/api/handoffs/{handoff_id}/messages", {"text": "  "})
        assert empty.status_code == 422 and empty.json()["error"]["code"] == "text_empty"

        # The citizen's turns now go to staff only: no bot answer.
        quiet = citizen_says(system, conversation_id, "我的电话是13912345678")
        assert quiet == {
            "conversation_id": conversation_id,
            "mode": "human",
            "messages": [],
            "settings": {},
        }

        note = colleague.post(f"/api/handoffs/{handoff_id}/notes", {"text": "上次来过，问养老金"})
        assert note.status_code == 201
        detail = me.get(f"/api/handoffs/{handoff_id}").json()
        assert [n["text"] for n in detail["notes"]] == ["上次来过，问养老金"]

        colleagues = me.get("/api/staff").json()["staff"]
        assert second.username in [c["username"] for c in colleagues]
        assert outsider.username not in [c["username"] for c in colleagues]
        wrong = me.post(f"/api/handoffs/{handoff_id}/transfer", {"to": outsider.username})
        assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "staff_wrong_district"
        reassign = me.post(f"/api/handoffs/{handoff_id}/reassign", {"to": second.username})
        assert reassign.status_code == 403 and reassign.json()["error"]["code"] == "supervisor_only"
        moved = me.post(f"/api/handoffs/{handoff_id}/transfer", {"to": second.username})
        assert moved.status_code == 200
        assert moved.json()["handoff"]["assigned_to"]["username"] == second.username
        assert "继续为您服务" in citizen_sees(system, conversation_id)["messages"][-1]["text"]
        back = supervisor.post(f"/api/handoffs/{handoff_id}/reassign", {"to": first.username})
        assert back.status_code == 200

        bad = me.post(f"/api/handoffs/{handoff_id}/close", {"outcome": "returned_to_bot"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "outcome_invalid"
        other_close = colleague.post(f"/api/handoffs/{handoff_id}/close", {"outcome": "resolved"})
        assert other_close.status_code == 403
        closed = me.post(
            f"/api/handoffs/{handoff_id}/close", {"outcome": "resolved", "summary": "已解答"}
        )
        assert closed.status_code == 200
        assert closed.json()["handoff"]["outcome"] == "resolved"
        assert citizen_sees(system, conversation_id)["mode"] == "bot"
        assert "本次人工服务已结束" in citizen_sees(system, conversation_id)["messages"][-1]["text"]
        assert (
            me.post(f"/api/handoffs/{handoff_id}/close", {"outcome": "resolved"}).status_code == 409
        )
        listed = me.get("/api/handoffs", status="closed").json()["handoffs"]
        assert handoff_id in [h["id"] for h in listed]

        audit = supervisor.get("/api/audit", target_kind="handoff", target_id=handoff_id).json()
        actions = [e["action"] for e in reversed(audit["entries"])]
        assert actions == [
            "handoff.create",
            "handoff.claim",
            "handoff.claim_lost",
            "handoff.message",
            "handoff.note",
            "handoff.transfer",
            "handoff.reassign",
            "handoff.close",
        ]
        assert all(e["actor"]["name"] for e in audit["entries"])


def test_release_returns_to_the_bot_which_greets_again(system: RunningSystem) -> None:
    district = new_district()
    (account,) = add_staff(system, ("staff", district))
    conversation_id = conversation(system)
    handoff_id = handoff(system, conversation_id, district=district)["handoff_id"]
    with Console(system.gateway, account) as console:
        console.post(f"/api/handoffs/{handoff_id}/claim")
        released = console.post(
            f"/api/handoffs/{handoff_id}/release", {"summary": "帮您查到了孙子的学号"}
        )
        assert released.status_code == 200
        body = released.json()
        assert body["handoff"]["status"] == "closed"
        assert body["handoff"]["outcome"] == "returned_to_bot"
        greeting = [m["text"] for m in body["greeting"]]
        assert all(m["from"] == "bot" for m in body["greeting"])
        assert any("又回来为您服务" in text for text in greeting)
        assert any("帮您查到了孙子的学号" in text for text in greeting)
        assert greeting[-1].startswith("请问您要办什么事")
        twice = console.post(f"/api/handoffs/{handoff_id}/release", {"summary": ""})
        assert twice.status_code == 409
    assert citizen_sees(system, conversation_id)["mode"] == "bot"
    answer = citizen_says(system, conversation_id, "你好")
    assert answer["mode"] == "bot" and answer["messages"][0]["from"] == "bot"


def test_transcript_is_masked_and_every_read_is_audited(system: RunningSystem) -> None:
    district = new_district()
    me, colleague, boss = add_staff(
        system, ("staff", district), ("staff", district), ("supervisor", new_district())
    )
    conversation_id = conversation(system)
    collected = {"phone_number": "13912345678", "person_name": "王小明", "relation": "孙子"}
    handoff_id = handoff(system, conversation_id, district=district, collected=collected)[
        "handoff_id"
    ]
    with (
        Console(system.gateway, me) as console,
        Console(system.gateway, colleague) as other,
        Console(system.gateway, boss) as supervisor,
    ):
        console.post(f"/api/handoffs/{handoff_id}/claim")
        data = console.get(f"/api/handoffs/{handoff_id}").json()["handoff"]
        assert data["collected"] == {
            "phone_number": "139****5678",
            "person_name": "王**",
            "relation": "孙子",
        }
        assert (
            other.get(f"/api/handoffs/{handoff_id}", reveal="true", why="看看").status_code == 403
        )
        full_data = console.get(f"/api/handoffs/{handoff_id}", reveal="true", why="核对").json()[
            "handoff"
        ]
        assert full_data["collected"] == collected and full_data["masked"] is False
        handoff_audit = supervisor.get("/api/audit", target_kind="handoff", target_id=handoff_id)
        assert "handoff.reveal" in [e["action"] for e in handoff_audit.json()["entries"]]
        citizen_says(system, conversation_id, "我身份证号32050219400101123X，电话13912345678")
        masked = console.get(f"/api/conversations/{conversation_id}/transcript").json()
        said = masked["messages"][-1]["text"]
        assert masked["masked"] is True
        assert said == "我身份证号320502********123X，电话139****5678"
        assert masked["conversation"]["mode"] == "human"
        assert [h["id"] for h in masked["handoffs"]] == [handoff_id]
        refused = other.get(
            f"/api/conversations/{conversation_id}/transcript", reveal="true", why="看看"
        )
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "reveal_forbidden"
        full = console.get(
            f"/api/conversations/{conversation_id}/transcript", reveal="true", why="核对身份"
        ).json()
        assert full["masked"] is False
        assert full["messages"][-1]["text"] == "我身份证号32050219400101123X，电话13912345678"
        assert (
            supervisor.get(
                f"/api/conversations/{conversation_id}/transcript", reveal="true", why="抽查"
            ).status_code
            == 200
        )
        entries = supervisor.get(
            "/api/audit", target_kind="conversation", target_id=conversation_id
        ).json()["entries"]
        actions = [(e["action"], e["actor"]["name"]) for e in reversed(entries)]
        assert actions == [
            ("transcript.view", me.username),
            ("transcript.reveal_refused", colleague.username),
            ("transcript.reveal", me.username),
            ("transcript.reveal", boss.username),
        ]
        assert entries[1]["detail"]["why"] == "核对身份"
        bad = console.get("/api/conversations/..%2F/transcript")
        assert bad.status_code in (404, 422)
        missing = console.get(f"/api/conversations/{'0' * 32}/transcript")
        assert missing.status_code == 404


def test_supervisor_watches_a_bot_conversation_and_steps_in(system: RunningSystem) -> None:
    district = new_district()
    staff_account, boss = add_staff(system, ("staff", district), ("supervisor", district))
    conversation_id = conversation(system)
    with (
        Console(system.gateway, staff_account) as member,
        Console(system.gateway, boss) as supervisor,
    ):
        live = supervisor.get("/api/conversations/live", minutes=5).json()["conversations"]
        assert conversation_id in [c["id"] for c in live]
        watched = supervisor.get(f"/api/conversations/{conversation_id}/transcript").json()
        assert watched["conversation"]["mode"] == "bot" and watched["messages"]
        refused = member.post(f"/api/conversations/{conversation_id}/step-in")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "supervisor_only"
        stepped = supervisor.post(f"/api/conversations/{conversation_id}/step-in")
        assert stepped.status_code == 200
        assert stepped.json()["handoff"]["reason"] == "step_in"
        assert stepped.json()["handoff"]["status"] == "active"
        assert citizen_sees(system, conversation_id)["mode"] == "human"
        quiet = citizen_says(system, conversation_id, "你好")
        assert quiet["messages"] == []
        handoff_id = stepped.json()["handoff"]["id"]
        assert (
            supervisor.post(
                f"/api/handoffs/{handoff_id}/messages", {"text": "您好，我是主管。"}
            ).status_code
            == 201
        )
        dashboard = supervisor.get("/api/dashboard").json()
        assert dashboard["total"] >= 1 and len(dashboard["per_hour"]) == 24
        assert {g["label"] for g in dashboard["age_groups"]} >= {"80岁及以上", "未知"}
