"""Staff through WeChat: the citizen's words reach the console, staff replies go out through
the customer-service API, an undeliverable one is marked in the transcript; the access token
is refreshed once when twenty sends need it at the same time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.conftest import RunningSystem
from tests.handoff.kit import Console, add_staff, new_district
from tests.wechat.kit import Follower, conversation_of
from tests.wechat.mock_api import WeChatApiMock


def _handed_off(system: RunningSystem, console: Console, follower: Follower) -> tuple[str, str]:
    queued = follower.says("转人工")
    assert queued is not None and "工作人员" in queued, queued
    conversation = conversation_of(system.settings.var_dir, follower)
    waiting = console.get("/api/handoffs", status="waiting").json()
    items = waiting["handoffs"] if isinstance(waiting, dict) else waiting
    (handoff,) = [h for h in items if h["conversation_id"] == conversation]
    assert console.post(f"/api/handoffs/{handoff['id']}/claim").status_code == 200
    return conversation, str(handoff["id"])


def test_a_staff_reply_goes_out_through_the_api(
    wechat_system: RunningSystem, wechat_mock: WeChatApiMock
) -> None:
    (account,) = add_staff(wechat_system, ("supervisor", new_district()))
    follower = Follower(wechat_system.gateway)
    with Console(wechat_system.gateway, account) as console:
        conversation, handoff = _handed_off(wechat_system, console, follower)
        follower.says("我想问问老年卡")  # kept for staff (the answer is a queue notice or none)
        transcript = console.get(f"/api/conversations/{conversation}/transcript").json()
        texts = [m["text"] for m in transcript["messages"]]
        assert "我想问问老年卡" in texts
        sent = console.post(
            f"/api/handoffs/{handoff}/messages", {"text": "您好，老年卡带身份证来办。"}
        )
        assert sent.status_code in (200, 201), sent.text
    delivered = wechat_mock.sent(follower.openid)
    assert any("现在由我为您服务" in text for text in delivered), delivered
    assert "【工作人员】您好，老年卡带身份证来办。" in delivered


def test_an_undeliverable_reply_is_marked_in_the_console(
    wechat_system: RunningSystem, wechat_mock: WeChatApiMock
) -> None:
    (account,) = add_staff(wechat_system, ("supervisor", new_district()))
    follower = Follower(wechat_system.gateway)
    with Console(wechat_system.gateway, account) as console:
        conversation, handoff = _handed_off(wechat_system, console, follower)
        wechat_mock.failing[follower.openid] = 45015
        sent = console.post(f"/api/handoffs/{handoff}/messages", {"text": "请问还在吗？"})
        assert sent.status_code in (200, 201), sent.text
        transcript = console.get(f"/api/conversations/{conversation}/transcript").json()
    marked = [m for m in transcript["messages"] if m.get("code") == "wechat_undelivered"]
    assert marked and "48小时" in marked[-1]["text"] and marked[-1]["from"] == "system"
    refused = [c for c in wechat_mock.calls if c.body.get("touser") == follower.openid]
    assert refused[-1].errcode == 45015
    assert sum(c.errcode == 45015 and c.body.get("touser") == follower.openid for c in refused) == 1


def test_the_token_is_refreshed_once_for_twenty_concurrent_sends(
    slow_gateway: str, wechat_mock: WeChatApiMock
) -> None:
    warm = Follower(slow_gateway)
    assert warm.says("你好") is None
    wechat_mock.wait_sent(warm.openid, 1)
    wechat_mock.expire_tokens()
    fetched = wechat_mock.token_fetches()
    followers = [Follower(slow_gateway) for _ in range(20)]
    with ThreadPoolExecutor(20) as pool:
        replies = list(pool.map(lambda f: f.says("你好"), followers))
    assert replies == [None] * 20
    for follower in followers:
        (text,) = wechat_mock.wait_sent(follower.openid, 1)
        assert "您好" in text
    assert wechat_mock.token_fetches() == fetched + 1
