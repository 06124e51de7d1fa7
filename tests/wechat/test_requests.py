"""``/wechat`` refuses what WeChat did not send: URL verification, signatures on every request,
safe mode's message signature, malformed and oversized XML; and nothing is stored then."""

from __future__ import annotations

import httpx

from tests.conftest import RunningSystem
from tests.wechat.kit import TOKEN, Follower, rows, sign
from tests.wechat.mock_api import WeChatApiMock


def _counts(system: RunningSystem) -> tuple[int, int, int]:
    var = system.settings.var_dir
    return (
        rows(var, "SELECT COUNT(*) FROM conversations")[0][0],
        rows(var, "SELECT COUNT(*) FROM messages")[0][0],
        rows(var, "SELECT COUNT(*) FROM wechat_conversations")[0][0],
    )


def test_url_verification_echoes_only_a_signed_echostr(wechat_system: RunningSystem) -> None:
    query = {"timestamp": "1733400000", "nonce": "n0nce", "echostr": "4711815217283720912"}
    signed = {**query, "signature": sign(TOKEN, query["timestamp"], query["nonce"])}
    answer = httpx.get(f"{wechat_system.gateway}/wechat", params=signed)
    assert answer.status_code == 200 and answer.text == "4711815217283720912"
    forged = httpx.get(f"{wechat_system.gateway}/wechat", params={**query, "signature": "0" * 40})
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "wechat_signature_invalid"


def test_a_bad_signature_is_refused_and_nothing_is_stored(
    wechat_system: RunningSystem, wechat_mock: WeChatApiMock
) -> None:
    before, calls = _counts(wechat_system), len(wechat_mock.calls)
    plain, safe = Follower(wechat_system.gateway), Follower(wechat_system.gateway, aes=True)
    forged = plain.post(plain.xml("text", Content="你好"), signature="f" * 40)
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "wechat_signature_invalid"
    # Safe mode: the query is signed, but the message signature is not the body's.
    query, body = safe.request(safe.xml("text", Content="你好"))
    query["msg_signature"] = "0" * 40
    tampered = httpx.post(f"{wechat_system.gateway}/wechat", params=query, content=body)
    assert tampered.status_code == 403
    unsigned = httpx.post(f"{wechat_system.gateway}/wechat", content=b"<xml></xml>")
    assert unsigned.status_code == 403
    assert _counts(wechat_system) == before
    assert len(wechat_mock.calls) == calls


def test_malformed_and_oversized_xml_get_400_with_a_code(wechat_system: RunningSystem) -> None:
    follower = Follower(wechat_system.gateway)
    before = _counts(wechat_system)
    cases = {
        b"<xml><MsgType>text</MsgType": "wechat_xml_invalid",
        b"not xml at all": "wechat_xml_invalid",
        b"<xml><ToUserName>x</ToUserName></xml>": "wechat_xml_invalid",
        b'<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>': "wechat_xml_invalid",
        b"\xff\xfe<xml/>": "wechat_xml_invalid",
        follower.xml("text", Content="长" * 8000).encode(): "wechat_xml_too_large",
    }
    for body, code in cases.items():
        answer = follower.post(body)
        assert answer.status_code == 400, (body[:40], answer.text)
        assert answer.json()["error"]["code"] == code
    # Safe mode with an Encrypt that is not base64 of our key's ciphertext.
    safe = Follower(wechat_system.gateway, aes=True)
    query, _ = safe.request(safe.xml("text", Content="你好"))
    garbage = "<xml><Encrypt>bm90IGNpcGhlcnRleHQ=</Encrypt></xml>"
    query["msg_signature"] = sign(TOKEN, query["timestamp"], query["nonce"], "bm90IGNpcGhlcnRleHQ=")
    answer = httpx.post(f"{wechat_system.gateway}/wechat", params=query, content=garbage)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "wechat_xml_invalid"
    assert _counts(wechat_system) == before


def test_safe_mode_answers_encrypted_and_a_number_chooses_an_option(
    wechat_system: RunningSystem,
) -> None:
    follower = Follower(wechat_system.gateway, aes=True)
    greeting = follower.says("你好")
    assert greeting is not None and "回复1 查养老金" in greeting, greeting
    assert "回复3 我能办什么" in greeting
    chosen = follower.says("3")
    assert chosen is not None and "养老金" in chosen and "回复" not in chosen.split("\n")[0]
