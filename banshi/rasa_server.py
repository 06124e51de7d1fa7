"""Start the Rasa server (``python -m banshi.rasa_server run ...``, same arguments as ``rasa``).

The HTTP API's token is not an argument: a process's command line can be read by every user
of the machine (``ps``, ``/proc/<pid>/cmdline``). ``run`` takes it from ``BANSHI_RASA_TOKEN``
in the environment (readable by the process's own user only) and hands it to Rasa's own
command line inside the process, so Rasa starts exactly as ``rasa run --auth-token`` would.
A token given as an argument is refused.

Two changes to Rasa 3.6 before it starts, both measured with py-spy under load and both
leaving behaviour unchanged:
- ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which checks and
  compiles the (constant) response schema again on every custom-action call: 60 % of the Rasa
  process's CPU time. Here the validator is built once.
- ``Event.resolve_by_type`` walks all Event subclasses for every event read from the tracker
  store (about 8 %). Here the answer is remembered per type name.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
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
    """Install the two speed-ups into Rasa (behaviour unchanged), and the fault reporting of
    :mod:`banshi.rasa_faults` (a failed turn is refused whole, with a code)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event

    from banshi import rasa_faults

    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = _cached_event_lookup()
    rasa_faults.install()


TOKEN_VARIABLE = "BANSHI_RASA_TOKEN"
"""Where ``run`` reads the HTTP API's token from."""


class TokenOnCommandLine(SystemExit):
    """``--auth-token`` was given as an argument (anyone on the machine could read it)."""


def rasa_arguments(argv: Sequence[str], env: Mapping[str, str]) -> list[str]:
    """Rasa's command line for ``argv`` (our arguments, without the program name): for
    ``run``, the token of :data:`TOKEN_VARIABLE` added (as one argument: a generated token
    may start with "-")."""
    arguments = list(argv)
    if any(a == "--auth-token" or a.startswith("--auth-token=") for a in arguments):
        raise TokenOnCommandLine(
            f"banshi.rasa_server: do not pass --auth-token; set {TOKEN_VARIABLE} instead "
            "(a command line is visible to every user of the machine)."
        )
    token = env.get(TOKEN_VARIABLE, "")
    if arguments[:1] == ["run"] and token:
        arguments.insert(1, f"--auth-token={token}")
    return arguments


def main() -> None:
    """Patch, then hand over to Rasa's own command line (with the token from the
    environment; the process's own command line never holds it)."""
    arguments = rasa_arguments(sys.argv[1:], os.environ)
    patch_rasa()
    from rasa.__main__ import main as rasa_main

    sys.argv[:] = ["rasa", *arguments]
    rasa_main()


if __name__ == "__main__":
    main()
