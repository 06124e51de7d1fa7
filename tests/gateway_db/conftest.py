"""Fixtures of the migration tests: empty gateway databases on SQLite files and, marked
``scale``, on the local PostgreSQL server (skipped when it is unreachable, except under
``CI=true``, see ``tests/platform_sandbox/pg_testkit.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.platform_sandbox.pg_testkit import throwaway_database

NewDatabase = Callable[[], str]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.scale)])
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NewDatabase]:
    """Makes empty databases (asyncio URLs, as the gateway is given) on the parameter's
    backend; PostgreSQL ones are dropped after the test."""
    made: list[Iterator[str]] = []
    files = iter(range(1000))

    def make() -> str:
        if request.param == "sqlite":
            return f"sqlite+aiosqlite:///{tmp_path / f'gateway-{next(files)}.db'}"
        database = throwaway_database("banshi_gateway_test")
        url = next(database)
        made.append(database)
        return str(make_url(url).set(drivername="postgresql+asyncpg"))

    yield make
    for database in made:
        database.close()
