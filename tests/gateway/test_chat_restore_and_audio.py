"""What the web chat page needs after a reload and for its 听 buttons: the whole transcript
(``include=citizen``) and each answer read aloud as WAV, both only with the conversation's token."""

from __future__ import annotations

import io
import wave
from pathlib import Path

from channels.webchat.routes import STATIC_DIR, WELCOME
from conversation.store import Party
from tests.chat import TOKEN_HEADER
from tests.gateway.conftest import make_gateway
from tests.handoff.conftest import GatewayFactory, LocalGateway
from tests.needs import need_espeak

__all__ = ["make_gateway"]


async def transcript(gateway: LocalGateway) -> tuple[str, list[int]]:
    """A conversation with a citizen turn, a bot answer with buttons and speech, a staff reply."""
    conversation_id = await gateway.conversation()
    store = gateway.app.state.conversations.store
    stored = await store.add_messages(
        conversation_id,
        "webchat",
        [
            (Party.CITIZEN, "我要给孙子交学费", {}),
            (
                Party.BOT,
                "一共 2550.00 元。现在缴费吗？",
                {
                    "buttons": [{"title": "对，缴费", "payload": "/affirm"}],
                    "speech": "一共两千五百五十元。现在缴费吗？",
                },
            ),
            (Party.STAFF, "您好，我是工作人员。", {}),
        ],
    )
    return conversation_id, [m.seq for m in stored]


async def test_include_citizen_gives_the_whole_transcript(make_gateway: GatewayFactory) -> None:
    async with make_gateway() as gateway:
        conversation_id, seqs = await transcript(gateway)
        headers = {TOKEN_HEADER: gateway.tokens[conversation_id]}
        url = f"/api/chat/{conversation_id}/messages"

        answers = (await gateway.http.get(url, params={"after": 0}, headers=headers)).json()
        assert [m["from"] for m in answers["messages"]] == ["bot", "staff"]

        whole = await gateway.http.get(
            url, params={"after": 0, "include": "citizen"}, headers=headers
        )
        assert whole.status_code == 200, whole.text
        messages = whole.json()["messages"]
        assert [m["from"] for m in messages] == ["citizen", "bot", "staff"]
        assert [m["seq"] for m in messages] == seqs
        assert messages[1]["buttons"][0]["title"] == "对，缴费"
        assert whole.json()["mode"] == "bot"

        # Only with the token; anything but "citizen" is a clear error in Chinese.
        no_token = await gateway.http.get(url, params={"after": 0, "include": "citizen"})
        assert no_token.status_code == 401
        wrong = await gateway.http.get(
            url, params={"after": 0, "include": "citizen"}, headers={TOKEN_HEADER: "x" * 40}
        )
        assert wrong.status_code == 404
        bad = await gateway.http.get(url, params={"after": 0, "include": "all"}, headers=headers)
        assert bad.status_code == 422
        assert bad.json()["error"]["code"] == "include_invalid"
        assert "citizen" in bad.json()["error"]["message"]


def wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data), "rb") as audio:
        assert audio.getnchannels() == 1 and audio.getsampwidth() == 2
        return audio.getnframes() / audio.getframerate()


async def test_an_answer_read_aloud_as_wav(make_gateway: GatewayFactory) -> None:
    need_espeak()
    async with make_gateway() as gateway:
        conversation_id, (citizen, bot, staff) = await transcript(gateway)
        headers = {TOKEN_HEADER: gateway.tokens[conversation_id]}
        url = f"/api/chat/{conversation_id}/messages/{{}}/audio"

        answer = await gateway.http.get(url.format(bot), headers=headers)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "audio/wav"
        assert answer.headers["cache-control"] == "no-store"  # an answer may hold personal data
        normal = wav_seconds(answer.content)
        assert normal > 1.5  # the whole sentence, not a click

        staff_reply = await gateway.http.get(url.format(staff), headers=headers)
        assert staff_reply.status_code == 200 and wav_seconds(staff_reply.content) > 0.5

        # After "说慢点" the same answer is read more slowly.
        store = gateway.app.state.conversations.store
        await store.set_setting(conversation_id, "speech_rate", "slow")
        slow = await gateway.http.get(url.format(bot), headers=headers)
        assert wav_seconds(slow.content) > normal * 1.1

        # The citizen's own words, an unknown seq, no token, a wrong token: nothing read.
        own = await gateway.http.get(url.format(citizen), headers=headers)
        assert own.status_code == 404 and own.json()["error"]["code"] == "message_not_found"
        assert (await gateway.http.get(url.format(999_999), headers=headers)).status_code == 404
        assert (await gateway.http.get(url.format(bot))).status_code == 401
        wrong = await gateway.http.get(url.format(bot), headers={TOKEN_HEADER: "y" * 40})
        assert wrong.status_code == 404
        other_id = await gateway.conversation()
        other = await gateway.http.get(
            f"/api/chat/{other_id}/messages/{bot}/audio",
            headers={TOKEN_HEADER: gateway.tokens[other_id]},
        )
        assert other.status_code == 404  # another conversation's message is not found
        bad = await gateway.http.get(url.format(0), headers=headers)
        assert bad.status_code == 422


async def test_the_greeting_read_aloud(make_gateway: GatewayFactory) -> None:
    need_espeak()
    async with make_gateway() as gateway:
        answer = await gateway.http.get("/api/chat/welcome/audio")
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "audio/wav"
        assert wav_seconds(answer.content) > 3
    # The page shows the very greeting that is read.
    assert WELCOME in Path(STATIC_DIR / "chat.js").read_text(encoding="utf-8")
