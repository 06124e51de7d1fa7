"""The kiosk WebSocket against the real system: voice turns (8 kHz and 16 kHz audio), typed
turns, read-again, fixed prompts, the slower rate, reset, and bad frames."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from typing import Any

import httpx
import pytest
from websockets.legacy.client import connect as ws_connect

from tests.conftest import RunningSystem
from tests.voice.conftest import KOREAN_PHRASE, espeak_korean, hangul, with_silence
from voice.audio import resample

pytestmark = pytest.mark.integration


class Kiosk:
    """A test client that keeps JSON messages and audio apart."""

    def __init__(self, socket: Any) -> None:
        self.socket = socket
        self.audio: dict[int, int] = {}  # audio id → bytes received
        self._current: int | None = None

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message, ensure_ascii=False))

    async def next(self, kind: str, timeout: float = 30) -> dict[str, Any]:
        """The next JSON message of type ``kind`` (audio is counted on the way)."""
        while True:
            frame = await asyncio.wait_for(self.socket.recv(), timeout)
            if isinstance(frame, bytes):
                assert self._current is not None, "audio before audio_start"
                self.audio[self._current] += len(frame)
                continue
            message = json.loads(frame)
            if message["type"] == "audio_start":
                self._current = message["id"]
                self.audio[message["id"]] = 0
            if message["type"] == kind:
                return message


def url(system: RunningSystem) -> str:
    return system.gateway.replace("http://", "ws://") + "/kiosk/ws"


async def stream_audio(kiosk: Kiosk, pcm: bytes, rate: int, chunk_s: float = 0.1) -> None:
    step = int(rate * chunk_s) * 2
    for offset in range(0, len(pcm), step):
        await kiosk.socket.send(pcm[offset : offset + step])
        await asyncio.sleep(0.005)


@pytest.mark.parametrize("rate", [8000, 16000])
async def test_voice_turn_over_the_socket(kiosk_system: RunningSystem, rate: int) -> None:
    speech, source_rate = espeak_korean(KOREAN_PHRASE)
    audio = resample(
        with_silence(speech, source_rate, before_s=0.3, after_s=2.0), source_rate, rate
    )
    async with ws_connect(url(kiosk_system), max_size=None) as socket:
        kiosk = Kiosk(socket)
        ready = await kiosk.next("ready")
        for _ in range(60):  # the model loads in the background when the gateway starts
            if ready["voice_input"] == "ready":
                break
            await asyncio.sleep(1)
            await kiosk.send({"type": "reset"})
            ready = await kiosk.next("ready")
        assert ready["voice_input"] == "ready"
        await kiosk.send({"type": "listen", "sample_rate": rate, "mode": "ptt"})
        assert (await kiosk.next("listening"))["kind"] == "free"
        await stream_audio(kiosk, audio, rate)
        transcript = await kiosk.next("transcript")
        assert transcript["reason"] == "silence"
        assert len(hangul(transcript["text"]) & hangul(KOREAN_PHRASE)) >= 2, transcript
        assert transcript["words"] and transcript["speech_end_s"] < transcript["endpoint_s"]
        messages = await kiosk.next("messages")
        assert messages["mode"] == "bot" and messages["messages"]
        reply = messages["messages"][0]
        start = await kiosk.next("audio_start")
        assert start["seq"] == reply["seq"] and start["sample_rate"] == 22050
        end = await kiosk.next("audio_end")
        assert end["completed"] and kiosk.audio[end["id"]] > 22050  # over half a second
    # The turn is in the same conversation store as /api/chat's ...
    database = kiosk_system.settings.effective_gateway_database_url.split("///", 1)[1]
    with sqlite3.connect(database) as db:
        stored = db.execute(
            "SELECT id, party FROM messages WHERE conversation_id = ? ORDER BY id",
            (ready["conversation_id"],),
        ).fetchall()
    assert (reply["seq"], "bot") in stored and stored[0][1] == "citizen"
    # ... but bound to this screen: the chat API does not open it, with or without a token.
    with httpx.Client(base_url=kiosk_system.gateway) as client:
        path = f"/api/chat/{ready['conversation_id']}/messages"
        assert client.get(path).status_code == 401
        guessed = client.get(path, headers={"X-Conversation-Token": "x" * 43})
        assert guessed.status_code == 404


async def test_typed_turn_read_again_prompt_rate_and_reset(kiosk_system: RunningSystem) -> None:
    async with ws_connect(url(kiosk_system), max_size=None) as socket:
        kiosk = Kiosk(socket)
        first = await kiosk.next("ready")
        await kiosk.send({"type": "text", "text": "你好"})
        messages = await kiosk.next("messages")
        seqs = [m["seq"] for m in messages["messages"]]
        assert any("办事小助手" in m["text"] for m in messages["messages"])
        assert all(m.get("speech") for m in messages["messages"])
        normal = await kiosk.next("audio_end")
        # Read the first message again, slower: the same words take longer.
        await kiosk.send({"type": "rate", "slow": True})
        assert (await kiosk.next("rate"))["slow"] is True
        await kiosk.send({"type": "speak", "seq": seqs[0]})
        start = await kiosk.next("audio_start")
        assert start["seq"] == seqs[0]
        slow = await kiosk.next("audio_end")
        assert kiosk.audio[slow["id"]] > kiosk.audio[normal["id"]] * 1.1
        await kiosk.send({"type": "prompt", "name": "idle_warning"})
        assert (await kiosk.next("audio_end"))["completed"]
        # A new person: a new conversation, and nothing of the old one can be read again.
        await kiosk.send({"type": "reset"})
        second = await kiosk.next("ready")
        assert second["conversation_id"] != first["conversation_id"]
        assert second["slow"] is False
        await kiosk.send({"type": "speak", "seq": seqs[0]})
        await kiosk.send({"type": "stop_audio"})
        await kiosk.send({"type": "text", "text": "谢谢"})
        messages = await kiosk.next("messages")
        assert messages["conversation_id"] == second["conversation_id"]


async def test_barge_in_stops_the_speech(kiosk_system: RunningSystem) -> None:
    async with ws_connect(url(kiosk_system), max_size=None) as socket:
        kiosk = Kiosk(socket)
        await kiosk.next("ready")
        await kiosk.send({"type": "text", "text": "你好"})
        start = await kiosk.next("audio_start")
        await kiosk.send({"type": "stop_audio"})
        end = await kiosk.next("audio_end")
        assert end["id"] == start["id"] and end["completed"] is False


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "invalid_json"),
        ('{"type": "fly"}', "unknown_message"),
        ('{"type": "listen", "sample_rate": 12345}', "audio_rate_unsupported"),
        ('{"type": "prompt", "name": "nope"}', "unknown_prompt"),
        ('{"type": "text", "text": "' + "长" * 600 + '"}', "text_too_long"),
    ],
    ids=["not-json", "unknown-type", "bad-rate", "unknown-prompt", "too-long"],
)
async def test_bad_frames_get_coded_errors(
    kiosk_system: RunningSystem, frame: str, code: str
) -> None:
    async with ws_connect(url(kiosk_system), max_size=None) as socket:
        kiosk = Kiosk(socket)
        await kiosk.next("ready")
        await socket.send(frame)
        error = await kiosk.next("error")
        assert error["code"] == code and error["message"]
        await kiosk.send({"type": "text", "text": "你好"})  # the connection still works
        assert (await kiosk.next("messages"))["messages"]


async def test_after_reset_the_last_persons_reply_never_arrives(
    kiosk_system: RunningSystem,
) -> None:
    """ "办完了" while the bot is still answering: the answer is stored with the last person's
    conversation, but never sent to the screen (nor spoken); the new conversation goes on."""
    database = kiosk_system.settings.effective_gateway_database_url.split("///", 1)[1]

    def bot_messages(conversation_id: str) -> list[str]:
        with sqlite3.connect(database) as db:
            rows = db.execute(
                "SELECT text FROM messages WHERE conversation_id = ? AND party = 'bot'",
                (conversation_id,),
            ).fetchall()
        return [row[0] for row in rows]

    async with ws_connect(url(kiosk_system), max_size=None) as socket:
        kiosk = Kiosk(socket)
        first = await kiosk.next("ready")
        await kiosk.send({"type": "text", "text": "我要给孙子交学费"})
        await kiosk.send({"type": "reset"})
        second = await kiosk.next("ready")
        assert second["conversation_id"] != first["conversation_id"]
        for _ in range(300):  # the old turn's answer is stored …
            if bot_messages(first["conversation_id"]):
                break
            await asyncio.sleep(0.1)
        assert any("学号" in text for text in bot_messages(first["conversation_id"]))
        await asyncio.sleep(0.5)
        # … and what reaches the screen next is the new conversation's answer only.
        await kiosk.send({"type": "text", "text": "你好"})
        frames: list[dict[str, Any]] = []
        while True:
            frame = await asyncio.wait_for(socket.recv(), 30)
            if isinstance(frame, str):
                frames.append(json.loads(frame))
                if frames[-1]["type"] == "messages":
                    break
        shown = [f for f in frames if f["type"] == "messages"]
        assert [f["conversation_id"] for f in shown] == [second["conversation_id"]]
        assert "学号" not in json.dumps(shown, ensure_ascii=False)
        assert all(f.get("seq") is None for f in frames if f["type"] == "audio_start")


async def test_the_welcome_fits_the_voice_input_and_is_spoken_as_a_prompt(
    kiosk_system: RunningSystem,
) -> None:
    """With a model the greeting invites speaking; it is spoken on request like every
    prompt, named in ``audio_start`` so the page can outline it."""
    async with ws_connect(url(kiosk_system), max_size=None) as socket:
        kiosk = Kiosk(socket)
        ready = await kiosk.next("ready")
        assert ready["voice_input"] in ("loading", "ready")
        assert ready["welcome"] == "welcome" and "说话" in ready["prompts"]["welcome"]
        assert "说话" not in ready["prompts"]["welcome_touch"]
        await kiosk.send({"type": "prompt", "name": ready["welcome"]})
        start = await kiosk.next("audio_start")
        assert start["prompt"] == "welcome" and start["seq"] is None
        end = await kiosk.next("audio_end")
        assert end["completed"] and kiosk.audio[end["id"]] > 22050 * 2  # seconds of speech


async def test_the_kiosk_listens_for_what_the_question_expects(
    kiosk_system: RunningSystem,
) -> None:
    """The bot's hint travels with its question (actions → Rasa → gateway → kiosk): the
    student number is 10 digits, the read-back a yes/no. Korean speech to the number question
    is not a complete answer, so the whole end-of-speech silence ends it."""
    speech, source_rate = espeak_korean(KOREAN_PHRASE)
    audio = resample(
        with_silence(speech, source_rate, before_s=0.3, after_s=2.0), source_rate, 16000
    )
    async with ws_connect(url(kiosk_system), max_size=None) as socket:
        kiosk = Kiosk(socket)
        ready = await kiosk.next("ready")
        for _ in range(60):  # the model loads in the background when the gateway starts
            if ready["voice_input"] == "ready":
                break
            await asyncio.sleep(1)
            await kiosk.send({"type": "reset"})
            ready = await kiosk.next("ready")
        await kiosk.send({"type": "text", "text": "我要给孙子交学费"})
        question = (await kiosk.next("messages"))["messages"][-1]
        assert "学号" in question["text"] and "expect" not in question  # not shown to the page
        await kiosk.send({"type": "listen", "sample_rate": 16000, "mode": "ptt"})
        listening = await kiosk.next("listening")
        assert (listening["kind"], listening["expect"]) == ("digits", "digits")
        await stream_audio(kiosk, audio, 16000)
        transcript = await kiosk.next("transcript")
        assert transcript["reason"] == "silence"
        assert transcript["endpoint_s"] - transcript["speech_end_s"] == pytest.approx(1.2, abs=0.05)
        await kiosk.next("messages")
        await kiosk.send({"type": "text", "text": "7320291068"})
        read_back = (await kiosk.next("messages"))["messages"][-1]
        assert [b["title"] for b in read_back["buttons"]] == ["对，缴费", "先不缴"]
        await kiosk.send({"type": "listen", "sample_rate": 16000, "mode": "ptt"})
        listening = await kiosk.next("listening")
        assert (listening["kind"], listening["expect"]) == ("yes_no", "yes_no")
