"""Claiming a turn by its message id, on both backends: a turn of a conversation that is not
stored is refused with a code (never an endless retry of the claim)."""

from __future__ import annotations

import pytest

from banshi.migrate import upgrade_to_head
from conversation.errors import ApiError
from conversation.store import ConversationStore
from conversation.turns import TurnLog
from tests.gateway_db.conftest import NewDatabase


async def test_a_turn_of_an_unknown_conversation_is_refused(new_database: NewDatabase) -> None:
    url = new_database()
    await upgrade_to_head(url)
    store = await ConversationStore.open(url)
    try:
        log = TurnLog(store.engine)
        with pytest.raises(ApiError) as refused:
            await log.claim("no-such-conversation", "m-1")
        assert refused.value.status == 404 and refused.value.code == "conversation_not_found"
        await store.ensure_conversation("c-1", "webchat")
        assert await log.claim("c-1", "m-1") is None  # the first arrival handles it
    finally:
        await store.close()
