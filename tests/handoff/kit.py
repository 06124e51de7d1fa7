"""Factories for the handoff tests: staff accounts made with the real ``banshi staff add``
command, logged-in HTTP clients (cookie + CSRF, or bearer), conversations and handoffs."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from banshi import paths
from tests.chat import TOKEN_HEADER, Chat
from tests.conftest import RunningSystem

PASSWORD = "Correct-Horse-9"


def unique(prefix: str) -> str:
    """A name no other test uses."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def new_district() -> str:
    """A district of its own, so other tests' queues do not mix in."""
    return unique("测试区")


@dataclass
class Account:
    """A staff account and its password."""

    username: str
    role: str
    district: str
    password: str = PASSWORD


def add_staff(system: RunningSystem, *accounts: tuple[str, str]) -> list[Account]:
    """Create accounts (role, district) with ``banshi staff add`` against the running gateway's
    database, one command each, the password on stdin."""
    env = {**os.environ, **system.settings.child_env()}
    made = []
    for role, district in accounts:
        account = Account(unique(role[:3]), role, district)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "banshi",
                "staff",
                "add",
                account.username,
                "--role",
                role,
                "--district",
                district,
                "--display-name",
                f"测试{account.username[-4:]}",
                "--password-stdin",
            ],
            input=account.password + "\n",
            capture_output=True,
            text=True,
            env=env,
            cwd=paths.ROOT,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        made.append(account)
    return made


class Console:
    """A logged-in staff member's HTTP client: the session cookie plus the CSRF header, the
    way the console page calls the API."""

    def __init__(self, base_url: str, account: Account) -> None:
        self.account = account
        self.http = httpx.Client(base_url=base_url, timeout=30)
        response = self.http.post(
            "/api/staff/login", json={"username": account.username, "password": account.password}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        self.token: str = body["token"]
        self.csrf: str = body["csrf_token"]
        self.staff: dict[str, Any] = body["staff"]

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(path, params=params)

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.http.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf})

    def close(self, logout: bool = True) -> None:
        if logout:
            self.post("/api/staff/logout")
        self.http.close()

    def __enter__(self) -> Console:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def service(system: RunningSystem) -> httpx.Client:
    """A client with the service token (as the action server calls the gateway)."""
    return httpx.Client(
        base_url=system.gateway,
        headers={"Authorization": f"Bearer {system.settings.service_token}"},
        timeout=30,
    )


TOKENS: dict[str, str] = {}
"""The tokens of the conversations the tests started, by conversation id."""


def start(system: RunningSystem, text: str = "你好") -> tuple[str, dict[str, Any]]:
    """A new web chat conversation started with ``text``: its id (the token kept in
    :data:`TOKENS` for :func:`citizen_says` and :func:`citizen_sees`) and the first answer."""
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        chat = Chat(client)
        answer = chat.say(text)
    assert chat.id is not None and chat.token is not None
    TOKENS[chat.id] = chat.token
    return chat.id, answer


def conversation(system: RunningSystem, text: str = "你好") -> str:
    """A new web chat conversation with one turn answered by the bot."""
    return start(system, text)[0]


def token_headers(conversation_id: str) -> dict[str, str]:
    """The token header of a conversation a test started."""
    return {TOKEN_HEADER: TOKENS[conversation_id]}


def handoff(
    system: RunningSystem, conversation_id: str, *, district: str = "", **body: Any
) -> dict[str, Any]:
    """Ask for a person for the conversation (as the bot's action does)."""
    with service(system) as client:
        response = client.post(
            "/api/handoffs",
            json={"conversation_id": conversation_id, "citizen": {"district": district}, **body},
        )
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


def citizen_says(system: RunningSystem, conversation_id: str, text: str) -> dict[str, Any]:
    """One citizen turn on web chat."""
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        response = client.post(
            "/api/chat",
            json={"conversation_id": conversation_id, "text": text},
            headers=token_headers(conversation_id),
        )
    assert response.status_code == 200, response.text
    return dict(response.json())


def citizen_sees(system: RunningSystem, conversation_id: str, after: int = 0) -> dict[str, Any]:
    """What the web chat page's polling gets."""
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        response = client.get(
            f"/api/chat/{conversation_id}/messages",
            params={"after": after},
            headers=token_headers(conversation_id),
        )
    assert response.status_code == 200, response.text
    return dict(response.json())
