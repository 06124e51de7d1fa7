"""conversation.validation: user text and chat requests."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from conversation.validation import ChatRequest, CodedError, clean_text


def test_clean_text_folds_whitespace_and_normalises() -> None:
    assert clean_text("  你好\n\t小助手  ", max_chars=50) == "你好 小助手"
    # NFC: a decomposed character is composed.
    assert clean_text("e\u0301", max_chars=5) == "\u00e9"


def test_clean_text_removes_invisible_formatting() -> None:
    """A zero-width space from a phone keyboard, a byte order mark, tag characters: gone."""
    hidden = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\U000e0001\U000e007f"
    assert clean_text(f"交{hidden}学费", max_chars=5) == "交学费"
    assert clean_text("一二三四五\u200b", max_chars=5) == "一二三四五"  # not counted


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "text_empty"),
        (" \n ", "text_empty"),
        ("a\x00b", "text_control_chars"),
        ("a\x1bb", "text_control_chars"),
        ("a\x85b", "text_control_chars"),
        ("a\u202eb", "text_control_chars"),
        ("a\ud800b", "text_invalid_chars"),
        ("a\udfffb", "text_invalid_chars"),
        ("a\ufffeb", "text_invalid_chars"),
        ("a\ufdd0b", "text_invalid_chars"),
        ("a\U0001ffffb", "text_invalid_chars"),
        ("\u200b\ufeff", "text_empty"),
        ("长" * 11, "text_too_long"),
    ],
)
def test_clean_text_refuses(text: str, code: str) -> None:
    with pytest.raises(CodedError) as caught:
        clean_text(text, max_chars=10)
    assert caught.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(caught.value))


def test_chat_request_accepts_the_contract() -> None:
    request = ChatRequest(
        conversation_id="abc_DEF-123", text="你好", metadata={"input": "button"}, message_id="m-1"
    )
    assert request.channel == "webchat" and request.metadata == {"input": "button"}
    assert request.message_id == "m-1"


def test_chat_request_keeps_only_the_metadata_a_client_may_send() -> None:
    metadata = {"district": "姑苏区", "citizen_age": 95, "accessibility": {"large_text": True}}
    request = ChatRequest.parse_obj({"text": "你好", "metadata": metadata})
    assert request.metadata == {"accessibility": {"large_text": True}}
    assert ChatRequest.parse_obj({"text": "你好"}).conversation_id is None


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"conversation_id": "a b c d e f g"}, "conversation_id_invalid"),
        ({"conversation_id": "_startsbad"}, "conversation_id_invalid"),
        ({"conversation_id": "abcdefgh12\n"}, "conversation_id_invalid"),
        ({"text": 5}, "text_invalid"),
        ({"text": True}, "text_invalid"),
        ({"metadata": {"k": "\ud800"}}, "text_invalid_chars"),
        ({"channel": "telegram"}, "channel_invalid"),
        ({"channel": "kiosk"}, "channel_invalid"),  # bound on the server side, not over HTTP
        ({"message_id": "a b"}, "message_id_invalid"),
        ({"message_id": "x" * 65}, "message_id_invalid"),
        ({"metadata": {"x": "y" * 5000}}, "metadata_too_large"),
    ],
)
def test_chat_request_refuses(fields: dict, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ChatRequest.parse_obj({"text": "你好", **fields})
    assert caught.value.errors()[0]["ctx"]["code"] == code
