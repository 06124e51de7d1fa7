"""Nothing lost, nothing doubled, on the real processes: two staff claim at the same moment →
exactly one wins; 100 messages across a handoff-and-return cycle → all in the transcript, in
order, once; the console's live feed shows a new handoff within a second."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

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
)

pytestmark = pytest.mark.integration


def test_two_staff_claim_at_once_exactly_one_wins(system: RunningSystem) -> None:
    district = new_district()
    accounts = add_staff(system, ("staff", district), ("staff", district))
    consoles = [Console(system.gateway, a) for a in accounts]
    try:
        for _ in range(5):
            handoff_id = handoff(system, conversation(system), district=district)["handoff_id"]
            barrier = threading.Barrier(2)

            def claim(
                console: Console, handoff_id: str = handoff_id, barrier: Any = barrier
            ) -> httpx.Response:
                barrier.wait()
                return console.post(f"/api/handoffs/{handoff_id}/claim")

            with ThreadPoolExecutor(max_workers=2) as pool:
                results = list(pool.map(claim, consoles))
            assert sorted(r.status_code for r in results) == [200, 409]
            winner = next(r for r in results if r.status_code == 200)
            loser = next(r for r in results if r.status_code == 409)
            assert loser.json()["error"]["code"] == "already_claimed"
            detail = consoles[0].get(f"/api/handoffs/{handoff_id}").json()["handoff"]
            assert detail["assigned_to"]["id"] == winner.json()["handoff"]["assigned_to"]["id"]
            claimed_notices = [
                m
                for m in citizen_sees(system, detail["conversation_id"])["messages"]
                if "现在由我为您服务" in m["text"]
            ]
            assert len(claimed_notices) == 1
    finally:
        for console in consoles:
            console.close()


def test_hundred_messages_across_a_handoff_and_return(system: RunningSystem) -> None:
    district = new_district()
    (account,) = add_staff(system, ("staff", district))
    conversation_id = conversation(system, "你好")
    expected: list[tuple[str, str]] = [
        (m["from"], m["text"]) for m in citizen_sees(system, conversation_id)["messages"]
    ]
    expected.insert(0, ("citizen", "你好"))

    def citizen(text: str) -> None:
        answer = citizen_says(system, conversation_id, text)
        expected.append(("citizen", text))
        expected.extend((m["from"], m["text"]) for m in answer["messages"])

    for i in range(5):
        citizen(f"我能办什么{i}")
    handoff_id = handoff(system, conversation_id, district=district, announce=True)["handoff_id"]
    expected.append(("system", citizen_sees(system, conversation_id)["messages"][-1]["text"]))
    with Console(system.gateway, account) as console:
        for i in range(5):
            citizen(f"等人工的时候说第{i}句")
        console.post(f"/api/handoffs/{handoff_id}/claim")
        expected.append(("system", citizen_sees(system, conversation_id)["messages"][-1]["text"]))
        for i in range(25):
            citizen(f"市民第{i}句")
            reply = console.post(
                f"/api/handoffs/{handoff_id}/messages", {"text": f"工作人员第{i}句"}
            )
            assert reply.status_code == 201
            expected.append(("staff", f"工作人员第{i}句"))
        released = console.post(f"/api/handoffs/{handoff_id}/release", {"summary": "都说清楚了"})
        expected.extend((m["from"], m["text"]) for m in released.json()["greeting"])
        i = 0
        while len(expected) < 100:
            citizen(f"谢谢{i}")
            i += 1
        transcript = console.get(f"/api/conversations/{conversation_id}/transcript").json()
    lines = transcript["messages"]
    assert len(lines) >= 100
    seqs = [line["seq"] for line in lines]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert [(line["from"], line["text"]) for line in lines] == expected
    assert transcript["conversation"]["mode"] == "bot"


class Feed:
    """The console's live feed read by a thread: (arrival time, event, data) triples."""

    def __init__(self, base_url: str, token: str) -> None:
        self.events: list[tuple[float, str, dict[str, Any]]] = []
        self._client = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(5, read=60),
        )
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            with self._client.stream("GET", "/api/console/events") as response:
                kind = ""
                for line in response.iter_lines():
                    if self.stopping.is_set():
                        return
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: "):
                        self.events.append((time.monotonic(), kind, json.loads(line[6:])))
        except (httpx.HTTPError, RuntimeError):
            return  # closed by the test

    def kinds(self) -> list[str]:
        return [kind for _, kind, _ in self.events]

    def wait_for(self, kind: str, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while kind not in self.kinds() and time.monotonic() < deadline:
            time.sleep(0.01)
        return kind in self.kinds()

    def close(self) -> None:
        """Stop reading (after the next line arrives) and close the connection."""
        self._thread.join(timeout=5)
        self._client.close()


def test_live_feed_shows_a_new_handoff_within_a_second(system: RunningSystem) -> None:
    here, there = new_district(), new_district()
    local, foreign = add_staff(system, ("staff", here), ("staff", there))
    with Console(system.gateway, local) as mine, Console(system.gateway, foreign) as other:
        feeds = {
            "mine": Feed(system.gateway, mine.token),
            "other": Feed(system.gateway, other.token),
        }
        try:
            for feed in feeds.values():
                assert feed.wait_for("ready", 10)
            conversation_id = conversation(system)
            asked = time.monotonic()
            handoff_id = handoff(system, conversation_id, district=here)["handoff_id"]
            feeds["mine"].wait_for("handoff.created", 5)
            created = [(t, d) for t, kind, d in feeds["mine"].events if kind == "handoff.created"]
            assert created and created[0][1]["id"] == handoff_id
            assert created[0][0] - asked < 1.0
            # Messages reach only a console that opened the conversation's transcript.
            mine.get(f"/api/conversations/{conversation_id}/transcript")
            mine.post(f"/api/handoffs/{handoff_id}/claim")
            citizen_says(system, conversation_id, "我在这里")
            assert feeds["mine"].wait_for("message", 5)
            time.sleep(0.3)
        finally:
            for feed in feeds.values():
                feed.stopping.set()
            for district in (here, there):  # an event on every console wakes its reader
                handoff(system, conversation(system), district=district)
            for feed in feeds.values():
                feed.close()
        texts = [d.get("text") for _, kind, d in feeds["mine"].events if kind == "message"]
        assert "我在这里" in texts
        assert not {"handoff.created", "message"} & set(feeds["other"].kinds())
