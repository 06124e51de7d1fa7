"""转人工 while the bot is down is served by the gateway itself (``conversation.outage``): the
bot's own handoff action is what cannot run. In-process gateway; Rasa is not running here."""

from __future__ import annotations

from tests.handoff.conftest import GatewayFactory


async def test_asking_for_a_person_while_the_bot_is_down_queues_for_staff(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway() as gateway:
        # Nothing verified the citizen: the handoff has no district, supervisors route it.
        supervisor = await gateway.staff(role="supervisor")
        conversation_id = await gateway.conversation()
        answer = await gateway.say(conversation_id, "转人工")
        queue = await gateway.http.get(
            "/api/handoffs?status=waiting", headers=supervisor["headers"]
        )
    assert answer["mode"] == "waiting"
    assert [m["from"] for m in answer["messages"]] == ["system"]
    waiting = [h for h in queue.json()["handoffs"] if h["conversation_id"] == conversation_id]
    assert [h["reason"] for h in waiting] == ["requested"]


async def test_other_words_while_the_bot_is_down_are_refused_with_a_code(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway() as gateway:
        conversation_id = await gateway.conversation()
        answer = await gateway.http.post(
            "/api/chat",
            json={"conversation_id": conversation_id, "text": "人工智能是什么"},
            headers={"X-Conversation-Token": gateway.tokens[conversation_id]},
        )
    assert answer.status_code == 503
    assert answer.json()["error"] == {
        "code": "bot_unavailable",
        "message": "抱歉，系统暂时忙，请稍后再说一遍，或说“转人工”。",
    }
