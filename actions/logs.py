"""The action server's log: every line with its personal numbers masked.

Numbers the citizen gives (ID, phone, utility account and student numbers) travel in the
platform's URLs (``/v1/education/bills?student_id=…``), which httpx logs, and may reach any
other library's messages. Instead of trusting each call site, every log record the process
makes is masked once, when it is made, by the rules of :mod:`zhtext.masking`: whatever
handler writes it (the terminal, ``var/logs/actions.log``, a test's capture) gets the masked
form only.
"""

from __future__ import annotations

import logging
from typing import Any

from zhtext.masking import mask_log_text

_installed = False


def masked_record_factory(factory: Any) -> Any:
    """A log record factory that makes records with ``factory`` and masks their message."""

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to logging's own error report
            return record
        masked = mask_log_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return record

    return make


def mask_personal_numbers() -> None:
    """Mask personal numbers in every log record of this process from now on (idempotent)."""
    global _installed
    if not _installed:
        logging.setLogRecordFactory(masked_record_factory(logging.getLogRecordFactory()))
        _installed = True
