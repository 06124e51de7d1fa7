"""The machine's PostgreSQL, Redis and RabbitMQ as the scale tests and benchmarks reach them:
their addresses (``BANSHI_TEST_*_URL``), whether they answer, and a few reads and clean-ups."""

from __future__ import annotations

import os
import socket
from typing import Any
from urllib.parse import urlparse

import psycopg2

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
