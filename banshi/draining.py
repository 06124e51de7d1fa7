"""A server process's "I am stopping" flag, raised by SIGTERM before the server stops accepting.

uvicorn handles SIGTERM by closing its listening socket and finishing the requests in flight
(``--timeout-graceful-shutdown``). In front of it, a load balancer that polls ``/readyz``
(Kubernetes) needs a moment to stop sending new work: :class:`Draining` answers "not ready"
from the first SIGTERM on, and hands the signal to uvicorn ``drain_s`` seconds later.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

logger = logging.getLogger(__name__)


class Draining:
    """Whether a shutdown has begun; :meth:`install` hooks it in front of the server's
    SIGTERM handler."""

    def __init__(self, drain_s: float = 0.0) -> None:
        self.drain_s = drain_s
        """Seconds between SIGTERM and the server's own shutdown (0: at once)."""
        self.started = False

    def begin(self) -> None:
        """Mark the shutdown as begun (SIGTERM, or the app's lifespan ending)."""
        if not self.started:
            logger.info("gateway.shutdown.begin drain_s=%g", self.drain_s)
        self.started = True

    def install(self) -> Callable[[], None]:
        """Wrap the current SIGTERM handler (uvicorn's); return what undoes it. Does nothing
        outside the main thread (an app served in a test's thread has no signals)."""
        if threading.current_thread() is not threading.main_thread():
            return lambda: None
        loop = asyncio.get_running_loop()
        previous = signal.getsignal(signal.SIGTERM)

        def hand_on(signum: int, frame: FrameType | None) -> None:
            if callable(previous):
                previous(signum, frame)

        def on_sigterm(signum: int, frame: FrameType | None) -> None:
            if self.started or self.drain_s <= 0:
                self.begin()
                hand_on(signum, frame)
                return
            self.begin()
            loop.call_soon_threadsafe(loop.call_later, self.drain_s, hand_on, signum, None)

        signal.signal(signal.SIGTERM, on_sigterm)

        def uninstall() -> None:
            if signal.getsignal(signal.SIGTERM) is on_sigterm:
                signal.signal(signal.SIGTERM, previous)

        return uninstall
