"""banshi.rasa_tracker_store: the same rows and the same trackers as Rasa's SQL tracker store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from rasa.core.tracker_store import SQLTrackerStore as RasaSQLTrackerStore
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.utils.common import class_from_module_path
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy.engine import make_url

from banshi import paths
from banshi.rasa_tracker_store import SQLTrackerStore, TrackerStoreUnavailable
from tests.platform_sandbox.pg_testkit import throwaway_database

ROWS = "SELECT id, sender_id, type_name, timestamp, intent_name, action_name, data FROM events"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(paths.DOMAIN_DIR))


@dataclass
class Stores:
    """Rasa's store and ours, each on a database of its own, and how to read their rows."""

    theirs: RasaSQLTrackerStore
    ours: SQLTrackerStore
    ours_url: str
    theirs_url: str
    arguments: dict[str, Any]

    def rows(self, url: str) -> list[Any]:
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                rows = connection.execute(sa.text(f"{ROWS} ORDER BY id")).all()
        finally:
            engine.dispose()
        return [tuple(row) for row in rows]

    def same_rows(self) -> int:
        ours = self.rows(self.ours_url)
        assert ours == self.rows(self.theirs_url)
        return len(ours)


@pytest.fixture(params=["sqlite", "postgresql"])
def stores(request: pytest.FixtureRequest, domain: Domain, tmp_path: Path) -> Iterator[Stores]:
    """The two stores on SQLite (the embedded profile) or on PostgreSQL (the scale profile)."""
    if request.param == "sqlite":
        arguments: dict[str, Any] = {"dialect": "sqlite"}
        dbs = [str(tmp_path / "rasa.db"), str(tmp_path / "ours.db")]
        urls = [f"sqlite:///{db}" for db in dbs]
        yield _stores(domain, arguments, dbs, urls)
        return
    theirs_db = throwaway_database("banshi_rasa_store_test")
    ours_db = throwaway_database("banshi_rasa_store_test")
    urls = [next(theirs_db), next(ours_db)]
    server = make_url(urls[0])
    arguments = {
        "dialect": "postgresql",
        "host": server.host,
        "port": server.port,
        "username": server.username,
        "login_db": "postgres",
    }
    try:
        yield _stores(domain, arguments, [make_url(url).database for url in urls], urls)
    finally:
        for generator in (theirs_db, ours_db):
            generator.close()


def _stores(domain: Domain, arguments: dict[str, Any], dbs: list[Any], urls: list[str]) -> Stores:
    return Stores(
        theirs=RasaSQLTrackerStore(domain=domain, db=dbs[0], **arguments),
        ours=SQLTrackerStore(domain=domain, db=dbs[1], **arguments),
        theirs_url=urls[0],
        ours_url=urls[1],
        arguments=arguments,
    )


async def test_same_rows_and_trackers_as_rasas_store(stores: Stores) -> None:
    theirs, ours = stores.theirs, stores.ours
    assert await ours.retrieve("nobody") is None
    tracker = await theirs.get_or_create_tracker("c1")
    await ours.save(tracker)
    turns = [
        [
            UserUttered(
                "给孙子交学费 7320291068",
                {"name": "pay_tuition", "confidence": 0.93},
                [{"entity": "student_id", "value": "7320291068", "start": 6, "end": 16}],
            ),
            ActionExecuted("action_start_service", policy="RulePolicy", confidence=1.0),
            SlotSet("relation", "孙子"),
            BotUttered("请说孩子的学号。", {"custom": {"expect": "digits:10"}}),
        ],
        [ActionExecuted("action_listen")],
        [SessionStarted(), ActionExecuted("action_listen"), UserUttered("你好")],
    ]
    for events in turns:
        for event in events:
            tracker.update(event)
        await theirs.save(tracker)
        await ours.save(tracker)
        stores.same_rows()
    assert stores.same_rows() == 9
    for store in (theirs, ours):  # a turn that adds nothing writes nothing
        await store.save(await store.retrieve("c1"))
    assert stores.same_rows() == 9
    for read in ("retrieve", "retrieve_full_tracker"):
        expected = await getattr(theirs, read)("c1")
        got = await getattr(ours, read)("c1")
        assert got.current_state(EventVerbosity.ALL) == expected.current_state(EventVerbosity.ALL)
    # Only the latest session is read for a turn; every event for the full tracker.
    assert len((await ours.retrieve("c1")).events) == 3
    assert len((await ours.retrieve_full_tracker("c1")).events) == 9
    # Each store reads what the other wrote.
    mixed = RasaSQLTrackerStore(
        domain=theirs.domain, db=make_url(stores.ours_url).database, **stores.arguments
    )
    assert (await mixed.retrieve_full_tracker("c1")).events == (
        await ours.retrieve_full_tracker("c1")
    ).events


