"""A follower of the Official Account, as WeChat's servers speak for them: messages as XML,
signed with wechatpy's signer and, in safe mode, encrypted with wechatpy's crypto."""

from __future__ import annotations

import itertools
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner, random_string

from tests.wechat.mock_api import APP_ID

TOKEN = "banshiTestToken2026"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ACCOUNT = "gh_banshi0000001"
_msg_ids = itertools.count(int(time.time()) * 1000)


def sign(*parts: str) -> str:
    """WeChat's signature over ``parts`` (wechatpy's signer)."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def next_msg_id() -> int:
    """A fresh MsgId."""
    return next(_msg_ids)


class Follower:
    """One follower, posting to ``gateway``'s ``/wechat`` (``aes``: in safe mode)."""

    def __init__(self, gateway: str, *, aes: bool = False, openid: str = "") -> None:
        self.gateway = gateway
        self.aes = aes
        self.openid = openid or f"o{uuid.uuid4().hex[:27]}"
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)

    def xml(self, kind: str, msg_id: int | None = None, **fields: Any) -> str:
        """A message from this follower (``kind``: text, voice, event)."""
        message: dict[str, Any] = {
            "ToUserName": ACCOUNT,
            "FromUserName": self.openid,
            "CreateTime": str(int(time.time())),
            "MsgType": kind,
            **fields,
        }
        if kind != "event":
            message["MsgId"] = str(msg_id or next_msg_id())
        return str(xmltodict.unparse({"xml": message}, full_document=False))

    def request(
        self, body: str | bytes, *, signature: str | None = None
    ) -> tuple[dict[str, str], bytes]:
        """The query and body WeChat would send for ``body`` (encrypted in safe mode)."""
        timestamp, nonce = str(int(time.time())), random_string(10)
        query = {
            "signature": signature or sign(TOKEN, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": self.openid,
        }
        if self.aes and isinstance(body, str):
            sealed = xmltodict.parse(self.crypto.encrypt_message(body, nonce, timestamp))["xml"]
            query.update(encrypt_type="aes", msg_signature=sealed["MsgSignature"])
            body = xmltodict.unparse(
                {"xml": {"ToUserName": ACCOUNT, "Encrypt": sealed["Encrypt"]}}, full_document=False
            )
        return query, body.encode() if isinstance(body, str) else body

    def post(self, body: str | bytes, *, signature: str | None = None) -> httpx.Response:
        """POST ``body`` to /wechat as WeChat does."""
        query, raw = self.request(body, signature=signature)
        return httpx.post(
            f"{self.gateway}/wechat",
            params=query,
            content=raw,
            headers={"Content-Type": "text/xml"},
            timeout=30,
        )

    def reply_of(self, response: httpx.Response) -> str | None:
        """The passive reply's text (decrypted and its signature checked in safe mode); None
        for ``success``."""
        assert response.status_code == 200, response.text
        if response.text in ("success", ""):
            return None
        document = xmltodict.parse(response.text)["xml"]
        if self.aes:
            plain = self.crypto.decrypt_message(
                response.text, document["MsgSignature"], document["TimeStamp"], document["Nonce"]
            )
            document = xmltodict.parse(plain)["xml"]
        assert document["ToUserName"] == self.openid and document["FromUserName"] == ACCOUNT
        assert document["MsgType"] == "text"
        return str(document["Content"])

    def says(self, text: str, msg_id: int | None = None) -> str | None:
        """A text message; its passive reply (None: ``success``)."""
        return self.reply_of(self.post(self.xml("text", msg_id, Content=text)))

    def event(self, event: str, key: str = "") -> str | None:
        """An event (subscribe, unsubscribe, CLICK with ``key``); its passive reply."""
        fields: dict[str, Any] = {"Event": event}
        if key:
            fields["EventKey"] = key
        return self.reply_of(self.post(self.xml("event", **fields)))


def rows(var_dir: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Rows of the gateway's SQLite database."""
    with sqlite3.connect(var_dir / "gateway.db") as connection:
        return list(connection.execute(sql, args).fetchall())


def conversation_of(var_dir: Path, follower: Follower) -> str:
    """The follower's current conversation (by the hash of app id + OpenID)."""
    import hashlib

    key = hashlib.sha256(f"{APP_ID}{follower.openid}".encode()).hexdigest()
    found = rows(
        var_dir, "SELECT conversation_id FROM wechat_conversations WHERE openid_hash=?", key
    )
    assert found and found[0][0], "no conversation for the follower"
    return str(found[0][0])


def said_by_citizen(var_dir: Path, conversation_id: str) -> list[str]:
    """The citizen's messages of a conversation, in order."""
    return [
        str(text)
        for (text,) in rows(
            var_dir,
            "SELECT text FROM messages WHERE conversation_id=? AND party='citizen' ORDER BY id",
            conversation_id,
        )
    ]
