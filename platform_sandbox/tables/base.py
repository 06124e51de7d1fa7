"""The declarative base of every table, with names for every constraint and index.

Named constraints keep alembic migrations identical on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.orm import declarative_base

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""How unnamed constraints and indexes are named (``ix_bills_student_id`` …)."""

Base: Any = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))
"""Declarative base of all tables (typed ``Any``: SQLAlchemy 1.4 ships no type hints)."""
