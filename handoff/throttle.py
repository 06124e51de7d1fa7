"""Login throttling: after a few wrong passwords for a user name, wait before the next try."""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import datetime, timedelta

from handoff.clock import Clock, utc_now


class LoginThrottle:
    """Counts failed logins per user name (in this process) within a window."""

    def __init__(
        self, *, max_failures: int = 5, window_s: float = 600.0, clock: Clock = utc_now
    ) -> None:
        self.max_failures = max_failures
        self.window = timedelta(seconds=window_s)
        self.clock = clock
        self._failures: defaultdict[str, deque[datetime]] = defaultdict(deque)

    def _recent(self, key: str) -> deque[datetime]:
        failures = self._failures[key]
        limit = self.clock() - self.window
        while failures and failures[0] < limit:
            failures.popleft()
        return failures

    def locked(self, username: str) -> bool:
        """Whether logins for ``username`` are refused for now."""
        return len(self._recent(username.lower())) >= self.max_failures

    def failed(self, username: str) -> None:
        """Count one wrong password."""
        self._recent(username.lower()).append(self.clock())

    def succeeded(self, username: str) -> None:
        """Forget the failures after a good login."""
        self._failures.pop(username.lower(), None)
