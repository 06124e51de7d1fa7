"""Bad input on /api/chat gets a clear 4xx (code + Chinese message); the gateway keeps serving."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.conftest import RunningSystem

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": ""}, 422, "text_empty"),
        ({"text": "   \n\t "}, 422, "text_empty"),
        ({"text": "交" * 10_000}, 422, "text_too_long"),
        ({"text": "你好\x00\x07"}, 422, "text_control_chars"),
        ({"text": "你好\u202e"}, 422, "text_control_chars"),
        ({"text": "你好", "conversation_id": "../../etc/passwd"}, 422, "conversation_id_invalid"),
        ({"text": "你好", "conversation_id": "short"}, 422, "conversation_id_invalid"),
        ({"text": "你好", "conversation_id": "x" * 65}, 422, "conversation_id_invalid"),
        ({"text": "你好", "channel": "fax"}, 422, "channel_invalid"),
        ({"text": ["你好"]}, 422, "text_invalid"),
        ({}, 422, "text_invalid"),
        (["not", "an", "object"], 422, "invalid_body"),
    ],
)
def test_bad_body(system: RunningSystem, body: object, status: int, code: str) -> None:
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        response = client.post("/api/chat", json=body)
        assert response.status_code == status, response.text
        error = response.json()["error"]
        assert error["code"] == code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])  # said in Chinese


def test_invalid_json_and_then_still_serving(system: RunningSystem) -> None:
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        for raw in (b"{not json", b"\xff\xfe", b""):
            response = client.post(
                "/api/chat", content=raw, headers={"Content-Type": "application/json"}
            )
            assert response.status_code == 400, response.text
            assert response.json()["error"]["code"] == "invalid_json"
        ok = client.post("/api/chat", json={"text": "你好"})
        assert ok.status_code == 200 and ok.json()["messages"]
        assert client.get("/healthz").json()["status"] == "ok"


def test_message_polling_errors(system: RunningSystem) -> None:
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        token = {"X-Conversation-Token": "x" * 43}
        missing = client.get(f"/api/chat/{uuid.uuid4().hex}/messages", headers=token)
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "conversation_not_found"
        bad = client.get("/api/chat/bad id!/messages")
        assert bad.status_code == 422
        assert bad.json()["error"]["code"] == "conversation_id_invalid"
        negative = client.get(f"/api/chat/{uuid.uuid4().hex}/messages", params={"after": -1})
        assert negative.status_code == 422


def test_generated_conversation_id_and_unknown_route(system: RunningSystem) -> None:
    with httpx.Client(base_url=system.gateway, timeout=30) as client:
        body = client.post("/api/chat", json={"text": "你好"}).json()
        assert len(body["conversation_id"]) == 32
        missing = client.get("/api/nothing-here")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        metrics = client.get("/metrics").text
        assert 'banshi_errors_total{code="text_empty"}' in metrics
