"""WeChat's side of the wire, all through wechatpy: the request signature, safe mode's AES,
the message XML in and the passive reply XML out. Nothing here is hand-written crypto or XML.

A request is checked in this order, and the first failure answers it: the body's size (400
``wechat_xml_too_large``), the signature of the query (403 ``wechat_signature_invalid``), then
the decryption (safe mode: the message signature too) and the XML (400 ``wechat_xml_invalid``).
Nothing is stored before all three passed.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature, random_string

from channels.wechat.config import WeChatConfig
from conversation.errors import ApiError

MAX_FIELD_CHARS = 128
"""The longest signature, timestamp, nonce or echostr accepted in the query."""


def signature_invalid() -> ApiError:
    """The answer to a request WeChat did not sign (nothing is read or stored)."""
    return ApiError(403, "wechat_signature_invalid", "签名不对，请求没有处理。")


def xml_invalid() -> ApiError:
    """The answer to a body that is not a WeChat message."""
    return ApiError(400, "wechat_xml_invalid", "消息格式不对。")


@dataclass(frozen=True)
class Query:
    """The signed query of a request from WeChat."""

    signature: str
    timestamp: str
    nonce: str
    encrypt_type: str = ""
    msg_signature: str = ""

    @property
    def aes(self) -> bool:
        """Safe mode: the body is encrypted and the reply must be."""
        return self.encrypt_type.lower() == "aes"


@dataclass(frozen=True)
class Inbound:
    """One message or event from a follower, as the channel needs it."""

    kind: str
    """``text``, ``voice``, ``event`` or another WeChat type (answered with a hint)."""
    openid: str
    account: str
    """The Official Account's own id (``ToUserName``): the reply comes from it."""
    create_time: int
    """Seconds since the epoch, as WeChat stamped the message."""
    msg_id: int = 0
    text: str = ""
    media_id: str = ""
    media_format: str = ""
    recognition: str = ""
    event: str = ""
    event_key: str = ""

    @property
    def turn_id(self) -> str:
        """The message id the core makes a turn of once: ``MsgId``, or for an event (which has
        none) its time, kind and key (the turn is the follower's: the sender is implied), as
        WeChat's retries of one event carry the same."""
        if self.msg_id:
            return f"wx-{self.msg_id}"
        what = hashlib.sha256(f"{self.event}|{self.event_key}".encode()).hexdigest()[:16]
        return f"wx-ev-{self.create_time}-{what}"


def check_query(config: WeChatConfig, query: Query) -> None:
    """Refuse a request whose query WeChat did not sign with our token."""
    fields = (query.signature, query.timestamp, query.nonce, query.msg_signature)
    if not query.signature or any(len(value) > MAX_FIELD_CHARS for value in fields):
        raise signature_invalid()
    try:
        check_signature(config.token, query.signature, query.timestamp, query.nonce)
    except InvalidSignatureException:
        raise signature_invalid() from None


def _crypto(config: WeChatConfig) -> WeChatCrypto:
    return WeChatCrypto(config.token, config.aes_key, config.app_id)


def read_message(config: WeChatConfig, query: Query, body: bytes) -> Inbound:
    """The message in a signed request's ``body`` (decrypted in safe mode)."""
    if len(body) > config.max_xml_bytes:
        raise ApiError(400, "wechat_xml_too_large", "消息太大了。")
    check_query(config, query)
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise xml_invalid()  # WeChat never sends them; expanding entities is an attack
    try:
        xml = body.decode("utf-8")
        if query.aes:
            if not query.msg_signature:
                raise signature_invalid()
            xml = _crypto(config).decrypt_message(
                xml, query.msg_signature, query.timestamp, query.nonce
            )
        return _inbound(parse_message(xml))
    except InvalidSignatureException:
        raise signature_invalid() from None
    except ApiError:
        raise
    except Exception:  # expat, base64, padding, a missing or ill-typed field: all the sender's
        raise xml_invalid() from None


def _inbound(message: Any) -> Inbound:
    if message is None:
        raise ValueError("empty")
    kind = str(message.type or "unknown")
    openid = str(message.source or "")
    if not openid or len(openid) > MAX_FIELD_CHARS:
        raise ValueError("no sender")
    common: dict[str, Any] = {
        "kind": kind,
        "openid": openid,
        "account": str(message.target or ""),
        "create_time": int(message.time or 0),
        "msg_id": int(message.id or 0),
    }
    if kind == "text":
        return Inbound(**common, text=str(message.content or ""))
    if kind == "voice":
        return Inbound(
            **common,
            media_id=str(message.media_id or ""),
            media_format=str(message.format or ""),
            recognition=str(message.recognition or ""),
        )
    if kind == "event":
        event = str(message.event or "").lower()
        key = getattr(message, "key", None) or ""
        return Inbound(**common, event=event, event_key=str(key))
    return Inbound(**common)


def passive_reply(config: WeChatConfig, query: Query, inbound: Inbound, text: str) -> str:
    """The XML of a text reply to ``inbound`` (encrypted and signed in safe mode)."""
    xml = TextReply(
        source=inbound.account, target=inbound.openid, content=text, time=int(time.time())
    ).render()
    if not query.aes:
        return str(xml)
    return str(_crypto(config).encrypt_message(xml, random_string(16), str(int(time.time()))))


def echo(config: WeChatConfig, query: Query, echostr: str) -> str:
    """URL verification: the ``echostr`` back, once the signature is right."""
    check_query(config, query)
    if not echostr or len(echostr) > MAX_FIELD_CHARS:
        raise signature_invalid()
    return echostr
