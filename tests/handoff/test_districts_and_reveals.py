"""Who sees a handoff, revealing with a reason, and disabling a person, in a gateway app in this
process: a handoff without a district is the supervisors' (who route it), every refused reveal
is audited with its code, and a disabled person's citizens go back to the queue at once."""

from __future__ import annotations

from typing import Any

from handoff.events import ConsoleEvent
from handoff.models import Role, Staff
from tests.handoff.conftest import GatewayFactory, LocalGateway


async def _actions(gateway: LocalGateway, kind: str, target: str) -> list[tuple[str, Any]]:
    entries = await gateway.runtime.audit.entries(target_kind=kind, target_id=target)
    return [(e.action, e.detail) for e in reversed(entries)]


async def _staff_of(gateway: LocalGateway, account: dict[str, Any]) -> Staff:
    member = await gateway.runtime.staff.get(account["id"])
    assert member is not None
    return member


async def test_a_handoff_without_a_district_is_the_supervisors_until_routed(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway() as gateway:
        member = await gateway.staff(district="甲区")
        boss = await gateway.staff(role="supervisor", district="总部")
        staff_feed = gateway.runtime.hub.subscribe(await _staff_of(gateway, member), "s1")
        boss_feed = gateway.runtime.hub.subscribe(await _staff_of(gateway, boss), "s2")
        conversation = await gateway.conversation()
        created = await gateway.request(conversation, citizen={"age": 70})
        assert created.status_code == 201
        handoff_id = created.json()["handoff_id"]

        listed = await gateway.http.get("/api/handoffs", headers=member["headers"])
        assert handoff_id not in [h["id"] for h in listed.json()["handoffs"]]
        for method, path in (
            ("GET", f"/api/handoffs/{handoff_id}"),
            ("POST", f"/api/handoffs/{handoff_id}/claim"),
            ("GET", f"/api/conversations/{conversation}/transcript"),
        ):
            refused = await gateway.http.request(method, path, headers=member["headers"])
            assert refused.status_code == 403, path
        assert staff_feed.queue.empty()  # the live feed did not tell the staff console either
        event = boss_feed.queue.get_nowait()
        assert (event.kind, event.data["id"]) == ("handoff.created", handoff_id)
        supervised = await gateway.http.get("/api/handoffs", headers=boss["headers"])
        assert handoff_id in [h["id"] for h in supervised.json()["handoffs"]]

        # Routing is the supervisors' job, and audited.
        not_mine = await gateway.http.post(
            f"/api/handoffs/{handoff_id}/route",
            json={"district": "甲区"},
            headers=member["headers"],
        )
        assert not_mine.status_code == 403
        assert not_mine.json()["error"]["code"] == "supervisor_only"
        blank = await gateway.http.post(
            f"/api/handoffs/{handoff_id}/route", json={"district": "  "}, headers=boss["headers"]
        )
        assert blank.status_code == 422 and blank.json()["error"]["code"] == "district_invalid"
        routed = await gateway.http.post(
            f"/api/handoffs/{handoff_id}/route", json={"district": "甲区"}, headers=boss["headers"]
        )
        assert routed.status_code == 200 and routed.json()["handoff"]["district"] == "甲区"
        assert (await _actions(gateway, "handoff", handoff_id))[-1] == (
            "handoff.route",
            {"from": "", "to": "甲区"},
        )
        update = staff_feed.queue.get_nowait()
        assert (update.kind, update.data["id"]) == ("handoff.updated", handoff_id)
        claimed = await gateway.http.post(
            f"/api/handoffs/{handoff_id}/claim", headers=member["headers"]
        )
        assert claimed.status_code == 200


async def test_the_feed_gives_unrouted_events_to_supervisors_only(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway() as gateway:
        hub = gateway.runtime.hub
        staff = hub.subscribe(Staff(1, "a", "甲", Role.STAFF, "甲区"), "k1")
        blank = hub.subscribe(Staff(2, "b", "乙", Role.STAFF, ""), "k2")
        boss = hub.subscribe(Staff(3, "c", "丙", Role.SUPERVISOR, "总部"), "k3")
        hub.publish(ConsoleEvent("callback.created", {"id": 1}, district=""))
        assert staff.queue.empty() and blank.queue.empty()
        assert boss.queue.get_nowait().data == {"id": 1}


async def _callback_task(gateway: LocalGateway, district: str) -> tuple[str, dict[str, Any]]:
    """A call-back arranged by a citizen while nobody of ``district`` was on duty."""
    conversation = await gateway.conversation()
    body = (await gateway.request(conversation, citizen={"district": district})).json()
    assert body["callback_offered"] is True
    await gateway.say(conversation, "回电")
    await gateway.say(conversation, "13812345678")
    assert (await gateway.say(conversation, "对"))["mode"] == "bot"
    return body["handoff_id"], {"conversation": conversation}


async def test_reveals_need_a_reason_and_refusals_are_audited(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway() as gateway:
        handoff_id, _ = await _callback_task(gateway, "回电区")
        local = await gateway.staff(district="回电区")
        foreign = await gateway.staff(district="别区")
        tasks = (await gateway.http.get("/api/callbacks", headers=local["headers"])).json()
        task = next(t for t in tasks["callbacks"] if t["handoff_id"] == handoff_id)
        assert task["phone"] == "138****5678"
        path = f"/api/callbacks/{task['id']}/reveal"

        async def reveal(who: dict[str, Any], why: str) -> tuple[int, str]:
            response = await gateway.http.post(path, json={"why": why}, headers=who["headers"])
            body = response.json()
            return response.status_code, body["callback"]["phone"] if "callback" in body else (
                body["error"]["code"]
            )

        assert await reveal(local, "") == (422, "reveal_reason_required")
        assert await reveal(local, " 打 ") == (422, "reveal_reason_required")
        assert await reveal(local, "长" * 201) == (422, "reveal_reason_required")
        assert await reveal(foreign, "想看看号码") == (403, "forbidden_district")
        assert await reveal(local, "按约定回电") == (200, "13812345678")
        done = await gateway.http.post(
            f"/api/callbacks/{task['id']}/done", json={}, headers=local["headers"]
        )
        assert done.status_code == 200
        assert await reveal(local, "再核对一次") == (409, "callback_done")
        assert await _actions(gateway, "callback", str(task["id"])) == [
            ("callback.create", {"handoff": handoff_id}),
            ("callback.reveal_refused", {"why": "", "code": "reveal_reason_required"}),
            ("callback.reveal_refused", {"why": "打", "code": "reveal_reason_required"}),
            ("callback.reveal_refused", {"why": "长" * 200, "code": "reveal_reason_required"}),
            ("callback.reveal_refused", {"why": "想看看号码", "code": "forbidden_district"}),
            ("callback.reveal", {"why": "按约定回电"}),
            ("callback.done", {"outcome": "reached"}),
            ("callback.reveal_refused", {"why": "再核对一次", "code": "callback_done"}),
        ]


async def test_handoff_and_transcript_reveals_are_checked_and_audited(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway() as gateway:
        serving = await gateway.staff(district="核对区")
        colleague = await gateway.staff(district="核对区")
        foreign = await gateway.staff(district="别区")
        conversation = await gateway.conversation()
        created = await gateway.request(
            conversation, citizen={"district": "核对区"}, collected={"phone": "13912345678"}
        )
        handoff_id = created.json()["handoff_id"]
        await gateway.http.post(f"/api/handoffs/{handoff_id}/claim", headers=serving["headers"])
        detail = f"/api/handoffs/{handoff_id}"
        transcript = f"/api/conversations/{conversation}/transcript"

        async def get(path: str, who: dict[str, Any], why: str | None) -> tuple[int, str]:
            params = {"reveal": "true", **({"why": why} if why is not None else {})}
            response = await gateway.http.get(path, params=params, headers=who["headers"])
            body = response.json()
            return response.status_code, body["error"]["code"] if "error" in body else "ok"

        assert await get(detail, serving, None) == (422, "reveal_reason_required")
        assert await get(detail, colleague, "帮同事看看") == (403, "reveal_forbidden")
        assert await get(detail, foreign, "帮同事看看") == (403, "forbidden_district")
        assert await get(detail, serving, "核对电话") == (200, "ok")
        assert await get(transcript, foreign, "看看") == (403, "forbidden_conversation")
        assert await get(transcript, colleague, "看看") == (403, "reveal_forbidden")
        assert await get(transcript, serving, "x") == (422, "reveal_reason_required")
        assert await get(transcript, serving, "核对身份") == (200, "ok")
        closed = await gateway.http.post(
            f"{detail}/close", json={"outcome": "resolved"}, headers=serving["headers"]
        )
        assert closed.status_code == 200
        assert await get(detail, serving, "结束后再看") == (409, "handoff_closed")

        handoff_log = [
            (action, d.get("code"), d.get("why"))
            for action, d in await _actions(gateway, "handoff", handoff_id)
            if "reveal" in action
        ]
        assert handoff_log == [
            ("handoff.reveal_refused", "reveal_reason_required", ""),
            ("handoff.reveal_refused", "reveal_forbidden", "帮同事看看"),
            ("handoff.reveal_refused", "forbidden_district", "帮同事看看"),
            ("handoff.reveal", None, "核对电话"),
            ("handoff.reveal_refused", "handoff_closed", "结束后再看"),
        ]
        transcript_log = [
            (action, d.get("code"), d.get("why"))
            for action, d in await _actions(gateway, "conversation", conversation)
        ]
        assert transcript_log == [
            ("transcript.reveal_refused", "forbidden_conversation", "看看"),
            ("transcript.reveal_refused", "reveal_forbidden", "看看"),
            ("transcript.reveal_refused", "reveal_reason_required", "x"),
            ("transcript.reveal", None, "核对身份"),
        ]


async def test_disabling_a_person_requeues_their_citizens_and_ends_their_feed_at_once(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway() as gateway:
        leaving = await gateway.staff(district="停用区")
        boss = await gateway.staff(role="supervisor", district="总部")
        conversation = await gateway.conversation()
        handoff_id = (await gateway.request(conversation, citizen={"district": "停用区"})).json()[
            "handoff_id"
        ]
        claimed = await gateway.http.post(
            f"/api/handoffs/{handoff_id}/claim", headers=leaving["headers"]
        )
        assert claimed.status_code == 200
        feed = gateway.runtime.hub.subscribe(await _staff_of(gateway, leaving), "leaving-1")
        before = len(await gateway.seen(conversation))

        refused = await gateway.http.post(
            f"/api/staff/{boss['username']}/disable", headers=leaving["headers"]
        )
        assert refused.status_code == 403  # staff cannot disable anyone
        disabled = await gateway.http.post(
            f"/api/staff/{leaving['username']}/disable", headers=boss["headers"]
        )
        assert disabled.status_code == 200 and disabled.json()["requeued"] == [handoff_id]

        assert feed.ended and feed.queue.get_nowait().kind == "logged_out"
        again = await gateway.http.get("/api/handoffs", headers=leaving["headers"])
        assert again.status_code == 401 and again.json()["error"]["code"] == "session_invalid"
        handoff = await gateway.runtime.handoffs.get(handoff_id)
        assert handoff is not None
        assert (handoff.status.value, handoff.assigned_to) == ("waiting", None)
        mode = await gateway.app.state.conversations.store.mode(conversation)
        assert mode.value == "waiting"
        notices = [m["text"] for m in (await gateway.seen(conversation))[before:]]
        assert notices == [
            "刚才为您服务的工作人员暂时不能继续了，另一位工作人员会接着为您服务，请您稍等。"
        ]
        queue = await gateway.http.get("/api/handoffs", headers=boss["headers"])
        assert handoff_id in [h["id"] for h in queue.json()["handoffs"]]
        assert [a for a, _ in await _actions(gateway, "handoff", handoff_id)][-1] == (
            "handoff.requeue"
        )
        login = await gateway.http.post(
            "/api/staff/login", json={"username": leaving["username"], "password": "x"}
        )
        assert login.status_code == 401
        missing = await gateway.http.post("/api/staff/nobody-here/disable", headers=boss["headers"])
        assert missing.status_code == 404
