"""What the console's lists say, in a gateway app in this process: queue places unique and in
order for whoever reads them, every row saying what the citizen came about (masked), the live
conversations saying what each is, and the audit log filtered by who, what and when, a page at
a time, with Chinese action names."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from handoff.models import Staff
from tests.handoff.conftest import GatewayFactory, LocalGateway

PHONE = "13812345678"


async def _staff_of(gateway: LocalGateway, account: dict[str, Any]) -> Staff:
    member = await gateway.runtime.staff.get(account["id"])
    assert member is not None
    return member


async def _queue(gateway: LocalGateway, account: dict[str, Any]) -> list[dict[str, Any]]:
    listed = await gateway.http.get("/api/handoffs?status=waiting", headers=account["headers"])
    assert listed.status_code == 200, listed.text
    return list(listed.json()["handoffs"])


async def test_queue_places_are_unique_and_in_order_for_everyone(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway() as gateway:
        member = await gateway.staff(district="甲区")
        boss = await gateway.staff(role="supervisor", district="总部")
        await gateway.staff(district="乙区")
        # Districts interleaved, one not routed yet, one citizen of 85 (first in line).
        for district, age in (("甲区", 70), ("乙区", 70), ("", 70), ("甲区", 85), ("乙区", 70)):
            conversation = await gateway.conversation()
            citizen: dict[str, Any] = {"age": age, "district": district}
            assert (await gateway.request(conversation, citizen=citizen)).status_code == 201

        everything = await _queue(gateway, boss)
        assert [h["position"] for h in everything] == [1, 2, 3, 4, 5]
        assert everything[0]["citizen_age"] == 85
        assert [h["district"] for h in everything[1:]] == ["甲区", "乙区", "", "乙区"]

        # The staff member sees their district's two, as 1 and 2 (the unrouted one ahead of
        # them is the supervisors', not a gap in their list).
        theirs = await _queue(gateway, member)
        assert [(h["district"], h["position"]) for h in theirs] == [("甲区", 1), ("甲区", 2)]
        # Each still carries the citizen's own estimated wait.
        assert all(h["estimated_wait_s"] is not None for h in theirs)


async def test_every_row_says_what_the_citizen_came_about_masked(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway() as gateway:
        member = await gateway.staff(district="丙区")
        feed = gateway.runtime.hub.subscribe(await _staff_of(gateway, member), "s1")
        conversation = await gateway.conversation()
        created = await gateway.request(
            conversation,
            citizen={"district": "丙区"},
            collected={"service": "education_fee", "student_id": "7320291068"},
        )
        assert created.status_code == 201
        event = feed.queue.get_nowait()
        assert event.kind == "handoff.created"
        assert event.data["service_zh"] == "教育缴费" and event.data["last_said"] == ""

        await gateway.say(conversation, f"学费交不了，我的手机号是{PHONE}，请打给我")
        (row,) = await _queue(gateway, member)
        assert row["service_zh"] == "教育缴费"
        assert row["last_said"].startswith("学费交不了，我的手机号是138")
        assert PHONE not in row["last_said"]

        # The claim's update event carries it too, and so does the active list.
        claimed = await gateway.http.post(
            f"/api/handoffs/{row['id']}/claim", headers=member["headers"]
        )
        assert claimed.status_code == 200
        while not feed.queue.empty():
            event = feed.queue.get_nowait()
        assert event.kind == "handoff.updated" and "学费交不了" in event.data["last_said"]
        assert PHONE not in event.data["last_said"]
        active = await gateway.http.get("/api/handoffs?status=active", headers=member["headers"])
        (serving,) = active.json()["handoffs"]
        assert serving["position"] is None and "学费交不了" in serving["last_said"]

        # A long message is shortened for the row.
        await gateway.say(conversation, "我" * 300)
        active = await gateway.http.get("/api/handoffs?status=active", headers=member["headers"])
        assert len(active.json()["handoffs"][0]["last_said"]) == 60


async def test_live_conversations_say_what_each_is(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as gateway:
        boss = await gateway.staff(role="supervisor", district="总部")
        conversation = await gateway.conversation()
        await gateway.request(conversation, citizen={"district": "丁区"})
        await gateway.say(conversation, f"电话{PHONE}打不通")
        live = await gateway.http.get("/api/conversations/live", headers=boss["headers"])
        assert live.status_code == 200
        (row,) = [c for c in live.json()["conversations"] if c["id"] == conversation]
        assert row["last_said"].startswith("电话138") and PHONE not in row["last_said"]


async def test_audit_log_filters_pages_and_chinese_names(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as gateway:
        boss = await gateway.staff(role="supervisor", district="总部")
        member = await gateway.staff(district="戊区")
        for _ in range(5):
            conversation = await gateway.conversation()
            created = await gateway.request(conversation, citizen={"district": "戊区"})
            handoff_id = created.json()["handoff_id"]
            await gateway.http.post(
                f"/api/handoffs/{handoff_id}/notes",
                json={"text": "已核对"},
                headers=member["headers"],
            )

        async def audit(**params: Any) -> dict[str, Any]:
            response = await gateway.http.get("/api/audit", params=params, headers=boss["headers"])
            assert response.status_code == 200, response.text
            return dict(response.json())

        # What: only notes, with their Chinese name; the list of names comes with the answer.
        notes = await audit(action="handoff.note")
        assert len(notes["entries"]) == 5
        assert {e["action_zh"] for e in notes["entries"]} == {"写备注"}
        assert notes["actions"]["handoff.claim"] == "接入会话"
        # Who: by user name.
        theirs = await audit(actor=member["username"])
        assert {e["actor"]["name"] for e in theirs["entries"]} == {member["username"]}
        assert {e["action"] for e in theirs["entries"]} == {"staff.login", "handoff.note"}

        # Pages: two at a time, newest first, no entry twice, to the end.
        seen: list[int] = []
        page = await audit(action="handoff.note", limit=2)
        while True:
            seen.extend(e["id"] for e in page["entries"])
            if page["next_before"] is None:
                break
            page = await audit(action="handoff.note", limit=2, before=page["next_before"])
        assert seen == sorted(set(seen), reverse=True) and len(seen) == 5
        # When: from an hour ago (everything), and until an hour ago (nothing).
        hour_ago = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
        assert len((await audit(action="handoff.note", since=hour_ago))["entries"]) == 5
        assert (await audit(action="handoff.note", until=hour_ago))["entries"] == []

        # A moment without its time zone is refused in Chinese with a code.
        naive = await gateway.http.get(
            "/api/audit", params={"since": "2026-12-05T08:00:00"}, headers=boss["headers"]
        )
        assert naive.status_code == 422
        assert naive.json()["error"]["code"] == "time_zone_missing"
