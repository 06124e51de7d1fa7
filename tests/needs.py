"""What a test needs from the machine: a missing part skips it here and fails it under CI=true.

Every test or fixture that cannot run without a program, a package or a service says so with
:func:`need`, never with ``pytest.skip`` or ``skipif``: on a developer's machine the test is
skipped with the reason, in CI (``CI=true``) the same reason fails it, so a missing install step
cannot pass as a green run.
"""

from __future__ import annotations

import os
import shutil

import pytest


def in_ci() -> bool:
    """Whether this run is CI's (``CI=true``), where nothing may be skipped."""
    return os.environ.get("CI") == "true"


def need(condition: object, what: str, how_to_get: str) -> None:
    """Go on when ``condition`` is true; otherwise skip (fail under CI=true), naming ``what``
    is missing and ``how_to_get`` it."""
    if condition:
        return
    reason = f"{what} is missing: {how_to_get}"
    if in_ci():
        pytest.fail(f"{reason} (CI=true: this test must run)", pytrace=False)
    pytest.skip(reason)


def need_espeak() -> None:
    """espeak-ng, the speech synthesizer the voice tests speak with."""
    need(
        shutil.which("espeak-ng"),
        "espeak-ng",
        "apt-get install espeak-ng (make test installs it as root)",
    )
