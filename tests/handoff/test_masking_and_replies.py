"""Pure helpers: the one masking helper, reading a waiting citizen's short answers, the queue's
estimated wait."""

from __future__ import annotations

import math

import pytest

from conversation.masking import mask_mapping, mask_text
from handoff import replies
from handoff.queue import estimated_wait_s, wait_words


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("身份证32050219400101123X", "身份证320502********123X"),
        ("电话13912345678", "电话139****5678"),
        ("电话 139 1234 5678 谢谢", "电话 139****5678 谢谢"),
        ("幺三九幺二三四五六七八", "139****5678"),
        ("卡号6222021234567890123", "卡号***************0123"),
        ("交了1234.50元", "交了1234.50元"),
        ("2026年11月27日10:30", "2026年11月27日10:30"),
        ("我八十二岁，一个人住", "我八十二岁，一个人住"),
    ],
)
def test_mask_text(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_mask_mapping_masks_names_and_numbers() -> None:
    assert mask_mapping(
        {"person_name": "王小明", "phone_number": "13912345678", "relation": "孙子"}
    ) == {
        "person_name": "王**",
        "phone_number": "139****5678",
        "relation": "孙子",
    }


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("13912345678", "13912345678"),
        ("我的电话是 139-1234-5678", "13912345678"),
        ("幺三九幺二三四五六七八", "13912345678"),
        ("座机 0512 6512 3456", "051265123456"),
        ("1391234567", None),
        ("不知道", None),
    ],
)
def test_phone_number(text: str, phone: str | None) -> None:
    assert replies.phone_number(text) == phone


def test_short_answers() -> None:
    assert replies.is_affirm("对") and replies.is_affirm("是的") and not replies.is_affirm("不对")
    assert replies.is_deny("不对") and replies.is_deny("不是这个")
    assert replies.wants_callback("要回电") and replies.wants_to_wait("继续等")
    assert replies.wants_to_cancel("不等了") and not replies.wants_to_cancel("等一下")
    assert replies.consent("我同意") is True and replies.consent("/proxy_consent_agree") is True
    assert replies.consent("不同意") is False and replies.consent("我儿子在外地") is None
    assert replies.consent_method("/proxy_consent_agree", "webchat") == "tapped"
    assert replies.consent_method("我同意", "phone") == "spoken"


def test_estimated_wait() -> None:
    assert estimated_wait_s(1, on_duty=1, mean_handle_s=300) == 150
    assert estimated_wait_s(3, on_duty=2, mean_handle_s=300) == 450
    assert math.isinf(estimated_wait_s(1, on_duty=0, mean_handle_s=300))
    assert wait_words(150) == "大约3分钟" and wait_words(10) == "大约1分钟"
    assert wait_words(math.inf) == "暂时无法估计"
