"""Action tests: real actions, a real sandbox process, trackers replayed from saved states."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.config import ActionConfig
from actions.runtime import platform_client
from actions.services.base import Turn
from banshi import paths
from banshi.migrate import upgrade_to_head
from banshi.runner import ProcessGroup, process_specs
from banshi.settings import Settings
from platform_sandbox.seed import DemoCitizen
from tests.conftest import RunningSystem, system_settings

TRACKERS = Path(__file__).parent / "trackers"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """Only the platform sandbox, as a real process."""
    settings: Settings = system_settings(tmp_path_factory.mktemp("actions")).with_secrets()
    specs = [s for s in process_specs(settings, Path("unused")) if s.name == "sandbox"]
    with ProcessGroup(settings, specs, log_dir=settings.var_dir / "logs", echo=False) as group:
        yield RunningSystem(settings, group)


@pytest.fixture
async def platform(sandbox: RunningSystem) -> AsyncIterator[None]:
    """The action server's platform client and citizen sessions, started against the sandbox
    and the gateway's database (migrated, as the gateway does) as at server start."""
    sandbox.reset_platform()
    await upgrade_to_head(sandbox.settings.effective_gateway_database_url)
    runtime.start_client(ActionConfig.from_env(sandbox.settings.child_env()))
    yield
    await runtime.stop_client()


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The bot's domain as the action server receives it."""
    return dict(Domain.load(str(paths.DOMAIN_DIR)).as_dict())


def load_tracker(name: str, **slots: Any) -> Tracker:
    """A saved tracker state (``trackers/NAME.json``), with slots overridden."""
    state = json.loads((TRACKERS / f"{name}.json").read_text(encoding="utf-8"))
    state["slots"].update(slots)
    for event in state["events"]:
        if event["event"] == "slot" and event["name"] in slots:
            event["value"] = slots[event["name"]]
    return Tracker.from_dict(state)


def user(
    text: str,
    intent: str = "inform",
    entities: Sequence[dict[str, Any]] = (),
    *,
    confidence: float = 1.0,
    message_id: str | None = None,
) -> dict[str, Any]:
    """A user event as the tracker lists it (with ``message_id`` when given)."""
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": list(entities),
    }
    event: dict[str, Any] = {"event": "user", "text": text, "parse_data": parse}
    if message_id is not None:
        event["message_id"] = message_id
    return event


def form_turn(
    slots: dict[str, Any] | None = None,
    *,
    text: str = "",
    intent: str = "inform",
    confidence: float = 1.0,
    entities: Sequence[dict[str, Any]] = (),
    message_id: str | None = None,
    events: Sequence[dict[str, Any]] = (),
    with_user_event: bool = False,
    sender: str = "actions-test",
    service: str | None = None,
) -> Turn:
    """A turn of ``service_form`` whose user just said ``text``, with ``slots`` set.

    ``service`` sets the ``service`` slot (``slots`` may override it); ``message_id`` goes on
    the latest message; ``with_user_event`` appends the user event of ``text`` to ``events``.
    A ``citizen_token`` among ``slots`` is not a slot: it stands for the conversation's token
    in the citizen sessions (the slot ``citizen_verified`` is set).
    """
    slots = dict(slots or {})
    token = slots.pop("citizen_token", None)
    if token is not None:
        slots.setdefault("citizen_verified", True)
    latest = user(text, intent, entities, confidence=confidence, message_id=message_id)
    message = dict(latest["parse_data"])
    if message_id is not None:
        message["message_id"] = message_id
    service_slot = {} if service is None else {"service": service}
    tracker = Tracker(
        sender_id=sender,
        slots={**service_slot, **slots},
        latest_message=message,
        events=[*events, latest] if with_user_event else list(events),
        paused=False,
        followup_action=None,
        active_loop={"name": "service_form"},
        latest_action_name="action_listen",
    )
    turn = Turn(CollectingDispatcher(), tracker)
    if token is not None:
        turn.knows_token(str(token))
    return turn


def said(turn: Turn) -> list[str]:
    """What the actions said in ``turn``, in order."""
    return [str(message.get("text")) for message in turn.dispatcher.messages]


async def verified(sandbox: RunningSystem, citizen: DemoCitizen, **slots: Any) -> dict[str, Any]:
    """The slots identity verification leaves for ``citizen``, with its real citizen token as
    ``citizen_token`` (see :func:`form_turn`)."""
    platform = platform_client()
    started = await platform.start_verification(name=citizen.name, id_number=citizen.id_number)
    with sandbox.platform() as client:
        code = client.get("/v1/sandbox/sms", params={"phone": citizen.phone}).json()["code"]
    session = await platform.confirm_verification(started.verification_id, code=code)
    return {
        "citizen_token": session.citizen_token,
        "citizen_subject": "本人",
        "citizen_name": session.citizen.name,
        "citizen_age": session.citizen.age,
        "citizen_district": session.citizen.district,
        **slots,
    }


def text_turns(service: str, sender: str) -> Callable[..., Turn]:
    """A builder of turns of ``service`` in which the user just said ``text`` (the slots
    already set as keyword arguments)."""

    def turn(
        text: str,
        *,
        intent: str = "inform",
        entities: Sequence[dict[str, Any]] = (),
        sender: str = sender,
        **slots: Any,
    ) -> Turn:
        return form_turn(
            slots,
            text=text,
            intent=intent,
            confidence=0.95,
            entities=entities,
            sender=sender,
            service=service,
        )

    return turn
