"""Rasa's events published to RabbitMQ without waiting for the socket in between.

Rasa 3.6's ``PikaEventBroker`` publishes each event in its own task through aio-pika, which
holds the channel's lock until the frame has been written out and the socket drained. So the
channel takes one event per turn of the event loop, and Rasa's loop turns slowly while it
predicts: under load the events of a turn (ten to twenty) arrive faster than they leave.
Measured with tracemalloc in the scale profile, 8 conversations at a time for 5 minutes: 27,500
publish tasks waiting for the lock, Rasa's memory growing by about 70 MiB a minute, and events
reaching the queue minutes late.

Here an event is handed to the connection's writer without waiting for the drain (aiormq's
``wait=False``): the lock is held only while the frame is queued. RabbitMQ's confirmation is
still awaited (outside the lock), so an event RabbitMQ did not take is still kept by Rasa's
own ``_unpublished_events`` as before. Order on the channel is the order of publishing.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


async def _publish(self: Any, event: dict[str, Any], headers: Any = None) -> None:
    """Rasa's ``PikaEventBroker._publish``, without the drain wait under the channel's lock."""
    exchange = self._exchange
    if exchange is None:
        return
    message = self._message(event, headers)
    try:
        await exchange.channel.basic_publish(
            message.body,
            exchange=exchange.name,
            routing_key="",
            properties=message.properties,
            wait=False,
        )
    except Exception:
        logger.error("rasa.events.publish_failed kept=%s", self.should_keep_unpublished_messages)
        if self.should_keep_unpublished_messages:
            self._unpublished_events.append(event)
        if self.raise_on_failure:
            raise


def install() -> None:
    """Replace the broker's publishing (the same events, the same failure handling)."""
    from rasa.core.brokers.pika import PikaEventBroker

    PikaEventBroker._publish = _publish
