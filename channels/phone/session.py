"""One call, one conversation.

A :class:`CallSession` holds a call from the moment the SIP user agent answers it until either
side hangs up. It starts a conversation of its own on the server side (channel ``phone``; the
id is the gateway's, the caller's number is kept masked with it), says the greeting at once,
sends the caller's audio (8 kHz) to a streaming recognizer that converts it to its own rate,
turns what was heard or keyed into user turns of the conversation core (so the one mode check
applies), and speaks every answer — synthesized at 8 kHz, paced by the call — until the caller
speaks or presses a key (barge-in). The phone's own rules (silence ladder, keys, keypad entry,
options by key, slower speech) are :class:`channels.phone.rules.PhoneRules`; this module only
carries out its commands, and turns time into its timer events.

A hang-up at any moment ends the call cleanly: what the caller had started saying is still
recognised and stored as their turn, turns on their way finish and are stored (as the kiosk
keeps an answer that arrives after 办完了), and the transcript gets a note that the call ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from channels.phone.config import PhoneConfig
from channels.phone.media import PHONE_RATE, Call, Hangup, Key, TransferResult
from channels.phone.recording import CallRecorder
from channels.phone.rules import (
    Answered,
    Button,
    CancelTimer,
    Command,
    Event,
    HandOff,
    HangUp,
    Heard,
    KeyPressed,
    Listen,
    ModeChanged,
    PhoneRules,
    PlaybackDone,
    Pushed,
    Reply,
    Say,
    SendTurn,
    SetVolume,
    SlowDown,
    SpeechStarted,
    StartTimer,
    StopSpeaking,
    Timer,
    TimerFired,
)
from channels.phone.volume import at_level
from conversation.errors import ApiError
from conversation.metrics import Metrics
from conversation.service import ConversationService
from conversation.store import Party, StoredMessage
from conversation.validation import CodedError, clean_text, new_conversation_id
from voice.engine import VoiceEngine
from voice.events import EndReason, RecognizerEvent, Transcript
from voice.events import SpeechStarted as RecognizerSpeechStarted
from voice.recognizer import VoiceUnavailable
from voice.streaming import StreamingRecognizer
from voice.synthesizer import SynthesisError
from voice.transcript import FieldKind
from zhtext.masking import mask_digits
from zhtext.speakable import to_speakable

logger = logging.getLogger(__name__)

AskPerson = Callable[[str, str], Awaitable[None]]
"""``ask_person(conversation_id, reason)``: queue the conversation for a person; the queue
notice comes back as a pushed message."""
Transferred = Callable[[str], Awaitable[None]]
"""``transferred(conversation_id)``: the caller was put through to the staff number; the
conversation's open handoff (the bot's, for "转人工") is over."""


async def ignore_transfer(_conversation_id: str) -> None:
    """The default ``transferred``: nothing to close (no handoff service, as in some tests)."""
    return None


CALL_ENDED = "市民已挂断电话。"
"""The note the transcript gets when the caller hangs up."""
PERSON_UNAVAILABLE = "抱歉，现在转不了人工，请稍后再打。"
TTS_FAILED = "tts_failed"
WAIT_NOTICE_S = 1.5
"""A turn that takes longer than this gets a short "请稍等" (V5)."""
PLEASE_WAIT = "请稍等。"
NO_VOICE = "现在听不了说话，请用电话按键。找工作人员请按0。"
"""Said after the greeting when speech recognition is not available."""
TRANSFERRING = "正在为您转接工作人员的电话，请稍等。"
"""Said before the call is handed to the staff number (``PhoneConfig.refer_to``)."""
TRANSFER_FAILED = "转接没有成功，我在这里为您排队等工作人员。"
"""Said when the staff number could not be reached; the caller waits in the console's queue."""
CALL_TRANSFERRED = "电话已转接到工作人员。"
"""The note the transcript gets when the caller was put through to the staff number."""


