"""Rasa's ``/readyz``: 200 when a model is loaded; the tracker store and the lock store are
reported, but do not make it 503: they are shared by every replica, and taking every replica
out of the load balancer for them would turn the gateway's plain answer ("bot_unavailable")
into a refused connection.

Added to the Sanic app that ``rasa.server.create_app`` builds (``banshi.rasa_server`` wraps that
function before Rasa starts). It needs no token and tells nothing but which part answers: a
load balancer or Kubernetes asks it to know whether to send this replica turns.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

CHECKS_KEPT_S = 2.0
"""How long one reading of the stores answers /readyz."""

PROBE_SENDER = "banshi-readyz"
"""The conversation id the tracker store is asked for (none has it: it is only read)."""


def _innermost(store: Any) -> Any:
    """The tracker store under Rasa's wrappers (which would swallow its errors)."""
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


async def readiness(agent: Any) -> dict[str, str]:
    """``ok`` or what is wrong, for the model, the tracker store and the lock store."""
    if agent is None or not agent.is_ready():
        return {"model": "not loaded"}
    checks = {"model": "ok"}
    try:
        await _innermost(agent.tracker_store).retrieve(PROBE_SENDER)
        checks["tracker_store"] = "ok"
    except Exception as error:
        checks["tracker_store"] = f"error: {type(error).__name__}"
    redis_client = getattr(agent.lock_store, "red", None)
    try:
        if redis_client is not None:
            await asyncio.to_thread(redis_client.ping)
        checks["lock_store"] = "ok"
    except Exception as error:
        checks["lock_store"] = f"error: {type(error).__name__}"
    return checks


def with_readiness(create_app: Callable[..., Any], *, grace_s: float) -> Callable[..., Any]:
    """``create_app`` whose app also has ``/readyz`` and finishes requests in flight for
    ``grace_s`` seconds after SIGTERM."""

    @functools.wraps(create_app)
    def create(*args: Any, **kwargs: Any) -> Any:
        from sanic import response

        app = create_app(*args, **kwargs)
        app.config.GRACEFUL_SHUTDOWN_TIMEOUT = grace_s

        last: dict[str, Any] = {"at": -CHECKS_KEPT_S, "checks": {}}

        @app.get("/readyz")
        async def readyz(_request: Any) -> Any:
            # The store checks read PostgreSQL and Redis on Rasa's event loop: a prober (or a
            # stranger: no token) gets the answer of the last CHECKS_KEPT_S seconds.
            now = time.monotonic()
            if now - last["at"] >= CHECKS_KEPT_S or last["checks"].get("model") != "ok":
                last["checks"], last["at"] = await readiness(app.ctx.agent), now
            checks = dict(last["checks"])
            ok = all(value == "ok" for value in checks.values())
            if not ok:
                logger.warning("rasa.readyz.degraded checks=%s", checks)
            return response.json(
                {"status": "ok" if ok else "degraded", "checks": checks},
                status=200 if checks.get("model") == "ok" else 503,
            )

        return app

    return create
