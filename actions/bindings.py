"""A relative's standing bindings in WeChat: whom they may act for, and under which binding a
service runs.

A binding is a proxy authorization on the platform (``agent_kind: family``) whose agent is the
relative's WeChat identity: the hash of their OpenID that the gateway puts in the metadata of
every WeChat turn (``wechat_openid_hash``; the OpenID itself never reaches the bot). The
platform keeps the only record: the actions ask it each time
(``GET /v1/agent-authorizations``, platform_client/CONTRACT.md), so a binding revoked at a
counter or expired is refused at once, and nothing here can go stale.

Only WeChat turns can carry the identity: the gateway sets it on the server side, and the chat
API's client metadata cannot (``conversation/validation.py``). On any other channel there is
no binding, and the one-off family path (verify the parent now, the parent says “我同意”)
stays as it was.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from platform_client import CitizenAuth, PlatformError
from platform_client.results import AgentAuthorization

if TYPE_CHECKING:  # the services import this module: no import of them at run time
    from actions.services.base import Service, Turn

logger = logging.getLogger(__name__)

WECHAT = "wechat"
AGENT_KIND = "family"
OPENID_HASH_KEY = "wechat_openid_hash"
_OPENID_HASH = re.compile(r"^[0-9a-f]{64}$")

BINDING_SLOTS = ("binding_name", "binding_age", "binding_options", "binding_choice")
"""The binding a service runs under (or the ones to choose from): cleared when one starts."""
BINDING_CHOICE = "binding_choice"


def wechat_agent(turn: Turn) -> str | None:
    """The relative's WeChat identity (the OpenID's hash) when this turn came from WeChat
    with one, else None."""
    metadata = turn.tracker.latest_message.get("metadata") or {}
    if metadata.get("channel") != WECHAT:
        return None
    value = str(metadata.get(OPENID_HASH_KEY) or "")
    return value if _OPENID_HASH.fullmatch(value) else None


async def held(turn: Turn, agent: str) -> list[AgentAuthorization]:
    """Every binding the relative holds (active, expired and revoked), newest first."""
    return await turn.platform.agent_authorizations(agent_kind=AGENT_KIND, agent_id=agent)


def bound(turn: Turn) -> bool:
    """Whether the service in hand runs under a standing binding."""
    return bool(turn.slot("binding_name")) and bool(turn.slot("proxy_authorization_id"))


def proxy(turn: Turn) -> CitizenAuth | None:
    """The binding's authorization for the platform calls, when the service runs under one
    (services that need no identity then still act, and are recorded, for the parent)."""
    if not bound(turn):
        return None
    return CitizenAuth(proxy_authorization_id=str(turn.slot("proxy_authorization_id")))


def name(turn: Turn) -> str:
    """The parent's masked name (王*英) under a binding, else the verified citizen's name."""
    return str(turn.slot("binding_name") or turn.slot("citizen_name") or "")


def age(turn: Turn) -> Any:
    """The parent's age under a binding, else the verified citizen's age."""
    return turn.slot("binding_age") if bound(turn) else turn.slot("citizen_age")


def option(authorization: AgentAuthorization) -> dict[str, Any]:
    """A binding as a choice kept in the tracker (no token: the id is useless without the
    relative's WeChat identity and the banshi client key)."""
    return {
        "id": authorization.authorization_id,
        "name": authorization.citizen_name_masked,
        "age": authorization.citizen_age,
    }


async def for_service(turn: Turn, service: Service, relation: str) -> dict[str, Any]:
    """At the start of ``service`` for a relative ("给我妈交水费") on WeChat: the binding it
    runs under (said: "为您母亲王*英办理"), the bindings to choose from, or a refusal when the
    relative's bindings do not cover it or have ended. Empty when there is no WeChat identity
    or it never bound anyone: the one-off family path goes on."""
    from actions.services.base import day

    agent = wechat_agent(turn)
    if agent is None:
        return {}
    try:
        bindings = await held(turn, agent)
    except PlatformError as error:
        turn.explain(error)
        return {"service_done": True}
    if not bindings:
        return {}
    active = [b for b in bindings if b.active]
    covering = [b for b in active if service.code in b.scopes]
    if len(covering) == 1:
        return use(turn, covering[0], service, relation)
    if covering:
        return {"binding_options": [option(b) for b in covering[:3]]}
    logger.info("actions.binding.refused service=%s bindings=%d", service.code, len(active))
    if active:
        names = "、".join(b.citizen_name_masked for b in active)
        turn.say(f"您绑定的{names}没有授权您代办{service.title}。")
        turn.say("要办这件事，可以说“绑定老人”重新授权，或者请老人本人来办。")
    else:
        latest = bindings[0]
        ended = f"在{day(latest.expires_at)}到期了" if latest.status == "expired" else "已经解除了"
        parent = latest.citizen_name_masked  # a name (王*英), not a number to read out
        turn.say(f"您和{parent}的代办绑定{ended}，不能再代办。")
        turn.say("要继续代办，请说“绑定老人”，重新请老人授权。")
    return {"service_done": True}


def use(
    turn: Turn, chosen: AgentAuthorization | dict[str, Any], service: Service, relation: str
) -> dict[str, Any]:
    """Run ``service`` under the binding ``chosen``, and say whose errand it is."""
    picked = option(chosen) if isinstance(chosen, AgentAuthorization) else chosen
    turn.say(f"好的，为您{relation}{picked['name']}办理{service.title}。")
    logger.info("actions.binding.used service=%s", service.code)
    return {
        "proxy_authorization_id": picked["id"],
        "binding_name": picked["name"],
        "binding_age": picked["age"],
        "binding_options": None,
    }


def options(turn: Turn) -> list[dict[str, Any]]:
    """The bindings the relative is asked to choose from."""
    return [o for o in turn.slot("binding_options") or [] if isinstance(o, dict)]


def ask_choice(turn: Turn, service: Service) -> None:
    """Two parents bound for this service: ask whose errand it is."""
    listed = options(turn)
    said = "；".join(f"回复{i}，{o['name']}" for i, o in enumerate(listed, 1))
    turn.say(
        f"您绑定了{len(listed)}位老人，这次为谁{service.title}？{said}。",
        tuple((str(o["name"]), str(i)) for i, o in enumerate(listed, 1)),
    )


_ORDINALS = {"一": 1, "二": 2, "两": 2, "三": 3, "1": 1, "2": 2, "3": 3}


def chosen_in(text: str, listed: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The binding ``text`` names: its number ("1", "第二个") or its masked name's surname and
    last character ("王秀英", "王*英", "姓王的")."""
    compact = text.replace(" ", "")
    by_name = [
        o
        for o in listed
        if str(o["name"])[:1] in compact
        and (len(str(o["name"])) < 3 or str(o["name"])[-1] in compact or "姓" in compact)
    ]
    if len(by_name) == 1:
        return by_name[0]
    numbers = {_ORDINALS[c] for c in compact if c in _ORDINALS}
    if len(numbers) == 1:
        number = numbers.pop()
        if 1 <= number <= len(listed):
            return listed[number - 1]
    return None


async def choose(value: Any, turn: Turn, service: Service, relation: str) -> dict[str, Any]:
    """The answer to "这次为谁办": the binding to run under."""
    listed = options(turn)
    picked = chosen_in(str(value if isinstance(value, str) else turn.latest_text()), listed)
    if picked is None:
        numbers = "或".join(str(i) for i in range(1, len(listed) + 1))
        turn.reject(f"请回复{numbers}，或者说老人的姓名。")
        return {BINDING_CHOICE: None}
    return {BINDING_CHOICE: picked["id"], **use(turn, picked, service, relation)}
