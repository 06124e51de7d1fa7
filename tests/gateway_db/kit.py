"""Gateway databases for the migration tests: made the old way (``create_all``), filled with a
row or more in every table, read back whole, and described (tables, columns, constraints,
indexes, triggers) so that two databases can be compared."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, insert, inspect, select, text
from sqlalchemy.engine import Connection, Engine, make_url

from banshi.migrate import GATEWAY_METADATA, alembic_config, migration_connection
from conversation.store import conversation_settings, conversations, messages
from handoff.tables import (
    audit_log,
    callbacks,
    handoffs,
    notes,
    proxy_case_events,
    proxy_cases,
    staff,
    staff_sessions,
)

TABLES = [table for metadata in GATEWAY_METADATA for table in metadata.sorted_tables]
"""Every table of the gateway, referenced tables first."""
TABLES_ADDED_AFTER_REVISION_1 = ("citizen_sessions", "turns", "wechat_conversations")
FIRST_TABLES = [table for table in TABLES if table.name not in TABLES_ADDED_AFTER_REVISION_1]
"""The tables of revision 1."""

# What handoff/tables.py added to create_all before the migrations (DDL on "after_create").
_OLD_TRIGGERS = {
    "sqlite": (
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    ),
}

ADDED_AFTER_REVISION_1 = (
    "DROP INDEX ix_conversations_updated_at",
    "DROP INDEX IF EXISTS ix_citizen_sessions_expires_at",
    "DROP TABLE IF EXISTS citizen_sessions",
    "DROP TABLE turns",
    "DROP INDEX IF EXISTS ix_wechat_conversations_conversation_id",
    "DROP TABLE IF EXISTS wechat_conversations",
    "ALTER TABLE conversations DROP COLUMN token_hash",
)
"""Undoes what the revisions after the first added to the models, so that ``create_all``
makes the schema of before the migrations."""
NEW_SINCE_REVISION_1: dict[str, tuple[str, ...]] = {"conversations": ("token_hash",)}
"""Columns the later revisions added to tables of the first (their rows are compared without)."""


@contextmanager
def sync_engine(database_url: str) -> Iterator[Engine]:
    """A blocking engine on the gateway's database (``sqlite``/``psycopg2`` for the URL's
    asyncio driver)."""
    url = make_url(database_url)
    driver = "sqlite" if url.get_backend_name() == "sqlite" else "postgresql"
    engine = create_engine(url.set(drivername=driver), future=True)
    try:
        yield engine
    finally:
        engine.dispose()


def create_as_before(database_url: str, *, core_only: bool = False) -> None:
    """Make the tables the way the gateway did before the migrations: ``create_all`` of the
    conversation core's tables and (unless ``core_only``, a database from before the staff
    desk) the staff desk's, with the audit log's triggers."""
    with sync_engine(database_url) as engine, engine.begin() as connection:
        for metadata in GATEWAY_METADATA[:1] if core_only else GATEWAY_METADATA:
            metadata.create_all(connection)
        for statement in ADDED_AFTER_REVISION_1:
            connection.execute(text(statement))
        if not core_only:
            for statement in _OLD_TRIGGERS[connection.dialect.name]:
                connection.execute(text(statement))


def fill(database_url: str, *, core_only: bool = False) -> None:
    """Rows in every table (only the core's with ``core_only``), as the gateway writes them."""
    at = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)
    later = at + timedelta(minutes=5)
    with sync_engine(database_url) as engine, engine.begin() as connection:
        for number, mode in ((1, "bot"), (2, "human")):
            connection.execute(
                insert(conversations).values(
                    id=f"conv-{number}",
                    channel="webchat",
                    mode=mode,
                    created_at=at,
                    updated_at=later,
                )
            )
        connection.execute(
            insert(conversation_settings).values(
                conversation_id="conv-1", key="speech_rate", value="slow"
            )
        )
        for number, (party, words) in enumerate(
            [("citizen", "你好"), ("bot", "您好，请问办什么事？"), ("citizen", "我要找人工")]
        ):
            connection.execute(
                insert(messages).values(
                    conversation_id="conv-2",
                    party=party,
                    channel="webchat",
                    text=words,
                    payload=json.dumps({"n": number}),
                    created_at=at + timedelta(seconds=number),
                )
            )
        if core_only:
            return
        _fill_staff_desk(connection, at, later)


