"""A gateway app served by uvicorn on a free port of 127.0.0.1, in a thread of the test process,
for browser tests that need no Rasa (they start in seconds).

The server runs on an event loop of its own, made here: ``uvicorn.Server.run`` would install
uvloop's event loop policy for the whole process, and Playwright's sync API, started later in
the main thread, then hangs creating its driver process.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

from tests.conftest import free_port


@contextmanager
def served(
    app: FastAPI, *, start_s: float = 60, port: int | None = None
) -> Iterator[tuple[str, asyncio.AbstractEventLoop]]:
    """Serve ``app`` (on ``port``, or a free one); yield its base URL and the loop it runs on."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", loop="asyncio"
        )
    )
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(server.serve(),), daemon=True)
    thread.start()
    deadline = time.monotonic() + start_s
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the gateway did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", loop
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        loop.close()
