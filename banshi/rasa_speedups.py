"""Speed-ups installed into Rasa 3.6 before ``banshi.rasa_server`` starts it; behaviour unchanged.

Each was found with py-spy on the Rasa process under ``bench.turn_latency`` (docs/turn-cost.md):

- **The action server's answer is checked event by event.** ``RemoteAction._validate_action_result``
  checks every answer against Rasa's schema, whose events are a ``oneOf`` of 23 event schemas:
  jsonschema tries all 23 for every event, and Rasa also compiled the (constant) schema again on
  every call (60 % of the process before, then still 16 %). The branches differ only in their
  ``event`` constant, so an event can match no branch but the one named by its ``event``: here
  each event is checked against that branch alone, by a check compiled once to Python code with
  fastjsonschema (16 times as fast as jsonschema's; a form's answer carries dozens of events).
  An answer that fails this check is checked again by the full schema with jsonschema, which
  raises exactly Rasa's error.
- **The loaded model is left out of garbage collection.** A full collection walks every object
  of the process, the model's included (1.5 GB; 0.5–1.5 s a pause here, every 15–30 s under
  load, while every conversation waits). Once the model is loaded, the objects alive are moved
  to the collector's permanent generation (``gc.freeze``): later full collections walk only
  what the turns allocate. A model loaded later (``PUT /model``) is collected as before.
- **Calls to the action server keep their connection.** Rasa's ``EndpointConfig`` made a new
  aiohttp session, so a new TCP connection, for every call (two or three a turn). Here each
  endpoint keeps one session; an idle connection is dropped after 2 s, before the action
  server's own 5 s keep-alive ends, so a connection the server is closing is never reused.
  The sessions are closed when the server stops (a listener added to the app Rasa creates).
- **The domain is encoded once.** Every call sends the tracker and the domain as JSON; the
  domain (30 KB) is the same object each time (``Domain.as_dict`` returns the domain's own
  dict), so its JSON text is kept for as long as that object is the one sent.
- **Event classes are found once.** ``Event.resolve_by_type`` walks all Event subclasses for every
  event read from the tracker store (about 8 %); the answer is remembered per type name.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import weakref
from typing import Any

import aiohttp
import fastjsonschema
from jsonschema import exceptions, validators

FAILED = (
    ". Failed to validate Action server response from API, make sure your response "
    "from the Action endpoint is valid."
)


class ActionResultValidator:
    """Rasa's schema for an action server's answer, checked event by event.

    ``schema`` is ``RemoteAction.action_response_format_spec()``: an object whose ``events`` are
    items of one event schema with a ``oneOf`` of branches, each fixing ``event`` to a constant.
    When the schema has another shape (a later Rasa), every answer goes to the full schema.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        self.full = cls(schema)
        self.by_event: dict[str, Any] | None = None
        self.rest: Any = None
        try:
            properties = dict(schema["properties"])
            event_schema = dict(properties.pop("events")["items"])
            branches = event_schema.pop("oneOf")
            names = [branch["properties"]["event"]["const"] for branch in branches]
        except (KeyError, TypeError):
            return
        if len(set(names)) != len(names) or not all(isinstance(n, str) for n in names):
            return
        # One schema per event name: the event schema with its one matching branch required.
        self.by_event = {
            name: fastjsonschema.compile({**event_schema, "allOf": [branch]})
            for name, branch in zip(names, branches, strict=True)
        }
        self.rest = fastjsonschema.compile({**schema, "properties": properties})

    def quick_ok(self, result: Any) -> bool:
        """True when ``result`` certainly satisfies the schema (False: ask the full schema)."""
        if self.by_event is None or not isinstance(result, dict):
            return False
        events = result.get("events", [])
        if not isinstance(events, list):
            return False
        try:
            for event in events:
                name = event.get("event") if isinstance(event, dict) else None
                check = self.by_event.get(name) if isinstance(name, str) else None
                if check is None:
                    return False
                check(event)
            self.rest(result)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    def validate(self, result: Any) -> None:
        """Raise Rasa's ``ValidationError`` (with Rasa's hint added) when ``result`` is invalid."""
        if self.quick_ok(result):
            return
        error = exceptions.best_match(self.full.iter_errors(result))
        if error is not None:
            error.message += FAILED
            raise error


_validator: ActionResultValidator | None = None


