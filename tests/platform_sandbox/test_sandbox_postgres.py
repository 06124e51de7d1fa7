"""The scale profile: the same sandbox on PostgreSQL (a throwaway database per session).

Skips when PostgreSQL is unreachable, except under ``CI=true`` (see ``pg_testkit.py``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from pg_testkit import pg_query, throwaway_database
from sandbox_testkit import AUTH, RunningSandbox, assert_error, identify, start_sandbox

from platform_sandbox.db import open_database
from platform_sandbox.migrate import alembic_config, current_revision
from platform_sandbox.seed import (
    DEMO_ALLOWANCE_ELIGIBLE,
    DEMO_CITIZENS,
    DEMO_UNDER_80,
    DEMO_UTILITIES,
)
from platform_sandbox.tables import Base
from tests import days

# Dated demo records, for the day the sandbox works on.
DEMO_LAST_PLACE_SLOT = days.slots().last_place

pytestmark = [pytest.mark.integration, pytest.mark.scale]

DEMO_BILL = "EB202600001"
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()
CONCURRENT = 20


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this module."""
    yield from throwaway_database()


@pytest.fixture(scope="module")
def pg_sandbox(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    """A sandbox process on the PostgreSQL database."""
    yield from start_sandbox(tmp_path_factory.mktemp("pg"), database_url=pg_url)


@pytest.fixture
def pg(pg_sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    """A client of the PostgreSQL sandbox, reset to the seed."""
    with httpx.Client(base_url=pg_sandbox.base_url, headers=AUTH, timeout=60) as http:
        assert http.post("/v1/sandbox/reset").status_code == 200
        yield http


def test_migrations_match_the_models_on_postgresql(pg_sandbox: RunningSandbox) -> None:
    database = open_database(pg_sandbox.database_url)  # already migrated by the process
    try:
        assert current_revision(database.engine) == HEAD
        with database.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        database.dispose()


def test_seed_is_loaded(pg_sandbox: RunningSandbox, pg: httpx.Client) -> None:
    assert pg_query(pg_sandbox.database_url, "SELECT COUNT(*) FROM citizens") == [(240,)]
    headers = identify(pg, DEMO_UTILITIES)
    assert len(pg.get("/v1/utilities/bills", headers=headers).json()) == 9


def test_every_area_answers(pg: httpx.Client) -> None:
    headers = identify(pg, DEMO_ALLOWANCE_ELIGIBLE)
    for path in (
        "/v1/services", "/v1/agency-points", "/v1/pension/certification", "/v1/pension/payments",
        "/v1/medical-insurance/account", "/v1/certificates", "/v1/applications",
        "/v1/appointments", "/v1/proxy-authorizations",
        "/v1/appointments/slots?service_code=senior_card&point_id=AP01&date=2026-12-02",
    ):  # fmt: skip
        assert pg.get(path, headers=headers).status_code == 200, path
    applied = pg.post(
        "/v1/applications",
        json={"service_code": "elderly_allowance", "commitment": True},
        headers=headers,
    )
    assert applied.status_code == 201
    assert_error(
        pg.post("/v1/applications", json={"service_code": "elderly_allowance", "commitment": True},
                headers=headers),
        409,
        "duplicate_application",
    )  # fmt: skip
    under = identify(pg, DEMO_UNDER_80)
    refused = pg.post(
        "/v1/applications", json={"service_code": "elderly_allowance", "commitment": True},
        headers=under,
    )  # fmt: skip
    assert refused.json()["error"]["reason"] == "age_under_80"


def test_verification_lockout(pg: httpx.Client) -> None:
    citizen = DEMO_ALLOWANCE_ELIGIBLE
    started = pg.post(
        "/v1/identity/verifications", json={"name": citizen.name, "id_number": citizen.id_number}
    ).json()
    code = pg.get("/v1/sandbox/sms", params={"phone": citizen.phone}).json()["code"]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    path = f"/v1/identity/verifications/{started['verification_id']}/confirm"
    results = [pg.post(path, json={"code": wrong}).status_code for _ in range(5)]
    assert results == [422, 422, 422, 422, 423]
    assert_error(pg.post(path, json={"code": code}), 423, "verification_locked")


async def _post_all(base_url: str, requests: list[dict]) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=base_url, headers=AUTH, timeout=60) as http:
        return await asyncio.gather(*(http.post(**request) for request in requests))


def test_twenty_payments_with_one_key_make_one_payment(
    pg_sandbox: RunningSandbox, pg: httpx.Client
) -> None:
    request = {
        "url": "/v1/payments",
        "json": {"bill_id": DEMO_BILL, "payer": "self"},
        "headers": {"Idempotency-Key": "pg-same"},
    }
    responses = asyncio.run(_post_all(pg_sandbox.base_url, [request] * CONCURRENT))
    assert [r.status_code for r in responses] == [201] * CONCURRENT
    assert len({r.content for r in responses}) == 1
    rows = pg_query(
        pg_sandbox.database_url, "SELECT COUNT(*) FROM payments WHERE bill_id = :b", b=DEMO_BILL
    )
    assert rows == [(1,)]


def test_twenty_keys_for_one_bill_pay_it_once(pg_sandbox: RunningSandbox, pg: httpx.Client) -> None:
    requests = [
        {
            "url": "/v1/payments",
            "json": {"bill_id": DEMO_BILL, "payer": "self"},
            "headers": {"Idempotency-Key": f"pg-{n}"},
        }
        for n in range(CONCURRENT)
    ]
    responses = asyncio.run(_post_all(pg_sandbox.base_url, requests))
    assert sorted(r.status_code for r in responses) == [201] + [409] * (CONCURRENT - 1)
    for response in responses:
        if response.status_code == 409:
            assert_error(response, 409, "bill_already_paid", extra=("pending_payment",))
    rows = pg_query(
        pg_sandbox.database_url, "SELECT COUNT(*) FROM payments WHERE bill_id = :b", b=DEMO_BILL
    )
    assert rows == [(1,)]


def test_the_last_place_of_a_slot(pg_sandbox: RunningSandbox, pg: httpx.Client) -> None:
    tokens = [identify(pg, citizen) for citizen in DEMO_CITIZENS]
    requests = [
        {
            "url": "/v1/appointments",
            "json": {"slot_id": DEMO_LAST_PLACE_SLOT, "service_code": "senior_card"},
            "headers": token,
        }
        for token in tokens
    ]
    responses = asyncio.run(_post_all(pg_sandbox.base_url, requests))
    assert sorted(r.status_code for r in responses) == [201] + [409] * (len(tokens) - 1)


def test_the_scale_profile_url_shape_is_accepted(tmp_path: Path, pg_url: str) -> None:
    # The runner passes ``postgresql://…/banshi_sandbox``-style URLs; a second open of a
    # migrated database changes nothing.
    database = open_database(pg_url)
    try:
        assert current_revision(database.engine) == HEAD
    finally:
        database.dispose()
