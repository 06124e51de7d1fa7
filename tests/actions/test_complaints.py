"""投诉建议 (actions/services/complaints.py) against a real sandbox: exact slots and texts."""

from __future__ import annotations

from typing import Any

import pytest

from actions.services.complaints import (
    SKIPPED,
    Complaint,
    category_of,
    shorten,
    tells_what_happened,
)
from tests.actions.conftest import said, text_turns

SERVICE = Complaint()


turn = text_turns("complaint", "complaints-test")


@pytest.mark.parametrize(
    ("request_text", "tells"),
    [
        ("我要投诉", False),
        ("我想提个建议", False),
        ("打12345投诉", False),
        ("对你们的服务有意见", False),
        ("小区门口的路灯坏了没人修", True),
        ("办事排队太久了 我要投诉", True),
    ],
)
def test_tells_what_happened(request_text: str, tells: bool) -> None:
    assert tells_what_happened(request_text) is tells


def test_category_and_summary() -> None:
    assert category_of("我想提个建议") == "suggestion"
    assert category_of("对服务有意见") == "suggestion"
    assert category_of("我要投诉，提个意见") == "complaint"
    assert category_of("路灯坏了") == "complaint"
    assert shorten("小区门口的路灯坏了一个多月了，一直没人来修") == (
        "小区门口的路灯坏了一个多月了，一直没人来修"
    )


async def test_a_request_that_tells_it_is_the_content() -> None:
    current = turn(
        "姑苏区小区门口的路灯坏了没人修",
        intent="file_complaint",
        entities=({"entity": "district", "value": "姑苏区"},),
    )
    assert await SERVICE.prepare(current) == {
        "complaint_category": "complaint",
        "complaint_content": "姑苏区小区门口的路灯坏了没人修",
        "complaint_location": "姑苏区",
    }
    assert await SERVICE.prepare(turn("我想提个建议", intent="file_complaint")) == {
        "complaint_category": "suggestion"
    }


async def test_content_location_and_phone_answers() -> None:
    short = turn("路灯坏")
    assert await SERVICE.validate("complaint_content", "路灯坏", short) == {
        "complaint_content": None
    }
    assert said(short) == ["请把事情说详细一点，至少五个字。"]
    content = turn("楼下的路灯坏了一个月")
    assert await SERVICE.validate("complaint_content", "楼下的路灯坏了一个月", content) == {
        "complaint_content": "楼下的路灯坏了一个月",
        "complaint_category": "complaint",
    }
    skip = turn("不说地点")
    assert await SERVICE.validate("complaint_location", "不说地点", skip) == {
        "complaint_location": SKIPPED
    }
    place = turn("高新区狮山路", entities=({"entity": "district", "value": "虎丘区"},))
    assert await SERVICE.validate("complaint_location", "高新区狮山路", place) == {
        "complaint_location": "虎丘区 高新区狮山路"
    }
    phone = turn("幺三九 幺二三四 五六七八")
    assert await SERVICE.validate("complaint_phone", phone.latest_text(), phone) == {
        "complaint_phone": "13912345678",
        "complaint_phone_confirmed": None,
    }
    no_phone = turn("不留")
    assert await SERVICE.validate("complaint_phone", "不留", no_phone) == {
        "complaint_phone": SKIPPED,
        "complaint_phone_confirmed": None,
    }
    assert "complaint_phone_confirmed" not in SERVICE.steps(turn("", complaint_phone=SKIPPED))


async def test_phone_read_back_corrected_and_the_summary() -> None:
    ask = turn("", complaint_phone="13912345678")
    await SERVICE.ask("complaint_phone_confirmed", ask)
    assert said(ask) == ["手机号是 139 1234 5678，对吗？"]
    wrong = turn("不对", intent="deny", complaint_phone="13912345678")
    assert await SERVICE.validate("complaint_phone_confirmed", False, wrong) == {
        "complaint_phone": None,
        "complaint_phone_confirmed": None,
    }
    assert said(wrong) == ["好的，我们重新说手机号。"]
    corrected = turn("不对，是13812345678", intent="deny", complaint_phone="13912345678")
    assert await SERVICE.validate("complaint_phone_confirmed", False, corrected) == {
        "complaint_phone": "13812345678",
        "complaint_phone_confirmed": None,
    }
    summary = turn(
        "",
        complaint_category="suggestion",
        complaint_content="办事大厅里加几把椅子",
        complaint_location=SKIPPED,
        complaint_phone="13812345678",
    )
    await SERVICE.ask("complaint_confirmed", summary)
    assert said(summary) == [
        "我记下了您的建议：办事大厅里加几把椅子。",
        "回复电话：138 1234 5678。",
        "这样提交吗？",
    ]


async def test_yes_opens_one_ticket_even_when_repeated(platform: None) -> None:
    slots: dict[str, Any] = {
        "complaint_category": "complaint",
        "complaint_content": "楼下的路灯坏了一个月",
        "complaint_location": "姑苏区人民路",
        "complaint_phone": "13912345678",
        "complaint_confirmed": True,
    }
    tickets = []
    for _ in range(2):
        current = turn("对", intent="affirm", sender="complaints-ticket", **slots)
        assert await SERVICE.complete(current) == []
        texts = said(current)
        assert texts[0] == "已经转给12345热线了。"
        assert texts[2] == "3到5个工作日内，工作人员会打电话回复您。"
        tickets.append(texts[1])
    assert tickets[0] == tickets[1] and tickets[0].startswith("工单号是 GD")
    anonymous = turn(
        "对", intent="affirm", **{**slots, "complaint_phone": SKIPPED, "complaint_location": None}
    )
    await SERVICE.complete(anonymous)
    assert said(anonymous)[2:] == [
        "3到5个工作日内会有处理结果。",
        "想问结果，请打12345，报工单号。",
    ]


async def test_content_refused_by_the_platform_is_explained(platform: None) -> None:
    current = turn("对", intent="affirm", complaint_content="灯坏", complaint_phone=SKIPPED)
    assert await SERVICE.complete(current) == []
    assert said(current) == ["内容太短了，至少要说五个字。", "请把事情再说详细一点。"]
