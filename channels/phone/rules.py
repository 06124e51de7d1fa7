"""The phone's own rules, as a state machine with no I/O and no clock.

A caller cannot see a screen or tap a button, so the phone adds rules of its own on top of the
dialogue (ACCESSIBILITY.md V1, V3, V6, V8, V11, V13): the silence ladder, DTMF ``0`` for a
person, ``*`` to hear the last answer again, keypad entry of numbers ended by ``#``, buttons
said as keypad options, a slower voice after "说慢点", and a louder or quieter one after
"大声点" / "小声点" (V12; ``#`` outside a number is louder too). The call session
(``channels.phone.session``) feeds :class:`PhoneRules` with what happened — the bot's answers,
what the recognizer heard, keys, the end of playback, timers that ran out — and carries out the
commands it returns. Time only enters as :class:`TimerFired`, so every rule is tested without
waiting.

What the bot already does is not done again here: the bot counts unusable answers and offers
the keypad and a person after two (its misunderstanding ladder); the phone counts only what the
bot never sees — utterances the recognizer could not make out — and offers the keypad (for a
number) or a person after two of them on the same question.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from channels.phone.volume import LOUDER, MAX_LEVEL, MIN_LEVEL, VOLUME_PHRASES, volume_request
from voice.expect import Expectation, expectation
from voice.transcript import FieldKind, field_kind, phrase_hints, wants_slower
from zhtext import spoken as said
from zhtext.speakable import spoken_options, to_speakable

SILENCE_S = 8.0
"""Quiet after a prompt before the silence ladder moves a step (V3)."""
KEY_GAP_S = 10.0
"""Longest pause between two keys of a keypad entry before it counts as finished (V3: ≥ 10 s)."""
MAX_OPTIONS = 3
"""Options said and chosen by key per prompt (V6)."""
MISHEARD_BEFORE_OFFER = 2
ZERO_PAUSE_S = 2.0
"""A lone 0 keyed for a number that may start with 0: this long without another key and the
caller is asked whether they want a person (V1) or go on keying."""
"""Utterances not made out for the same question before the keypad or a person is offered (V13)."""

GUIDANCE = {
    FieldKind.DIGITS: "可以一位一位地说，也可以用电话按键输入，按完请按井号键。",
    FieldKind.YES_NO: "请说“对”，或者“不对”。",
    FieldKind.FREE: "您可以直接说要办的事，比如“交学费”“查养老金”。",
}
"""What the first silence adds to the question, by what the question expects."""
OPTIONS_GUIDANCE = "请按数字键选择。"
STILL_THERE = "您还在吗？"
OFFER_PERSON = "需要找工作人员帮您吗？要找人，请按0，或者说“转人工”。"
NOT_HEARD = "抱歉，没有听清，请再说一遍。"
KEYPAD_OFFER = "没有听清号码。您可以用电话按键输入，按完请按井号键。找工作人员请按0。"
PERSON_OFFER = "还是没有听清。要找工作人员，请按0，或者说“转人工”。"
NOTHING_TO_REPEAT = "您好，请说您要办的事。"
LOUDER_SAID = "好的，我大声一点。"
QUIETER_SAID = "好的，我小声一点。"
LOUDEST = "已经是最大声了。"
QUIETEST = "已经是最小声了。"
KEYED = "您按的是 "
ZERO_CHOICE = "找工作人员，请按井号键。输入号码，请接着按。"


class Number(str, enum.Enum):
    """The kind of number a digit question asks for, which decides how keys are read back."""

    ID = "id"
    PHONE = "phone"
    OTHER = "other"
    """Student, account, application numbers and codes: digits in groups of four."""


_ID_PROMPT = re.compile(r"身份证|证件号")
_PHONE_PROMPT = re.compile(r"手机号|电话")
_FAREWELL = re.compile(r"再见")
_YES_NO_END = re.compile(r"(吗|对不对|是不是)[？?]?\s*$")
_NUMBER_LENGTH = {Number.ID: 18, Number.PHONE: 11}
"""A keypad entry of this many characters is complete without ``#``."""
LANDLINE_LENGTH = 12
"""The longest landline number with its area code (0571 8888 8888): a phone number keyed with
a leading 0 is complete at this length (or with ``#``), not at a mobile's 11."""


