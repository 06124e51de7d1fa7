"""A turn that failed gives its claim back: the retry with the same message id is handled
afresh, never answered with the failure (in-process gateway; Rasa is not running here)."""

from __future__ import annotations

import sqlite3

from tests.chat import TOKEN_HEADER
from tests.handoff.conftest import GatewayFactory


async def test_a_failed_turn_is_handled_again_when_retried(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as gateway:
        conversation_id = await gateway.conversation()
        body = {"conversation_id": conversation_id, "text": "你好", "message_id": "retry-1"}
        headers = {TOKEN_HEADER: gateway.tokens[conversation_id]}
        for _ in range(2):
            answer = await gateway.http.post("/api/chat", json=body, headers=headers)
            assert answer.status_code == 503
            assert answer.json()["error"]["code"] == "bot_unavailable"
    database = gateway.database_url.split("///", 1)[1]
    with sqlite3.connect(database) as db:
        parties = [
            row[0]
            for row in db.execute(
                "SELECT party FROM messages WHERE conversation_id = ? ORDER BY id",
                (conversation_id,),
            )
        ]
        claims = db.execute(
            "SELECT count(*) FROM turns WHERE conversation_id = ?", (conversation_id,)
        ).fetchone()[0]
    # Both tries were handled (the citizen's words are kept each time), and no claim is left.
    assert parties == ["citizen", "system", "citizen", "system"]
    assert claims == 0


async def test_old_answers_are_forgotten_and_new_ones_kept(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as gateway:
        turn_log = gateway.app.state.conversations.turn_log
        conversation_id = await gateway.conversation()
        for message_id in ("old", "new"):
            assert await turn_log.claim(conversation_id, message_id) is None
            await turn_log.answered(conversation_id, message_id, {"mode": "bot", "seqs": []})
        database = gateway.database_url.split("///", 1)[1]
        with sqlite3.connect(database) as db:
            db.execute(
                "UPDATE turns SET created_at = '2026-01-01 00:00:00.000000' "
                "WHERE message_id = 'old'"
            )
        assert await turn_log.purge(older_than_s=3600) == 1
        assert await turn_log.claim(conversation_id, "new") == {"mode": "bot", "seqs": []}
        assert await turn_log.claim(conversation_id, "old") is None  # handled afresh