def reply_of(message: StoredMessage) -> Reply:
    """A stored answer as the phone rules read it."""
    buttons = tuple(
        Button(str(b.get("title", "")), str(b.get("payload", "")))
        for b in message.payload.get("buttons") or []
        if isinstance(b, dict) and b.get("title")
    )
    speech = str(message.payload.get("speech") or to_speakable(message.text))
    expect = str(message.payload.get("expect") or "")
    return Reply(message.text, speech, buttons, message.party.value, expect)


def masked_caller(caller: str) -> str:
    """The caller's number as it may be kept and logged."""
    digits = "".join(ch for ch in caller if ch.isdigit())
    if not digits:
        return ""
    return mask_digits(digits) if len(digits) >= 7 else "*" * len(digits)


class CallSession:
    """Serves one answered call until it ends."""

    def __init__(
        self,
        call: Call,
        *,
        config: PhoneConfig,
        voice: VoiceEngine | None,
        conversations: ConversationService,
        ask_person: AskPerson,
        metrics: Metrics | None = None,
        transferred: Transferred = ignore_transfer,
        on_start: Callable[[CallSession], None] = lambda _session: None,
        on_end: Callable[[CallSession], None] = lambda _session: None,
    ) -> None:
        self.call = call
        self.config = config
        self.voice = voice
        self.conversations = conversations
        self.ask_person = ask_person
        self.metrics = metrics
        self.transferred = transferred
        self.on_start = on_start
        self.on_end = on_end
        self.conversation_id = new_conversation_id()
        self.caller = "".join(ch for ch in call.caller if ch.isdigit())
        self.rules = PhoneRules(silence_s=config.silence_s, key_gap_s=config.key_gap_s)
        self.slow = False
        self.volume = 0
        """The level speech is played at (``channels.phone.volume``), set by the rules."""
        self.recognizer: StreamingRecognizer | None = None
        self.recorder: CallRecorder | None = None
        self._events: asyncio.Queue[Event | None] = asyncio.Queue()
        self._speech: asyncio.Queue[str | asyncio.Event] = asyncio.Queue()
        """What to say, in order; an event in it is set once everything before it is said
        (or dropped by a barge-in)."""
        self._speech_generation = 0
        self._timers: dict[Timer, asyncio.TimerHandle] = {}
        self._live_timers: set[Timer] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._turns: set[asyncio.Task[Any]] = set()
        self._ended = asyncio.Event()
        """The current utterance is being ended early (a whole answer was heard)."""
        self.answered_at = time.perf_counter()
        self.first_audio_s: float | None = None
        """Answer → first greeting audio handed to the call, in seconds (for the benchmark)."""
        self.transferring = False
        """A transfer to the staff number is under way."""
        self.transfer_result: TransferResult | None = None

    # ------------------------------------------------------------------ the call
    async def run(self) -> None:
        """Serve the call until it ends; never raises for what happens on the call."""
        self.answered_at = time.perf_counter()
        logger.info(
            "phone.call.answered call=%s caller=%s conversation=%s",
            self.call.call_id,
            masked_caller(self.caller),
            self.conversation_id,
        )
        self.on_start(self)
        player = self._spawn(self._player())
        greeting = self.config.spoken_greeting
        greeted = Reply(greeting, greeting, self.config.menu)
        await self._run_commands(self.rules.handle(Answered((greeted,))))
        try:
            await self._open_conversation(greeting)
            if self.config.recordings:
                self.recorder = CallRecorder(self.config.recordings_dir, self.conversation_id)
            self._spawn(self._pump_events())
            self._spawn(self._start_listening())  # keys work while the model still loads
            await self._serve()
        except Exception:
            logger.exception("phone.call.failed conversation=%s", self.conversation_id)
        finally:
            await self._finish()
            player.cancel()
            self.on_end(self)

    async def _open_conversation(self, greeting: str) -> None:
        store = self.conversations.store
        await store.ensure_conversation(self.conversation_id, "phone")
        masked = masked_caller(self.caller)
        if masked:
            await store.set_setting(self.conversation_id, "caller", masked)
        await self.conversations.add(
            self.conversation_id,
            [(Party.BOT, greeting, {"speech": greeting, "code": "phone_greeting"})],
            push=False,
        )

    async def _start_listening(self) -> None:
        """Open the recognizer and listen for what the current question expects (without
        speech recognition, tell the caller to use the keys); then take the caller's audio,
        which waits in the call until then."""
        try:
            if self.voice is None:
                raise VoiceUnavailable("voice_engine_missing", "no voice engine")
            recognizer = await self.voice.open_stream(self._on_recognized, input_rate=PHONE_RATE)
        except VoiceUnavailable as error:
            logger.warning("phone.voice.unavailable code=%s", error.code)
            self._say(NO_VOICE)
        else:
            if self._ended.is_set():
                await recognizer.close()
                return
            self.recognizer = recognizer
            await self._listen(self.rules.listen())
        self._spawn(self._pump_audio())

    async def _serve(self) -> None:
        """Handle events one at a time (the rules are not shared between coroutines)."""
        while True:
            event = await self._events.get()
            if event is None:
                return
            if isinstance(event, TimerFired):
                if event.timer not in self._live_timers:
                    continue  # cancelled after it fired, before it was handled
                self._live_timers.discard(event.timer)
            await self._run_commands(self.rules.handle(event))

    def post(self, event: Event) -> None:
        """Hand an event to the rules (from any coroutine of this call's loop)."""
        if not self._ended.is_set():
            self._events.put_nowait(event)

    def _spawn(self, coroutine: Any, *, turn: bool = False) -> asyncio.Task[Any]:
        task = asyncio.create_task(coroutine)
        group = self._turns if turn else self._tasks
        group.add(task)
        task.add_done_callback(group.discard)
        task.add_done_callback(self._log_failure)
        return task

    def _log_failure(self, task: asyncio.Task[Any]) -> None:
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            logger.error(
                "phone.call.task_failed conversation=%s error=%s",
                self.conversation_id,
                type(error).__name__,
            )

    # ------------------------------------------------------------------ inputs
    async def _pump_audio(self) -> None:
        async for frame in self.call.audio():
            if self.recorder is not None:
                self.recorder.write(frame)
            if self.recognizer is not None:
                self.recognizer.push(frame)

    async def _pump_events(self) -> None:
        async for event in self.call.events():
            if isinstance(event, Key):
                logger.info("phone.key conversation=%s", self.conversation_id)
                self.post(KeyPressed(event.key))
            elif isinstance(event, Hangup):
                logger.info(
                    "phone.call.hangup conversation=%s reason=%s",
                    self.conversation_id,
                    event.reason,
                )
                break
        self._events.put_nowait(None)

    async def _on_recognized(self, event: RecognizerEvent) -> None:
        if isinstance(event, RecognizerSpeechStarted):
            self.post(SpeechStarted())
        elif isinstance(event, Transcript):
            if event.reason is EndReason.NO_SPEECH:
                # Nothing said while listening (perhaps a long answer was playing): keep
                # listening; silence is the rules' timer's business, not the recognizer's.
                self._spawn(self._listen(self.rules.listen()))
                return
            logger.info(
                "phone.transcript conversation=%s reason=%s chars=%d",
                self.conversation_id,
                event.reason.value,
                len(event.text),
            )
            self.post(Heard(event.text))
            self._spawn(self._listen(self.rules.listen()))

    async def pushed(self, message: StoredMessage) -> None:
        """A staff reply or a queue notice for this call's conversation: say it."""
        mode = await self.conversations.store.mode(self.conversation_id)
        self.post(Pushed(reply_of(message), mode.value if mode else None))

    # ------------------------------------------------------------------ commands
    async def _run_commands(self, commands: list[Command]) -> None:
        for command in commands:
            if isinstance(command, Say):
                self._say(command.speech)
            elif isinstance(command, StopSpeaking):
                self._stop_speaking()
            elif isinstance(command, Listen):
                await self._listen(command)
            elif isinstance(command, SendTurn):
                self._spawn(self._turn(command.text, command.source), turn=True)
            elif isinstance(command, HandOff):
                self._spawn(self._hand_off(command.reason), turn=True)
            elif isinstance(command, HangUp):
                logger.info("phone.call.hangup_by_us conversation=%s", self.conversation_id)
                await self.call.hang_up()
                self._events.put_nowait(None)  # whether or not the call reports it
            elif isinstance(command, SlowDown):
                self.slow = True
            elif isinstance(command, SetVolume):
                self.volume = command.level
            elif isinstance(command, StartTimer):
                self._start_timer(command.timer, command.seconds)
            elif isinstance(command, CancelTimer):
                self._cancel_timer(command.timer)

    async def _listen(self, command: Listen) -> None:
        if self.recognizer is None or self._ended.is_set():
            return
        kind = command.kind if isinstance(command.kind, FieldKind) else FieldKind.FREE
        # A whole expected answer (an ID, a mobile number, 对/不对) ends the caller's turn
        # after a short settle instead of the end-of-speech silence (voice.expect).
        await self.recognizer.start(
            kind=kind, hints=command.hints, input_rate=PHONE_RATE, expect=command.expect
        )

    def _start_timer(self, timer: Timer, seconds: float) -> None:
        self._cancel_timer(timer)
        loop = asyncio.get_running_loop()
        self._timers[timer] = loop.call_later(seconds, self._timer_fired, timer)
        self._live_timers.add(timer)

    def _timer_fired(self, timer: Timer) -> None:
        self._timers.pop(timer, None)
        self.post(TimerFired(timer))

    def _cancel_timer(self, timer: Timer) -> None:
        self._live_timers.discard(timer)
        handle = self._timers.pop(timer, None)
        if handle is not None:
            handle.cancel()

    async def _turn(self, raw: str, source: str) -> None:
        """One caller turn; its answer goes back to the rules."""
        try:
            text = clean_text(raw, max_chars=500)
        except CodedError as error:
            logger.info("phone.turn.refused code=%s", error.code)
            return
        metadata: dict[str, Any] = {"input": source}
        if self.caller:
            metadata["caller_number"] = self.caller
        waiting = asyncio.get_running_loop().call_later(WAIT_NOTICE_S, self._say, PLEASE_WAIT)
        started = time.perf_counter()
        try:
            result = await self.conversations.user_turn(
                self.conversation_id, text, channel="phone", metadata=metadata
            )
        except ApiError as error:
            logger.warning("phone.turn.failed code=%s", error.code)
            if self.metrics is not None:
                self.metrics.error(error.code)
                self.metrics.turn("phone", "error", time.perf_counter() - started)
            self.post(Answered((Reply(error.message, error.message, (), "system"),)))
            return
        finally:
            waiting.cancel()
        if self.metrics is not None:
            self.metrics.turn("phone", "ok", time.perf_counter() - started)
        answered = Answered(
            tuple(reply_of(m) for m in result.messages),
            result.mode.value,
            result.settings.get("speech_rate") == "slow",
        )
        queued = result.mode.value == "waiting" and self.rules.mode == "bot"
        if queued and self.config.refer_to and not self.transferring:
            # "转人工": the bot queued the call; the staff number comes first, the queue
            # (whose notice the bot wrote) only when it cannot be reached.
            transfer = await self._transfer()
            if transfer is TransferResult.DONE:
                await self.transferred(self.conversation_id)
            if transfer in (TransferResult.DONE, TransferResult.ENDED):
                return
            answered = replace(answered, replies=(Reply(TRANSFER_FAILED), *answered.replies))
        self.post(answered)

    async def _hand_off(self, reason: str) -> None:
        if self.transferring:
            return  # a 0 pressed while the transfer goes on
        if self.config.refer_to and self.rules.mode == "bot":
            if await self._transfer() in (TransferResult.DONE, TransferResult.ENDED):
                return  # with staff now, or the caller hung up meanwhile
            self.post(ModeChanged("bot"))  # until the queue notice says otherwise
            self._say(TRANSFER_FAILED)
        try:
            await self.ask_person(self.conversation_id, reason)
            logger.info("phone.handoff conversation=%s reason=%s", self.conversation_id, reason)
        except Exception as error:
            logger.error("phone.handoff.failed reason=%s error=%s", reason, type(error).__name__)
            self._say(PERSON_UNAVAILABLE)

    async def _transfer(self) -> TransferResult:
        """Hand the caller to the staff number (SIP REFER): tell them, wait until that has
        been said, transfer; on success note it in the transcript and end our leg. Unless
        the result is ``DONE`` or ``ENDED`` (hung up meanwhile) the caller is still here."""
        self.transferring = True
        self.post(ModeChanged("transferring"))  # no silence ladder meanwhile
        self._say(TRANSFERRING)
        await self._said()
        result = await self.call.transfer(self.config.refer_to)
        self.transfer_result = result
        logger.info("phone.transfer conversation=%s result=%s", self.conversation_id, result.value)
        if self.call.ended and result is not TransferResult.DONE:
            result = TransferResult.ENDED
        if result is not TransferResult.DONE:
            self.transferring = False
            return result
        with contextlib.suppress(Exception):
            await self.conversations.add(
                self.conversation_id,
                [(Party.SYSTEM, CALL_TRANSFERRED, {"code": "call_transferred"})],
                push=False,
            )
        await self.call.hang_up()
        self._events.put_nowait(None)
        return result

    # ------------------------------------------------------------------ speech out
    def _say(self, speech: str) -> None:
        """Say ``speech`` after what is being said."""
        self._speech.put_nowait(speech)

    async def _said(self) -> None:
        """Return once everything queued so far has been said (or dropped by a barge-in)."""
        done = asyncio.Event()
        self._speech.put_nowait(done)
        await done.wait()

    def _stop_speaking(self) -> None:
        self._speech_generation += 1
        while not self._speech.empty():
            item = self._speech.get_nowait()
            if isinstance(item, asyncio.Event):
                item.set()
        self.call.stop_playing()

    async def _player(self) -> None:
        """Say queued speech in order; tell the rules when everything queued has been said."""
        while True:
            speech = await self._speech.get()
            if isinstance(speech, asyncio.Event):
                speech.set()
                continue
            generation = self._speech_generation
            completed = await self._play(speech, generation)
            if completed and self._speech.empty() and generation == self._speech_generation:
                self.post(PlaybackDone())

    async def _play(self, speech: str, generation: int) -> bool:
        voice = self.voice
        if voice is None or self.call.ended:
            return False
        rate = self.config.slow_speech_rate_cpm if self.slow else self.config.speech_rate_cpm
        cache = speech == self.config.greeting_speech
        stream = voice.synthesizer.stream(
            speech, rate_cpm=rate, sample_rate=PHONE_RATE, cache=cache
        )
        try:
            async with contextlib.aclosing(stream) as chunks:
                async for chunk in chunks:
                    if generation != self._speech_generation:
                        return False
                    if self.first_audio_s is None:
                        self.first_audio_s = time.perf_counter() - self.answered_at
                    if not await self.call.play(at_level(chunk, self.volume)):
                        return False
        except SynthesisError as error:
            logger.error("phone.tts.failed code=%s", error.code)
            return False
        return generation == self._speech_generation

    # ------------------------------------------------------------------ the end
    async def _finish(self) -> None:
        """The call is over: keep what was said, close what was opened."""
        self._ended.set()
        for timer in list(self._timers):
            self._cancel_timer(timer)
        self._speech_generation += 1
        if self.recognizer is not None:
            last = None
            with contextlib.suppress(Exception):
                last = await self.recognizer.stop(EndReason.STOPPED)
            if last is not None and last.text and last.reason is not EndReason.NO_SPEECH:
                self._spawn(self._turn(last.text, "voice"), turn=True)
            await self.recognizer.close()
        if self._turns:
            await asyncio.gather(*list(self._turns), return_exceptions=True)
        for task in list(self._tasks):
            task.cancel()
        if self.recorder is not None:
            self.recorder.close()
        with contextlib.suppress(Exception):
            known = await self.conversations.store.conversation(self.conversation_id)
            if known is not None and self.transfer_result is not TransferResult.DONE:
                await self.conversations.add(
                    self.conversation_id,
                    [(Party.SYSTEM, CALL_ENDED, {"code": "call_ended"})],
                    push=False,
                )
        with contextlib.suppress(Exception):
            await self.call.hang_up()
        logger.info("phone.call.ended conversation=%s", self.conversation_id)