def number_kind(prompt: str) -> Number:
    """Which number a digit question asks for."""
    if _ID_PROMPT.search(prompt):
        return Number.ID
    if _PHONE_PROMPT.search(prompt):
        return Number.PHONE
    return Number.OTHER


def read_back(digits: str, kind: Number) -> str:
    """Keyed digits as they are said back: ID 6-8-4, phone 3-4-4, others in fours; 1 as 幺."""
    if kind is Number.ID:
        return said.id_number(digits).speech
    if kind is Number.PHONE:
        return said.phone(digits).speech
    return said.digits(digits).speech


def is_digit_question(reply: Reply) -> bool:
    """Whether ``reply`` asks for a number (keys are then digits, not options): it names one
    and is not a yes/no question about it ("身份证号是 …，对吗？")."""
    if field_kind(reply.text) is not FieldKind.DIGITS or _YES_NO_END.search(reply.text):
        return False
    buttons = [{"title": b.title} for b in reply.buttons]
    return field_kind(reply.text, buttons) is not FieldKind.YES_NO


def keypad_options(buttons: Sequence[Button]) -> str:
    """Buttons as a keypad menu, the option before its key (V6): "对，请按1。不对，请按2。"."""
    return "".join(
        f"{to_speakable(button.title)}，请按{index}。"
        for index, button in enumerate(buttons[:MAX_OPTIONS], start=1)
    )


# ---------------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class Button:
    """A quick reply of the bot: its title (said and shown) and the text it sends."""

    title: str
    payload: str = ""

    @property
    def turn_text(self) -> str:
        """What choosing it sends as the caller's turn (the payload, as web chat does)."""
        return self.payload or self.title


@dataclass(frozen=True)
class Reply:
    """One message for the caller, as ``TurnResult.messages`` gives it."""

    text: str
    speech: str = ""
    """The spoken form the core made (numbers in words, buttons as "第一，…" options)."""
    buttons: tuple[Button, ...] = ()
    party: str = "bot"
    """``bot``, ``staff`` or ``system``."""
    expect: str = ""
    """The answer the action said its question expects (``custom.expect``), if it did."""


@dataclass(frozen=True)
class Answered:
    """The answer to the caller's turn (or the greeting)."""

    replies: tuple[Reply, ...]
    mode: str = "bot"
    """The conversation's mode after the turn: ``bot``, ``waiting`` or ``human``."""
    slow: bool = False
    """The conversation's speech rate is ``slow`` (the bot understood "说慢点")."""


@dataclass(frozen=True)
class Pushed:
    """A message nobody asked for in this turn: a staff reply, a queue notice."""

    reply: Reply
    mode: str | None = None


@dataclass(frozen=True)
class Heard:
    """What the recognizer made of one utterance ("" when it could not make anything out)."""

    text: str


@dataclass(frozen=True)
class SpeechStarted:
    """The caller started speaking."""


@dataclass(frozen=True)
class KeyPressed:
    """A key: ``0``-``9``, ``*`` or ``#``."""

    key: str


@dataclass(frozen=True)
class PlaybackDone:
    """Everything that was to be said has been said (not stopped by a barge-in)."""


class Timer(str, enum.Enum):
    """The session's timers, started and stopped by commands."""

    SILENCE = "silence"
    KEYS = "keys"
    ZERO = "zero"
    """A lone leading 0 of a number entry: ask whether a person is wanted."""


@dataclass(frozen=True)
class TimerFired:
    """A timer started by :class:`StartTimer` ran out."""

    timer: Timer


@dataclass(frozen=True)
class ModeChanged:
    """The conversation's mode changed outside a turn (staff claimed it, handed it back)."""

    mode: str


Event = (
    Answered | Pushed | Heard | SpeechStarted | KeyPressed | PlaybackDone | TimerFired | ModeChanged
)


