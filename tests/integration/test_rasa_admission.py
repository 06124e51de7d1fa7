"""Rasa refuses a turn it could not start within the seconds the gateway allows, and keeps
nothing of it (banshi.rasa_admission); the gateway sends every turn with them."""

from __future__ import annotations

import secrets

import httpx
import pytest

from banshi.rasa_admission import START_WITHIN_HEADER
from tests.conftest import RunningSystem

pytestmark = pytest.mark.integration


def _user_texts(system: RunningSystem, sender: str) -> list[str]:
    response = httpx.get(
        f"{system.settings.rasa_url}/conversations/{sender}/tracker",
        params={"token": system.settings.rasa_token},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return [e["text"] for e in response.json()["events"] if e["event"] == "user"]


def _turn(system: RunningSystem, sender: str, text: str, within: str | None) -> httpx.Response:
    headers = {START_WITHIN_HEADER: within} if within is not None else {}
    return httpx.post(
        f"{system.settings.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text},
        headers=headers,
        timeout=30,
    )


def test_a_turn_past_its_start_within_time_is_refused_and_not_kept(
    system: RunningSystem,
) -> None:
    sender = f"admission-{secrets.token_hex(4)}"
    answered = _turn(system, sender, "你好", "6")
    assert answered.status_code == 200 and answered.json(), answered.text

    late = _turn(system, sender, "我要给孙子交学费", "0")

    assert late.status_code == 503, late.text
    assert late.json() == {"error": {"code": "bot_busy", "intent": None}}
    assert _user_texts(system, sender) == ["你好"]


@pytest.mark.parametrize("within", [None, "soon", "nan", "-inf"])
def test_a_turn_without_a_usable_start_within_time_is_answered(
    system: RunningSystem, within: str | None
) -> None:
    sender = f"admission-{secrets.token_hex(4)}"
    response = _turn(system, sender, "你好", within)
    assert response.status_code == 200 and response.json(), response.text
    assert _user_texts(system, sender) == ["你好"]
