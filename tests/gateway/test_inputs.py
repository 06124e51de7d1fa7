"""No input gives a 500: every kind of bad input found so far is refused with a coded 4xx.

Run against the gateway in this process on its own SQLite database (Rasa is not running: a
turn that reaches it is ``503 bot_unavailable``, a proper answer).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from handoff.models import Priority, Reason
from tests.chat import TOKEN_HEADER
from tests.handoff.conftest import GatewayFactory, LocalGateway

JSON = {"content-type": "application/json"}
SURROGATE = "\ud800"


def raw(body: Any) -> bytes:
    """``body`` as JSON with every non-ASCII character escaped: a lone surrogate becomes the
    escape ``\\ud800`` that any client can send."""
    return json.dumps(body, ensure_ascii=True).encode()


def assert_refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


async def claimed(gateway: LocalGateway) -> tuple[str, str, dict[str, Any]]:
    """A conversation handed to a person who has claimed it: (conversation, handoff, staff)."""
    member = await gateway.staff(district="输入区")
    conversation = await gateway.conversation()
    created = await gateway.request(conversation, citizen={"district": "输入区"})
    handoff_id = created.json()["handoff_id"]
    claim = await gateway.http.post(f"/api/handoffs/{handoff_id}/claim", headers=member["headers"])
    assert claim.status_code == 200, claim.text
    return conversation, handoff_id, member


async def test_a_lone_surrogate_is_refused_wherever_text_enters(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway() as gateway:
        http = gateway.http
        conversation, handoff_id, member = await claimed(gateway)
        staff_json = {**JSON, **member["headers"]}
        cases = [
            ("/api/chat", {"text": f"你好{SURROGATE}"}, JSON),
            ("/api/chat", {"conversation_id": conversation, "text": SURROGATE}, JSON),
            ("/api/chat", {"text": "你好", "metadata": {"k": [SURROGATE]}}, JSON),
            ("/api/staff/login", {"username": SURROGATE, "password": "x"}, JSON),
            ("/api/staff/login", {"username": "someone", "password": SURROGATE}, JSON),
            (f"/api/handoffs/{handoff_id}/notes", {"text": f"备注{SURROGATE}"}, staff_json),
            (f"/api/handoffs/{handoff_id}/messages", {"text": SURROGATE}, staff_json),
            (f"/api/handoffs/{handoff_id}/transfer", {"to": SURROGATE}, staff_json),
            (f"/api/handoffs/{handoff_id}/release", {"summary": SURROGATE}, staff_json),
        ]
        for path, body, headers in cases:
            response = await http.post(path, content=raw(body), headers=headers)
            assert_refused(response, 422, "text_invalid_chars")
        service = {**JSON, "Authorization": "Bearer test-service-token-0123456789"}
        other = await gateway.conversation()
        for body in (
            {"conversation_id": other, "detail": SURROGATE},
            {"conversation_id": other, "citizen": {"district": SURROGATE}},
            {"conversation_id": other, "collected": {SURROGATE: "x"}},
        ):
            response = await http.post("/api/handoffs", content=raw(body), headers=service)
            assert_refused(response, 422, "text_invalid_chars")
        # The non-characters are refused the same way.
        for text in ("\ufffe", "\uffff", "\ufdd0", "\U0010ffff"):
            body = raw({"text": f"好{text}"})
            response = await http.post("/api/chat", content=body, headers=JSON)
            assert_refused(response, 422, "text_invalid_chars")
        # Nothing half-done: the conversation holds no note and no reply.
        transcript = await http.get(
            f"/api/conversations/{conversation}/transcript", headers=member["headers"]
        )
        assert transcript.status_code == 200
        assert all(m["from"] != "staff" for m in transcript.json()["messages"])


async def test_integer_parameters_are_bounded(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as gateway:
        http = gateway.http
        conversation, _handoff, member = await claimed(gateway)
        for after in ("9223372036854775808", "2147483648", "100000000000000000000"):
            response = await http.get(f"/api/chat/{conversation}/messages?after={after}")
            assert_refused(response, 422, "after_invalid")
        for after in ("1e20", "100000000000000000000", "9223372036854775808"):
            response = await http.get(
                f"/api/conversations/{conversation}/transcript?after={after}",
                headers=member["headers"],
            )
            assert_refused(response, 422, "after_invalid")
        largest = await http.get(
            f"/api/chat/{conversation}/messages?after=2147483647",
            headers={TOKEN_HEADER: gateway.tokens[conversation]},
        )
        assert largest.status_code == 200 and largest.json()["messages"] == []
        for action in ("reveal", "done"):
            for callback_id in ("12345678901234567890", "0", "-1"):
                response = await http.post(
                    f"/api/callbacks/{callback_id}/{action}", json={}, headers=member["headers"]
                )
                assert_refused(response, 422, "callback_id_invalid")
            missing = await http.post(
                f"/api/callbacks/2147483647/{action}",
                json={"why": "回电核对"} if action == "reveal" else {},
                headers=member["headers"],
            )
            assert_refused(missing, 404, "callback_not_found")


async def test_an_id_with_a_trailing_newline_is_not_an_id(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as gateway:
        http = gateway.http
        member = await gateway.staff("supervisor")
        bent = "abcdefgh12\n"
        chat = await http.post("/api/chat", json={"conversation_id": bent, "text": "你好"})
        assert_refused(chat, 422, "conversation_id_invalid")
        created = await gateway.request(bent)
        assert_refused(created, 422, "conversation_id_invalid")
        polled = await http.get("/api/chat/abcdefgh12%0A/messages")
        assert_refused(polled, 422, "conversation_id_invalid")
        transcript = await http.get(
            "/api/conversations/abcdefgh12%0A/transcript", headers=member["headers"]
        )
        assert_refused(transcript, 422, "conversation_id_invalid")
        stepped = await http.post(
            "/api/conversations/abcdefgh12%0A/step-in", headers=member["headers"]
        )
        assert_refused(stepped, 422, "conversation_id_invalid")
        callbacks = await http.get("/api/callbacks?status=open%0A", headers=member["headers"])
        assert_refused(callbacks, 422, "status_invalid")


async def test_releasing_a_conversation_whose_id_is_not_url_safe_greets_with_the_fallback(
    make_gateway: GatewayFactory,
) -> None:
    """A conversation stored before the ids were checked whole (``abc…\\n``) can still be
    handed back: the Rasa client quotes the id in its URLs, the citizen is greeted."""
    async with make_gateway() as gateway:
        member = await gateway.staff(district="换行区")
        conversation = "abcdefgh12\n"
        await gateway.app.state.conversations.store.ensure_conversation(conversation, "webchat")
        handoff, _new = await gateway.runtime.handoffs.create(
            conversation_id=conversation,
            reason=Reason.REQUESTED,
            priority=Priority.NORMAL,
            channel="webchat",
            citizen_age=None,
            district="换行区",
            detail="",
            collected={},
            accessibility={},
        )
        http = gateway.http
        claim = await http.post(f"/api/handoffs/{handoff.id}/claim", headers=member["headers"])
        assert claim.status_code == 200, claim.text
        released = await http.post(
            f"/api/handoffs/{handoff.id}/release",
            json={"summary": "已帮您查好"},
            headers=member["headers"],
        )
        assert released.status_code == 200, released.text
        assert released.json()["handoff"]["status"] == "closed"
        assert released.json()["greeting"], "the citizen was not greeted"


async def test_text_must_be_a_string(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as gateway:
        http = gateway.http
        for value in (5, True, 1.5, {"a": 1}):
            response = await http.post("/api/chat", json={"text": value})
            assert_refused(response, 422, "text_invalid")
        login = await http.post("/api/staff/login", json={"username": 12345678, "password": "x"})
        assert_refused(login, 422, "username_invalid")
        _conversation, handoff_id, member = await claimed(gateway)
        note = await http.post(
            f"/api/handoffs/{handoff_id}/notes", json={"text": 42}, headers=member["headers"]
        )
        assert_refused(note, 422, "text_invalid")


async def test_invisible_formatting_is_removed_and_control_characters_refused(
    make_gateway: GatewayFactory,
) -> None:
    """A phone keyboard's zero-width space must not cost an older citizen their message: the
    invisible formatting characters are removed; real control characters are refused."""
    async with make_gateway() as gateway:
        http = gateway.http
        conversation, handoff_id, member = await claimed(gateway)
        invisible = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\U000e0001\U000e0041\U000e007f"
        await gateway.say(conversation, f"我{invisible}要交费")
        note = await http.post(
            f"/api/handoffs/{handoff_id}/notes",
            json={"text": "\ufeff老人\u200b耳背"},
            headers=member["headers"],
        )
        assert note.status_code == 201, note.text
        assert note.json()["note"]["text"] == "老人耳背"
        transcript = await http.get(
            f"/api/conversations/{conversation}/transcript", headers=member["headers"]
        )
        texts = [m["text"] for m in transcript.json()["messages"] if m["from"] == "citizen"]
        assert "我要交费" in texts
        only_invisible = await http.post("/api/chat", json={"text": "\u200b\u2060"})
        assert_refused(only_invisible, 422, "text_empty")
        for control in ("\x00", "\x1b", "\x85", "\u202e", "\u2066"):
            response = await http.post("/api/chat", json={"text": f"你好{control}"})
            assert_refused(response, 422, "text_control_chars")


async def test_a_body_over_the_limit_is_refused_before_it_is_read(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway() as gateway:
        http = gateway.http
        limit = gateway.app.state.config.max_body_bytes
        assert limit == 64 * 1024
        big = b'{"text": "' + b"a" * (60 * 1024 * 1024) + b'"}'
        response = await http.post("/api/chat", content=big, headers=JSON)
        assert_refused(response, 413, "too_large")

        pulled = 0

        async def chunks() -> AsyncIterator[bytes]:
            nonlocal pulled
            yield b'{"text": "'
            for _ in range(60 * 1024):  # 60 MB in 1 KiB pieces, without a Content-Length
                pulled += 1
                yield b"a" * 1024
            yield b'"}'

        chunked = await http.post("/api/chat", content=chunks(), headers=JSON)
        assert "content-length" not in chunked.request.headers
        assert_refused(chunked, 413, "too_large")
        assert pulled <= limit // 1024 + 1, f"read {pulled} KiB of a body over the limit"
        for path in ("/api/staff/login", "/api/handoffs"):
            response = await http.post(path, content=big[: limit + 1], headers=JSON)
            assert_refused(response, 413, "too_large")
        # A body just under the limit is read and answered on its merits.
        under = await http.post("/api/chat", json={"text": "交" * 10_000})
        assert_refused(under, 422, "text_too_long")
        lying = await http.post(
            "/api/chat", content=b"{}", headers={**JSON, "content-length": "nonsense"}
        )
        assert lying.status_code in (400, 413), lying.text
