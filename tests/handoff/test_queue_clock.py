"""The queue clock running on its own in the gateway's lifespan (``HandoffRuntime._run_clock``):
nobody calls ``tick()`` here, the waiting citizens are told all the same."""

from __future__ import annotations

import asyncio
import time

from tests.handoff.conftest import GatewayFactory, LocalGateway

TICK_S = 0.1


async def wait_for_message(
    gateway: LocalGateway, conversation: str, text: str, *, within_s: float
) -> dict | None:
    """The first message to the citizen containing ``text``, polled for up to ``within_s``."""
    deadline = time.monotonic() + within_s
    while True:
        for message in await gateway.seen(conversation):
            if text in message["text"]:
                return message
        if time.monotonic() > deadline:
            return None
        await asyncio.sleep(0.05)


async def test_the_running_clock_offers_a_callback_after_the_claim_timeout(
    make_gateway: GatewayFactory,
) -> None:
    offer = "工作人员现在都在忙"
    async with make_gateway(claim_timeout_s=0.5, tick_s=TICK_S) as gateway:
        await gateway.staff(district="时钟区")
        conversation = await gateway.conversation()
        waited_from = time.monotonic()
        response = await gateway.request(conversation, citizen={"district": "时钟区"})
        assert response.json()["callback_offered"] is False
        message = await wait_for_message(gateway, conversation, offer, within_s=10)
        assert message is not None, "no call-back offer without a tick by hand"
        assert time.monotonic() - waited_from >= 0.5, "offered before the claim timeout"
        assert "给您回电吗" in message["text"]
    # The same wait with a clock that does not come round: nothing is offered.
    async with make_gateway(claim_timeout_s=0.5, tick_s=3600.0) as gateway:
        await gateway.staff(district="停钟区")
        conversation = await gateway.conversation()
        await gateway.request(conversation, citizen={"district": "停钟区"})
        assert await wait_for_message(gateway, conversation, offer, within_s=1.5) is None


async def test_the_running_clock_tells_the_next_citizen_their_turn_is_near(
    make_gateway: GatewayFactory,
) -> None:
    async with make_gateway(tick_s=TICK_S) as gateway:
        member = await gateway.staff(district="钟前区")
        first, second = await gateway.conversation(), await gateway.conversation()
        first_id = (await gateway.request(first, citizen={"district": "钟前区"})).json()[
            "handoff_id"
        ]
        await gateway.request(second, citizen={"district": "钟前区"})
        claimed = await gateway.http.post(
            f"/api/handoffs/{first_id}/claim", headers=member["headers"]
        )
        assert claimed.status_code == 200, claimed.text
        update = await wait_for_message(gateway, second, "马上就到您了", within_s=10)
        assert update is not None, "no position notice without a tick by hand"
        assert update["from"] == "system"
