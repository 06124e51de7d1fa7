"""The scale profile behind fault proxies, citizens talking to it, and the reconciliation.

Shared by ``tests/scale/test_faults*.py`` (a few conversations, short faults) and
``bench/faults.py`` (more of both):

- :func:`faulty_system`: the scale profile's processes on free ports, with PostgreSQL, Redis and
  RabbitMQ reached through one :class:`~tests.scale.faultproxy.FaultProxy` each. The platform
  sandbox reaches PostgreSQL directly: it stands for the province's platform, whose database
  is not ours to lose.
- :class:`Citizens`: conversations that keep talking (a script of turns, again and again);
  after a refused turn the citizen waits a moment and says it again, as they are told to.
  Every answer is recorded: its status, code and text (what the citizen heard) and when.
- :func:`reconcile`: every turn the bot answered is once in the gateway's transcript and once
  in Rasa's tracker, in order; lost and duplicated turns are counted, not assumed away.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import json
import os
import secrets
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from banshi.profiles import prepare
from banshi.runner import ProcessGroup, ProcessSpec, process_specs
from banshi.settings import Settings
from banshi.training import ensure_model
from conversation.outage import ACTIONS_DOWN_MESSAGE
from platform_sandbox.seed import DEMO_STUDENT_ID
from tests.chat import TOKEN_HEADER
from tests.conftest import RunningSystem, system_settings
from tests.scale.faultproxy import FaultProxy
from tests.scale.services import POSTGRES, RABBITMQ, REDIS, drop_databases, rows

SCRIPT = ("你好", "我要给孙子交学费", DEMO_STUDENT_ID, "不对", "我能办什么", "谢谢", "再见")
"""One round of a citizen's talk: a greeting, a service form with the platform's bill lookup
(custom actions), a correction, a question, goodbye; said again and again."""

ANSWERED_BY_BOT = "bot"
"""An answer of the bot (Rasa took the turn) — the turns that must be in its tracker."""


@dataclass
class FaultySystem:
    """The running system, its fault proxies and the names of its databases and queue."""

    running: RunningSystem
    postgres: FaultProxy
    redis: FaultProxy
    rabbitmq: FaultProxy
    database: str
    log_dir: Path
    restarted: list[ProcessGroup] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return self.running.settings

    @property
    def gateway(self) -> str:
        return self.running.gateway

    def process(self, name: str) -> Any:
        """The running process ``name`` (the latest one, after a restart)."""
        for group in reversed(self.restarted):
            if name in group.processes:
                return group.processes[name]
        return self.running.group.processes[name]

    def kill(self, name: str) -> None:
        """SIGKILL the process ``name`` (``actions`` …) and its children."""
        process = self.process(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def restart(self, name: str) -> None:
        """Start the process ``name`` again (same port and settings) and wait until it is
        healthy; it is stopped with the rest."""
        spec = next(s for s in self._specs() if s.name == name)
        group = ProcessGroup(self.settings, [spec], log_dir=self.log_dir, echo=False)
        self.restarted.append(group)
        group.start()

    def _specs(self) -> list[ProcessSpec]:
        return sandbox_direct(
            process_specs(self.settings, ensure_model(self.settings.models_dir)), self.database
        )


def sandbox_direct(specs: list[ProcessSpec], database: str) -> list[ProcessSpec]:
    """The specs with the sandbox's database (``<database>_sandbox``) reached without a proxy."""
    for spec in specs:
        if spec.name == "sandbox":
            spec.env["BANSHI_POSTGRES_URL"] = f"{POSTGRES.rsplit('/', 1)[0]}/{database}"
    return specs


@contextmanager
def faulty_system(var_dir: Path) -> Iterator[FaultySystem]:
    """The scale profile behind fault proxies (see the module's docstring); stopped, its
    databases dropped and its queue deleted afterwards."""
    proxies = [FaultProxy.for_url(url).start() for url in (POSTGRES, REDIS, RABBITMQ)]
    postgres, redis_proxy, rabbitmq = proxies
    database = f"banshi_faults_{secrets.token_hex(4)}"
    settings: Settings = system_settings(
        var_dir,
        profile="scale",
        postgres_url=postgres.url(f"{POSTGRES.rsplit('/', 1)[0]}/{database}"),
        redis_url=redis_proxy.url(REDIS),
        rabbitmq_url=rabbitmq.url(RABBITMQ),
        rabbitmq_queue=f"{database}_events",
        rasa_token=secrets.token_urlsafe(24),
        action_token=secrets.token_urlsafe(24),
        service_token=secrets.token_urlsafe(24),
        platform_client_key=secrets.token_urlsafe(24),
    )
    try:
        model = ensure_model(settings.models_dir)
        prepare(settings)
        specs = sandbox_direct(process_specs(settings, model), database)
        with ProcessGroup(settings, specs, log_dir=var_dir / "logs", echo=False) as group:
            system = FaultySystem(
                RunningSystem(settings, group),
                postgres,
                redis_proxy,
                rabbitmq,
                database,
                var_dir / "logs",
            )
            try:
                yield system
            finally:
                for restarted in system.restarted:
                    restarted.stop()
    finally:
        for proxy in proxies:
            proxy.close()
        drop_databases([database, f"{database}_sandbox", f"{database}_rasa"])
        with contextlib.suppress(Exception):
            asyncio.run(drain_events(settings.rabbitmq_queue, delete=True))


