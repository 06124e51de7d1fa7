"""One kiosk connection: the WebSocket of one screen, one person's conversation at a time.

Audio from the page goes to a streaming recognizer; a finished utterance, a typed answer or a
quick reply becomes a user turn of the same conversation service ``POST /api/chat`` uses (so
the one mode check applies); every answer is sent as text and then spoken, sentence by
sentence, until the person touches the screen or starts talking (barge-in).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from channels.kiosk.config import KioskConfig
from channels.kiosk.hub import KioskHub
from channels.kiosk.protocol import (
    PROMPTS,
    ClientMessage,
    ProtocolError,
    error_message,
    parse_client,
    welcome_prompt,
)
from channels.webchat.routes import message_json
from conversation.errors import ApiError
from conversation.service import ConversationService
from conversation.store import StoredMessage
from conversation.validation import CodedError, clean_text, new_conversation_id
from voice.engine import VoiceEngine
from voice.events import EndReason, Partial, RecognizerEvent, SpeechStarted, Transcript
from voice.expect import Expectation, expectation
from voice.recognizer import NO_MODEL_MESSAGE, VoiceUnavailable
from voice.streaming import StreamingRecognizer
from voice.synthesizer import SynthesisError
from voice.transcript import wants_slower
from zhtext.speakable import to_speakable

logger = logging.getLogger(__name__)

FRAME_S = 0.25
"""Speech goes down in frames of this many seconds, so a barge-in stops it quickly."""
MAX_REMEMBERED = 50
"""Messages kept for "read again" (only the current person's)."""


class KioskSession:
    """Serves one kiosk WebSocket until it closes."""

    def __init__(
        self,
        websocket: WebSocket,
        *,
        config: KioskConfig,
        voice: VoiceEngine,
        conversations: ConversationService,
        hub: KioskHub,
        max_text_chars: int,
    ) -> None:
        self.ws = websocket
        self.config = config
        self.voice = voice
        self.conversations = conversations
        self.hub = hub
        self.max_text_chars = max_text_chars
        self.conversation_id = new_conversation_id()
        self.slow = False
        self.recognizer: StreamingRecognizer | None = None
        self._spoken: dict[int, str] = {}
        self._expect = Expectation()
        """What the last question expects as an answer (its text, buttons and the bot's hint)."""
        self._speech: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._send_lock = asyncio.Lock()
        self._audio_id = 0

    # ------------------------------------------------------------------ connection
    async def run(self) -> None:
        """Accept the socket and serve it until the page goes away."""
        await self.ws.accept()
        self.hub.attach(self.conversation_id, self)
        logger.info("kiosk.connected")
        try:
            await self._send_ready()
            if self._voice_status()[0] == "loading":
                self._spawn(self._announce_voice_input())
            while True:
                frame = await self.ws.receive()
                if frame["type"] == "websocket.disconnect":
                    break
                if frame.get("bytes") is not None:
                    if self.recognizer is not None:
                        self.recognizer.push(frame["bytes"])
                elif frame.get("text") is not None:
                    await self._handle(frame["text"])
        except WebSocketDisconnect:
            pass
        finally:
            await self._close()

    async def _close(self) -> None:
        self.hub.detach(self.conversation_id, self)
        await self._stop_speech()
        for task in list(self._tasks):
            task.cancel()
        if self.recognizer is not None:
            await self.recognizer.close()
        logger.info("kiosk.disconnected")

    async def send(self, message: dict[str, Any]) -> None:
        """Send one JSON message (never two at once on the socket)."""
        async with self._send_lock:
            if self.ws.application_state is WebSocketState.CONNECTED:
                await self.ws.send_json(message)

    async def _send_bytes(self, data: bytes) -> None:
        async with self._send_lock:
            if self.ws.application_state is WebSocketState.CONNECTED:
                await self.ws.send_bytes(data)

    def _voice_status(self) -> tuple[str, str]:
        """The engine's voice input status; without a configured model it is off from the
        start (not "loading" while the engine finds out)."""
        if not self.config.vosk_model_path.strip():
            return "unavailable", NO_MODEL_MESSAGE
        return self.voice.input_status()

    async def _send_ready(self) -> None:
        status, message = self._voice_status()
        await self.send(
            {
                "type": "ready",
                "conversation_id": self.conversation_id,
                "voice_input": status,
                "voice_message": message,
                "welcome": welcome_prompt(status),
                "idle_s": self.config.idle_s,
                "warning_s": self.config.warning_s,
                "playback_rate": self.config.playback_rate_hz,
                "slow": self.slow,
                "prompts": PROMPTS,
            }
        )

    async def _announce_voice_input(self) -> None:
        """Tell the page when the model has finished loading (or failed to)."""
        with contextlib.suppress(VoiceUnavailable):
            await self.voice.model()
        status, message = self._voice_status()
        await self.send(
            {
                "type": "voice_status",
                "voice_input": status,
                "voice_message": message,
                "welcome": welcome_prompt(status),
            }
        )

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ------------------------------------------------------------------ client messages
    async def _handle(self, frame: str) -> None:
        try:
            message = parse_client(frame)
            handler = getattr(self, f"_on_{message.type}")
            await handler(message)
        except ProtocolError as error:
            logger.info("kiosk.protocol.error code=%s", error.code)
            await self.send(error_message(error.code, error.message, speak=False))

    async def _on_listen(self, message: ClientMessage) -> None:
        rate = message.sample_rate
        if message.text("mode") != "handsfree":
            await self._stop_speech()  # pressing the microphone is a barge-in too
        status, status_message = self._voice_status()
        if status != "ready":
            await self._error(f"voice_{status}", status_message)
            return
        try:
            if self.recognizer is None:
                self.recognizer = await self.voice.open_stream(self._on_event, input_rate=rate)
        except VoiceUnavailable as error:
            await self._error(error.code, error.message)
            return
        expect = self._expect
        await self.recognizer.start(
            kind=expect.field, hints=expect.hints(), input_rate=rate, expect=expect
        )
        await self.send(
            {
                "type": "listening",
                "kind": expect.field.value,
                "expect": expect.kind.value,
                "sample_rate": rate,
            }
        )

    async def _on_stop_listening(self, _message: ClientMessage) -> None:
        if self.recognizer is not None:
            await self.recognizer.stop(EndReason.STOPPED)

    async def _on_cancel_listening(self, _message: ClientMessage) -> None:
        if self.recognizer is not None:
            await self.recognizer.cancel()

    async def _on_text(self, message: ClientMessage) -> None:
        await self._stop_speech()
        self._spawn(self._turn(message.text(), self.conversation_id, source="touch"))

    async def _on_stop_audio(self, _message: ClientMessage) -> None:
        await self._stop_speech()

    async def _on_speak(self, message: ClientMessage) -> None:
        seq = message.data.get("seq")
        if isinstance(seq, int) and seq in self._spoken:
            await self._speak([(seq, self._spoken[seq])])
        elif self._spoken:
            last = max(self._spoken)
            await self._speak([(last, self._spoken[last])])

    async def _on_prompt(self, message: ClientMessage) -> None:
        name = message.text("name")
        text = PROMPTS.get(name)
        if text is None:
            raise ProtocolError("unknown_prompt", "没有这个提示语。")
        await self._speak([(None, text)], cache=True, prompt=name)

    async def _on_rate(self, message: ClientMessage) -> None:
        self.slow = bool(message.data.get("slow"))
        await self.send({"type": "rate", "slow": self.slow})

    async def _on_reset(self, _message: ClientMessage) -> None:
        """A new person: nothing of the last conversation stays on this connection (a turn
        still on its way is dropped when it comes back: see :meth:`_turn`)."""
        await self._stop_speech()
        if self.recognizer is not None:
            await self.recognizer.cancel()
        self.hub.detach(self.conversation_id, self)
        self.conversation_id = new_conversation_id()
        self.hub.attach(self.conversation_id, self)
        self._spoken.clear()
        self._expect = Expectation()
        self.slow = False
        logger.info("kiosk.reset")
        await self._send_ready()

    # ------------------------------------------------------------------ recognizer events
    async def _on_event(self, event: RecognizerEvent) -> None:
        if isinstance(event, SpeechStarted):
            await self._stop_speech()  # barge-in by voice
            await self.send(event.to_json())
        elif isinstance(event, Partial):
            await self.send(event.to_json())
        elif isinstance(event, Transcript):
            await self.send({**event.to_json(), "server_time": time.time()})
            logger.info(
                "kiosk.transcript reason=%s expect=%s chars=%d rtf=%.3f",
                event.reason.value,
                self._expect.kind.value,
                len(event.text),
                event.timing.get("rtf", 0.0),
            )
            if event.text:
                self._spawn(self._turn(event.text, self.conversation_id, source="voice"))
            else:
                await self._error("not_heard", PROMPTS["not_heard"])

    # ------------------------------------------------------------------ turns
    async def _turn(self, raw: str, conversation_id: str, *, source: str) -> None:
        """One user turn of ``conversation_id`` (the one on screen when it was said)."""
        metrics = getattr(self.ws.app.state, "metrics", None)
        started = time.perf_counter()
        try:
            text = clean_text(raw, max_chars=self.max_text_chars)
        except CodedError as error:
            await self._error(error.code, str(error))
            return
        try:
            metadata: dict[str, Any] = {"input": source}
            if self.config.district:
                metadata["agency_district"] = self.config.district
            result = await self.conversations.user_turn(
                conversation_id, text, channel="kiosk", metadata=metadata
            )
        except ApiError as error:
            if metrics is not None:
                metrics.error(error.code)
                metrics.turn("kiosk", "error", time.perf_counter() - started)
            if conversation_id != self.conversation_id:
                return  # the last person's error is not the next person's
            await self._error(error.code, error.message)
            return
        if metrics is not None:
            metrics.turn("kiosk", "ok", time.perf_counter() - started)
        if conversation_id != self.conversation_id:
            # The person pressed "办完了" (or left) while the bot was answering: the answer
            # stays in the old conversation's transcript, never on the next person's screen.
            logger.info("kiosk.turn.after_reset messages=%d", len(result.messages))
            return
        slower = result.settings.get("speech_rate") == "slow" or wants_slower(text)
        if slower and not self.slow:
            self.slow = True
            await self.send({"type": "rate", "slow": True})
        await self._show_and_speak(result.messages, mode=result.mode.value)

    async def _show_and_speak(
        self, messages: list[StoredMessage], *, mode: str | None = None, pushed: bool = False
    ) -> None:
        await self.send(
            {
                "type": "messages",
                "conversation_id": self.conversation_id,
                "mode": mode,
                "pushed": pushed,
                "messages": [message_json(m) for m in messages],
            }
        )
        items: list[tuple[int | None, str]] = []
        for message in messages:
            speech = str(message.payload.get("speech") or to_speakable(message.text))
            self._spoken[message.seq] = speech
            items.append((message.seq, speech))
            if message.party.value in ("bot", "staff"):
                self._expect = expectation(
                    message.text,
                    list(message.payload.get("buttons") or []),
                    message.payload.get("expect"),
                )
        while len(self._spoken) > MAX_REMEMBERED:
            del self._spoken[min(self._spoken)]
        if items:
            await self._speak(items)

    async def pushed(self, message: StoredMessage) -> None:
        """A staff reply or notice for this conversation: show it and say it."""
        await self._show_and_speak([message], pushed=True)

    async def _error(self, code: str, message: str) -> None:
        """Errors are written and spoken (K12)."""
        await self.send(error_message(code, message))
        await self._speak([(None, message)], cache=True)

    # ------------------------------------------------------------------ speech out
    async def _speak(
        self,
        items: list[tuple[int | None, str]],
        *,
        cache: bool = False,
        prompt: str | None = None,
    ) -> None:
        """Speak ``items`` (message seq or ``None``, text) in order, instead of anything
        speaking now; ``prompt`` names the fixed prompt being spoken, for the page."""
        await self._stop_speech()
        self._speech = asyncio.create_task(self._play(items, cache=cache, prompt=prompt))

    async def _stop_speech(self) -> None:
        task, self._speech = self._speech, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _play(
        self, items: list[tuple[int | None, str]], *, cache: bool, prompt: str | None
    ) -> None:
        rate_hz = self.config.playback_rate_hz
        rate_cpm = self.config.slow_speech_rate_cpm if self.slow else self.config.speech_rate_cpm
        frame_bytes = int(rate_hz * FRAME_S) * 2
        for seq, text in items:
            self._audio_id += 1
            audio_id = self._audio_id
            start: dict[str, Any] = {
                "type": "audio_start",
                "id": audio_id,
                "seq": seq,
                "sample_rate": rate_hz,
            }
            if prompt is not None:
                start["prompt"] = prompt
            await self.send(start)
            completed = False
            try:
                async for chunk in self.voice.synthesizer.stream(
                    text, rate_cpm=rate_cpm, sample_rate=rate_hz, cache=cache
                ):
                    for offset in range(0, len(chunk), frame_bytes):
                        await self._send_bytes(chunk[offset : offset + frame_bytes])
                completed = True
            except SynthesisError as error:
                logger.error("kiosk.tts.failed code=%s", error.code)
                await self.send(error_message(error.code, error.message, speak=False))
                return
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.shield(
                        self.send({"type": "audio_end", "id": audio_id, "completed": completed})
                    )
