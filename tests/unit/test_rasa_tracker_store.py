"""banshi.rasa_tracker_store: the same rows and the same trackers as Rasa's SQL tracker store."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.core.tracker_store import SQLTrackerStore as RasaSQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import EventVerbosity
from rasa.shared.utils.common import class_from_module_path

from banshi import paths
from banshi.rasa_tracker_store import SQLTrackerStore

ROWS = "SELECT id, sender_id, type_name, timestamp, intent_name, action_name, data FROM events"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(paths.DOMAIN_DIR))


def _rows(db: Path) -> list[Any]:
    with sqlite3.connect(db) as connection:
        return connection.execute(f"{ROWS} ORDER BY id").fetchall()


async def test_same_rows_and_trackers_as_rasas_store(domain: Domain, tmp_path: Path) -> None:
    theirs = RasaSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    ours = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "ours.db"))
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
        assert _rows(tmp_path / "ours.db") == _rows(tmp_path / "rasa.db")
    assert len(_rows(tmp_path / "ours.db")) == 9
    for store in (theirs, ours):  # a turn that adds nothing writes nothing
        await store.save(await store.retrieve("c1"))
    assert _rows(tmp_path / "ours.db") == _rows(tmp_path / "rasa.db")
    assert len(_rows(tmp_path / "ours.db")) == 9
    for read in ("retrieve", "retrieve_full_tracker"):
        expected = await getattr(theirs, read)("c1")
        got = await getattr(ours, read)("c1")
        assert got.current_state(EventVerbosity.ALL) == expected.current_state(EventVerbosity.ALL)
    # Only the latest session is read for a turn; every event for the full tracker.
    assert len((await ours.retrieve("c1")).events) == 3
    assert len((await ours.retrieve_full_tracker("c1")).events) == 9
    # Each store reads what the other wrote.
    mixed = RasaSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "ours.db"))
    assert (await mixed.retrieve_full_tracker("c1")).events == (
        await ours.retrieve_full_tracker("c1")
    ).events


async def test_sqlite_in_write_ahead_log_mode(domain: Domain, tmp_path: Path) -> None:
    store = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    await store.get_or_create_tracker("c1")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_the_embedded_endpoints_name_this_store() -> None:
    """Rasa falls back to a tracker store in memory, with only a warning, when the class
    named in the endpoints file cannot be imported: the name must resolve."""
    endpoints = yaml.safe_load((paths.ENDPOINTS_DIR / "embedded.yml").read_text())
    name = endpoints["tracker_store"]["type"]
    assert class_from_module_path(name) is SQLTrackerStore
