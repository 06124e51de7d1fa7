"""The machine's PostgreSQL, Redis and RabbitMQ as the scale tests and benchmarks reach them:
their addresses (``BANSHI_TEST_*_URL``), whether they answer, and a few reads and clean-ups."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psycopg2

from tests.conftest import RunningSystem, running_system, system_settings
from tests.needs import need

POSTGRES = os.environ.get(
    "BANSHI_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("BANSHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RABBITMQ = os.environ.get("BANSHI_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


def reachable(url: str) -> bool:
    """Whether something listens at the address of ``url``."""
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port), timeout=2):
            return True
    except OSError:
        return False


def unreachable(*urls: str) -> list[str]:
    """The services of ``urls`` (default: all three) that do not answer, without credentials."""
    return [url.split("@")[-1] for url in urls or (POSTGRES, REDIS, RABBITMQ) if not reachable(url)]


def require_services(*urls: str) -> None:
    """Skip (fail under CI=true) unless every service of ``urls`` (default: all three) answers."""
    missing = unreachable(*urls)
    need(
        not missing,
        f"scale profile services ({', '.join(missing)})",
        "start PostgreSQL, Redis and RabbitMQ, or point BANSHI_TEST_*_URL at them",
    )


def drop_databases(names: list[str]) -> None:
    """Drop databases made for a test or a benchmark, closing whatever still holds them."""
    connection = psycopg2.connect(POSTGRES, connect_timeout=5)
    connection.autocommit = True
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


def rows(url: str, query: str, *args: object) -> list[tuple[Any, ...]]:
    """The rows of ``query`` on the database at ``url``."""
    connection = psycopg2.connect(url, connect_timeout=5)
    try:
        with connection.cursor() as cursor:
            cursor.execute(query, args)
            return list(cursor.fetchall())
    finally:
        connection.close()


async def queue_depth(queue: str, *, delete: bool = False) -> int:
    """How many events wait in a RabbitMQ queue (then delete it, if asked)."""
    import aio_pika

    connection = await aio_pika.connect_robust(RABBITMQ)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        count = int(declared.declaration_result.message_count or 0)
        if delete:
            await declared.delete(if_unused=False, if_empty=False)
    return count


@contextlib.contextmanager
def scale_system(
    var_dir: Path, *, prefix: str = "banshi_test", **overrides: Any
) -> Iterator[RunningSystem]:
    """Every process of the scale profile on free ports, on PostgreSQL databases and a RabbitMQ
    queue of its own (named ``prefix`` and a random part), dropped afterwards."""
    database = f"{prefix}_{secrets.token_hex(4)}"
    settings = system_settings(
        var_dir,
        profile="scale",
        **{
            "postgres_url": f"{POSTGRES.rsplit('/', 1)[0]}/{database}",
            "redis_url": REDIS,
            "rabbitmq_url": RABBITMQ,
            "rabbitmq_queue": f"{database}_events",
            "rasa_token": secrets.token_urlsafe(24),
            "action_token": secrets.token_urlsafe(24),
            "service_token": secrets.token_urlsafe(24),
            "platform_client_key": secrets.token_urlsafe(24),
            **overrides,
        },
    )
    try:
        with running_system(settings) as running:
            yield running
    finally:
        drop_databases([database, f"{database}_sandbox", f"{database}_rasa"])
        with contextlib.suppress(Exception):
            asyncio.run(queue_depth(settings.rabbitmq_queue, delete=True))
