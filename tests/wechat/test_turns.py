"""Turns through ``/wechat``: a service completed by text and by voice, retries handled once,
the slow path through the customer-service API, events, and a conversation per follower."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from platform_sandbox import seed
from tests import days
from tests.conftest import RunningSystem
from tests.wechat.kit import Follower, conversation_of, next_msg_id, said_by_citizen
from tests.wechat.mock_api import WeChatApiMock


def _application() -> str:
    return seed.demo_allowance_application(seed.cached_dataset(seed.DEFAULT_SEED, days.today()))


def test_a_text_conversation_completes_the_status_query(wechat_system: RunningSystem) -> None:
    follower = Follower(wechat_system.gateway)
    asked = follower.says("查一下办件进度")
    assert asked is not None and "办件编号" in asked
    number = _application()
    told = follower.says(number)
    assert told is not None and "高龄津贴申请" in told and "正在审核" in told, told
    # The screen text keeps the digits (dates and numbers are not spelled out in words).
    assert any(ch.isdigit() for ch in told)
    conversation = conversation_of(wechat_system.settings.var_dir, follower)
    assert said_by_citizen(wechat_system.settings.var_dir, conversation) == [
        "查一下办件进度",
        number,
    ]


def test_a_retried_msgid_is_one_turn_also_when_sent_at_once(
    wechat_system: RunningSystem, wechat_mock: WeChatApiMock
) -> None:
    follower = Follower(wechat_system.gateway)
    msg_id = next_msg_id()
    body = follower.xml("text", msg_id, Content="查一下办件进度")
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: follower.post(body), range(4)))
    again = follower.post(body)
    replies = [follower.reply_of(answer) for answer in [*answers, again]]
    passive = [reply for reply in replies if reply is not None]
    assert len(passive) == 1 and "办件编号" in passive[0], replies
    conversation = conversation_of(wechat_system.settings.var_dir, follower)
    assert said_by_citizen(wechat_system.settings.var_dir, conversation) == ["查一下办件进度"]
    assert wechat_mock.sent(follower.openid, delivered_only=False) == []


def test_a_slow_bot_answers_success_at_once_then_through_the_api(
    slow_gateway: str, wechat_mock: WeChatApiMock
) -> None:
    follower = Follower(slow_gateway)
    started = time.monotonic()
    response = follower.post(follower.xml("text", Content="查一下办件进度"))
    assert time.monotonic() - started < 5.0
    assert follower.reply_of(response) is None  # "success"
    (sent,) = wechat_mock.wait_sent(follower.openid, 1)
    assert "办件编号" in sent
    metrics = httpx.get(f"{slow_gateway}/metrics").text
    assert 'banshi_turns_total{channel="wechat",outcome="success"}' in metrics


def test_a_voice_message_with_recognition_completes_the_status_query(
    wechat_system: RunningSystem, wechat_mock: WeChatApiMock
) -> None:
    follower = Follower(wechat_system.gateway, aes=True)
    media_calls = wechat_mock.paths().count("/cgi-bin/media/get")
    voice = follower.xml(
        "voice", MediaId="media-recognized", Format="amr", Recognition="查一下办件进度"
    )
    asked = follower.reply_of(follower.post(voice))
    assert asked is not None and "办件编号" in asked
    number = _application()
    told = follower.reply_of(
        follower.post(follower.xml("voice", MediaId="m2", Format="amr", Recognition=number))
    )
    assert told is not None and "高龄津贴申请" in told
    assert wechat_mock.paths().count("/cgi-bin/media/get") == media_calls


def test_a_voice_message_without_recognition_goes_through_our_recognizer(
    wechat_system: RunningSystem, wechat_mock: WeChatApiMock, korean_amr: bytes
) -> None:
    wechat_mock.media["media-korean"] = korean_amr
    follower = Follower(wechat_system.gateway)
    reply = follower.reply_of(
        follower.post(follower.xml("voice", MediaId="media-korean", Format="amr"))
    )
    assert reply  # the bot answered what the recognizer heard
    conversation = conversation_of(wechat_system.settings.var_dir, follower)
    (heard,) = said_by_citizen(wechat_system.settings.var_dir, conversation)
    assert any("\uac00" <= char <= "\ud7af" for char in heard), heard
    assert "/cgi-bin/media/get" in wechat_mock.paths()
    # Audio that is no audio: a plain answer, no turn.
    wechat_mock.media["media-noise"] = b"#!AMR\n" + b"\x00" * 10
    failed = follower.reply_of(
        follower.post(follower.xml("voice", MediaId="media-noise", Format="amr"))
    )
    assert failed is not None and "没听清" in failed
    assert said_by_citizen(wechat_system.settings.var_dir, conversation) == [heard]


def test_events_welcome_menu_and_unfollow(wechat_system: RunningSystem) -> None:
    var = wechat_system.settings.var_dir
    follower = Follower(wechat_system.gateway)
    welcome = follower.event("subscribe")
    assert welcome is not None and "养老金" in welcome and "人工" in welcome
    assert len(welcome.encode()) < 600  # one short message
    first = conversation_of(var, follower)
    clicked = follower.event("CLICK", "query_application_status")
    assert clicked is not None and "办件编号" in clicked
    unknown = follower.event("CLICK", "no_such_service")
    assert unknown is not None and "菜单" in unknown
    assert follower.event("unsubscribe") is None
    follower.says("你好")
    assert conversation_of(var, follower) != first


def test_goodbye_ends_the_conversation(wechat_system: RunningSystem) -> None:
    var = wechat_system.settings.var_dir
    follower = Follower(wechat_system.gateway)
    follower.says("你好")
    first = conversation_of(var, follower)
    bye = follower.says("再见")
    assert bye is not None and "再见" in bye
    follower.says("你好")
    assert conversation_of(var, follower) != first
