"""banshi.rasa_server: the faster validation accepts and refuses exactly what Rasa's does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

from banshi import rasa_server

GOOD = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"text": "好"}]}
BAD = [{"events": "not a list"}, {"events": [{"no_event_key": 1}]}, {"responses": "x"}]


def _rasa_accepts(result: dict) -> bool:
    try:
        validate(result, RemoteAction.action_response_format_spec())
    except ValidationError:
        return False
    return True


def test_validation_matches_rasa() -> None:
    action = RemoteAction.__new__(RemoteAction)
    assert _rasa_accepts(GOOD)
    assert rasa_server._validate_action_result(action, GOOD) is True
    for result in BAD:
        assert not _rasa_accepts(result)
        with pytest.raises(ValidationError, match="Failed to validate Action server response"):
            rasa_server._validate_action_result(action, result)


def test_cached_event_lookup_matches_rasa() -> None:
    lookup = rasa_server._cached_event_lookup().__func__
    for name, cls in (("user", UserUttered), ("slot", SlotSet), ("action", ActionExecuted)):
        assert lookup(name) is cls is Event.resolve_by_type(name)
    assert lookup("topic") is None
    assert lookup("no_such_event", UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name"):
        lookup("no_such_event")


def test_the_token_comes_from_the_environment_not_the_command_line() -> None:
    argv = ["run", "--enable-api", "--port", "5005"]
    assert rasa_server.rasa_arguments(argv, {"BANSHI_RASA_TOKEN": "-tok"}) == [
        "run",
        "--auth-token=-tok",
        "--enable-api",
        "--port",
        "5005",
    ]
    assert rasa_server.rasa_arguments(argv, {}) == argv
    assert rasa_server.rasa_arguments(["train"], {"BANSHI_RASA_TOKEN": "t"}) == ["train"]
    for given in (["run", "--auth-token", "x"], ["run", "--auth-token=x"]):
        with pytest.raises(rasa_server.TokenOnCommandLine, match="BANSHI_RASA_TOKEN"):
            rasa_server.rasa_arguments(given, {})


def test_the_runner_puts_no_secret_on_any_command_line() -> None:
    from pathlib import Path

    from banshi.runner import process_specs
    from banshi.settings import Settings

    settings = Settings(
        profile="scale",
        rasa_token="Zq1-rasa",
        action_token="Zq2-action",
        service_token="Zq3-service",
        platform_client_key="Zq4-client",
        postgres_url="postgresql://banshi:Zq5pg@127.0.0.1:5432/banshi",
        rabbitmq_url="amqp://guest:Zq6mq@127.0.0.1:5672/",
    )
    for spec in process_specs(settings, Path("model.tar.gz")):
        line = " ".join(spec.argv)
        assert "Zq" not in line, spec.name
