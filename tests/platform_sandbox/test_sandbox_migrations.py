"""Alembic migrations build the schema the models describe (``migrate.py``); SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from platform_sandbox.db import open_database
from platform_sandbox.migrate import alembic_config, current_revision
from platform_sandbox.tables import Base


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def test_a_new_database_is_migrated_to_head_and_matches_the_models(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        assert current_revision(database.engine) == _head()
        with database.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
    finally:
        database.dispose()


def test_opening_twice_is_harmless(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    open_database(url).dispose()
    database = open_database(url)
    try:
        assert current_revision(database.engine) == _head()
    finally:
        database.dispose()


def test_a_milestone_one_database_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path)
    connection.executescript(
        """
        CREATE TABLE students (student_id VARCHAR(10) PRIMARY KEY, name TEXT);
        CREATE TABLE bills (bill_id VARCHAR(20) PRIMARY KEY, student_id VARCHAR(10));
        CREATE TABLE bill_items (bill_id VARCHAR(20), position INTEGER);
        CREATE TABLE payments (payment_id VARCHAR(32) PRIMARY KEY, bill_id VARCHAR(20));
        CREATE TABLE idempotency_records (id INTEGER PRIMARY KEY);
        INSERT INTO students VALUES ('1234567890', 'old');
        """
    )
    connection.close()
    database = open_database(f"sqlite:///{path}")
    try:
        assert current_revision(database.engine) == _head()
        tables = set(inspect(database.engine).get_table_names())
        assert {"citizens", "payments", "appointment_slots"} <= tables
        columns = {c["name"] for c in inspect(database.engine).get_columns("payments")}
        assert "bill_kind" in columns
    finally:
        database.dispose()