# ---------------------------------------------------------------------------------- outputs
@dataclass(frozen=True)
class Say:
    """Say ``speech`` (already speakable) after whatever is being said."""

    speech: str


@dataclass(frozen=True)
class StopSpeaking:
    """Stop playback now (barge-in) and drop what was waiting to be said."""


@dataclass(frozen=True)
class Listen:
    """Listen for the next utterance with this field kind and these phrase hints."""

    kind: FieldKind
    hints: tuple[str, ...] = ()
    expect: Expectation | None = None
    """The answer the question expects: a complete one ends the utterance early
    (``voice.expect``)."""


@dataclass(frozen=True)
class SendTurn:
    """Send ``text`` as the caller's turn; ``source`` is ``voice`` or ``keypad``."""

    text: str
    source: str


@dataclass(frozen=True)
class HandOff:
    """Ask for a person, with the handoff reason ``silence`` or ``dtmf_0``."""

    reason: str


@dataclass(frozen=True)
class HangUp:
    """End the call from our side."""


@dataclass(frozen=True)
class SlowDown:
    """Speak more slowly for the rest of the call (V8)."""


@dataclass(frozen=True)
class SetVolume:
    """Speak at ``level`` (steps of ``channels.phone.volume``) from now on."""

    level: int


@dataclass(frozen=True)
class StartTimer:
    """Start (or restart) ``timer`` for ``seconds``."""

    timer: Timer
    seconds: float


@dataclass(frozen=True)
class CancelTimer:
    """Stop ``timer`` if it runs."""

    timer: Timer


Command = (
    Say
    | StopSpeaking
    | Listen
    | SendTurn
    | HandOff
    | HangUp
    | SlowDown
    | SetVolume
    | StartTimer
    | CancelTimer
)


# ---------------------------------------------------------------------------------- the rules
@dataclass
class _Question:
    """The last thing the caller was asked, and what it expects."""

    text: str = ""
    speech: str = ""
    buttons: tuple[Button, ...] = ()
    kind: FieldKind = FieldKind.FREE
    digits: bool = False
    """The question asks for a number (keys are digits, not options)."""
    number: Number = Number.OTHER
    expect: str = ""
    """The action's hint of the answer expected (``custom.expect``)."""


