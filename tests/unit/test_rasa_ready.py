"""banshi.rasa_ready: Rasa's /readyz says which of the model, the tracker store and the lock
store does not answer, with Rasa's own stores (a store Rasa wraps in its fail-safe wrapper, which
would swallow the error, included)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain

from banshi.rasa_ready import readiness
from tests.conftest import free_port


@dataclass
class _Agent:
    """What /readyz reads of Rasa's Agent: whether a model is loaded, and its stores."""

    tracker_store: TrackerStore
    lock_store: LockStore
    loaded: bool = True

    def is_ready(self) -> bool:
        return self.loaded


class _TrackerStoreDown(InMemoryTrackerStore):
    async def retrieve(self, sender_id: str) -> Any:
        raise ConnectionRefusedError("tracker store down")


async def test_ready_when_the_model_and_both_stores_answer() -> None:
    agent = _Agent(InMemoryTrackerStore(Domain.empty()), InMemoryLockStore())
    assert await readiness(agent) == {"model": "ok", "tracker_store": "ok", "lock_store": "ok"}


async def test_not_ready_without_a_model() -> None:
    assert await readiness(None) == {"model": "not loaded"}
    agent = _Agent(InMemoryTrackerStore(Domain.empty()), InMemoryLockStore(), loaded=False)
    assert await readiness(agent) == {"model": "not loaded"}


async def test_a_store_that_does_not_answer_is_named() -> None:
    down = FailSafeTrackerStore(_TrackerStoreDown(Domain.empty()))
    redis_gone = RedisLockStore(host="127.0.0.1", port=free_port(), socket_timeout=1)
    assert await readiness(_Agent(down, redis_gone)) == {
        "model": "ok",
        "tracker_store": "error: ConnectionRefusedError",
        "lock_store": "error: ConnectionError",
    }
