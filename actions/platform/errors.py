"""Typed errors of the platform contract.

Every error response of the platform is ``{"error": {"code", "message"}}``; the client raises
:class:`PlatformError` carrying that code, and :class:`PlatformUnavailable` when the platform
cannot be reached or answers with a server error. Actions turn them into plain Chinese.
"""

from __future__ import annotations


class PlatformError(Exception):
    """The platform refused a request with a contract error code (``bill_already_paid`` …)."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code} ({status}): {message}")
        self.code = code
        self.message = message
        self.status = status


class PlatformUnavailable(PlatformError):
    """The platform did not answer in time, refused the connection, or failed (5xx)."""

    def __init__(self, detail: str, status: int = 0) -> None:
        super().__init__("platform_unavailable", detail, status)
