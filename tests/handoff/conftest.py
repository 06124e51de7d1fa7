"""Fixtures of the handoff tests.

Two kinds of gateway:
- ``system`` (tests/conftest.py): every process really started; for routes, roles, the bot's
  handoff actions, the live feed, the browser.
- ``served_gateway``: the same app served over HTTP from a thread of this process, for the
  console's browser tests that need no bot.
- ``make_gateway``: the gateway app in this process on its own SQLite file, with Rasa
  unreachable and the queue clock stopped (``tick_s`` of an hour), so that tests can set tiny
  timeouts, working hours that are closed now, and run the clock by hand
  (``runtime.service.tick()``); ``make_gateway(tick_s=0.1)`` lets the clock run on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser

from banshi.gateway import GatewayConfig, create_app
from handoff.config import HandoffConfig
from handoff.models import Role
from handoff.passwords import hash_password
from handoff.runtime import HandoffRuntime
from tests.chat import TOKEN_HEADER
from tests.chromium import launch_chromium
from tests.conftest import free_port
from tests.handoff.kit import PASSWORD, Account, unique
from tests.served import served

SERVICE_TOKEN = "test-service-token-0123456789"
T = TypeVar("T")


@dataclass
class LocalGateway:
    """The gateway app in this process, and an HTTP client for it."""

    app: FastAPI
    http: httpx.AsyncClient
    database_url: str
    tokens: dict[str, str] = field(default_factory=dict)
    """The conversation tokens of the conversations this test started."""

    @property
    def runtime(self) -> HandoffRuntime:
        runtime: HandoffRuntime = self.app.state.handoff
        return runtime

    async def conversation(self, channel: str = "webchat") -> str:
        """A conversation the bot has not answered (Rasa is not running here)."""
        store = self.app.state.conversations.store
        conversation_id, token = await store.start_conversation(channel)
        self.tokens[conversation_id] = token
        return str(conversation_id)

    async def staff(self, role: str = "staff", district: str = "姑苏区") -> dict[str, Any]:
        """A staff account, logged in (so on duty): its bearer headers and account."""
        username = unique(role[:3])
        await self.runtime.staff.add(
            username=username,
            display_name=f"测试{username[-4:]}",
            role=Role(role),
            district=district,
            password_hash=await hash_password(PASSWORD),
        )
        response = await self.http.post(
            "/api/staff/login", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        self.http.cookies.clear()
        return {
            "username": username,
            "id": body["staff"]["id"],
            "headers": {"Authorization": f"Bearer {body['token']}"},
        }

    async def request(self, conversation_id: str, **body: Any) -> httpx.Response:
        """``POST /api/handoffs`` with the service token."""
        return await self.http.post(
            "/api/handoffs",
            json={"conversation_id": conversation_id, **body},
            headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        )

    async def say(self, conversation_id: str, text: str) -> dict[str, Any]:
        """A citizen turn (in waiting/human mode it never reaches the bot)."""
        response = await self.http.post(
            "/api/chat",
            json={"conversation_id": conversation_id, "text": text},
            headers={TOKEN_HEADER: self.tokens[conversation_id]},
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def seen(self, conversation_id: str) -> list[dict[str, Any]]:
        """Everything the citizen's page gets by polling."""
        response = await self.http.get(
            f"/api/chat/{conversation_id}/messages?after=0",
            headers={TOKEN_HEADER: self.tokens[conversation_id]},
        )
        assert response.status_code == 200, response.text
        return list(response.json()["messages"])


GatewayFactory = Callable[..., contextlib.AbstractAsyncContextManager[LocalGateway]]


@pytest.fixture
def make_gateway(tmp_path: Path) -> GatewayFactory:
    """Start a gateway app in this process: ``async with make_gateway(claim_timeout_s=1) as g``.

    The same ``tmp_path`` database is reused by every gateway a test starts (restarts)."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"

    @contextlib.asynccontextmanager
    async def start(**handoff: Any) -> AsyncIterator[LocalGateway]:
        settings: dict[str, Any] = {
            "working_hours": "1-7 00:00-24:00",
            "tick_s": 3600.0,
            "position_notice_s": 0.0,
            **handoff,
        }
        app = create_app(
            GatewayConfig(
                database_url=database_url,
                rasa_url=f"http://127.0.0.1:{free_port()}",
                rasa_token="unused",
                service_token=SERVICE_TOKEN,
                rasa_timeout_s=2.0,
                rasa_start_within_s=0.5,
                handoff=HandoffConfig(**settings),
            )
        )
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://gateway.test"
            ) as http:
                yield LocalGateway(app, http, database_url)

    return start


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium per test module."""
    yield from launch_chromium()


@dataclass
class ServedGateway:
    """The gateway app served over HTTP by uvicorn in a thread of this process (Rasa not
    running), for browser tests of the console that need no bot: handoffs are made with the
    service token and citizens speak while waiting or with staff."""

    url: str
    app: FastAPI
    loop: asyncio.AbstractEventLoop

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the server's event loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=30)

    @property
    def runtime(self) -> HandoffRuntime:
        runtime: HandoffRuntime = self.app.state.handoff
        return runtime

    def staff(self, role: str = "staff", district: str = "姑苏区") -> Account:
        """A new staff account (not logged in)."""
        account = Account(unique(role[:3]), role, district)
        password_hash = self.run(hash_password(PASSWORD))
        self.run(
            self.runtime.staff.add(
                username=account.username,
                display_name=f"测试{account.username[-4:]}",
                role=Role(role),
                district=district,
                password_hash=password_hash,
            )
        )
        return account

    def conversation(self, channel: str = "webchat") -> tuple[str, str]:
        """A conversation the bot has not answered: its id and token."""
        store = self.app.state.conversations.store
        conversation_id, token = self.run(store.start_conversation(channel))
        return str(conversation_id), str(token)

    def request(self, conversation_id: str, **body: Any) -> dict[str, Any]:
        """``POST /api/handoffs`` with the service token."""
        response = httpx.post(
            f"{self.url}/api/handoffs",
            json={"conversation_id": conversation_id, **body},
            headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
            timeout=30,
        )
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    def say(self, conversation_id: str, token: str, text: str) -> None:
        """A citizen turn (waiting or with staff: it never reaches the bot)."""
        response = httpx.post(
            f"{self.url}/api/chat",
            json={"conversation_id": conversation_id, "text": text},
            headers={TOKEN_HEADER: token},
            timeout=30,
        )
        assert response.status_code == 200, response.text


@pytest.fixture(scope="module")
def served_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedGateway]:
    """One gateway per test module, served on a free port of 127.0.0.1 (queue clock stopped)."""
    database = tmp_path_factory.mktemp("served") / "gateway.db"
    app = create_app(
        GatewayConfig(
            database_url=f"sqlite+aiosqlite:///{database}",
            rasa_url=f"http://127.0.0.1:{free_port()}",
            rasa_token="unused",
            service_token=SERVICE_TOKEN,
            rasa_timeout_s=2.0,
            rasa_start_within_s=0.5,
            handoff=HandoffConfig(
                working_hours="1-7 00:00-24:00", tick_s=3600.0, position_notice_s=0.0
            ),
        )
    )
    with served(app) as (url, loop):
        yield ServedGateway(url, app, loop)