async def drain_events(queue: str, *, delete: bool = False) -> list[dict[str, Any]]:
    """Take every event waiting in Rasa's queue (straight from RabbitMQ, not the proxy)."""
    import aio_pika

    events: list[dict[str, Any]] = []
    connection = await aio_pika.connect_robust(RABBITMQ)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        while (message := await declared.get(no_ack=True, fail=False)) is not None:
            events.append(json.loads(message.body))
        if delete:
            await declared.delete(if_unused=False, if_empty=False)
    return events


# --------------------------------------------------------------------------- citizens
@dataclass
class Answer:
    """One turn as the citizen lived it."""

    text: str
    status: int
    code: str
    """``bot`` (Rasa answered), or the error's or system message's code."""
    heard: str
    sent_at: float
    answered_at: float


@dataclass
class Conversation:
    """One citizen's conversation and every answer it got."""

    id: str = ""
    token: str = ""
    answers: list[Answer] = field(default_factory=list)
    step: int = 0

    def said_to_bot(self) -> list[str]:
        """The texts the bot answered, in order."""
        return [a.text for a in self.answers if a.code == ANSWERED_BY_BOT]


def _classify(response: httpx.Response) -> tuple[str, str]:
    """(code, what was heard) of an answer."""
    try:
        body = response.json()
    except ValueError:
        return f"http_{response.status_code}", response.text[:80]
    if response.status_code != 200:
        error = body.get("error") or {}
        return str(error.get("code", f"http_{response.status_code}")), str(error.get("message"))
    messages = body.get("messages") or []
    heard = "".join(str(m.get("text", "")) for m in messages)
    if any(m.get("from") == "bot" for m in messages):
        return ANSWERED_BY_BOT, heard
    if any(m.get("text") == ACTIONS_DOWN_MESSAGE for m in messages):
        return "actions_unavailable", heard
    return "system", heard


class Citizens:
    """``count`` conversations talking to the gateway until :meth:`stop`."""

    def __init__(self, gateway: str, count: int, *, pause_s: float = 0.2) -> None:
        self.gateway = gateway
        self.conversations = [Conversation() for _ in range(count)]
        self.pause_s = pause_s
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._client = httpx.AsyncClient(base_url=gateway, timeout=30)

    async def __aenter__(self) -> Citizens:
        self._tasks = [asyncio.create_task(self._talk(c)) for c in self.conversations]
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    async def stop(self) -> None:
        """Let every conversation finish its turn in flight, then stop."""
        self._stop.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._client.aclose()

    async def _talk(self, conversation: Conversation) -> None:
        while not self._stop.is_set():
            text = SCRIPT[conversation.step % len(SCRIPT)]
            await self.say(conversation, text)
            await asyncio.sleep(self.pause_s)

    async def say(self, conversation: Conversation, text: str) -> Answer:
        """One turn; the script moves on when the turn was answered (not refused)."""
        body: dict[str, Any] = {"text": text, "message_id": secrets.token_hex(8)}
        headers = {}
        if conversation.id:
            body["conversation_id"] = conversation.id
            headers[TOKEN_HEADER] = conversation.token
        sent = time.monotonic()
        try:
            response = await self._client.post("/api/chat", json=body, headers=headers)
        except httpx.HTTPError as error:
            answer = Answer(text, 0, type(error).__name__, "", sent, time.monotonic())
        else:
            code, heard = _classify(response)
            answer = Answer(text, response.status_code, code, heard, sent, time.monotonic())
            if response.status_code == 200 and not conversation.id:
                conversation.id = response.json()["conversation_id"]
                conversation.token = response.json()["conversation_token"]
        conversation.answers.append(answer)
        if answer.code == ANSWERED_BY_BOT:
            conversation.step += 1
        return answer

    async def wait_answered(
        self, after: float, timeout_s: float, *, without: str = ""
    ) -> float | None:
        """Seconds from ``after`` (monotonic) until every conversation had a turn the bot
        answered (``without`` that text in the answer) that was sent after it; None if not
        within ``timeout_s``."""
        deadline = after + timeout_s
        while time.monotonic() < deadline:
            firsts = [self._first_answered(c, after, without) for c in self.conversations]
            if all(t is not None for t in firsts):
                return max(t for t in firsts if t is not None) - after
            await asyncio.sleep(0.1)
        return None

    @staticmethod
    def _first_answered(conversation: Conversation, after: float, without: str) -> float | None:
        return next(
            (
                a.answered_at
                for a in conversation.answers
                if a.sent_at >= after
                and a.code == ANSWERED_BY_BOT
                and not (without and without in a.heard)
            ),
            None,
        )

    def heard(self, start: float, end: float) -> dict[str, int]:
        """What the citizens heard for the turns sent between ``start`` and ``end``
        (monotonic): ``code: text`` and how often."""
        counts: dict[str, int] = {}
        for conversation in self.conversations:
            for a in conversation.answers:
                if start <= a.sent_at <= end:
                    key = f"{a.status} {a.code}: {a.heard}" if a.code != ANSWERED_BY_BOT else "bot"
                    counts[key] = counts.get(key, 0) + 1
        return counts


