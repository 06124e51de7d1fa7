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
