"""电子证照出示: a one-time code that shows an e-certificate to a clerk or a bank.

Questions: which certificate (skipped when the request named it: "出示电子身份证"). Then the
platform makes the code (8 digits, valid 5 minutes, one use), read back in two groups of four
with how to use it. Only the holder may do this (no family proxy). An expired certificate cannot
be shown: the ending offers an appointment to renew it ("对" starts ``appointment``).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import EventType, SlotSet

from actions.services.appointments import event_entity, request_event
from actions.services.base import Service, Turn
from platform_client import PlatformError
from zhtext import spoken as said
from zhtext.speakable import spoken

CERTIFICATE_NAMES = {
    "id_card": "身份证",
    "hukou": "户口本",
    "social_security_card": "社保卡",
    "senior_card": "老年卡",
    "retirement": "退休证",
    "marriage": "结婚证",
    "driving_license": "驾驶证",
}
"""The platform's certificate types, as said to the citizen."""
CERTIFICATE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("driving_license", ("驾驶证", "驾照", "驾驶执照")),
    ("social_security_card", ("社保卡", "社会保障卡", "医保卡", "市民卡")),
    ("senior_card", ("老年卡", "敬老卡", "老人卡", "优待证", "老年证", "尊老卡")),
    ("hukou", ("户口本", "户口簿", "户口")),
    ("retirement", ("退休证",)),
    ("marriage", ("结婚证",)),
    ("id_card", ("身份证",)),
)
"""Words people use for each certificate, checked in this order."""
OFFERED = ("id_card", "social_security_card", "hukou")
"""The three asked about (the ones most often shown)."""
RENEWED_BY = {"senior_card": "senior_card"}
"""The service an appointment to renew an expired certificate is for (others: e_certificate)."""


def certificate_in(text: Any) -> str | None:
    """The certificate type named in ``text`` (a type or words), or None."""
    said = str(text or "")
    if said in CERTIFICATE_NAMES:
        return said
    for kind, words in CERTIFICATE_WORDS:
        if any(word in said for word in words):
            return kind
    return None


def presentation_code(code: str) -> str:
    """ "1234 5678": the code in groups of four, easy to read out."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


class GetECertificate(Service):
    code = "e_certificate"
    intent = "get_e_certificate"
    title = "出示电子证照"
    proxy_allowed = False
    asked = ("certificate_type",)

    async def prepare(self, turn: Turn) -> dict[str, Any]:
        kind = certificate_in(turn.slot("certificate_type"))
        event = request_event(turn, self.intent) if kind is None else None
        if event is not None:
            kind = certificate_in(event_entity(event, "certificate_type")) or certificate_in(
                event.get("text")
            )
        return {"certificate_type": kind}

    async def ask(self, slot: str, turn: Turn) -> None:
        names = [CERTIFICATE_NAMES[kind] for kind in OFFERED]
        turn.say(
            f"您要出示哪个证：{names[0]}、{names[1]}，还是{names[2]}？",
            [(name, name) for name in names],
        )

    async def validate(self, slot: str, value: Any, turn: Turn) -> dict[str, Any] | None:
        if slot != "certificate_type":
            return None
        kind = (
            certificate_in(turn.entity("certificate_type"))
            or certificate_in(value)
            or certificate_in(turn.latest_text())
        )
        if kind is None:
            turn.reject("没有听清是哪个证。")
            return {"certificate_type": None}
        return {"certificate_type": kind}

    async def complete(self, turn: Turn) -> list[EventType]:
        kind = str(turn.slot("certificate_type"))
        name = CERTIFICATE_NAMES.get(kind, "证照")
        message = turn.tracker.latest_message.get("message_id") or ""
        try:
            shown = await turn.platform.present_certificate(
                citizen=await turn.auth(),
                certificate_type=kind,
                idempotency_key=turn.idempotency_key(kind, message),
            )
        except PlatformError as error:
            if error.code == "certificate_expired":
                # Imported here: actions.confirmation imports this package.
                from actions.confirmation import offer

                turn.say(f"您的{name}已经过期了，不能出示。")
                turn.say("要帮您预约到大厅办理吗？")
                renew = RENEWED_BY.get(kind, "e_certificate")
                return [offer("appointment"), SlotSet("appointment_for", renew)]
            if error.code == "certificate_not_found":
                turn.say(f"您还没有电子{name}。")
                turn.say("可以到政务大厅办理，或说“转人工”。")
                return []
            turn.explain(error)
            return []
        shown_code = said.digits(presentation_code(shown.presentation_code))
        turn.say(spoken(f"{name}的出示码是 ", shown_code, "。"))
        turn.say(f"对方输入这个码，就能看到您的{name}。")
        turn.say("5分钟内有效，只能用一次。")
        turn.say("请把这个码给窗口工作人员或银行柜员看。")
        turn.say("过期了，再跟我说一声就能重新拿。")
        return []


SERVICES = (GetECertificate,)
