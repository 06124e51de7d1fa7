"""The gateway's database is made and changed by its alembic migrations (``banshi/migrate.py``),
on SQLite files and on PostgreSQL: a new database reaches the schema the models describe, the
first revision is what ``create_all`` made before, data survives every upgrade, a database made
before the migrations is adopted, and the audit log stays append-only."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from banshi.migrate import BASELINE, current_revision, upgrade_to_head
from tests.gateway_db import kit
from tests.gateway_db.conftest import NewDatabase


async def test_a_new_database_is_migrated_to_head_and_matches_the_models(
    new_database: NewDatabase,
) -> None:
    url = new_database()
    await upgrade_to_head(url)
    assert await current_revision(url) == kit.head()
    assert kit.differences(url) == []
    assert {name for name in kit.describe(url)["tables"]} == {t.name for t in kit.TABLES}


async def test_the_first_revision_is_the_schema_create_all_made(
    new_database: NewDatabase,
) -> None:
    migrated, created = new_database(), new_database()
    await kit.upgrade_to(migrated, BASELINE)
    kit.create_as_before(created)
    assert kit.describe(migrated) == kit.describe(created)


async def test_a_database_at_the_first_revision_keeps_every_row_when_upgraded(
    new_database: NewDatabase,
) -> None:
    url = new_database()
    await kit.upgrade_to(url, BASELINE)
    kit.fill(url)
    before = kit.all_rows(url)
    assert all(before[table.name] for table in kit.FIRST_TABLES)  # a row in every table
    await upgrade_to_head(url)
    assert await current_revision(url) == kit.head()
    assert kit.all_rows(url) == before
    assert kit.differences(url) == []


async def test_a_database_made_before_the_migrations_is_adopted_with_nothing_lost(
    new_database: NewDatabase,
) -> None:
    url = new_database()
    kit.create_as_before(url)
    kit.fill(url)
    before = kit.all_rows(url)
    assert await current_revision(url) is None
    await upgrade_to_head(url)
    assert await current_revision(url) == kit.head()
    assert kit.version_rows(url) == [(kit.head(),)]
    assert kit.all_rows(url) == before
    assert kit.differences(url) == []
    _assert_append_only(url)


async def test_a_database_from_before_the_staff_desk_gets_the_missing_tables(
    new_database: NewDatabase,
) -> None:
    url = new_database()
    kit.create_as_before(url, core_only=True)
    kit.fill(url, core_only=True)
    before = kit.all_rows(url)
    assert set(before) == {"conversations", "conversation_settings", "messages"}
    await upgrade_to_head(url)
    assert await current_revision(url) == kit.head()
    after = kit.all_rows(url)
    assert {name: after[name] for name in before} == before
    assert kit.differences(url) == []
    _assert_append_only(url)


async def test_the_audit_log_refuses_update_and_delete_after_migration(
    new_database: NewDatabase,
) -> None:
    url = new_database()
    await upgrade_to_head(url)
    kit.fill(url)
    _assert_append_only(url)


async def test_migrating_again_changes_nothing(new_database: NewDatabase) -> None:
    url = new_database()
    await upgrade_to_head(url)
    kit.fill(url)
    schema, rows = kit.describe(url), kit.all_rows(url)
    await upgrade_to_head(url)
    assert (kit.describe(url), kit.all_rows(url)) == (schema, rows)
    assert kit.version_rows(url) == [(kit.head(),)]


async def test_every_revision_can_be_undone(new_database: NewDatabase) -> None:
    url = new_database()
    await upgrade_to_head(url)
    await kit.downgrade_to(url, "base")
    assert kit.describe(url) == {"tables": {}, "triggers": []}
    await upgrade_to_head(url)
    assert kit.differences(url) == []


async def test_the_live_view_reads_conversations_through_the_index(tmp_path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await upgrade_to_head(url)
    connection = sqlite3.connect(make_url(url).database or "")
    plan = connection.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM conversations WHERE updated_at >= ? "
        "ORDER BY updated_at DESC LIMIT 200",
        ("2026-12-01",),
    ).fetchall()
    connection.close()
    assert "USING INDEX ix_conversations_updated_at" in str(plan)


def _assert_append_only(url: str) -> None:
    with kit.sync_engine(url) as engine:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, action, "
                    "target_kind, target_id, detail, client) VALUES (:at, 'system', 'gateway', "
                    "'system', 'test.append', '', '', '{}', '')"
                ),
                {"at": "2026-12-02 08:00:00+00:00"},
            )
        count = _audit_rows(engine)
        assert count >= 1
        for statement in ("UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(text(statement))
        assert _audit_rows(engine) == count


def _audit_rows(engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT COUNT(*) FROM audit_log")).scalar() or 0)
