"""What every service conversation is made of: a :class:`Turn` to talk through, and the
:class:`Service` each module of this package implements.

A service is a list of questions (slots of the one ``service_form``) that depends on what is
known so far, a validator and a question per slot, and a :meth:`Service.complete` step that
calls the platform and says what happened and what comes next. Identity verification, the
family-proxy path and the ladder for answers the bot cannot use are shared
(``actions.identity``, ``actions.service_form``): a service only says whether it needs them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.explain import explain
from actions.runtime import citizen_sessions, platform_client
from platform_client import CitizenAuth, PlatformClient, PlatformError
from zhtext.speakable import Spoken

_MOBILE = re.compile(r"1[3-9][0-9]{9}")

MAX_OPTIONS = 3
"""At most three options per prompt (ACCESSIBILITY.md V6); buttons mirror them."""

Button = tuple[str, str]
"""(title, payload) of a quick-reply button."""


YES_NO = "yes_no"
"""The answer hint of a yes/no question (``Turn.say``'s ``expect``)."""


def yes_no(yes: str = "对", no: str = "不对") -> tuple[Button, ...]:
    """The two buttons of a yes/no question."""
    return ((yes, "/affirm"), (no, "/deny"))


@dataclass
class Turn:
    """One turn of the conversation as the actions see it: read slots, say things."""

    dispatcher: CollectingDispatcher
    tracker: Tracker
    updates: dict[str, Any] = field(default_factory=dict)
    """Slot values changed earlier in this turn (validators see each other's results)."""
    failed: bool = False
    """Whether an answer this turn could not be used (the misunderstanding ladder counts it)."""
    token: str | None = None
    """The citizen token of the conversation, once read (:meth:`citizen_token`)."""
    token_read: bool = False

    def slot(self, name: str) -> Any:
        """The slot's value, counting changes made earlier in this turn."""
        if name in self.updates:
            return self.updates[name]
        return self.tracker.get_slot(name)

    def say(
        self, text: str | Spoken, buttons: Sequence[Button] = (), *, expect: str | None = None
    ) -> None:
        """One message; buttons (at most three) mirror the options the text says.

        A :class:`~zhtext.speakable.Spoken` message (``spoken("缴费码是 ", code(x), "。")``)
        carries how its numbers are said; the gateway speaks it that way. ``expect`` names the
        exact answer a question asks for (``id_number``, ``id_tail``, ``phone``, ``digits:10``;
        a yes/no question says ``yes_no`` by itself), so that a voice channel can end the
        caller's turn as soon as that answer is complete instead of waiting for the silence.
        """
        if len(buttons) > MAX_OPTIONS:
            raise ValueError(f"at most {MAX_OPTIONS} options: {text}")
        shown = text.text if isinstance(text, Spoken) else text
        custom: dict[str, str] = {}
        if isinstance(text, Spoken):
            custom["speech"] = text.speech
        if expect is None and buttons and {p for _, p in buttons} == {"/affirm", "/deny"}:
            expect = YES_NO
        if expect is not None:
            custom["expect"] = expect
        self.dispatcher.utter_message(
            text=shown,
            buttons=[{"title": title, "payload": payload} for title, payload in buttons],
            json_message=custom or None,
        )

    def reject(self, *texts: str | Spoken) -> None:
        """The answer cannot be used: say why and how to answer (the question follows)."""
        self.failed = True
        for text in texts:
            self.say(text)

    def explain(self, error: PlatformError) -> None:
        """Say what went wrong on the platform and what the person can do next."""
        for text in explain(error):
            self.say(text)

    @property
    def channel(self) -> str:
        """The channel the citizen speaks on (webchat, kiosk, phone, wechat, api), as the
        gateway tells it."""
        metadata = self.tracker.latest_message.get("metadata") or {}
        return str(metadata.get("channel") or "")

    @property
    def caller_number(self) -> str:
        """The mobile number a phone call comes from, as the gateway's phone channel tells it
        (server side: a client of the chat API cannot set it); "" on other channels or for a
        number that is not a mobile one. Caller ID can be forged, so it only saves saying the
        number: the SMS code still proves the phone."""
        metadata = self.tracker.latest_message.get("metadata") or {}
        number = str(metadata.get("caller_number") or "")
        if self.channel != "phone" or not _MOBILE.fullmatch(number):
            return ""
        return number

    @property
    def platform(self) -> PlatformClient:
        """The process's platform client."""
        return platform_client()

    @property
    def service_code(self) -> str:
        """The service being done now (the ``service`` slot)."""
        return str(self.slot("service") or "")

    async def auth(self) -> CitizenAuth:
        """How calls act for the citizen: through the proxy authorization on the family path,
        else with the citizen's own token."""
        proxy = self.slot("proxy_authorization_id")
        if proxy:
            return CitizenAuth(proxy_authorization_id=str(proxy))
        return CitizenAuth(citizen_token=await self.citizen_token())

    async def citizen_token(self) -> str | None:
        """The verified citizen's token, from the action server's citizen sessions (never
        from the tracker); None when nobody is verified or the token has expired."""
        if not self.token_read:
            verified = bool(self.slot("citizen_verified"))
            self.token = (
                await citizen_sessions().token(self.tracker.sender_id) if verified else None
            )
            self.token_read = True
        return self.token

    def knows_token(self, token: str | None) -> None:
        """The citizen token of this turn is ``token`` (just issued, or just dropped)."""
        self.token, self.token_read = token, True

    def idempotency_key(self, *parts: object) -> str:
        """One key per conversation, service and ``parts``: a repeated answer never does the
        work twice."""
        raw = ":".join(["banshi", self.tracker.sender_id, self.service_code, *map(str, parts)])
        return hashlib.sha256(raw.encode()).hexdigest()[:40]

    def latest_text(self) -> str:
        """What the user said last, as it arrived."""
        return str(self.tracker.latest_message.get("text") or "")

    def latest_intent(self) -> str:
        """The intent of the user's last message."""
        return str((self.tracker.latest_message.get("intent") or {}).get("name") or "")

    def entity(self, name: str) -> str | None:
        """The value of entity ``name`` in the user's last message, if any."""
        for entity in self.tracker.latest_message.get("entities") or []:
            if entity.get("entity") == name and entity.get("value") not in (None, ""):
                return str(entity["value"])
        return None


class Service:
    """One service of the catalog as a conversation. Subclasses set the class attributes and
    implement :meth:`ask`, :meth:`validate` and :meth:`complete`; :meth:`steps` only when the
    questions depend on the answers."""

    code: ClassVar[str]
    """The platform's service code (``education_fee`` …)."""
    intent: ClassVar[str]
    """The intent that starts it (DESIGN.md §4.3)."""
    title: ClassVar[str]
    """Its name as said to the citizen (交学费 …)."""
    requires_identity: ClassVar[bool] = True
    proxy_allowed: ClassVar[bool] = True
    own_questions: ClassVar[bool] = False
    """Whether the service asks and checks the identity questions' slots itself (the family
    binding asks about the parent, for its own verification) instead of ``actions.identity``."""
    asked: ClassVar[tuple[str, ...]] = ()
    """The service's own questions (slots of ``service_form``)."""
    kept: ClassVar[tuple[str, ...]] = ()
    """Slots the service looks up (never asked); cleared, like ``asked``, at the start."""

    @property
    def slots(self) -> tuple[str, ...]:
        """Everything the service fills."""
        return (*self.asked, *self.kept)

    def needs_identity(self, turn: Turn) -> bool:
        """Whether the citizen is verified before the service's own questions: always when the
        service ``requires_identity``; for a service found by a number (a student number, an
        account number) when the person does not have it and the platform looks it up by the
        verified citizen instead (``lookup_by_citizen``)."""
        return self.requires_identity or turn.slot("lookup_by_citizen") is True

    async def answered_otherwise(self, slot: str, value: Any, turn: Turn) -> dict[str, Any] | None:
        """An answer to an identity question that makes the question moot (an application
        number read out when asked for the ID): the slot values to set, or None."""
        return None

    def rather(self, turn: Turn) -> str | None:
        """Another service the request really asks for, by its code ("给司机看老年卡" asks to
        show the card, not to apply for one), or None."""
        return None

    def heard(self, turn: Turn) -> dict[str, Any]:
        """Answers the request itself gave in words the NLU does not tag ("学号是七三二，零二九…",
        "学号我不晓得"): slot values, checked like answers when nobody needs verifying."""
        return {}

    def steps(self, turn: Turn) -> list[str]:
        """The slots still to fill, in order, given what is known (after identity): by default
        every question of ``asked``, in its order."""
        return list(self.asked)

    async def prepare(self, turn: Turn) -> dict[str, Any]:
        """Once the citizen is known (or at the start when no identity is needed): look up what
        the questions depend on. Slot values to set; ``service_done`` ends the service early."""
        return {}

    async def ask(self, slot: str, turn: Turn) -> None:
        """Ask for ``slot`` (one question)."""
        raise NotImplementedError(slot)

    async def validate(self, slot: str, value: Any, turn: Turn) -> dict[str, Any] | None:
        """Check the answer for ``slot``: the slot values to set (the slot set to None when the
        answer cannot be used, after saying why), or None when there is nothing to check."""
        return None

    async def complete(self, turn: Turn) -> list[EventType]:
        """Every question is answered and confirmed: do it on the platform, then say what
        happened and what comes next."""
        raise NotImplementedError


SELF = "本人"
"""Whom a service is for when it is the speaker's own errand (``relation``)."""
FORGOT_WORDS = (
    "不记得",
    "记不得",
    "记不清",
    "记不住",
    "忘了",
    "忘记",
    "不知道",
    "不晓得",
    "找不到",
    "想不起",
)
"""How people say they do not have a number at hand."""


def verify_instead(turn: Turn, what: str) -> dict[str, Any]:
    """Without the number a service finds things by: the person verifies who they are (their
    own identity, never the child's or the relative's), and the platform finds ``what`` for
    them ("孩子要缴的费用"). The slot values that take that way (``Service.needs_identity``)."""
    turn.say(f"没关系，核对您的身份后，我帮您查{what}。")
    return {"lookup_by_citizen": True, "relation": SELF}


def says_forgotten(text: Any) -> bool:
    """Whether the person says they do not remember or have the number."""
    return any(word in str(text or "") for word in FORGOT_WORDS)


_NO = re.compile(r"^\s*(不对|不是|不行|不用|不要|错了|没有)")
_YES = re.compile(r"^\s*(对|是|好|行|可以|没错|嗯|确认|没问题|交上去|提交)")


def yes_or_no(value: Any, text: str) -> bool | None:
    """A yes/no answer as people give it: the slot's True/False when the NLU read one, else
    the start of what was said ("对，交上去" → True, "不对，是…" → False); None when unclear."""
    if isinstance(value, bool):
        return value
    if _NO.search(text):
        return False
    return True if _YES.search(text) else None


def clean_answer(value: Any) -> str:
    """A free-text answer as one trimmed line."""
    return " ".join(str(value or "").split())


def day(iso: str | None) -> str:
    """An ISO date (or date-time) as people write it: 2026年12月15日."""
    if not iso or len(iso) < 10:
        return "（日期不详）"
    year, month, date = iso[:4], int(iso[5:7]), int(iso[8:10])
    return f"{year}年{month}月{date}日"
