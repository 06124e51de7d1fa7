"""Start the Rasa server (``python -m banshi.rasa_server run ...``, same arguments as ``rasa``).

Two changes to Rasa 3.6 before it starts, both measured with py-spy under load and both
leaving behaviour unchanged:
- ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which checks and
  compiles the (constant) response schema again on every custom-action call: 60 % of the Rasa
  process's CPU time. Here the validator is built once.
- ``Event.resolve_by_type`` walks all Event subclasses for every event read from the tracker
  store (about 8 %). Here the answer is remembered per type name.
"""

from __future__ import annotations

import sys
from typing import Any

from jsonschema import exceptions, validators

_validator: Any = None


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """Rasa's check of an action server response, with the schema compiled once."""
    global _validator
    if _validator is None:
        schema = type(self).action_response_format_spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    error = exceptions.best_match(_validator.iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid."
        )
        raise error
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


def patch_rasa() -> None:
    """Install the two speed-ups into Rasa (behaviour unchanged)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event

    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = _cached_event_lookup()


def main() -> None:
    """Patch, then hand over to Rasa's own command line."""
    patch_rasa()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
