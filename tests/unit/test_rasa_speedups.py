"""banshi.rasa_speedups: each speed-up gives exactly what Rasa's own code gives."""

from __future__ import annotations

import asyncio
import gc
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import ValidationError, validate, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

from banshi import rasa_graph_runner, rasa_speedups, rasa_tracker_speedups
from tests.conftest import free_port

SLOT = {"event": "slot", "name": "x", "value": 1, "timestamp": None}
USER = {
    "event": "user",
    "text": "交学费",
    "parse_data": {
        "intent": {"name": "pay_tuition", "confidence": 0.9},
        "entities": [{"entity": "student_id", "value": "7320291068", "start": 0, "end": 10}],
    },
}
GOOD: list[Any] = [
    {"events": [SLOT], "responses": [{"text": "好"}]},
    {"events": [], "responses": []},
    {},
    {"responses": [{"text": "好", "buttons": [{"title": "对", "payload": "/affirm"}]}]},
    {"events": [USER, {"event": "action", "name": "action_listen", "policy": None}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "x"}]},
    {"events": [{"event": "bot", "text": "好", "metadata": {"k": 1}, "timestamp": 1.5}]},
    {"events": [SLOT], "other": "ignored"},
    {"events": [{**SLOT, "timestamp": 3}, {**SLOT, "value": {"nested": [1, None]}}]},
]
BAD: list[Any] = [
    {"events": "not a list"},
    {"events": [{"no_event_key": 1}]},
    {"responses": "x"},
    {"responses": ["not an object"]},
    {"events": [{"event": "slot", "name": "x"}]},  # a slot event needs a value
    {"events": [{"event": "slot", "name": 3, "value": 1}]},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": 7}]},
    {"events": ["slot"]},
    {"events": [SLOT, {"event": "slot", "value": 1}]},  # the second one is bad
    {"events": [{**SLOT, "timestamp": "yesterday"}]},
    {"events": [{**SLOT, "metadata": []}]},
    {"events": [{**USER, "parse_data": {"entities": [{"entity": "x"}]}}]},
    {"events": [{"event": "entities"}]},
    {"events": [{"event": "action", "hide_rule_turn": "yes"}]},
    [SLOT],
    "events",
    {"events": [{**SLOT, "timestamp": True}]},  # a boolean is no number in JSON Schema
    {"events": [{**SLOT, "name": False}]},
    {"events": [{"event": "bot", "text": "好", "metadata": "x"}]},
    {"events": [SLOT], "responses": [{"text": "好"}, 3]},
]


def _rasa_error(result: Any) -> str | None:
    """Rasa's own check: the message of its error, or None when it accepts ``result``."""
    try:
        validate(result, RemoteAction.action_response_format_spec())
    except ValidationError as error:
        return error.message
    return None


def test_validation_accepts_and_refuses_exactly_what_rasa_does() -> None:
    action = RemoteAction.__new__(RemoteAction)
    validator = rasa_speedups.ActionResultValidator(RemoteAction.action_response_format_spec())
    assert validator.by_event is not None and len(validator.by_event) == 23
    for result in GOOD:
        assert _rasa_error(result) is None, result
        assert validator.quick_ok(result), result  # the cheap path took it
        assert rasa_speedups._validate_action_result(action, result) is True
    for result in BAD:
        expected = _rasa_error(result)
        assert expected is not None, result
        assert not validator.quick_ok(result), result
        with pytest.raises(ValidationError) as raised:
            rasa_speedups._validate_action_result(action, result)
        assert raised.value.message == expected + rasa_speedups.FAILED


def test_every_stored_event_is_judged_as_rasa_judges_it() -> None:
    """The events Rasa stored while the test stories were played, each as an answer."""
    stored = json.loads((Path(__file__).parent / "data" / "rasa_conversations.json").read_text())
    schema = RemoteAction.action_response_format_spec()
    validator = rasa_speedups.ActionResultValidator(schema)
    rasas = validators.validator_for(schema)(schema)  # what ``validate`` checks, compiled once
    judged = 0
    for events in stored.values():
        for event in events:
            answer = {"events": [event]}
            assert validator.quick_ok(answer) == rasas.is_valid(answer), event
            judged += 1
    assert judged > 1000


def test_a_schema_of_another_shape_is_checked_whole() -> None:
    schema = {"type": "object", "properties": {"events": {"type": "array"}}}
    validator = rasa_speedups.ActionResultValidator(schema)
    assert validator.by_event is None
    assert not validator.quick_ok({"events": []})
    validator.validate({"events": []})
    with pytest.raises(ValidationError):
        validator.validate({"events": {}})