@dataclass
class PhoneRules:
    """The rules of one call. Feed it events with :meth:`handle`; do what it returns."""

    silence_s: float = SILENCE_S
    key_gap_s: float = KEY_GAP_S
    mode: str = "bot"
    slow: bool = False
    volume: int = 0
    """The speech's level in steps (``channels.phone.volume``), for the rest of the call."""
    question: _Question = field(default_factory=_Question)
    last_answer: str = ""
    """What was said last (the speech of the last answer), for ``*`` and "再说一遍"."""
    silences: int = 0
    misheard: int = 0
    keys: str = ""
    """Digits keyed so far in the current keypad entry."""
    farewell: bool = False

    def handle(self, event: Event) -> list[Command]:
        """The commands that ``event`` calls for, in order."""
        if isinstance(event, Answered):
            return self._answered(event)
        if isinstance(event, Pushed):
            return self._pushed(event)
        if isinstance(event, Heard):
            return self._heard(event.text)
        if isinstance(event, SpeechStarted):
            return [StopSpeaking(), CancelTimer(Timer.SILENCE)]
        if isinstance(event, KeyPressed):
            return self._key(event.key)
        if isinstance(event, PlaybackDone):
            return self._played()
        if isinstance(event, TimerFired):
            return self._timer(event.timer)
        return self._mode(event.mode)

    # ------------------------------------------------------------------ the bot speaks
    def _answered(self, event: Answered) -> list[Command]:
        commands: list[Command] = []
        if event.slow and not self.slow:
            self.slow = True
            commands.append(SlowDown())
        self.mode = event.mode
        commands += self._speak(event.replies)
        return commands

    def _pushed(self, event: Pushed) -> list[Command]:
        if event.mode is not None:
            self.mode = event.mode
        return self._speak((event.reply,))

    def _speak(self, replies: Sequence[Reply]) -> list[Command]:
        if not replies:
            return []
        speeches = [self._phone_speech(reply) for reply in replies]
        questions = [r for r in replies if r.party in ("bot", "staff") or r.buttons]
        last = questions[-1] if questions else replies[-1]
        self._ask(last, speeches[replies.index(last)])
        self.last_answer = "".join(speeches)
        self.farewell = self.mode == "bot" and bool(_FAREWELL.search(replies[-1].text))
        self.keys = ""
        return [
            CancelTimer(Timer.SILENCE),
            CancelTimer(Timer.KEYS),
            *(Say(speech) for speech in speeches if speech),
            self.listen(),
        ]

    def _phone_speech(self, reply: Reply) -> str:
        """The reply as the phone says it: buttons as keypad options instead of "第一，…"."""
        speech = reply.speech or to_speakable(reply.text)
        if not reply.buttons:
            return speech
        plain = [{"title": b.title} for b in reply.buttons]
        options = spoken_options(plain)
        if options and speech.endswith(options):
            speech = speech[: -len(options)]
        if is_digit_question(reply):
            return speech + spoken_options(plain)  # keys are digits here: options by voice
        return speech + keypad_options(reply.buttons)

    def _ask(self, reply: Reply, speech: str) -> None:
        buttons = tuple(reply.buttons[:MAX_OPTIONS])
        button_maps = [{"title": b.title} for b in buttons]
        digits = is_digit_question(reply)
        kind = FieldKind.DIGITS if digits else field_kind(reply.text, button_maps)
        same = reply.text == self.question.text
        self.question = _Question(
            reply.text, speech, buttons, kind, digits, number_kind(reply.text), reply.expect
        )
        if not same:
            self.misheard = 0

    def listen(self) -> Listen:
        """What to listen for now: the current question's field kind, phrase hints and the
        answer it expects (none while keys are being entered: the keys decide then)."""
        buttons = [{"title": b.title, "payload": b.payload} for b in self.question.buttons]
        expect = expectation(self.question.text, buttons, self.question.expect or None)
        return Listen(self.question.kind, self._hints(), None if self.keys else expect)

    def _hints(self) -> tuple[str, ...]:
        buttons = [{"title": b.title} for b in self.question.buttons]
        hints = phrase_hints(self.question.kind, buttons)
        return tuple(dict.fromkeys([*hints, *VOLUME_PHRASES])) if hints else ()

    # ------------------------------------------------------------------ the caller speaks
    def _heard(self, text: str) -> list[Command]:
        text = text.strip()
        commands: list[Command] = [CancelTimer(Timer.SILENCE)]
        if not text:
            return commands + self._misheard()
        self.silences = 0
        self.misheard = 0
        change = volume_request(text)
        if change:  # the phone's own business: not a turn for the bot
            return commands + self._volume(+1 if change == LOUDER else -1)
        if wants_slower(text) and not self.slow:
            self.slow = True
            commands.append(SlowDown())
        if self.keys:  # speech ends a keypad entry that was left half-way
            self.keys = ""
            commands.append(CancelTimer(Timer.KEYS))
        return [*commands, SendTurn(text, "voice")]

    def _misheard(self) -> list[Command]:
        self.silences = 0
        self.misheard += 1
        listen = self.listen()
        if self.misheard < MISHEARD_BEFORE_OFFER:
            return [Say(NOT_HEARD), listen]
        self.misheard = 0
        return [Say(KEYPAD_OFFER if self.question.digits else PERSON_OFFER), listen]

    # ------------------------------------------------------------------ keys
    def _key(self, key: str) -> list[Command]:
        commands: list[Command] = [StopSpeaking(), CancelTimer(Timer.SILENCE)]
        self.silences = 0
        if key == "0" and not self.keys:
            if self._number_may_start_with_zero():
                # A landline (0571…), an account number: 0 begins it; alone it still means a
                # person (with # or the key gap), and a pause asks which it is.
                self.keys = "0"
                return [
                    *commands,
                    StartTimer(Timer.KEYS, self.key_gap_s),
                    StartTimer(Timer.ZERO, ZERO_PAUSE_S),
                ]
            return [*commands, CancelTimer(Timer.KEYS), HandOff("dtmf_0")]
        if self.keys == "0":
            commands.append(CancelTimer(Timer.ZERO))
        if key == "*":
            if self.keys and self.question.number is Number.ID:
                return commands + self._add_key("X")
            self.keys = ""
            return [*commands, CancelTimer(Timer.KEYS), *self._repeat()]
        if key == "#":
            if self.keys:
                return commands + self._finish_keys()
            if self.question.digits:
                return commands  # the habit of ending a number with # changes nothing
            return commands + self._volume(+1)
        if not key.isdigit():
            return commands
        options = self.question.buttons
        if not self.keys and not self.question.digits and options:
            index = int(key) - 1
            if 0 <= index < len(options):
                return [*commands, SendTurn(options[index].turn_text, "keypad")]
            return [*commands, Say(keypad_options(options))]
        return commands + self._add_key(key)

    def _number_may_start_with_zero(self) -> bool:
        """Whether the current question asks for a number that may begin with 0 (any but an
        ID number, whose first digit is a province's)."""
        return self.question.digits and self.question.number is not Number.ID

    def _add_key(self, key: str) -> list[Command]:
        self.keys += key
        complete = _NUMBER_LENGTH.get(self.question.number) if self.question.digits else None
        if self.question.number is Number.PHONE and self.keys.startswith("0"):
            complete = LANDLINE_LENGTH
        if complete is not None and len(self.keys) >= complete:
            return self._finish_keys()
        return [StartTimer(Timer.KEYS, self.key_gap_s)]

    def _finish_keys(self) -> list[Command]:
        keyed, self.keys = self.keys, ""
        if keyed == "0":  # 0 and # (or nothing more): a person after all
            return [CancelTimer(Timer.KEYS), CancelTimer(Timer.ZERO), HandOff("dtmf_0")]
        return [
            CancelTimer(Timer.KEYS),
            Say(f"{KEYED}{read_back(keyed, self.question.number)}。"),
            SendTurn(keyed, "keypad"),
        ]

    def _volume(self, step: int) -> list[Command]:
        """One step louder (+1) or quieter (-1), then the question again at the new level."""
        level = min(max(self.volume + step, MIN_LEVEL), MAX_LEVEL)
        again = self.question.speech or NOTHING_TO_REPEAT
        if level == self.volume:
            return [Say(f"{LOUDEST if step > 0 else QUIETEST}{again}"), self.listen()]
        self.volume = level
        said = LOUDER_SAID if step > 0 else QUIETER_SAID
        return [SetVolume(level), Say(f"{said}{again}"), self.listen()]

    def _repeat(self) -> list[Command]:
        again = self.last_answer or NOTHING_TO_REPEAT
        return [Say(again), self.listen()]

    # ------------------------------------------------------------------ time
    def _played(self) -> list[Command]:
        if self.farewell:
            return [HangUp()]
        if self.mode != "bot":
            return []  # a person is on the way or on the line: no ladder
        return [StartTimer(Timer.SILENCE, self.silence_s)]

    def _timer(self, timer: Timer) -> list[Command]:
        if timer is Timer.KEYS:
            return self._finish_keys() if self.keys else []
        if timer is Timer.ZERO:
            return [Say(ZERO_CHOICE)] if self.keys == "0" else []
        if self.mode != "bot" or self.keys:
            return []
        self.silences += 1
        if self.silences == 1:
            guidance = OPTIONS_GUIDANCE if self.question.buttons else GUIDANCE[self.question.kind]
            if self.question.digits:
                guidance = GUIDANCE[FieldKind.DIGITS]
            again = self.question.speech or NOTHING_TO_REPEAT
            return [Say(f"{STILL_THERE}{again}{guidance}")]
        if self.silences == 2:
            return [Say(OFFER_PERSON)]
        self.silences = 0
        return [HandOff("silence")]

    def _mode(self, mode: str) -> list[Command]:
        self.mode = mode
        if mode != "bot":
            self.silences = 0
            return [CancelTimer(Timer.SILENCE)]
        return []
