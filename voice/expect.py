"""What the bot's question expects as an answer, and whether a heard text is a complete one.

An older caller who has said all 18 characters of an ID number, or "对", has finished: waiting
out the whole end-of-speech silence (1.2 s, ACCESSIBILITY.md V4) only delays the reply. An
:class:`Expectation` knows the exact answer a question asks for — an ID number (18 characters
with a valid GB 11643 check character), a mobile number (11 digits, starting with 1), a digit
string of a known length, yes or no, one of the buttons — and :meth:`Expectation.complete`
tells whether a recognizer's partial text already is such an answer, so the recognizer may end
the turn after a short settle time (``voice.recognizer``). Anything else (free speech, an answer
with a correction in it, a number of unknown length) still waits for the silence.

The expectation comes from the prompt's text and buttons, or from an explicit hint the bot sends
with the message (``custom: {"expect": "id_number"}``; wire form: :meth:`Expectation.parse`).
Pure functions and frozen values, no state.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from voice.transcript import (
    CONTROL_PHRASES,
    FieldKind,
    clean_transcript,
    field_kind,
    phrase_hints,
)
from zhtext.idcard import is_valid_id_number
from zhtext.numbers import normalize_spoken_digits


class ExpectKind(str, enum.Enum):
    """The kind of answer a question asks for."""

    FREE = "free"
    """Anything: the end of the turn is the end-of-speech silence."""
    ID_NUMBER = "id_number"
    """A resident ID number: 17 digits and a check character (0–9 or X), checksum valid."""
    ID_TAIL = "id_tail"
    """The last six characters of an ID number (the last may be X)."""
    PHONE = "phone"
    """A mainland mobile number: 11 digits starting with 1."""
    DIGITS = "digits"
    """A digit string; complete only when its length is known."""
    YES_NO = "yes_no"
    """对/不对, 是/不是 and the like (or one of the buttons)."""
    CHOICE = "choice"
    """One of the buttons' titles."""


YES_NO_ANSWERS = frozenset(
    {
        "对",
        "对的",
        "对对",
        "对对对",
        "不对",
        "不对不对",
        "是",
        "是的",
        "是啊",
        "不是",
        "不是的",
        "没错",
        "错了",
        "好",
        "好的",
        "可以",
        "行",
        "不用",
        "不要",
        "不行",
        "同意",
        "不同意",
    }
)
"""Whole answers to a yes/no question. A prefix of a longer answer ("是" of "是的") is also in
the set: the settle time lets the rest come."""

_PUNCTUATION = re.compile(r"[\s，,。.！!？?、；;：:“”\"'‘’…~～]+")
_TRAILING_PARTICLES = re.compile(r"[啊呀吧嗯哦呢啦]+$")
_CORRECTION = re.compile(r"不对|错了|说错|搞错|不是|哦不|噢不|重说|重新说")
_LENGTH_IN_PROMPT = re.compile(r"([0-9]{1,2}|十?[一二两三四五六七八九]|十)\s*位")
_SMALL_NUMBERS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
_WIRE = re.compile(r"(?P<kind>[a-z_]{2,16})(?::(?P<length>\d{1,2}))?")

_ID_PROMPT = re.compile(r"身份证(号|号码)?")
_ID_TAIL_PROMPT = re.compile(r"(最后|后)(六|6)位")
_PHONE_PROMPT = re.compile(r"手机号|手机号码|电话号码|电话")


