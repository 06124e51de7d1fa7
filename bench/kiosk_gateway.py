"""The gateway as ``make run`` starts it, plus one route for ``bench.voice_kiosk``: a question
the bench asks on a kiosk's conversation, as if the bot had asked it.

The recognizer the benchmarks can use hears Korean, and the bot never asks a question whose
answer is a Korean word. To time a complete expected answer end to end, the bench asks
"是这样吗？" with Korean buttons (네 / 아니요) through this route; the kiosk receives it like a
staff reply or queue notice (the conversation core's push), listens for what it expects, and the
answer then goes to Rasa like any other turn. Started only by the bench, as
``uvicorn bench.kiosk_gateway:gateway_app --factory``; the route needs the service token.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel

from banshi.apps import gateway_app as banshi_gateway_app
from banshi.settings import get_settings
from conversation.store import Party


class Question(BaseModel):
    """A question to put on a kiosk's conversation."""

    conversation_id: str
    text: str
    buttons: list[dict[str, str]] = []
    expect: str | None = None


def gateway_app() -> FastAPI:
    """The gateway with the bench's ``POST /bench/ask``."""
    app = banshi_gateway_app()
    token = get_settings().service_token

    @app.post("/bench/ask")
    async def ask(question: Question, authorization: str = Header("")) -> dict[str, Any]:
        if not token or not hmac.compare_digest(authorization, f"Bearer {token}"):
            raise HTTPException(401, "service token required")
        payload: dict[str, Any] = {"speech": question.text, "buttons": question.buttons}
        if question.expect:
            payload["expect"] = question.expect
        stored = await app.state.conversations.add(
            question.conversation_id, [(Party.BOT, question.text, payload)], push=True
        )
        return {"seq": stored[-1].seq}

    return app
