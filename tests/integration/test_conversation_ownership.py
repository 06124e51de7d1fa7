"""A conversation belongs to whoever started it, and each turn is handled once, in order.

The gateway gives out the conversation's id and token when it starts; every later read or write
needs the token, and a refused request stores nothing. Client metadata cannot set who the
citizen is. A turn retried with the same message id gets the first answer; concurrent turns of
one conversation are handled one after the other (checked in the gateway's transcript and in
Rasa's tracker).
"""

from __future__ import annotations

import asyncio
import itertools
import re
import sqlite3
from typing import Any

import httpx
import pytest

from platform_sandbox.seed import DEMO_STUDENT_ID
from tests.chat import TOKEN_HEADER, Chat
from tests.conftest import RunningSystem

pytestmark = pytest.mark.integration


def stored(system: RunningSystem, conversation_id: str) -> list[tuple[str, str]]:
    """(party, text) of every message the gateway keeps for the conversation, in order."""
    database = system.settings.effective_gateway_database_url.split("///", 1)[1]
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT party, text FROM messages WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        ).fetchall()


def exists(system: RunningSystem, conversation_id: str) -> bool:
    database = system.settings.effective_gateway_database_url.split("///", 1)[1]
    with sqlite3.connect(database) as db:
        row = db.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,))
        return row.fetchone() is not None