async def test_another_senders_events_and_sessions_are_kept_apart(
    stores: Stores, domain: Domain
) -> None:
    """Two conversations written in turn, each with sessions: each read and each count of
    what is stored takes only its sender's latest session, as Rasa's store does."""
    theirs, ours = stores.theirs, stores.ours
    trackers = {sender: DialogueStateTracker(sender, domain.slots) for sender in ("a", "b")}
    for step in range(6):
        for sender, tracker in trackers.items():
            if step % 3 == 2 and sender == "a":
                tracker.update(SessionStarted())
            tracker.update(ActionExecuted("action_listen"))
            tracker.update(UserUttered(f"{sender}{step}", {"name": "greet", "confidence": 1.0}))
            tracker.update(SlotSet("person_name", f"{sender}{step}"))
            await theirs.save(tracker)
            await ours.save(tracker)
            stores.same_rows()
    for sender in ("a", "b"):
        expected = await theirs.retrieve(sender)
        got = await ours.retrieve(sender)
        assert got.current_state(EventVerbosity.ALL) == expected.current_state(EventVerbosity.ALL)
    # "a" began a new session at steps 2 and 5: its latest session has step 5's four events.
    assert len((await ours.retrieve("a")).events) == 4
    assert len((await ours.retrieve("b")).events) == 6 * 3
    # A tracker read back and saved with one more event writes that event alone.
    tracker = await ours.retrieve("a")
    tracker.update(ActionExecuted("action_listen"))
    before = len(stores.rows(stores.ours_url))
    await ours.save(tracker)
    assert len(stores.rows(stores.ours_url)) == before + 1


async def test_sqlite_in_write_ahead_log_mode(domain: Domain, tmp_path: Path) -> None:
    store = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    await store.get_or_create_tracker("c1")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


@pytest.mark.parametrize("profile", ["embedded", "scale"])
def test_both_profiles_endpoints_name_this_store(profile: str) -> None:
    """Rasa falls back to a tracker store in memory, with only a warning, when the class
    named in the endpoints file cannot be imported: the name must resolve."""
    endpoints = yaml.safe_load((paths.ENDPOINTS_DIR / f"{profile}.yml").read_text())
    name = endpoints["tracker_store"]["type"]
    assert class_from_module_path(name) is SQLTrackerStore


def test_a_store_that_cannot_be_made_stops_rasa_instead_of_keeping_trackers_in_memory(
    monkeypatch: pytest.MonkeyPatch, domain: Domain
) -> None:
    """No PostgreSQL driver: Rasa's own loading of the class would catch the ImportError and
    use a store in memory; this store raises its own error, which Rasa does not catch."""
    monkeypatch.setitem(sys.modules, "psycopg2", None)
    config = EndpointConfig(
        type="banshi.rasa_tracker_store.SQLTrackerStore",
        dialect="postgresql",
        url="127.0.0.1",
        db="banshi_rasa_tracker",
    )
    with pytest.raises(TrackerStoreUnavailable, match="psycopg2"):
        TrackerStore.create(config, domain)