@dataclass(frozen=True)
class Expectation:
    """The answer a question expects: its kind, a length for digit strings, the buttons."""

    kind: ExpectKind = ExpectKind.FREE
    length: int | None = None
    """Characters of a ``DIGITS`` answer, when the question says (学号 10 位); ``None`` else."""
    choices: tuple[str, ...] = ()
    """The buttons' titles: each is a complete answer whatever the kind ("用手机号")."""
    field: FieldKind = FieldKind.FREE
    """How the recognizer listens (grammar and digit clean-up: ``voice.transcript``)."""

    @property
    def ends_early(self) -> bool:
        """Whether some answer can be complete before the end-of-speech silence."""
        if self.choices:
            return True
        if self.kind is ExpectKind.DIGITS:
            return self.length is not None
        return self.kind is not ExpectKind.FREE

    def hints(self) -> list[str]:
        """Phrase hints for the recognizer (a Vosk grammar), as ``voice.transcript`` makes them."""
        return phrase_hints(self.field, [{"title": title} for title in self.choices])

    def complete(self, text: str) -> bool:
        """Whether ``text`` (a recognizer's partial or final text) is a whole expected answer."""
        return self.answer(text) is not None

    def answer(self, text: str) -> str | None:
        """The expected answer ``text`` holds, normalised (digits for numbers, the title for a
        choice), or ``None`` when it is not yet (or not) a complete expected answer."""
        said = _compact(clean_transcript(text))
        if not said:
            return None
        for choice in self.choices:
            if said == _compact(choice):
                return choice
        if self.kind is ExpectKind.FREE:
            return None
        if said in CONTROL_PHRASES:
            return said
        if self.kind is ExpectKind.YES_NO:
            plain = _TRAILING_PARTICLES.sub("", said) or said
            return plain if plain in YES_NO_ANSWERS else None
        if self.kind is ExpectKind.CHOICE:
            return None
        return self._number(said)

    def _number(self, said: str) -> str | None:
        digits = normalize_spoken_digits(said)
        runs = re.findall(r"[0-9X]+", digits)
        if len(runs) != 1 or not digits.endswith(runs[0]):
            return None  # no number, two numbers, or words after it ("…，对吧")
        lead = digits[: -len(runs[0])]
        if _CORRECTION.search(lead):
            return None  # "不对，是…": the person is correcting; let them finish
        number = runs[0]
        if self.kind is ExpectKind.ID_NUMBER:
            return number if is_valid_id_number(number) else None
        if self.kind is ExpectKind.PHONE:
            return number if re.fullmatch(r"1[0-9]{10}", number) else None
        if self.kind is ExpectKind.ID_TAIL:
            return number if re.fullmatch(r"[0-9]{5}[0-9X]", number) else None
        if self.length is not None and re.fullmatch(rf"[0-9]{{{self.length}}}", number):
            return number
        return None

    def to_wire(self) -> str:
        """The hint's wire form: ``id_number``, ``phone``, ``digits:10`` …"""
        if self.kind is ExpectKind.DIGITS and self.length is not None:
            return f"{self.kind.value}:{self.length}"
        return self.kind.value

    @classmethod
    def parse(cls, hint: object) -> Expectation | None:
        """The expectation a bot's hint names (``"id_number"``, ``"digits:10"``), or ``None``
        for anything else: a hint is advice, and a wrong one must not stop recognition."""
        match = _WIRE.fullmatch(hint) if isinstance(hint, str) else None
        if match is None:
            return None
        try:
            kind = ExpectKind(match["kind"])
        except ValueError:
            return None
        length = int(match["length"]) if match["length"] else None
        if length is not None and (kind is not ExpectKind.DIGITS or not 1 <= length <= 30):
            return None
        return cls(kind=kind, length=length)


def expectation(
    prompt: str, buttons: Iterable[Mapping[str, object]] = (), hint: object = None
) -> Expectation:
    """What the bot's last message (``prompt`` and its ``buttons``) expects as an answer.

    An explicit ``hint`` from the bot (see :meth:`Expectation.parse`) wins over the guess from
    the text. The listening mode (``field``) stays what :func:`voice.transcript.field_kind`
    decides for the prompt, so grammars are unchanged. The buttons' titles are always complete
    answers, and so are their payloads when those are words ("不留" of 不留电话). A question
    with buttons that are not yes/no is a choice among them.
    """
    listed = list(buttons)
    titles = tuple(dict.fromkeys(word for button in listed for word in _button_words(button)))
    field = field_kind(prompt, listed)
    told = Expectation.parse(hint)
    if told is not None:
        return Expectation(told.kind, told.length, titles, _field_for(told.kind, field))
    kind, length = _kind_from_prompt(prompt, field)
    if kind is ExpectKind.FREE and titles:
        kind = ExpectKind.CHOICE
    return Expectation(kind, length, titles, field)


def _kind_from_prompt(prompt: str, field: FieldKind) -> tuple[ExpectKind, int | None]:
    if field is FieldKind.YES_NO:
        return ExpectKind.YES_NO, None
    if _ID_TAIL_PROMPT.search(prompt):
        return ExpectKind.ID_TAIL, None
    if _ID_PROMPT.search(prompt):
        return ExpectKind.ID_NUMBER, None
    if _PHONE_PROMPT.search(prompt):
        return ExpectKind.PHONE, None
    if field is FieldKind.DIGITS:
        stated = _LENGTH_IN_PROMPT.search(prompt)
        return ExpectKind.DIGITS, _length(stated[1]) if stated else None
    return ExpectKind.FREE, None


def _button_words(button: Mapping[str, object]) -> list[str]:
    """A button's title, and its payload when that is what a person would say (not an intent
    such as ``/affirm``)."""
    title = str(button.get("title", "")).strip()
    payload = str(button.get("payload", "")).strip()
    said = [title] if title else []
    if payload and not payload.startswith("/") and len(payload) <= 20:
        said.append(payload)
    return said


def _length(said: str) -> int:
    """A length as a prompt writes it: "10", "六", "十二"."""
    if said.isdigit():
        return int(said)
    tens = 10 if said.startswith("十") else 0
    return tens + _SMALL_NUMBERS.get(said.lstrip("十"), 0)


def _field_for(kind: ExpectKind, guessed: FieldKind) -> FieldKind:
    """How to listen for an answer the bot named: a yes/no question as one; otherwise as the
    prompt reads (a number asked with a button such as "用手机号" stays free speech)."""
    return FieldKind.YES_NO if kind is ExpectKind.YES_NO else guessed


def _compact(text: str) -> str:
    """``text`` without spaces and punctuation, for comparing answers."""
    return _PUNCTUATION.sub("", text)
