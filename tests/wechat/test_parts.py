"""The channel's parts without the system: formatting for WeChat, the configuration and the
doctor's line, the protocol on wechatpy, delivery once, and the token under concurrency."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from banshi.doctor import check_wechat
from banshi.migrate import upgrade_to_head
from banshi.settings import Settings
from channels.wechat import formatting, protocol
from channels.wechat.config import WeChatConfig
from channels.wechat.dedupe import Delivery, InFlight
from channels.wechat.outbound import DeliveryFailed, WeChatApi
from channels.wechat.sessions import WeChatSessions
from conversation.errors import ApiError
from conversation.store import ConversationStore, Party, StoredMessage
from tests.needs import need
from tests.wechat.kit import AES_KEY, TOKEN, Follower, sign
from tests.wechat.mock_api import APP_ID, APP_SECRET, WeChatApiMock, wechat_api

CONFIG = WeChatConfig(app_id=APP_ID, token=TOKEN, aes_key=AES_KEY, app_secret=APP_SECRET)


def _message(text: str, buttons: list[dict[str, str]] | None = None) -> StoredMessage:
    payload = {"buttons": buttons} if buttons else {}
    return StoredMessage(1, "c", Party.BOT, "wechat", text, payload)


def test_buttons_become_numbered_options_and_a_number_chooses_one() -> None:
    buttons = [
        {"title": "查养老金", "payload": "/query_pension"},
        {"title": "我能办什么", "payload": "/ask_capabilities"},
    ]
    answer = formatting.answer_text([_message("您好！"), _message("请问您要办什么事？", buttons)])
    assert answer == "您好！\n\n请问您要办什么事？\n回复1 查养老金\n回复2 我能办什么"
    options = formatting.options_of([_message("x", buttons)])
    assert formatting.chosen("2", options) == "/ask_capabilities"
    assert formatting.chosen("１", options) == "/query_pension"
    assert formatting.chosen("3", options) is None
    assert formatting.chosen("12", options) is None
    assert formatting.chosen("1", []) is None


def test_long_answers_are_split_at_sentence_ends_within_the_limit() -> None:
    sentence = "您本月的养老金3256.80元已于2026年12月5日发放到账。"
    text = sentence * 80
    pieces = formatting.split_text(text)
    assert len(pieces) > 1 and "".join(pieces) == text
    assert all(len(p.encode()) <= formatting.MAX_TEXT_BYTES for p in pieces)
    assert all(p.endswith("。") for p in pieces)
    assert "3256.80元" in pieces[0] and "2026年12月5日" in pieces[0]  # digits stay digits
    unbroken = "长" * 3000
    assert "".join(formatting.split_text(unbroken)) == unbroken


def test_staff_replies_are_labelled() -> None:
    staff = StoredMessage(2, "c", Party.STAFF, "wechat", "请带身份证。", {})
    assert formatting.message_text(staff) == "【工作人员】请带身份证。"


def test_the_channel_is_off_until_configured_and_the_doctor_says_so(tmp_path: Path) -> None:
    assert not WeChatConfig().enabled
    assert "BANSHI_WECHAT_APP_SECRET" in WeChatConfig(app_id="x", token="t").missing()
    assert CONFIG.enabled
    with pytest.raises(ValueError, match="43-character"):
        WeChatConfig(app_id="x", token="t", aes_key="short", app_secret="s")
    off = check_wechat(Settings(var_dir=tmp_path))
    assert off.status == "warn" and "wechat_disabled" in off.detail
    assert "BANSHI_WECHAT_APP_ID" in off.fix
    on = check_wechat(
        Settings(
            var_dir=tmp_path,
            wechat_app_id=APP_ID,
            wechat_token=TOKEN,
            wechat_aes_key=AES_KEY,
            wechat_app_secret=APP_SECRET,
        )
    )
    assert on.status == "ok"


def test_messages_are_read_with_wechatpy_in_both_modes() -> None:
    for aes in (False, True):
        follower = Follower("http://unused", aes=aes)
        query, body = follower.request(follower.xml("text", 42, Content="查养老金"))
        signed = protocol.Query(
            query["signature"],
            query["timestamp"],
            query["nonce"],
            query.get("encrypt_type", ""),
            query.get("msg_signature", ""),
        )
        inbound = protocol.read_message(CONFIG, signed, body)
        assert (inbound.kind, inbound.text, inbound.msg_id) == ("text", "查养老金", 42)
        assert inbound.turn_id == "wx-42"
        reply = protocol.passive_reply(CONFIG, signed, inbound, "好的")
        assert ("<Encrypt>" in reply) is aes


def test_events_of_one_second_are_told_apart_by_their_key() -> None:
    follower = Follower("http://unused")
    ids = set()
    for key in ("query_pension", "request_human"):
        query, body = follower.request(follower.xml("event", Event="CLICK", EventKey=key))
        signed = protocol.Query(query["signature"], query["timestamp"], query["nonce"])
        ids.add(protocol.read_message(CONFIG, signed, body).turn_id)
    assert len(ids) == 2


def test_a_wrong_signature_is_403_before_the_body_is_parsed() -> None:
    query = protocol.Query("0" * 40, "1", "n")
    with pytest.raises(ApiError) as refused:
        protocol.read_message(CONFIG, query, b"not xml")
    assert (refused.value.status, refused.value.code) == (403, "wechat_signature_invalid")
    good = protocol.Query(sign(TOKEN, "1", "n"), "1", "n")
    with pytest.raises(ApiError) as malformed:
        protocol.read_message(CONFIG, good, b"not xml")
    assert (malformed.value.status, malformed.value.code) == (400, "wechat_xml_invalid")


async def test_an_answer_is_delivered_once_passively_or_through_the_api() -> None:
    inflight = InFlight()
    release = asyncio.Event()
    sent: list[list[str]] = []
    delivered = asyncio.Event()

    async def answer() -> list[str]:
        await release.wait()
        return ["好的"]

    async def send(pieces: list[str]) -> None:
        sent.append(pieces)
        delivered.set()

    first = inflight.join("f", "wx-1", answer)
    retry = inflight.join("f", "wx-1", answer)
    assert retry is first and len(inflight) == 1
    first.hand_to_api(send)  # the first request's budget ran out
    release.set()
    await asyncio.wait_for(delivered.wait(), 5)
    assert first.delivery is Delivery.API and sent == [["好的"]]
    assert not retry.take_passive()  # a late retry answers "success"


@pytest.fixture(scope="module")
def mock() -> Iterator[WeChatApiMock]:
    with wechat_api() as running:
        yield running


def _api(mock: WeChatApiMock) -> WeChatApi:
    return WeChatApi(
        WeChatConfig(
            app_id=APP_ID, token=TOKEN, aes_key=AES_KEY, app_secret=APP_SECRET, api_base=mock.url
        )
    )


async def test_twenty_sends_at_once_fetch_one_token_and_a_stale_one_is_refreshed_once(
    mock: WeChatApiMock,
) -> None:
    api = _api(mock)
    before = mock.token_fetches()
    await asyncio.gather(*(api.send_text(f"o-{i}", "你好") for i in range(20)))
    assert mock.token_fetches() == before + 1
    mock.expire_tokens()
    await asyncio.gather(*(api.send_text(f"o-{i}", "再见") for i in range(20)))
    assert mock.token_fetches() == before + 2
    assert all(mock.sent(f"o-{i}") == ["你好", "再见"] for i in range(20))


async def test_other_api_errors_are_not_retried(mock: WeChatApiMock) -> None:
    api = _api(mock)
    mock.failing["o-gone"] = 45015
    with pytest.raises(DeliveryFailed) as failed:
        await api.send_text("o-gone", "你好")
    assert failed.value.code == 45015 and "48小时" in failed.value.reason
    assert len(mock.sent("o-gone", delivered_only=False)) == 1
    unreachable = WeChatApi(
        WeChatConfig(
            app_id=APP_ID,
            token=TOKEN,
            aes_key=AES_KEY,
            app_secret=APP_SECRET,
            api_base="http://127.0.0.1:9/cgi-bin/",
            api_timeout_s=1.0,
        )
    )
    with pytest.raises(DeliveryFailed) as down:
        await unreachable.send_text("o-x", "你好")
    assert down.value.code == 0


def _redis_url() -> str:
    """The scale profile's Redis, when one answers (the token's shared store)."""
    import redis

    url = os.environ.get("BANSHI_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        connection = redis.Redis.from_url(url, socket_timeout=2)
        connection.delete(f"banshi:wechat:{APP_ID}_access_token")
        connection.delete(f"banshi:wechat:{APP_ID}_access_token_expires_at")
    except redis.RedisError:
        need(False, "Redis", "start Redis or set BANSHI_REDIS_URL (the scale profile's)")
    return url


async def test_gateways_share_one_token_through_redis(mock: WeChatApiMock) -> None:
    url = _redis_url()
    config = WeChatConfig(
        app_id=APP_ID, token=TOKEN, aes_key=AES_KEY, app_secret=APP_SECRET, api_base=mock.url
    )
    first, second = WeChatApi(config, redis_url=url), WeChatApi(config, redis_url=url)
    before = mock.token_fetches()
    await asyncio.gather(
        *(api.send_text(f"r-{i}", "你好") for i in range(10) for api in (first, second))
    )
    assert mock.token_fetches() == before + 1
    mock.expire_tokens()
    await asyncio.gather(
        *(api.send_text(f"r-{i}", "再见") for i in range(10) for api in (first, second))
    )
    assert mock.token_fetches() == before + 2
    assert first.token() == second.token()


async def test_a_follower_keeps_a_conversation_until_a_long_pause_or_an_end(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await upgrade_to_head(url)
    store = await ConversationStore.open(url)
    now = [datetime(2026, 12, 5, 9, 0, tzinfo=timezone.utc)]
    sessions = WeChatSessions(store.engine, idle_s=1800, clock=lambda: now[0])
    try:
        first = await sessions.current("k", "openid-1")
        now[0] += timedelta(minutes=29)
        assert await sessions.current("k", "openid-1") == first  # the pause counts from here
        now[0] += timedelta(minutes=29)
        assert await sessions.current("k", "openid-1") == first
        now[0] += timedelta(minutes=31)
        second = await sessions.current("k", "openid-1")
        assert second != first
        assert await sessions.openid_of(second) == "openid-1"
        await sessions.set_options("k", [{"title": "查养老金", "payload": "/query_pension"}])
        assert (await sessions.options("k"))[0]["payload"] == "/query_pension"
        await sessions.end("k")
        assert await sessions.options("k") == []
        assert await sessions.current("k", "openid-1") not in (first, second)
    finally:
        await store.close()
