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
- **The queries are built once.** Rasa builds its ORM query (the latest session's events, or
  their count before a save) anew for every read and write, and SQLAlchemy derives a cache key
  from it each time: building the count cost five times as much as running it. Here the same
  SQL (the events since the sender's latest ``session_started``, by timestamp as Rasa's query
  has it, ordered by id) is a text statement made once.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore as RasaSQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

SQLITE_BUSY_TIMEOUT_S = 15

# Rasa's ``_event_query`` for the latest session, in SQL: the sender's events from the timestamp
# of its latest ``session_started`` on (all of them when there is none), in the order stored.
_LATEST_SESSION = """
FROM events, (
    SELECT max(timestamp) AS session_start FROM events
    WHERE sender_id = :sender_id AND type_name = :session_started
) AS latest
WHERE events.sender_id = :sender_id
  AND (events.timestamp >= latest.session_start OR latest.session_start IS NULL)
"""
READ_LATEST_SESSION = sa.text(f"SELECT events.data {_LATEST_SESSION} ORDER BY events.id")
COUNT_LATEST_SESSION = sa.text(f"SELECT count(*) {_LATEST_SESSION}")
READ_ALL = sa.text("SELECT data FROM events WHERE sender_id = :sender_id ORDER BY id")


def _sqlite_settings(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class TrackerStoreUnavailable(RuntimeError):
    """The store could not be made (a missing driver, a wrong setting)."""


class SQLTrackerStore(RasaSQLTrackerStore):
    """Rasa's ``SQLTrackerStore`` (same table, same rows, same trackers), faster.

    Rasa makes a store named by its class path inside ``except (AttributeError, ImportError)``
    and falls back to a store in memory with only a warning: each replica would then keep
    conversations of its own and lose them when it stops, with every check green. Those two
    errors from making this store are raised as :class:`TrackerStoreUnavailable`, which stops
    Rasa's start as ``type: SQL`` would.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        try:
            self._make(*args, **kwargs)
        except (AttributeError, ImportError) as error:
            raise TrackerStoreUnavailable(
                f"the tracker store could not be made: {type(error).__name__}: {error}"
            ) from error

    def _make(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._insert = sa.insert(self.SQLEvent.__table__)
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
        if fetch_events_from_all_sessions:
            query, parameters = READ_ALL, {"sender_id": sender_id}
        else:
            query, parameters = READ_LATEST_SESSION, self._latest_session(sender_id)
        with self.session_scope() as session:
            rows = session.execute(query, parameters).all()
        events = [json.loads(data) for (data,) in rows]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    @staticmethod
    def _latest_session(sender_id: str) -> dict[str, str]:
        return {"sender_id": sender_id, "session_started": SessionStarted.type_name}

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Any:
        """The tracker's events past those stored for its latest session (as Rasa's store)."""
        stored = session.execute(COUNT_LATEST_SESSION, self._latest_session(tracker.sender_id))
        return itertools.islice(tracker.events, stored.scalar_one(), len(tracker.events))

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
                session.execute(self._insert, rows)
            session.commit()
