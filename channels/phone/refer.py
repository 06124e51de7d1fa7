"""Handing a call to a staff number with SIP REFER (RFC 3515), the transferor's side.

banshi sends REFER in the call's dialog with ``Refer-To`` the staff number; the caller's phone
(or the PBX in the path) accepts it with ``202`` and calls that number itself, telling banshi
how it goes in NOTIFY requests whose body is a ``message/sipfrag`` status line (``SIP/2.0 180
Ringing`` … ``SIP/2.0 200 OK``). A final ``2xx`` means the caller now talks to staff: banshi
ends its own leg with BYE. Anything else (REFER refused, a failure status, no final NOTIFY in
time, the implicit subscription ended without one) leaves the caller with banshi.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from channels.phone.media import TransferResult
from channels.phone.message import SipMessage

_SIPFRAG = re.compile(r"^\s*SIP/2\.0\s+(\d{3})")
REFER_TIMEOUT_S = 45.0
"""How long a transfer may take, REFER to final NOTIFY (a staff phone ringing included)."""


@dataclass(frozen=True)
class Progress:
    """One NOTIFY of a transfer: the status line in its sipfrag and whether it is the last."""

    status: int
    """The referred call's status (``100``, ``180``, ``200``, ``486`` …); 0 when unreadable."""
    final: bool


def sipfrag_status(body: bytes) -> int:
    """The status code of a ``message/sipfrag`` body's status line, 0 when there is none."""
    match = _SIPFRAG.match(body.decode("utf-8", "replace"))
    return int(match.group(1)) if match else 0


def progress(notify: SipMessage) -> Progress:
    """What a NOTIFY of the ``refer`` event says (RFC 3515 §2.4.5): a final status ends the
    transfer, and so does ``Subscription-State: terminated`` without one."""
    status = sipfrag_status(notify.body)
    state = (notify.get("subscription-state") or "").split(";")[0].strip().lower()
    return Progress(status, status >= 200 or state == "terminated")


def result_of(step: Progress) -> TransferResult:
    """The transfer's result once ``step`` is final."""
    return TransferResult.DONE if 200 <= step.status < 300 else TransferResult.FAILED


def is_refer_event(notify: SipMessage) -> bool:
    """Whether a NOTIFY reports on a REFER (``Event: refer``, perhaps with an ``id``)."""
    return (notify.get("event") or "").split(";")[0].strip().lower() == "refer"
