"""Rasa's events published to RabbitMQ without waiting for the socket in between.

Rasa 3.6's ``PikaEventBroker`` publishes each event in its own task through aio-pika, which
holds the channel's lock until the frame has been written out and the socket drained. So the
channel takes one event per turn of the event loop, and Rasa's loop turns slowly while it
predicts: under load the events of a turn (ten to twenty) arrive faster than they leave.
Measured with tracemalloc in the scale profile, 8 conversations at a time for 5 minutes: 27,500
publish tasks waiting for the lock, Rasa's memory growing by about 70 MiB a minute, and events
reaching the queue minutes late.

Here an event is handed to the connection's writer without waiting for the drain (aiormq's
``wait=False``), and the connection's frame queue is not bounded at 10 (aiormq's
``FRAME_BUFFER_SIZE``): a full queue made the lock's holder wait for the writer, and then each
waiting publish again took one turn of the loop. Now the lock is held only while a frame is
queued, without waiting. RabbitMQ's confirmation is still awaited (outside the lock), so an
event RabbitMQ did not take is still kept by Rasa's own ``_unpublished_events`` as before.
Order on the channel is the order of publishing.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

FRAME_BUFFER_SIZE = 100_000
"""Frames a connection's writer may have waiting (aiormq's default is 10); each is an event."""


async def _publish(self: Any, event: dict[str, Any], headers: Any = None) -> bool:
    """Rasa's ``PikaEventBroker._publish``, without the drain wait under the channel's lock.
    True when RabbitMQ took the event; False when it was kept in ``_unpublished_events``
    (also before the broker is connected, where Rasa's own dropped it)."""
    exchange = self._exchange
    if exchange is None:
        self._unpublished_events.append(event)
        return False
    message = self._message(event, headers)
    try:
        await exchange.channel.basic_publish(
            message.body,
            exchange=exchange.name,
            routing_key="",
            properties=message.properties,
            mandatory=True,  # as aio-pika's Exchange.publish: an unroutable event fails
            wait=False,
        )
    except Exception:
        logger.error("rasa.events.publish_failed kept=%s", self.should_keep_unpublished_messages)
        if self.should_keep_unpublished_messages:
            self._unpublished_events.append(event)
        if self.raise_on_failure:
            raise
        return False
    return True


def install() -> None:
    """Replace the broker's publishing (the same events, the same failure handling)."""
    import aiormq.connection
    from rasa.core.brokers.pika import PikaEventBroker

    # Read when a connection is made: Rasa's broker connects after this.
    aiormq.connection.Connection.FRAME_BUFFER_SIZE = FRAME_BUFFER_SIZE
    PikaEventBroker._publish = _publish
