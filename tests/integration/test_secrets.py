"""What the running system keeps of its secrets and of the citizen's: no secret on any
command line, no SMS code or citizen token in Rasa's tracker, and a payment that is only
waiting is told as waiting, with its pay code.

Rasa's token comes from the environment (``banshi.rasa_server``); the citizen token is kept
by the action server in the gateway's database (``actions.sessions``).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from platform_sandbox.seed import DEMO_CERTIFICATION_OVERDUE, DEMO_STUDENT_ID
from tests.conftest import RunningSystem

pytestmark = pytest.mark.integration


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def command_line(pid: int) -> str:
    """A process's command line as ``ps`` shows it to any user."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class Chat:
    """One web chat conversation over ``POST /api/chat`` (started without an id)."""

    def __init__(self, system: RunningSystem) -> None:
        self.client = httpx.Client(base_url=system.gateway, timeout=60)
        self.conversation_id: str | None = None
        self.headers: dict[str, str] = {}

    def say(self, text: str) -> str:
        """Send ``text``; everything the bot answered, as one string."""
        body: dict[str, Any] = {"text": text}
        if self.conversation_id:
            body["conversation_id"] = self.conversation_id
        response = self.client.post("/api/chat", json=body, headers=self.headers)
        assert response.status_code == 200, response.text
        answer = response.json()
        self.conversation_id = answer["conversation_id"]
        if answer.get("conversation_token"):
            self.headers = {"X-Conversation-Token": answer["conversation_token"]}
        return "".join(str(m.get("text")) for m in answer["messages"])

    def close(self) -> None:
        self.client.close()


def sms_code(system: RunningSystem, phone: str) -> str:
    with system.platform() as platform:
        return str(platform.get("/v1/sandbox/sms", params={"phone": phone}).json()["code"])


def tracker(system: RunningSystem, conversation_id: str) -> dict[str, Any]:
    response = httpx.get(
        f"{system.settings.rasa_url}/conversations/{conversation_id}/tracker",
        params={"token": system.settings.rasa_token},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_no_secret_is_on_any_command_line(system: RunningSystem) -> None:
    settings = system.settings
    secrets = {
        "rasa": settings.rasa_token,
        "action": settings.action_token,
        "service": settings.service_token,
        "client key": settings.platform_client_key,
    }
    assert all(len(value) >= 20 for value in secrets.values())
    seen = 0
    for name, process in system.group.processes.items():
        assert process.poll() is None, f"{name} is not running"
        for pid in descendants(process.pid):
            line = command_line(pid)
            seen += 1
            for what, value in secrets.items():
                assert value not in line, f"the {what} secret is on the command line of {name}"
    assert seen >= 4
    assert "banshi.rasa_server run" in command_line(system.group.processes["rasa"].pid)


def test_the_tracker_keeps_no_code_and_no_token(system: RunningSystem) -> None:
    system.reset_platform()
    citizen = DEMO_CERTIFICATION_OVERDUE
    chat = Chat(system)
    try:
        assert "身份证号" in chat.say("我要做养老金认证")
        assert "对吗" in chat.say(citizen.id_number)
        assert "姓名" in chat.say("对的")
        assert "验证码已发到" in chat.say(citizen.name)
        code = sms_code(system, citizen.phone)
        assert "身份核对好了" in chat.say(code)
        assert "视频认证完成了" in chat.say("视频")  # the token works for the service
        conversation_id = str(chat.conversation_id)

        state = tracker(system, conversation_id)
        slots = state["slots"]
        assert slots.get("citizen_verified") is True
        assert "citizen_token" not in slots
        assert code not in json.dumps(slots)
        gateway_db = system.settings.var_dir / "gateway.db"
        with sqlite3.connect(gateway_db) as db:
            rows = db.execute(
                "SELECT citizen_token FROM citizen_sessions WHERE sender_id = ?",
                (conversation_id,),
            ).fetchall()
        assert len(rows) == 1
        token = rows[0][0]
        assert len(token) >= 16 and token not in json.dumps(state)
        slot_events = [e for e in state["events"] if e["event"] == "slot"]
        assert not any(e["name"] == "citizen_token" for e in slot_events)

        # Half an hour later the token has expired: the citizen is asked to verify again.
        with sqlite3.connect(gateway_db) as db:
            db.execute(
                "UPDATE citizen_sessions SET expires_at = '2000-01-01 00:00:00.000000' "
                "WHERE sender_id = ?",
                (conversation_id,),
            )
        assert "身份证号" in chat.say("我要查养老金")
        with sqlite3.connect(gateway_db) as db:
            left = db.execute(
                "SELECT COUNT(*) FROM citizen_sessions WHERE sender_id = ?", (conversation_id,)
            ).fetchone()
        assert left == (0,)  # purged
    finally:
        chat.close()


def _pay_code(said: str) -> str:
    marker = "缴费码是 " if "缴费码是 " in said else "缴费码还是 "
    return said.split(marker, 1)[1][:8]


def test_a_waiting_payment_is_told_as_waiting_then_as_paid(system: RunningSystem) -> None:
    system.reset_platform()
    first, second, third = Chat(system), Chat(system), Chat(system)
    try:
        first.say("我要给孙子交学费")
        assert "2550.00" in first.say(DEMO_STUDENT_ID)
        said = first.say("对")
        assert "缴费码是 " in said
        pay_code = _pay_code(said)

        # The same bill asked again (another conversation): waiting, with the same pay code.
        second.say("我要给孙子交学费")
        second.say(DEMO_STUDENT_ID)
        again = second.say("对")
        assert "还没有付款" in again and "已经缴过了" not in again
        assert _pay_code(again) == pay_code

        with system.platform() as platform:
            refused = platform.post(
                "/v1/payments", json={"bill_id": "EB202600001", "payer": "family"}
            )
            payment_id = refused.json()["error"]["pending_payment"]["payment_id"]
            platform.post(f"/v1/sandbox/payments/{payment_id}/complete").raise_for_status()

        third.say("我要给孙子交学费")
        assert "已经缴过了" in third.say(DEMO_STUDENT_ID)
    finally:
        for chat in (first, second, third):
            chat.close()