# --------------------------------------------------------------------------- the platform
def platform_faults(system: FaultySystem, *, latency_ms: int = 0, error_rate: float = 0.0) -> None:
    """Set the sandbox's injected faults (none: both 0)."""
    with system.running.platform() as platform:
        answer = platform.post(
            "/v1/sandbox/faults", json={"latency_ms": latency_ms, "error_rate": error_rate}
        )
        assert answer.status_code == 200, answer.text


async def platform_back(citizens: Citizens, after: float, timeout_s: float) -> float | None:
    """Seconds from ``after`` until a bill lookup through the bot works again."""
    probe = Conversation()
    await citizens.say(probe, "我要给孙子交学费")
    while time.monotonic() < after + timeout_s:
        if "2550.00" in (await citizens.say(probe, DEMO_STUDENT_ID)).heard:
            return time.monotonic() - after
        await asyncio.sleep(0.5)
    return None


# --------------------------------------------------------------------------- reconciliation
@dataclass
class Reconciliation:
    """Turns the bot answered compared with the transcript and the tracker."""

    answered: int = 0
    lost_transcript: int = 0
    duplicated_transcript: int = 0
    lost_tracker: int = 0
    duplicated_tracker: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (
            self.lost_transcript
            or self.duplicated_transcript
            or self.lost_tracker
            or self.duplicated_tracker
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "answered_by_bot": self.answered,
            "lost": self.lost_transcript + self.lost_tracker,
            "duplicated": self.duplicated_transcript + self.duplicated_tracker,
            "lost_transcript": self.lost_transcript,
            "duplicated_transcript": self.duplicated_transcript,
            "lost_tracker": self.lost_tracker,
            "duplicated_tracker": self.duplicated_tracker,
        }


def _compare(expected: list[str], found: list[str]) -> tuple[int, int]:
    """(missing, extra) between two sequences, in order."""
    matcher = difflib.SequenceMatcher(a=expected, b=found, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return len(expected) - matched, len(found) - matched


def transcript_turns(database: str, conversation_id: str) -> list[str]:
    """The citizen's messages of the gateway's transcript that the bot answered (the next
    stored message is the bot's), in order."""
    stored = rows(
        f"{POSTGRES.rsplit('/', 1)[0]}/{database}",
        "SELECT party, text FROM messages WHERE conversation_id = %s ORDER BY id",
        conversation_id,
    )
    return [
        text
        for (party, text), following in zip(stored, [*stored[1:], (None, None)], strict=True)
        if party == "citizen" and following[0] == "bot"
    ]


def tracker_turns(database: str, conversation_id: str) -> list[str]:
    """The user messages of Rasa's tracker, in order."""
    base = POSTGRES.rsplit("/", 1)[0]
    events = rows(
        f"{base}/{database}_rasa",
        "SELECT data FROM events WHERE sender_id = %s AND type_name = 'user' ORDER BY id",
        conversation_id,
    )
    return [str(json.loads(data).get("text")) for (data,) in events]


def reconcile(system: FaultySystem, citizens: Citizens) -> Reconciliation:
    """Compare, per conversation, the turns the bot answered with the transcript and tracker."""
    result = Reconciliation()
    for conversation in citizens.conversations:
        if not conversation.id:
            continue
        expected = conversation.said_to_bot()
        result.answered += len(expected)
        transcript = transcript_turns(system.database, conversation.id)
        tracker = tracker_turns(system.database, conversation.id)
        for kind, found in (("transcript", transcript), ("tracker", tracker)):
            missing, extra = _compare(expected, found)
            if kind == "transcript":
                result.lost_transcript += missing
                result.duplicated_transcript += extra
            else:
                result.lost_tracker += missing
                result.duplicated_tracker += extra
            if missing or extra:
                result.differences.append(
                    f"{conversation.id[:8]} {kind}: answered {expected} found {found}"
                )
    return result