def test_cached_event_lookup_matches_rasa() -> None:
    lookup = rasa_speedups._cached_event_lookup().__func__
    for name, cls in (("user", UserUttered), ("slot", SlotSet), ("action", ActionExecuted)):
        assert lookup(name) is cls is Event.resolve_by_type(name)
    assert lookup("topic") is None
    assert lookup("no_such_event", UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name"):
        lookup("no_such_event")


def test_the_objects_alive_after_loading_the_model_are_frozen() -> None:
    loaded = object()

    async def load_agent_on_start(model: str) -> object:
        assert model == "model.tar.gz"
        return loaded

    hook = rasa_speedups._freeze_after_loading(load_agent_on_start)
    try:
        assert gc.get_freeze_count() == 0
        assert asyncio.run(hook("model.tar.gz")) is loaded
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_install_replaces_rasas_functions() -> None:
    import rasa.core.run
    import rasa.server
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.core.slots import Slot
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    original = (
        RemoteAction.__dict__["_validate_action_result"],
        Event.__dict__["resolve_by_type"],
        rasa.core.run.load_agent_on_start,
        EndpointConfig.session,
        DaskGraphRunner.run,
        rasa.server.create_app,
        DialogueStateTracker.applied_events,
        DialogueStateTracker.past_states,
    )
    slot_copy = Slot.__dict__.get("__copy__")
    try:
        rasa_speedups.install()
        assert RemoteAction._validate_action_result is rasa_speedups._validate_action_result
        assert Event.resolve_by_type("slot") is SlotSet
        assert rasa.core.run.load_agent_on_start.__name__ == "load_then_freeze"
        assert EndpointConfig.session is rasa_speedups._kept_session
        assert DaskGraphRunner.run is rasa_graph_runner.run
        assert rasa.server.create_app.__wrapped__ is original[5]
        assert DialogueStateTracker.past_states is rasa_tracker_speedups.past_states
    finally:
        RemoteAction._validate_action_result = original[0]
        Event.resolve_by_type = original[1]
        rasa.core.run.load_agent_on_start = original[2]
        EndpointConfig.session = original[3]  # type: ignore[method-assign]
        DaskGraphRunner.run = original[4]  # type: ignore[method-assign]
        rasa.server.create_app = original[5]
        DialogueStateTracker.applied_events = original[6]  # type: ignore[method-assign]
        DialogueStateTracker.past_states = original[7]  # type: ignore[method-assign]
        if slot_copy is None:
            del Slot.__copy__  # type: ignore[attr-defined]


def test_request_json_is_the_same_document_with_the_domain_encoded_once() -> None:
    domain = {"intents": ["greet"], "responses": {"utter_greet": [{"text": "您好"}]}}
    bodies: list[Any] = [
        {"next_action": "action_x", "tracker": {"events": [SLOT]}, "domain": domain},
        {"next_action": "action_y", "tracker": {"events": []}, "domain": domain},
        {"domain": domain},
        {"domain": {"intents": ["bye"]}},  # another domain object: encoded afresh
        {"next_action": "action_x", "domain": None},
        {"text": "没有领域"},
        [1, "二"],
    ]
    for body in bodies:
        assert json.loads(rasa_speedups.dumps_request(body)) == body
    assert rasa_speedups._domain_json is not None
    assert rasa_speedups._domain_json[0] == {"intents": ["bye"]}


async def test_calls_to_an_endpoint_share_one_connection() -> None:
    """Two requests through Rasa's EndpointConfig reach the server over one connection, with
    the same body and answer as before."""
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    peers: list[Any] = []
    bodies: list[Any] = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername") if request.transport else None)
        bodies.append(await request.json())
        return web.json_response({"events": [], "token": request.query.get("token")})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    original = EndpointConfig.session
    try:
        EndpointConfig.session = rasa_speedups._kept_session  # type: ignore[method-assign]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", token="t0k")
        body = {"next_action": "action_x", "tracker": {"events": [SLOT]}, "domain": {"a": "中"}}
        for _ in range(2):
            answer = await endpoint.request(json=body, method="post", timeout=5)
            assert answer == {"events": [], "token": "t0k"}
        assert bodies == [body, body]
        assert len(peers) == 2 and peers[0] == peers[1]
        async with endpoint.session() as session:
            assert not session.closed
        # When the server stops, the kept session is closed; a later call opens another.
        assert await rasa_speedups.close_kept_sessions() >= 1
        assert session.closed
        assert await endpoint.request(json=body, method="post", timeout=5) == answer
        async with endpoint.session() as again:
            assert again is not session and not again.closed
        assert await rasa_speedups.close_kept_sessions() >= 1
    finally:
        EndpointConfig.session = original  # type: ignore[method-assign]
        await runner.cleanup()


async def test_the_app_rasa_creates_closes_the_kept_sessions_when_it_stops() -> None:
    """The listener runs on Sanic's own "after the server stopped" event."""
    import aiohttp
    from sanic import Sanic

    app = rasa_speedups._closing_kept_sessions(lambda: Sanic("kept_sessions_test"))()
    session = aiohttp.ClientSession()
    rasa_speedups._kept_sessions.add(session)
    app.signal_router.finalize()
    await app._server_event("shutdown", "after", loop=asyncio.get_running_loop())
    assert session.closed
