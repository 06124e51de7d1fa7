"""The answer hint a question carries (``custom.expect``): the actions that ask for an ID, a
phone number, a code or a yes/no send it, the gateway keeps it with the message, and the voice
engine's expectation built from it knows a complete answer."""

from __future__ import annotations

from typing import Any

import pytest

from actions.identity import ask as ask_identity
from actions.services.base import Service, Turn
from actions.services.complaints import Complaint
from actions.services.education import EducationFee
from actions.services.pension import PensionCertification
from actions.services.utilities import UtilityPayment
from conversation.service import bot_items
from tests.actions.conftest import form_turn
from voice.expect import ExpectKind, expectation

SLOTS = {
    "verification_phone": "138****0612",
    "id_number": "320508194002282402",
    "phone_number": "13912345678",
    "utility_type": "water",
    "complaint_phone": "13912345678",
}


def asked(turn: Turn) -> dict[str, Any]:
    """The last question of the turn, as Rasa delivers it: the text (with its buttons), then
    the action's custom message; joined by the gateway."""
    message = turn.dispatcher.messages[-1]
    replies: list[dict[str, Any]] = [
        {"text": message["text"], "buttons": message.get("buttons") or []}
    ]
    if message.get("custom"):
        replies.append({"custom": message["custom"]})
    text, payload = bot_items(replies)[-1]
    return {"text": text, **payload}


@pytest.mark.parametrize(
    ("slot", "hint", "answer"),
    [
        ("id_number", "id_number", "三二零五零八幺九四零零二二八二四零二"),
        ("id_number_confirmed", "yes_no", "对"),
        ("phone_number", "phone", "幺三九幺二三四五六七八"),
        ("phone_number_confirmed", "yes_no", "不对"),
        ("id_last6", "id_tail", "二八二四零二"),
        ("sms_code", "digits:6", "六六八三二幺"),
    ],
)
async def test_identity_questions_name_their_answer(slot: str, hint: str, answer: str) -> None:
    turn = form_turn(dict(SLOTS), service="pension_certification")
    assert await ask_identity(slot, turn, PensionCertification())
    message = asked(turn)
    assert message["expect"] == hint
    expected = expectation(message["text"], message.get("buttons", []), message["expect"])
    assert expected.complete(answer)
    assert not expected.complete(answer[:-1])


@pytest.mark.parametrize(
    ("service", "slot", "hint", "complete", "incomplete"),
    [
        (EducationFee(), "student_id", "digits:10", "7320291068", "732029106"),
        (UtilityPayment(), "utility_account", "digits:10", "3173172673", "31731726730"),
        (Complaint(), "complaint_phone", "phone", "不留", "1391234567"),
        (Complaint(), "complaint_phone_confirmed", "yes_no", "对的", "对的吧我想想"),
    ],
)
async def test_service_questions_name_their_answer(
    service: Service, slot: str, hint: str, complete: str, incomplete: str
) -> None:
    turn = form_turn(dict(SLOTS), service=service.code)
    await service.ask(slot, turn)
    message = asked(turn)
    assert message["expect"] == hint
    expected = expectation(message["text"], message.get("buttons", []), message["expect"])
    assert expected.complete(complete) and not expected.complete(incomplete)


async def test_a_free_question_carries_no_hint() -> None:
    turn = form_turn(dict(SLOTS), service="complaint")
    await Complaint().ask("complaint_location", turn)
    message = asked(turn)
    assert "expect" not in message
    assert expectation(message["text"], message["buttons"]).kind is ExpectKind.CHOICE


@pytest.mark.parametrize("hint", ["<b>", "phone number", "x" * 40, 11, {"kind": "phone"}])
def test_the_gateway_keeps_only_a_hint_of_the_right_shape(hint: object) -> None:
    replies = [{"text": "请说您的手机号。"}, {"custom": {"expect": hint}}]
    _, payload = bot_items(replies)[0]
    assert "expect" not in payload
    assert bot_items([replies[0], {"custom": {"expect": "phone"}}])[0][1]["expect"] == "phone"
