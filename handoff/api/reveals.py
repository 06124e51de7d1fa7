"""Showing masked personal data in full (a call-back's phone number, a transcript, the data
the bot collected): only with a stated reason, and every try is in the audit log.

A reveal needs ``why``: 2 to 200 characters saying why the full value is needed. A granted
reveal is audited as ``<kind>.reveal``; a refused one (no reason, another district, not the
person serving it, a closed handoff or a finished call-back …) as ``<kind>.reveal_refused``
with the reason given and the refusal code, and the caller gets that coded error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from conversation.errors import ApiError
from handoff.api.deps import Authenticated
from handoff.runtime import HandoffRuntime

WHY_MIN = 2
WHY_MAX = 200


def checked_reason(why: str) -> str:
    """The reason, trimmed; 422 ``reveal_reason_required`` if missing, too short or too long."""
    reason = " ".join(why.split())
    if not WHY_MIN <= len(reason) <= WHY_MAX:
        raise ApiError(
            422,
            "reveal_reason_required",
            f"查看完整信息要写明原因（{WHY_MIN}到{WHY_MAX}个字）。",
        )
    return reason


@asynccontextmanager
async def audited_reveal(
    runtime: HandoffRuntime, user: Authenticated, kind: str, target_id: str, why: str
) -> AsyncIterator[str]:
    """Around the checks of a reveal: yields the checked reason; a coded refusal inside is
    audited (``<kind>.reveal_refused``) before it goes to the caller."""
    try:
        yield checked_reason(why)
    except ApiError as error:
        await runtime.audit.append(
            user.actor,
            f"{kind}.reveal_refused",
            kind if kind != "transcript" else "conversation",
            target_id,
            {"why": " ".join(why.split())[:WHY_MAX], "code": error.code},
        )
        raise
