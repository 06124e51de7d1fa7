"""电子证照出示 (actions/services/certificates.py) against a real sandbox: which certificate,
the one-time code and how to use it, and every refusal, with exact slot values and texts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from rasa_sdk.events import SlotSet

from actions.services import by_code
from actions.services.base import Turn
from actions.services.certificates import GetECertificate, certificate_in, presentation_code
from platform_sandbox import seed
from tests.actions.conftest import form_turn, said, verified
from tests.actions.conftest import user as user_event
from tests.conftest import RunningSystem

SENDER = "test-certificates"
SERVICE = GetECertificate()


def user(text: str, intent: str = "inform") -> dict[str, Any]:
    """A user event whose message id follows from ``text`` (a retried message keeps it)."""
    return user_event(text, intent, message_id="m-" + text)


def turn(
    slots: dict[str, Any],
    *,
    text: str = "",
    intent: str = "inform",
    entities: Sequence[dict[str, Any]] = (),
    events: Sequence[dict[str, Any]] = (),
) -> Turn:
    """A turn of the certificate service with ``slots`` set and ``text`` just said."""
    return form_turn(
        {"relation": None, **slots},
        text=text,
        intent=intent,
        entities=entities,
        message_id="m-" + text,
        events=events,
        with_user_event=True,
        sender=SENDER,
        service="e_certificate",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身份证", "id_card"),
        ("我要出示电子身份证", "id_card"),
        ("社保卡", "social_security_card"),
        ("医保卡", "social_security_card"),
        ("户口本", "hukou"),
        ("老年卡", "senior_card"),
        ("驾照", "driving_license"),
        ("退休证", "retirement"),
        ("结婚证", "marriage"),
        ("id_card", "id_card"),
        ("银行要我出示证件", None),
        (None, None),
    ],
)
def test_certificates_in_what_was_said(text: Any, expected: str | None) -> None:
    assert certificate_in(text) == expected


def test_the_code_is_read_in_groups_of_four() -> None:
    assert presentation_code("12345678") == "1234 5678"


def test_only_the_holder_may_show_a_certificate() -> None:
    assert by_code("e_certificate") is not None
    assert SERVICE.proxy_allowed is False and SERVICE.requires_identity is True


async def test_the_request_names_the_certificate_or_it_is_asked() -> None:
    events = [user("我要出示电子户口本", "get_e_certificate"), user("320508194002282402")]
    current = turn({"certificate_type": None}, text="123456", events=events)
    assert await SERVICE.prepare(current) == {"certificate_type": "hukou"}

    unnamed = turn({"certificate_type": None}, text="我想亮证", intent="get_e_certificate")
    assert await SERVICE.prepare(unnamed) == {"certificate_type": None}
    await SERVICE.ask("certificate_type", unnamed)
    assert said(unnamed) == ["您要出示哪个证：身份证、社保卡，还是户口本？"]
    assert [b["payload"] for b in unnamed.dispatcher.messages[0]["buttons"]] == [
        "身份证",
        "社保卡",
        "户口本",
    ]

    answer = turn(
        {},
        text="社保卡",
        entities=[{"entity": "certificate_type", "value": "social_security_card"}],
    )
    assert await SERVICE.validate("certificate_type", "社保卡", answer) == {
        "certificate_type": "social_security_card"
    }
    unclear = turn({}, text="那个证")
    assert await SERVICE.validate("certificate_type", "那个证", unclear) == {
        "certificate_type": None
    }
    assert said(unclear) == ["没有听清是哪个证。"] and unclear.failed


async def test_the_code_is_made_and_how_to_use_it_is_said(
    platform: None, sandbox: RunningSystem
) -> None:
    slots = await verified(sandbox, seed.DEMO_ALLOWANCE_ELIGIBLE, certificate_type="id_card")
    current = turn(slots, text="身份证")
    assert await SERVICE.complete(current) == []
    first, *rest = said(current)
    assert first.startswith("身份证的出示码是 ") and len(first) == len(
        "身份证的出示码是 1234 5678。"
    )
    assert rest == [
        "对方输入这个码，就能看到您的身份证。",
        "5分钟内有效，只能用一次。",
        "请把这个码给窗口工作人员或银行柜员看。",
        "过期了，再跟我说一声就能重新拿。",
    ]
    again = turn(slots, text="身份证")  # the same message retried: the same code
    await SERVICE.complete(again)
    assert said(again)[0] == first
    later = turn(slots, text="再要一个身份证的码")  # a new request: a new code
    await SERVICE.complete(later)
    assert said(later)[0] != first


async def test_an_expired_certificate_offers_an_appointment_to_renew_it(
    platform: None, sandbox: RunningSystem
) -> None:
    slots = await verified(sandbox, seed.DEMO_UNDER_80, certificate_type="driving_license")
    current = turn(slots, text="驾照")
    assert await SERVICE.complete(current) == [
        SlotSet("pending_action", "service:appointment"),
        SlotSet("appointment_for", "e_certificate"),
    ]
    assert said(current) == ["您的驾驶证已经过期了，不能出示。", "要帮您预约到大厅办理吗？"]


async def test_a_certificate_the_citizen_does_not_hold(
    platform: None, sandbox: RunningSystem
) -> None:
    slots = await verified(sandbox, seed.DEMO_UNDER_80, certificate_type="senior_card")
    current = turn(slots, text="老年卡")
    assert await SERVICE.complete(current) == []
    assert said(current) == ["您还没有电子老年卡。", "可以到政务大厅办理，或说“转人工”。"]


async def test_a_type_the_platform_does_not_know(platform: None, sandbox: RunningSystem) -> None:
    slots = await verified(sandbox, seed.DEMO_UNDER_80, certificate_type="library_card")
    current = turn(slots, text="借书证")
    assert await SERVICE.complete(current) == []
    assert said(current) == ["没有这种证照。", "请说要出示哪个证，比如身份证。"]
