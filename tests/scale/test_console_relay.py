"""The console feed across gateway processes: two hubs, each with its own relay on a real Redis,
stand for two gateways. A console on one sees what happened through the other, with the same
district and transcript rules, and nothing twice.

Skipped with the reason when Redis is unreachable, except under CI=true, where it fails.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from handoff.events import ConsoleEvent, EventHub, Subscription
from handoff.models import Role, Staff
from handoff.relay import RedisRelay
from tests.scale.services import REDIS, require_services

pytestmark = pytest.mark.scale

GULOU = Staff(1, "wang", "王老师", Role.STAFF, "鼓楼区")
XUANWU = Staff(2, "li", "李老师", Role.STAFF, "玄武区")


@pytest.fixture
async def gateways() -> AsyncIterator[tuple[EventHub, EventHub, RedisRelay, RedisRelay]]:
    require_services(REDIS)
    channel = f"banshi:test:{uuid.uuid4().hex}"
    hubs = EventHub(), EventHub()
    relays = [RedisRelay(REDIS, hub, channel=channel) for hub in hubs]
    for relay in relays:
        await relay.start()
    yield hubs[0], hubs[1], relays[0], relays[1]
    for relay in relays:
        await relay.close()


async def next_event(subscription: Subscription, timeout_s: float = 5.0) -> ConsoleEvent:
    return await asyncio.wait_for(subscription.queue.get(), timeout_s)


async def settle(*relays: RedisRelay, sent: int) -> None:
    """Wait until the relays have sent ``sent`` messages in all and they had time to arrive."""
    for _ in range(200):
        if sum(relay.stats["sent"] for relay in relays) >= sent:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)


async def test_a_queue_event_reaches_the_consoles_of_the_other_gateway(gateways) -> None:
    hub_a, hub_b, relay_a, relay_b = gateways
    gulou_on_a = hub_a.subscribe(GULOU, "session-wang")
    xuanwu_on_a = hub_a.subscribe(XUANWU, "session-li")
    gulou_on_b = hub_b.subscribe(GULOU, "session-wang-2")

    hub_b.publish(ConsoleEvent("handoff.created", {"id": "h1", "waited_s": 3}, district="鼓楼区"))

    remote = await next_event(gulou_on_a)
    assert (remote.kind, remote.data, remote.district) == (
        "handoff.created",
        {"id": "h1", "waited_s": 3},
        "鼓楼区",
    )
    assert (await next_event(gulou_on_b)).data["id"] == "h1"  # delivered where it happened
    await settle(relay_a, relay_b, sent=1)
    assert xuanwu_on_a.queue.empty()  # another district's console does not get it
    assert gulou_on_b.queue.empty()  # and nobody gets it twice
    assert relay_b.stats["received"] == 0  # its own message came back and was skipped


async def test_a_transcript_opened_on_one_gateway_streams_messages_from_the_other(
    gateways,
) -> None:
    hub_a, hub_b, relay_a, relay_b = gateways
    watcher = hub_a.subscribe(GULOU, "session-wang")
    other = hub_a.subscribe(GULOU, "session-zhao")
    message = ConsoleEvent(
        "message", {"conversation_id": "c7", "text": "我的电话是138****8000"}, conversation_id="c7"
    )

    hub_b.publish(message)  # before anyone opened c7: nobody gets it
    await settle(relay_a, relay_b, sent=1)
    assert watcher.queue.empty() and other.queue.empty()

    hub_a.watch("session-wang", "c7")  # the transcript was read through gateway a
    await settle(relay_a, relay_b, sent=2)
    hub_b.publish(message)
    assert (await next_event(watcher)).data["text"] == "我的电话是138****8000"
    # The same session's console on gateway b (after a reconnect there) gets it too.
    same_session_on_b = hub_b.subscribe(GULOU, "session-wang")
    hub_a.publish(message)
    assert (await next_event(same_session_on_b)).data["conversation_id"] == "c7"
    assert (await next_event(watcher)).data["conversation_id"] == "c7"
    await settle(relay_a, relay_b, sent=4)
    assert other.queue.empty()

    hub_a.forget("session-wang")  # the session ended: neither gateway counts it any more
    await settle(relay_a, relay_b, sent=5)
    hub_b.publish(message)
    await settle(relay_a, relay_b, sent=6)
    assert watcher.queue.empty() and same_session_on_b.queue.empty()


async def test_a_bad_message_on_the_channel_is_skipped(gateways) -> None:
    hub_a, _hub_b, relay_a, relay_b = gateways
    console = hub_a.subscribe(GULOU, "session-wang")
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS)
    try:
        await client.publish(relay_a.channel, b"not json")
        await client.publish(relay_a.channel, b'{"origin": "x", "kind": "event"}')
    finally:
        await client.close()
    relay_b.send("event", {"kind": "handoff.updated", "data": {"id": "h2"}, "district": "鼓楼区"})
    assert (await next_event(console)).data == {"id": "h2"}  # the relay still works


async def test_the_relay_listens_again_after_its_connection_is_killed(gateways) -> None:
    hub_a, hub_b, relay_a, _relay_b = gateways
    console = hub_a.subscribe(GULOU, "session-wang")
    import redis.asyncio as aioredis

    admin = aioredis.from_url(REDIS)
    try:
        name = f"banshi-console-{relay_a.origin[:8]}"
        listening = [
            client
            for client in await admin.client_list(_type="pubsub")
            if client.get("name") == name
        ]
        assert len(listening) == 1
        await admin.client_kill_filter(_id=listening[0]["id"])
        for _ in range(100):  # back within RETRY_S and a little
            numsub = dict(await admin.pubsub_numsub(relay_a.channel))
            if numsub.get(relay_a.channel.encode(), 0) == 2:
                break
            await asyncio.sleep(0.05)
        assert dict(await admin.pubsub_numsub(relay_a.channel))[relay_a.channel.encode()] == 2
    finally:
        await admin.close()
    hub_b.publish(ConsoleEvent("handoff.updated", {"id": "h3"}, district="鼓楼区"))
    assert (await next_event(console)).data == {"id": "h3"}


async def test_disabling_a_person_on_one_gateway_ends_their_feed_on_the_other(gateways) -> None:
    hub_a, hub_b, _relay_a, _relay_b = gateways
    leaving = hub_a.subscribe(GULOU, "session-wang")
    staying = hub_a.subscribe(XUANWU, "session-li")
    hub_b.end_staff(GULOU.id)
    assert (await next_event(leaving)).kind == "logged_out"
    assert leaving.ended and not staying.ended and staying.queue.empty()
