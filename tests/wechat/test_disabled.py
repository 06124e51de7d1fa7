"""Without its credentials the channel is off: both routes answer 404 ``wechat_disabled``."""

from __future__ import annotations

from tests.handoff.conftest import GatewayFactory, make_gateway
from tests.wechat.kit import TOKEN, sign

__all__ = ["make_gateway"]


async def test_the_routes_answer_wechat_disabled_without_the_settings(
    make_gateway: GatewayFactory,
) -> None:
    query = {"signature": sign(TOKEN, "1", "n"), "timestamp": "1", "nonce": "n", "echostr": "e"}
    async with make_gateway() as gateway:
        verify = await gateway.http.get("/wechat", params=query)
        message = await gateway.http.post("/wechat", params=query, content=b"<xml></xml>")
    for answer in (verify, message):
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "wechat_disabled"
