"""A plain ConnectionError is the database being down only when its driver raised it."""

from __future__ import annotations

import pytest

from conversation.errors import _raised_by_a_store_driver


def _raise_in_module(module: str) -> BaseException:
    """A ConnectionRefusedError raised by code whose module is ``module``."""
    namespace: dict[str, object] = {"__name__": module}
    exec("def connect():\n    raise ConnectionRefusedError(111, 'refused')\n", namespace)
    with pytest.raises(ConnectionRefusedError) as raised:
        namespace["connect"]()  # type: ignore[operator]
    return raised.value


def test_a_refusal_raised_by_asyncpg_is_the_store() -> None:
    assert _raised_by_a_store_driver(_raise_in_module("asyncpg.connect_utils"))


def test_a_refusal_raised_elsewhere_is_not_the_store() -> None:
    assert not _raised_by_a_store_driver(_raise_in_module("platform_client.client"))
    assert not _raised_by_a_store_driver(_raise_in_module("httpcore._backends.anyio"))