def rasa_user_events(system: RunningSystem, conversation_id: str) -> list[dict[str, Any]]:
    """The user events in Rasa's tracker of the conversation."""
    response = httpx.get(
        f"{system.settings.rasa_url}/conversations/{conversation_id}/tracker",
        params={"token": system.settings.rasa_token, "include_events": "ALL"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return [e for e in response.json()["events"] if e["event"] == "user"]


def test_the_gateway_starts_the_conversation_and_gives_its_token(system: RunningSystem) -> None:
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        first, second = Chat(client), Chat(client)
        first.say("你好")
        second.say("你好")
    assert first.id and second.id and first.id != second.id
    assert re.fullmatch("[0-9a-f]{32}", first.id)  # random, not a counter
    assert first.token and len(first.token) >= 43 and first.token != second.token
    # The token is given once, when the conversation starts.
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        first.client = client
        assert "conversation_token" not in first.say("交学费")
        assert first.sees()["messages"]


def test_without_the_token_nothing_is_read_or_written(system: RunningSystem) -> None:
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        owner, other = Chat(client), Chat(client)
        owner.say("我要给孙子交学费")
        other.say("你好")
        before = stored(system, str(owner.id))
        path = f"/api/chat/{owner.id}/messages"
        attempts = [
            ({}, 401, "conversation_token_missing"),
            ({TOKEN_HEADER: "wrong-" + str(owner.token)[6:]}, 404, "conversation_not_found"),
            ({TOKEN_HEADER: str(other.token)}, 404, "conversation_not_found"),
            ({TOKEN_HEADER: ""}, 401, "conversation_token_missing"),
        ]
        for headers, status, code in attempts:
            read = client.get(path, params={"after": 0}, headers=headers)
            assert (read.status_code, read.json()["error"]["code"]) == (status, code)
            assert "我要给孙子交学费" not in read.text
            write = client.post(
                "/api/chat", json={"conversation_id": owner.id, "text": "对"}, headers=headers
            )
            assert (write.status_code, write.json()["error"]["code"]) == (status, code)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in write.json()["error"]["message"])
        # Nothing was stored by the refused requests, and the owner still reads and writes.
        assert stored(system, str(owner.id)) == before
        assert [m["text"] for m in owner.sees()["messages"]] == [
            text for party, text in before if party != "citizen"
        ]
        assert owner.say("你好")["messages"]


def test_an_id_the_gateway_never_gave_out_is_refused_not_created(system: RunningSystem) -> None:
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        for chosen in ("demo-0001", "a" * 32):
            for headers in ({}, {TOKEN_HEADER: "x" * 43}):
                answer = client.post(
                    "/api/chat", json={"conversation_id": chosen, "text": "你好"}, headers=headers
                )
                assert answer.status_code in (401, 404), answer.text
            assert not exists(system, chosen)


def test_client_metadata_cannot_say_who_the_citizen_is(system: RunningSystem) -> None:
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        chat = Chat(client)
        chat.say(
            "你好",
            metadata={
                "district": "姑苏区",
                "citizen_age": 95,
                "agency_district": "姑苏区",
                "accessibility": {"large_text": True},
            },
        )
    metadata = rasa_user_events(system, str(chat.id))[-1]["metadata"]
    assert metadata["accessibility"] == {"large_text": True}
    assert metadata["channel"] == "webchat"
    assert not {"district", "citizen_age", "agency_district"} & set(metadata)


def test_a_retried_turn_gets_the_first_answer_and_is_handled_once(system: RunningSystem) -> None:
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        chat = Chat(client)
        chat.say("我要给孙子交学费", message_id="turn-1")
        first = chat.say(DEMO_STUDENT_ID, message_id="turn-2")
        again = chat.say(DEMO_STUDENT_ID, message_id="turn-2")
    assert again["messages"] == first["messages"] and again["mode"] == first["mode"]
    citizen = [text for party, text in stored(system, str(chat.id)) if party == "citizen"]
    assert citizen == ["我要给孙子交学费", DEMO_STUDENT_ID]
    said = [event["text"] for event in rasa_user_events(system, str(chat.id))]
    assert said == ["我要给孙子交学费", DEMO_STUDENT_ID]


async def _at_once(chat: Chat, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=chat.client.base_url, timeout=60) as client:
        return list(
            await asyncio.gather(
                *(
                    client.post(
                        "/api/chat",
                        json={"conversation_id": chat.id, **body},
                        headers=chat.headers(),
                    )
                    for body in bodies
                )
            )
        )


def test_twenty_taps_at_once_are_one_turn(system: RunningSystem) -> None:
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        chat = Chat(client)
        chat.say("你好")
        answers = asyncio.run(_at_once(chat, [{"text": "交学费", "message_id": "tap"}] * 20))
    assert [a.status_code for a in answers] == [200] * 20
    bodies = [a.json() for a in answers]
    assert all(b["messages"] == bodies[0]["messages"] for b in bodies)
    assert "学号" in bodies[0]["messages"][-1]["text"]
    citizen = [text for party, text in stored(system, str(chat.id)) if party == "citizen"]
    assert citizen == ["你好", "交学费"]
    assert [e["text"] for e in rasa_user_events(system, str(chat.id))] == ["你好", "交学费"]


def test_turns_sent_together_are_handled_one_after_the_other(system: RunningSystem) -> None:
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        chat = Chat(client)
        chat.say("你好")
        bodies = [{"text": "你好", "message_id": f"m{n}"} for n in range(9)]
        answers = asyncio.run(_at_once(chat, bodies))
    assert [a.status_code for a in answers] == [200] * 9, [a.text for a in answers]
    assert all(a.json()["messages"][0]["from"] == "bot" for a in answers)
    parties = [party for party, _ in stored(system, str(chat.id))]
    assert parties.count("citizen") == 10
    # Each turn's answers follow it before the next turn: never two citizen turns in a row.
    assert parties[0] == "citizen" and parties[-1] == "bot"
    assert all(not (a == b == "citizen") for a, b in itertools.pairwise(parties)), parties
    assert len(rasa_user_events(system, str(chat.id))) == 10


def test_too_many_turns_waiting_are_refused_clearly_not_dropped(system: RunningSystem) -> None:
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        chat = Chat(client)
        chat.say("你好")
        bodies = [{"text": "你好", "message_id": f"m{n}"} for n in range(30)]
        answers = asyncio.run(_at_once(chat, bodies))
    codes = [a.status_code for a in answers]
    assert set(codes) == {200, 429}, codes
    refused = [a.json()["error"] for a in answers if a.status_code == 429]
    assert {e["code"] for e in refused} == {"turn_queue_full"}
    assert "上一句" in refused[0]["message"]
    handled = codes.count(200)
    parties = [party for party, _ in stored(system, str(chat.id))]
    assert parties.count("citizen") == handled + 1
    assert len(rasa_user_events(system, str(chat.id))) == handled + 1
