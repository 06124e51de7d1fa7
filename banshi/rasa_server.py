"""Start the Rasa server (``python -m banshi.rasa_server run ...``, same arguments as ``rasa``).

The HTTP API's token is not an argument: a process's command line can be read by every user
of the machine (``ps``, ``/proc/<pid>/cmdline``). ``run`` takes it from ``BANSHI_RASA_TOKEN``
in the environment (readable by the process's own user only) and hands it to Rasa's own
command line inside the process, so Rasa starts exactly as ``rasa run --auth-token`` would.
A token given as an argument is refused.

Before it starts, :mod:`banshi.rasa_speedups` installs the speed-ups measured under load
and :mod:`banshi.rasa_events` the event broker's publishing without a drain wait (behaviour
unchanged; docs/turn-cost.md), and :mod:`banshi.rasa_admission` the refusal of a turn that
waited past its start-by time.

And two additions for running several replicas behind a load balancer (:mod:`banshi.rasa_ready`):
a ``/readyz`` route (no token: it tells only whether the model, the tracker store and the
lock store answer) and Sanic's graceful shutdown set to ``BANSHI_SHUTDOWN_GRACE_S``, so that
SIGTERM lets the turns being answered finish.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from banshi import rasa_speedups

_patched = False


def patch_rasa(env: Mapping[str, str] | None = None) -> None:
    """Install the speed-ups and the event broker's publishing into Rasa (behaviour
    unchanged), the fault reporting of :mod:`banshi.rasa_faults` (a failed turn is refused
    whole, with a code), and ``/readyz`` with the graceful shutdown time into the server it
    creates."""
    import rasa.server

    from banshi import rasa_admission, rasa_events, rasa_faults
    from banshi.rasa_ready import with_readiness

    global _patched
    if _patched:  # the patches wrap what is installed: twice would nest them
        return
    _patched = True
    env = os.environ if env is None else env
    rasa_speedups.install()
    rasa_events.install()
    rasa_faults.install()  # after rasa_events: its publish wraps the faster one
    rasa_admission.install()
    grace_s = float(env.get("BANSHI_SHUTDOWN_GRACE_S") or 20.0)
    rasa.server.create_app = with_readiness(rasa.server.create_app, grace_s=grace_s)


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
    """Speed Rasa up, then hand over to Rasa's own command line (with the token from the
    environment; the process's own command line never holds it)."""
    arguments = rasa_arguments(sys.argv[1:], os.environ)
    patch_rasa()
    from rasa.__main__ import main as rasa_main

    sys.argv[:] = ["rasa", *arguments]
    rasa_main()


if __name__ == "__main__":
    main()