def _action_result_validator() -> ActionResultValidator:
    """The validator of Rasa's answer schema, compiled on first use (``install`` uses it
    first, so that no turn waits for the compilation)."""
    global _validator
    if _validator is None:
        from rasa.core.actions.action import RemoteAction

        _validator = ActionResultValidator(RemoteAction.action_response_format_spec())
    return _validator


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """Rasa's check of an action server response (``RemoteAction._validate_action_result``)."""
    _action_result_validator().validate(result)
    return True


def _cached_event_lookup() -> Any:
    """``Event.resolve_by_type`` walks every Event subclass for each stored event it reads back;
    remember the answer per type name (a miss still goes to Rasa's own lookup)."""
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    found: dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        cls = found.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and cls is not default:
                found[type_name] = cls
        return cls

    return staticmethod(resolve_by_type)


def _freeze_after_loading(load_agent_on_start: Any) -> Any:
    """Rasa's start-up hook that loads the model, followed by ``gc.freeze``."""

    async def load_then_freeze(*args: Any, **kwargs: Any) -> Any:
        agent = await load_agent_on_start(*args, **kwargs)
        gc.collect()
        gc.freeze()
        return agent

    return load_then_freeze


KEEP_ALIVE_S = 2.0
"""How long an idle connection to an endpoint is kept (Sanic's keep-alive timeout is 5 s)."""

_domain_json: tuple[Any, str] | None = None


def dumps_request(body: Any) -> str:
    """``json.dumps(body)``, with the JSON of ``body["domain"]`` kept while it is the same
    object (a JSON object's key order carries no meaning; the domain comes last)."""
    global _domain_json
    domain = body.get("domain") if isinstance(body, dict) else None
    if not isinstance(domain, dict):
        return json.dumps(body)
    if _domain_json is None or _domain_json[0] is not domain:
        _domain_json = (domain, json.dumps(domain))
    rest = json.dumps({key: value for key, value in body.items() if key != "domain"})
    return f'{rest[:-1]}{", " if len(rest) > 2 else ""}"domain": {_domain_json[1]}}}'


_kept_sessions: weakref.WeakSet[aiohttp.ClientSession] = weakref.WeakSet()


async def close_kept_sessions(*_args: Any) -> int:
    """Close the endpoints' kept sessions (Sanic's ``after_server_stop``); how many were open."""
    open_sessions = [session for session in list(_kept_sessions) if not session.closed]
    for session in open_sessions:
        await session.close()
    return len(open_sessions)


def _closing_kept_sessions(create_app: Any) -> Any:
    """``rasa.server.create_app`` whose app closes the kept sessions when it stops."""

    @functools.wraps(create_app)
    def create(*args: Any, **kwargs: Any) -> Any:
        app = create_app(*args, **kwargs)
        app.register_listener(close_kept_sessions, "after_server_stop")
        return app

    return create


class _KeptSession:
    """What ``async with endpoint.session()`` gets: the endpoint's one session, left open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *_exc: object) -> None:
        return None


def _kept_session(self: Any) -> _KeptSession:
    """``EndpointConfig.session``: one session per endpoint and event loop, with Rasa's
    headers, authentication and timeout."""
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    kept = self.__dict__.get("_kept_session")
    if kept is None or kept[0] is not loop or kept[1].closed:
        auth = (
            aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
            if self.basic_auth
            else None
        )
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEP_ALIVE_S),
            json_serialize=dumps_request,
        )
        kept = self._kept_session = (loop, session)
        _kept_sessions.add(session)
    return _KeptSession(kept[1])


def install() -> None:
    """Install the speed-ups into Rasa (behaviour unchanged)."""
    import rasa.core.run
    import rasa.server
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event
    from rasa.utils.endpoints import EndpointConfig

    from banshi import rasa_graph_runner, rasa_tracker_speedups

    RemoteAction._validate_action_result = _validate_action_result
    _action_result_validator()
    Event.resolve_by_type = _cached_event_lookup()
    rasa.core.run.load_agent_on_start = _freeze_after_loading(rasa.core.run.load_agent_on_start)
    EndpointConfig.session = _kept_session
    rasa.server.create_app = _closing_kept_sessions(rasa.server.create_app)
    rasa_graph_runner.install()
    rasa_tracker_speedups.install()
