"""Rasa's SQL tracker store with cheaper reads and writes; the same rows, the same trackers.

Named in Rasa's endpoints file (``tracker_store: type: banshi.rasa_tracker_store.SQLTrackerStore``,
with the arguments of Rasa's ``type: SQL``). Measured with py-spy on the Rasa process under
``bench.turn_latency`` (docs/turn-cost.md), reading and writing the tracker took a third of it:

- **SQLite settings.** Rasa opens a new SQLite connection for every read and write (SQLAlchemy
  1.4's default for a file) in the default rollback journal with ``synchronous=FULL``: every
  turn's commit waits for the disk, on the event loop. Here connections are kept in a pool, with
  the settings the gateway's own SQLite store has (write-ahead log, ``synchronous=NORMAL``: a
  committed turn survives a crash of the process; a power cut may lose the last turns).
- **Reads take the ``data`` column only.** Rasa loads a full ORM object per stored event and then
  reads only its JSON; here the same query (same filter, same order) selects that column.
- **Writes are one statement.** Rasa adds one ORM object per new event; here the same rows are
  inserted with one ``executemany``, in the same transaction.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore as RasaSQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

SQLITE_BUSY_TIMEOUT_S = 15


def _sqlite_settings(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class SQLTrackerStore(RasaSQLTrackerStore):
    """Rasa's ``SQLTrackerStore`` (same table, same rows, same trackers), faster."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        engine: sa.engine.Engine = self.engine  # type: ignore[has-type]
        if engine.dialect.name == "sqlite":
            url = engine.url
            engine.dispose()
            # Rasa uses the store from its event loop's thread; a connection never serves two
            # threads at once (the pool hands each one to one user).
            self.engine = sa.create_engine(
                url,
                poolclass=QueuePool,
                connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
            )
            sa.event.listen(self.engine, "connect", _sqlite_settings)
            self.sessionmaker = sessionmaker(bind=self.engine)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            query = self._event_query(
                session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
            ).with_entities(self.SQLEvent.data)
            events = [json.loads(data) for (data,) in query.all()]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the tracker's events that are not stored yet (as Rasa's store does)."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            rows = []
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                rows.append(
                    {
                        "sender_id": tracker.sender_id,
                        "type_name": event.type_name,
                        "timestamp": data.get("timestamp"),
                        "intent_name": data.get("parse_data", {})
                        .get("intent", {})
                        .get(INTENT_NAME_KEY),
                        "action_name": data.get("name"),
                        "data": json.dumps(data),
                    }
                )
            if rows:
                session.execute(sa.insert(self.SQLEvent.__table__), rows)
            session.commit()
