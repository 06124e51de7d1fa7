"""A relative's binding from start to revocation through the started system: WeChat turns go
through the conversation core on channel ``wechat`` with the metadata the gateway sets on the
server side (the hash of the relative's OpenID), to Rasa, the actions and the sandbox.

start → the parent's SMS code (read from the sandbox's SMS helper) → bound → a payment for the
parent recorded with both identities → list → revoke → the next payment refused; the fraud
warning is unchanged on the same WeChat account while a binding is active.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from actions.handoff import FRAUD_WARNING
from conversation.rasa_client import RasaClient
from conversation.service import ConversationService
from conversation.store import ConversationStore
from platform_sandbox.seed import DEMO_UTILITIES
from tests.conftest import RunningSystem
from tests.stories.play import response_rule_problem

pytestmark = pytest.mark.integration

RELATIVE = "c3" * 32
"""The relative's WeChat identity as the gateway passes it: the hash of their OpenID."""
WATER = "3140831426"
"""The parent's (DEMO_UTILITIES) water account, last month's bill unpaid."""


class WeChatTalk:
    """One WeChat conversation of the relative, through the core as the channel drives it."""

    def __init__(self, core: ConversationService, agent: str = RELATIVE) -> None:
        self.core = core
        self.id = f"wx-{uuid.uuid4().hex}"
        self.agent = agent

    async def say(self, text: str) -> str:
        result = await self.core.user_turn(
            self.id, text, channel="wechat", metadata={"wechat_openid_hash": self.agent}
        )
        for message in result.messages:
            shown = {"text": message.text, "buttons": message.payload.get("buttons")}
            problem = response_rule_problem(shown)
            assert problem is None, problem
        return " ".join(m.text for m in result.messages)


@pytest.fixture
async def core(system: RunningSystem) -> AsyncIterator[ConversationService]:
    """The conversation core of the running gateway's database and Rasa, in this process."""
    settings = system.settings
    store = await ConversationStore.open(settings.effective_gateway_database_url)
    rasa = RasaClient(settings.rasa_url, settings.rasa_token, timeout_s=60)
    try:
        yield ConversationService(store, rasa)
    finally:
        await rasa.aclose()
        await store.close()


def platform_get(system: RunningSystem, path: str, **params: Any) -> Any:
    with system.platform() as client:
        answer = client.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def calls_for_the_parent(system: RunningSystem) -> list[dict[str, Any]]:
    """The calls made through the parent's authorizations, as the parent's own listing shows."""
    with system.platform() as client:
        card = client.post(
            "/v1/identity/card-reads",
            json={
                "card_payload": {
                    "id_number": DEMO_UTILITIES.id_number,
                    "name": DEMO_UTILITIES.name,
                }
            },
        )
        token = {"X-Citizen-Token": card.json()["citizen_token"]}
        listed: list[dict[str, Any]] = client.get("/v1/proxy-authorizations", headers=token).json()
    return [call for authorization in listed for call in authorization["calls"]]


async def test_a_relative_binds_pays_lists_and_revokes(
    system: RunningSystem, core: ConversationService
) -> None:
    system.reset_platform()
    talk = WeChatTalk(core)
    said = await talk.say("我想帮我爸绑定一下")
    assert "默认可以代办" in said and "180天" in said
    terms = await talk.say("好")
    assert "好的，授权" in terms and "姓名" in terms, terms
    assert "身份证号" in await talk.say(DEMO_UTILITIES.name)
    assert "对吗" in await talk.say(DEMO_UTILITIES.id_number)
    assert "手机号" in await talk.say("对")
    assert "对吗" in await talk.say(DEMO_UTILITIES.phone)
    asked_code = await talk.say("对")
    assert "您的家人正在申请在微信上代您办理" in asked_code
    assert "别的任何时候，验证码都不要告诉别人" in asked_code
    sms = platform_get(system, "/v1/sandbox/sms", phone=DEMO_UTILITIES.phone)
    assert "同意才把验证码告诉他" in sms["text"]
    bound = await talk.say(sms["code"])
    assert "绑定好了" in bound, bound
    [binding] = platform_get(
        system, "/v1/agent-authorizations", agent_kind="family", agent_id=RELATIVE
    )
    assert binding["status"] == "active" and "utility_payment" in binding["scopes"]

    # A later conversation of the same WeChat account.
    later = WeChatTalk(core)
    opened = await later.say("给我爸交水费")
    assert "为您父亲黎*庆办理" in opened, opened
    assert "户号" in opened
    assert "122.83" in await later.say(WATER)
    paid = await later.say("对")
    assert "缴费码是" in paid, paid
    calls = calls_for_the_parent(system)
    assert [(c["agent_kind"], c["agent_id"], c["method"], c["path"]) for c in calls] == [
        ("family", RELATIVE, "GET", "/v1/utilities/bills"),
        ("family", RELATIVE, "POST", "/v1/payments"),
    ]

    listing = await later.say("我绑定了谁")
    assert "您绑定了1位老人" in listing and "黎*庆" in listing, listing
    asked = await later.say("解除绑定")
    assert "确定解除吗" in asked, asked
    assert "已经解除了" in await later.say("确定解除")  # the button title, typed
    [revoked] = platform_get(
        system, "/v1/agent-authorizations", agent_kind="family", agent_id=RELATIVE
    )
    assert revoked["status"] == "revoked"
    refused = await WeChatTalk(core).say("给我爸交水费")
    assert "已经解除了，不能再代办" in refused, refused
    assert len(calls_for_the_parent(system)) == 2  # nothing more was done for the parent


async def test_the_fraud_warning_holds_on_wechat_with_a_binding(
    system: RunningSystem, core: ConversationService
) -> None:
    system.reset_platform()
    with system.platform() as client:
        card = client.post(
            "/v1/identity/card-reads",
            json={
                "card_payload": {
                    "id_number": DEMO_UTILITIES.id_number,
                    "name": DEMO_UTILITIES.name,
                }
            },
        )
        granted = client.post(
            "/v1/proxy-authorizations",
            json={
                "agent_kind": "family",
                "agent_id": RELATIVE,
                "scopes": ["utility_payment"],
                "expires_in_days": 30,
            },
            headers={"X-Citizen-Token": card.json()["citizen_token"]},
        )
    assert granted.status_code == 201, granted.text
    warned = await WeChatTalk(core).say("有人让我把短信验证码告诉他")
    for text in FRAUD_WARNING:
        assert text in warned, warned


def test_the_chat_api_cannot_say_it_is_wechat(system: RunningSystem) -> None:
    """The relative's identity is set by the server: the chat API refuses the channel and
    drops the key (client metadata is allow-listed)."""
    with httpx.Client(base_url=system.gateway, timeout=60) as client:
        as_wechat = client.post("/api/chat", json={"text": "绑定老人", "channel": "wechat"})
        assert as_wechat.status_code == 422 and as_wechat.json()["error"]["code"] == (
            "channel_invalid"
        )
        smuggled = client.post(
            "/api/chat",
            json={"text": "绑定老人", "metadata": {"wechat_openid_hash": RELATIVE}},
        )
    assert smuggled.status_code == 200, smuggled.text
    said = " ".join(m["text"] for m in smuggled.json()["messages"])
    assert "要在微信里办" in said, said
