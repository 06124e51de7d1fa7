"""The scale profile started for a benchmark: its own PostgreSQL databases and RabbitMQ queue on
the machine's services, dropped afterwards; what the system accepted, read back from PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from banshi.settings import Settings
from tests.conftest import RunningSystem
from tests.scale import services
from tests.scale.services import rows


@contextlib.contextmanager
def scale_system(**overrides: Any) -> Iterator[RunningSystem]:
    """Every process of the scale profile on free ports, on databases of its own."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        services.scale_system(Path(tmp), prefix="banshi_bench", **overrides) as running,
    ):
        yield running


class Citizen:
    """One conversation over the chat API: its id and token kept after the first turn, a
    ``message_id`` with every turn (the gateway's once-only handling of a turn)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.conversation_id: str | None = None
        self.token = ""
        self.accepted: list[str] = []

    async def say(self, text: str) -> httpx.Response:
        """Send one turn; one the bot answered (200 with a bot message) is remembered as
        accepted. A 200 without one was answered by the gateway for staff (the bot handed the
        conversation over, e.g. after failing three times to hear a number): not Rasa's turn."""
        body: dict[str, Any] = {"text": text, "message_id": uuid.uuid4().hex}
        headers: dict[str, str] = {}
        if self.conversation_id:
            body["conversation_id"] = self.conversation_id
            headers["X-Conversation-Token"] = self.token
        response = await self.client.post("/api/chat", json=body, headers=headers)
        if response.status_code == 200:
            answer = response.json()
            if self.conversation_id is None:
                self.conversation_id = str(answer["conversation_id"])
                self.token = str(answer["conversation_token"])
            if any(m.get("from") == "bot" for m in answer.get("messages") or []):
                self.accepted.append(text)
        return response

    async def say_timed(self, text: str, latencies: list[float], errors: dict[str, int]) -> None:
        """Send one turn; its time (ms) to ``latencies``, what went wrong to ``errors``."""
        started = time.perf_counter()
        try:
            response = await self.say(text)
        except httpx.HTTPError as error:
            errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
            return
        latencies.append((time.perf_counter() - started) * 1000)
        kind = f"http_{response.status_code}" if response.status_code != 200 else ""
        if not kind and not response.json().get("messages"):
            kind = "empty_answer"
        if kind:
            errors[kind] = errors.get(kind, 0) + 1


@dataclass(frozen=True)
class Reconciled:
    """Accepted user messages against Rasa's tracker and the gateway's transcript."""

    accepted: int
    lost_in_tracker: int
    duplicated_in_tracker: int
    lost_in_transcript: int
    duplicated_in_transcript: int
    out_of_order: int
    conversations_checked: int


def compare(accepted: list[str], stored: list[str]) -> tuple[int, int, bool]:
    """Lost and extra messages of ``stored`` against ``accepted``, and whether the order holds.

    The order holds when ``accepted`` is a subsequence of ``stored`` (an extra copy is counted as
    duplicated, not as disorder)."""
    lost = extra = 0
    for text in set(accepted) | set(stored):
        difference = stored.count(text) - accepted.count(text)
        lost += max(0, -difference)
        extra += max(0, difference)
    position = 0
    for text in stored:
        if position < len(accepted) and text == accepted[position]:
            position += 1
    return lost, extra, position == len(accepted)


def reconcile(settings: Settings, accepted: dict[str, list[str]]) -> Reconciled:
    """Compare what the gateway answered with 200 (per conversation, in order) with what Rasa's
    tracker store and the gateway's store hold."""
    rasa_db = settings.postgres_url_for(settings.rasa_tracker_db)
    gateway_db = settings.postgres_url_for(settings.postgres_database)
    ids = list(accepted)
    tracker: dict[str, list[str]] = {i: [] for i in ids}
    for sender, data in rows(
        rasa_db,
        "SELECT sender_id, data FROM events WHERE type_name = 'user' AND sender_id = ANY(%s) "
        "ORDER BY id",
        ids,
    ):
        tracker[sender].append(_text(data))
    # The citizen's messages the bot answered: those the next stored message is the bot's (a
    # refused turn is followed by the gateway's notice, a turn for staff by theirs or none).
    stored: dict[str, list[tuple[str, str]]] = {i: [] for i in ids}
    for conversation, party, text in rows(
        gateway_db,
        "SELECT conversation_id, party, text FROM messages "
        "WHERE conversation_id = ANY(%s) ORDER BY id",
        ids,
    ):
        stored[conversation].append((party, text))
    transcript = {
        conversation: [
            text
            for (party, text), (following, _) in zip(
                messages, [*messages[1:], ("", "")], strict=True
            )
            if party == "citizen" and following == "bot"
        ]
        for conversation, messages in stored.items()
    }
    totals = dict.fromkeys(("lt", "dt", "ls", "ds", "order"), 0)
    for conversation, texts in accepted.items():
        lost, extra, ordered = compare(texts, tracker[conversation])
        totals["lt"] += lost
        totals["dt"] += extra
        totals["order"] += not ordered
        lost, extra, ordered = compare(texts, transcript[conversation])
        totals["ls"] += lost
        totals["ds"] += extra
        totals["order"] += not ordered
    return Reconciled(
        accepted=sum(len(texts) for texts in accepted.values()),
        lost_in_tracker=totals["lt"],
        duplicated_in_tracker=totals["dt"],
        lost_in_transcript=totals["ls"],
        duplicated_in_transcript=totals["ds"],
        out_of_order=totals["order"],
        conversations_checked=len(accepted),
    )


def _text(data: str) -> str:
    return str(json.loads(data).get("text") or "")
