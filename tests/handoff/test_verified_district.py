"""Who sees a handoff the bot made, on the real system: the district comes from the verified
citizen, never from what a client sends; a disabled person's console feed ends at once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from banshi import paths
from platform_sandbox.seed import DEMO_CERTIFICATION_OVERDUE
from tests.conftest import RunningSystem
from tests.days import dataset
from tests.handoff.kit import Console, add_staff, citizen_sees, conversation, handoff, new_district
from tests.handoff.test_concurrency_and_transcript import Feed

pytestmark = pytest.mark.integration


class Chat:
    """A web chat conversation: started without an id, then the id and token it was given."""

    def __init__(self, system: RunningSystem) -> None:
        self.system = system
        self.http = httpx.Client(base_url=system.gateway, timeout=30)
        self.id = ""
        self.token = ""

    def say(self, text: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"text": text, **({"metadata": metadata} if metadata else {})}
        if self.id:
            body["conversation_id"] = self.id
        headers = {"X-Conversation-Token": self.token} if self.token else {}
        response = self.http.post("/api/chat", json=body, headers=headers)
        assert response.status_code == 200, response.text
        answer = dict(response.json())
        self.id = answer["conversation_id"]
        self.token = answer.get("conversation_token") or self.token
        return answer

    def sms(self, phone: str) -> str:
        with self.system.platform() as platform:
            return str(platform.get("/v1/sandbox/sms", params={"phone": phone}).json()["code"])


def _text(answer: dict[str, Any]) -> str:
    return "".join(m["text"] for m in answer["messages"])


def _find(console: Console, conversation_id: str, status: str) -> dict[str, Any] | None:
    listed = console.get("/api/handoffs", status=status).json()["handoffs"]
    return next((h for h in listed if h["conversation_id"] == conversation_id), None)


def test_a_verified_citizens_handoff_is_their_districts_only(system: RunningSystem) -> None:
    citizen = DEMO_CERTIFICATION_OVERDUE
    home = next(c for c in dataset().citizens if c.citizen_id == citizen.citizen_id).district
    elsewhere = new_district()
    local, foreign, boss = add_staff(
        system, ("staff", home), ("staff", elsewhere), ("supervisor", new_district())
    )
    chat = Chat(system)
    assert "身份证号" in _text(chat.say("我要做养老金认证"))
    chat.say(citizen.id_number)
    assert "姓名" in _text(chat.say("对的"))
    chat.say(citizen.name)
    assert "身份核对好了" in _text(chat.say(chat.sms(citizen.phone)))
    # A client claiming an age (priority) and a district changes neither.
    asked = chat.say("转人工", metadata={"citizen_age": 90, "district": elsewhere})
    assert asked["mode"] == "waiting" and "回电" in _text(asked)  # nobody of home on duty
    chat.say("回电")
    chat.say("13912345678")
    assert chat.say("对")["mode"] == "bot"

    with (
        Console(system.gateway, local) as mine,
        Console(system.gateway, foreign) as other,
        Console(system.gateway, boss) as supervisor,
    ):
        item = _find(supervisor, chat.id, "closed")
        assert item is not None
        assert (item["district"], item["priority"]) == (home, "normal")
        assert item["citizen_age"] is not None and item["citizen_age"] != 90
        assert _find(mine, chat.id, "closed") is not None
        assert _find(other, chat.id, "closed") is None
        assert other.get(f"/api/handoffs/{item['id']}").status_code == 403
        assert other.get(f"/api/conversations/{chat.id}/transcript").status_code == 403
        assert mine.get(f"/api/conversations/{chat.id}/transcript").status_code == 200

        def task_of(console: Console) -> dict[str, Any] | None:
            tasks = console.get("/api/callbacks").json()["callbacks"]
            return next((t for t in tasks if t["conversation_id"] == chat.id), None)

        task = task_of(mine)
        assert task is not None and task["phone"] == "139****5678"
        assert task_of(other) is None
        path = f"/api/callbacks/{task['id']}/reveal"
        refused = other.post(path, {"why": "我想看看"})
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "forbidden_district"
        shown = mine.post(path, {"why": "按约定回电"})
        assert shown.status_code == 200 and shown.json()["callback"]["phone"] == "13912345678"

        # Without verification the client's metadata decides nothing: no district, so only
        # the supervisors see it (to route it), and no elderly priority.
        plain = Chat(system)
        plain.say("转人工", metadata={"citizen_age": 90, "district": home})
        unrouted = _find(supervisor, plain.id, "waiting")
        assert unrouted is not None
        assert (unrouted["district"], unrouted["citizen_age"]) == ("", None)
        assert _find(mine, plain.id, "waiting") is None


def test_disabling_a_person_ends_their_feed_at_once_and_requeues(system: RunningSystem) -> None:
    district = new_district()
    leaving, boss = add_staff(system, ("staff", district), ("supervisor", new_district()))
    conversation_id = conversation(system)
    handoff_id = handoff(system, conversation_id, district=district)["handoff_id"]
    console = Console(system.gateway, leaving)
    feed = Feed(system.gateway, console.token)
    try:
        assert feed.wait_for("ready", 10)
        assert console.post(f"/api/handoffs/{handoff_id}/claim").status_code == 200
        with Console(system.gateway, boss) as supervisor:
            asked = time.monotonic()
            disabled = supervisor.post(f"/api/staff/{leaving.username}/disable")
            assert disabled.status_code == 200
            assert feed.wait_for("logged_out", 2)
            assert next(t for t, kind, _ in feed.events if kind == "logged_out") - asked < 2
            back = _find(supervisor, conversation_id, "waiting")
            assert back is not None and back["id"] == handoff_id and back["assigned_to"] is None
        assert console.get("/api/handoffs").status_code == 401
        texts = [m["text"] for m in citizen_sees(system, conversation_id)["messages"]]
        assert "另一位工作人员会接着为您服务" in texts[-1]
    finally:
        feed.stopping.set()
        feed.close()
        console.close(logout=False)


def test_the_staff_command_disables_and_requeues_too(system: RunningSystem) -> None:
    district = new_district()
    leaving, boss = add_staff(system, ("staff", district), ("supervisor", new_district()))
    conversation_id = conversation(system)
    handoff_id = handoff(system, conversation_id, district=district)["handoff_id"]
    console = Console(system.gateway, leaving)
    try:
        assert console.post(f"/api/handoffs/{handoff_id}/claim").status_code == 200
        result = subprocess.run(
            [sys.executable, "-m", "banshi", "staff", "disable", leaving.username],
            capture_output=True,
            text=True,
            env={**os.environ, **system.settings.child_env()},
            cwd=paths.ROOT,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "1 handoff(s) back in the queue" in result.stdout
        assert console.get("/api/handoffs").status_code == 401
        with Console(system.gateway, boss) as supervisor:
            back = _find(supervisor, conversation_id, "waiting")
            assert back is not None and back["assigned_to"] is None
            entries = supervisor.get("/api/audit", target_kind="handoff", target_id=handoff_id)
            assert entries.json()["entries"][0]["action"] == "handoff.requeue"
        texts = [m["text"] for m in citizen_sees(system, conversation_id)["messages"]]
        assert "另一位工作人员会接着为您服务" in texts[-1]
    finally:
        console.close(logout=False)
