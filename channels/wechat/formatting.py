"""Answers as WeChat shows them: one text, buttons as numbered options, long text split.

A WeChat text has no buttons, so the options of an answer become lines "回复1 …", and a
reply of just that number chooses the option (its payload goes to the bot, as a tap would).
The screen text is used, never the ``speech`` form: amounts and dates stay in digits.
A text is at most 2048 bytes; longer answers are split at the end of a sentence.
"""

from __future__ import annotations

import re
from typing import Any

from conversation.store import Party, StoredMessage

MAX_TEXT_BYTES = 2000
"""A little under WeChat's 2048-byte limit for one text message."""
SENTENCE_END = re.compile(r"(?<=[。！？；!?\n])")
_CHOICE = re.compile(r"\s*([1-9])\s*[.。、]?\s*")
_FULL_WIDTH = str.maketrans("１２３４５６７８９", "123456789")
ANSWER_PARTIES = (Party.BOT, Party.STAFF, Party.SYSTEM)


def options_of(messages: list[StoredMessage]) -> list[dict[str, str]]:
    """The buttons of the last answer that has any (what a number reply can choose)."""
    for message in reversed(messages):
        buttons = message.payload.get("buttons") or []
        if buttons:
            return [
                {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                for b in buttons
                if isinstance(b, dict)
            ]
    return []


def numbered(options: list[dict[str, Any]]) -> str:
    """The options as lines a follower can answer with a number."""
    return "\n".join(f"回复{index} {option['title']}" for index, option in enumerate(options, 1))


def message_text(message: StoredMessage) -> str:
    """One stored answer as WeChat text: staff replies are labelled, buttons numbered."""
    text = message.text.strip()
    if message.party is Party.STAFF:
        text = f"【工作人员】{text}"
    buttons = message.payload.get("buttons") or []
    if buttons:
        text = f"{text}\n{numbered(buttons)}" if text else numbered(buttons)
    return text


def answer_text(messages: list[StoredMessage]) -> str:
    """A turn's answers joined into one text (a blank line between messages)."""
    return "\n\n".join(
        text for m in messages if m.party in ANSWER_PARTIES if (text := message_text(m))
    )


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """``text`` in pieces of at most ``limit`` UTF-8 bytes, cut after a sentence's end where
    one is (else between characters)."""
    pieces: list[str] = []
    current = ""
    for sentence in (s for s in SENTENCE_END.split(text) if s):
        while len(sentence.encode()) > limit:  # one sentence longer than a message
            head = sentence
            while len(head.encode()) > limit:
                head = head[: len(head) * 3 // 4]
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
            sentence = sentence[len(head) :]
        if len((current + sentence).encode()) > limit:
            pieces.append(current)
            current = sentence
        else:
            current += sentence
    if current.strip():
        pieces.append(current)
    return [piece.strip() for piece in pieces if piece.strip()]


def chosen(text: str, options: list[dict[str, str]]) -> str | None:
    """The payload a reply "1" (or "１", "1.") chooses among ``options``; None otherwise."""
    match = _CHOICE.fullmatch(text.translate(_FULL_WIDTH))
    if not match or not options:
        return None
    index = int(match.group(1)) - 1
    return options[index]["payload"] if index < len(options) else None