def _fill_staff_desk(connection: Connection, at: datetime, later: datetime) -> None:
    staff_id = connection.execute(
        insert(staff).values(
            username="wang",
            display_name="王老师",
            role="staff",
            district="姑苏区",
            password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
            active=True,
            created_at=at,
        )
    ).inserted_primary_key[0]
    connection.execute(
        insert(staff_sessions).values(
            token_hash="t" * 64,
            staff_id=staff_id,
            csrf_token="c" * 32,
            created_at=at,
            expires_at=at + timedelta(hours=8),
            last_seen_at=later,
        )
    )
    for handoff_id, status in (("h-open", "active"), ("h-closed", "closed")):
        connection.execute(
            insert(handoffs).values(
                id=handoff_id,
                conversation_id="conv-2",
                status=status,
                reason="asked",
                priority="high",
                citizen_age=82,
                district="姑苏区",
                channel="webchat",
                detail="想办养老金",
                collected=json.dumps({"service": "pension"}),
                accessibility=json.dumps({"large_text": True}),
                assigned_to=staff_id,
                created_at=at,
                claimed_at=later,
                ended_at=later if status == "closed" else None,
                outcome="resolved" if status == "closed" else None,
                callback_state="none",
            )
        )
    connection.execute(
        insert(notes).values(handoff_id="h-open", staff_id=staff_id, text="老人耳背", created_at=at)
    )
    connection.execute(
        insert(callbacks).values(
            handoff_id="h-closed",
            conversation_id="conv-2",
            phone="13800000000",
            district="姑苏区",
            reason="after_hours",
            status="open",
            created_at=at,
            due_at=later,
        )
    )
    connection.execute(
        insert(proxy_cases).values(
            id="pc-1",
            handoff_id="h-open",
            conversation_id="conv-2",
            service_code="pension_certification",
            status="consented",
            staff_id=staff_id,
            consent_prompt_seq=2,
            consent_seq=3,
            consent_method="text",
            consent_text="同意",
            consent_at=later,
            created_at=at,
            updated_at=later,
        )
    )
    connection.execute(
        insert(proxy_case_events).values(
            case_id="pc-1", actor="staff:1", event="consented", detail="{}", at=later
        )
    )
    connection.execute(
        insert(audit_log).values(
            at=at,
            actor_kind="staff",
            actor_id=str(staff_id),
            actor_name="wang",
            action="conversation.view",
            target_kind="conversation",
            target_id="conv-2",
            detail="{}",
            client="127.0.0.1",
        )
    )


def all_rows(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the first revision that exists, in primary-key order
    (the columns of the first revision: what later revisions must keep; the tables added later
    start empty)."""
    with sync_engine(database_url) as engine, engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(
                    select(
                        *(
                            column
                            for column in table.columns
                            if column.name not in NEW_SINCE_REVISION_1.get(table.name, ())
                        )
                    ).order_by(*table.primary_key.columns)
                )
            ]
            for table in FIRST_TABLES
            if table.name in present
        }


def describe(database_url: str) -> dict[str, Any]:
    """The schema as the database reports it: per table its columns, primary key, foreign keys,
    unique constraints and indexes (with names), and the triggers (and on SQLite the very
    ``CREATE`` statements). ``alembic_version`` is left out."""
    with sync_engine(database_url) as engine, engine.connect() as connection:
        inspector = inspect(connection)
        tables = {}
        for name in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
            tables[name] = {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                    for c in inspector.get_columns(name)
                ],
                "primary_key": inspector.get_pk_constraint(name),
                "foreign_keys": sorted(
                    (str(fk.get("name")), fk["constrained_columns"], fk["referred_table"])
                    for fk in inspector.get_foreign_keys(name)
                ),
                "unique": sorted(
                    (str(u.get("name")), u["column_names"])
                    for u in inspector.get_unique_constraints(name)
                ),
                "indexes": sorted(
                    (
                        str(i["name"]),
                        i["column_names"],
                        bool(i["unique"]),
                        sorted((k, str(v)) for k, v in i.get("dialect_options", {}).items()),
                    )
                    for i in inspector.get_indexes(name)
                ),
            }
        return {"tables": tables, "triggers": triggers(connection)}


def triggers(connection: Connection) -> list[tuple[Any, ...]]:
    """The triggers (and on SQLite every ``CREATE`` statement; on PostgreSQL the trigger
    functions), sorted."""
    if connection.dialect.name == "sqlite":
        query = (
            "SELECT type, name, sql FROM sqlite_master "
            "WHERE name NOT LIKE '%alembic_version%' ORDER BY type, name"
        )
    else:
        query = (
            "SELECT 'trigger', tgname, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE NOT tgisinternal UNION ALL "
            "SELECT 'function', proname, prosrc FROM pg_proc "
            "WHERE pronamespace = 'public'::regnamespace ORDER BY 1, 2"
        )
    return [tuple(row) for row in connection.execute(text(query))]


async def upgrade_to(database_url: str, revision: str) -> None:
    """Migrate the database to ``revision`` (under the migration lock, like the gateway)."""
    async with migration_connection(database_url) as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def downgrade_to(database_url: str, revision: str) -> None:
    """Migrate the database back to ``revision`` (``base``: no table left)."""
    async with migration_connection(database_url) as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))


def head() -> str:
    """The newest revision."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None
    return revision


def version_rows(database_url: str) -> list[tuple[Any, ...]]:
    """The rows of ``alembic_version`` (exactly one once migrated)."""
    with sync_engine(database_url) as engine, engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text("SELECT * FROM alembic_version"))]


def differences(database_url: str) -> list[Any]:
    """What autogenerate would change to make the database match the models (nothing, when
    the migrations and the models agree)."""
    with sync_engine(database_url) as engine, engine.connect() as connection:
        return list(
            compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}),
                list(GATEWAY_METADATA),
            )
        )
