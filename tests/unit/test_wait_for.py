"""banshi.wait_for: a service counts as up when it answers in its protocol, and a deadline
ends the wait with the service, its address and the setting to check."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from banshi.settings import Settings, SettingsError
from banshi.wait_for import Dependency, DependencyTimeout, answers, parse, wait_for
from tests.conftest import free_port


@contextmanager
def _server(reply: bytes, *, after_s: float = 0.0) -> Iterator[int]:
    """A loopback port that, from ``after_s`` on, answers every connection with ``reply``."""
    port = free_port()
    stop = threading.Event()
    listening = None if after_s else socket.create_server(("127.0.0.1", port))

    def serve() -> None:
        time.sleep(after_s)
        with listening or socket.create_server(("127.0.0.1", port)) as server:
            server.settimeout(0.1)
            while not stop.is_set():
                try:
                    connection, _ = server.accept()
                except TimeoutError:
                    continue
                with connection:
                    connection.recv(64)
                    connection.sendall(reply)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        stop.set()
        thread.join(timeout=5)


def test_each_service_is_asked_in_its_own_protocol() -> None:
    with _server(b"+PONG\r\n") as port:
        assert answers(Dependency("redis", "127.0.0.1", port)) is None
    with _server(b"N") as port:
        assert answers(Dependency("postgres", "127.0.0.1", port)) is None
    with _server(b"\x01\x00\x00") as port:
        assert answers(Dependency("rabbitmq", "127.0.0.1", port)) is None
        # Something else on the port is not RabbitMQ.
        assert answers(Dependency("postgres", "127.0.0.1", port)) == "unexpected answer"
    assert answers(Dependency("redis", "127.0.0.1", free_port())) == "ConnectionRefusedError"


def test_waits_for_a_service_that_comes_up_late(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="banshi.wait_for")
    with _server(b"+PONG\r\n", after_s=1.5) as port:
        waited = wait_for([Dependency("redis", "127.0.0.1", port)], timeout_s=20)
    assert 1.0 <= waited < 20
    assert f"banshi.wait_for.waiting service=redis address=127.0.0.1:{port}" in caplog.text
    assert "banshi.wait_for.ready services=redis" in caplog.text


def test_a_redis_still_loading_its_data_is_not_up(caplog: pytest.LogCaptureFixture) -> None:
    loading = b"-LOADING Redis is loading the dataset in memory\r\n"
    with _server(loading) as port:
        redis = Dependency("redis", "127.0.0.1", port)
        assert answers(redis) == "not ready yet (LOADING)"
        with pytest.raises(DependencyTimeout, match=r"\(not ready yet \(LOADING\)\)"):
            wait_for([redis], timeout_s=0.5)
    with _server(b"-NOAUTH Authentication required.\r\n") as port:  # up, with a password
        assert answers(Dependency("redis", "127.0.0.1", port)) is None


def test_the_deadline_names_the_service_and_the_setting() -> None:
    port = free_port()
    with pytest.raises(DependencyTimeout) as raised:
        wait_for([Dependency("rabbitmq", "127.0.0.1", port)], timeout_s=0.5)
    assert str(raised.value) == (
        f"rabbitmq at 127.0.0.1:{port} did not answer within 0.5 s (ConnectionRefusedError); "
        "start it, or check BANSHI_RABBITMQ_URL"
    )


def test_addresses_come_from_the_settings_unless_given() -> None:
    settings = Settings(redis_url="redis://cache.example:6380/2")
    assert parse("redis", settings) == Dependency("redis", "cache.example", 6380)
    assert parse("postgres=db:5433", settings) == Dependency("postgres", "db", 5433)
    with pytest.raises(SettingsError, match="unknown service 'mysql'"):
        parse("mysql", settings)
    with pytest.raises(SettingsError, match="host:port"):
        parse("redis=cache", settings)
