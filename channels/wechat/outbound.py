"""WeChat's API, as the channel uses it: the access token, the customer-service message
(``message/custom/send``) and voice media (``media/get``), through wechatpy's client pointed at
``api_base``.

The token is fetched once and kept until five minutes before it expires; when many sends need
a token at once, or WeChat says it is stale (40001, 42001, 40014), one thread fetches a new one
under a lock and the others use it (a stale token is refreshed only if nobody replaced it
already), and the call is tried once more. Other errors are not retried: they are raised as
:class:`DeliveryFailed` with WeChat's code (45015: the follower wrote last more than 48 hours
ago; 45047: too many messages since), for the channel to show to staff.

With ``redis_url`` (the scale profile) the token and its expiry live in Redis (wechatpy's
``RedisStorage``) and the fetch is also under a Redis lock, so every gateway process uses one
token and one fetch serves them all; otherwise they live in the process's memory.

wechatpy's client is synchronous (requests, redis): the calls run in worker threads.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import requests
from wechatpy.client import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.redisstorage import RedisStorage

from channels.wechat.config import WeChatConfig

STALE_TOKEN = frozenset({40001, 40014, 42001})
TOKEN_MARGIN_S = 300.0
"""A token this close to its expiry is fetched anew."""

REASONS = {
    45015: "对方超过48小时没有发消息，微信不允许再主动回复",
    45047: "连续发送的消息太多，需等对方再发消息",
    48001: "公众号没有客服消息权限",
    43004: "对方已取消关注",
    40003: "用户标识不对",
}
"""What a WeChat error code means for the staff who see it (others: the code itself)."""


class DeliveryFailed(Exception):
    """A call to WeChat failed: ``code`` is WeChat's errcode (0 when it was not reached)."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(f"wechat api error {code}: {detail}")
        self.code = code
        self.detail = detail

    @property
    def reason(self) -> str:
        """The failure in plain Chinese, for the console."""
        if self.code == 0:
            return "微信服务器连不上"
        return REASONS.get(self.code, f"微信返回错误 {self.code}")


class _Client(WeChatClient):
    """wechatpy's client with its base URL configurable and the token from :class:`WeChatApi`."""

    def __init__(self, api: WeChatApi, config: WeChatConfig) -> None:
        super().__init__(
            config.app_id, config.app_secret, timeout=config.api_timeout_s, auto_retry=False
        )
        self.API_BASE_URL = config.base_url
        self._api = api

    @property
    def access_token(self) -> str:
        return self._api.token()

    def fetch_access_token(self) -> Any:
        return self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )


class WeChatApi:
    """The few API calls the channel makes, with the token cached and refreshed once."""

    def __init__(self, config: WeChatConfig, *, redis_url: str = "") -> None:
        self.config = config
        self._lock = threading.Lock()
        self._client = _Client(self, config)
        self._shared_lock: Any = None
        if redis_url:
            import redis

            connection = redis.Redis.from_url(redis_url, socket_timeout=5)
            self._client.session = RedisStorage(connection, prefix="banshi:wechat")
            self._shared_lock = connection.lock(
                f"banshi:wechat:{config.app_id}:token-lock", timeout=30, blocking_timeout=30
            )
        self.token_fetches = 0
        """How many tokens this process fetched (for metrics and tests)."""

    @property
    def _expiry_key(self) -> str:
        return f"{self._client.access_token_key}_expires_at"

    @contextmanager
    def _fetching(self) -> Iterator[None]:
        """One fetch at a time: in this process, and across processes with Redis."""
        with self._lock, self._shared_lock or nullcontext():
            yield

    def _cached(self) -> str | None:
        session = self._client.session
        token = session.get(self._client.access_token_key)
        expires_at = session.get(self._expiry_key)
        if token and expires_at and float(expires_at) - time.time() > TOKEN_MARGIN_S:
            return str(token)
        return None

    def _fetch(self) -> str:
        answer = self._client.fetch_access_token()
        lifetime = int(answer.get("expires_in") or 7200)
        self._client.session.set(self._expiry_key, time.time() + lifetime, lifetime)
        self.token_fetches += 1
        return str(self._client.session.get(self._client.access_token_key))

    def token(self) -> str:
        """A valid access token (fetched when there is none or it is about to expire)."""
        token = self._cached()
        if token:
            return token
        with self._fetching():
            return self._cached() or self._fetch()

    def _refresh(self, stale: str) -> None:
        """WeChat refused ``stale``: fetch a new token unless another thread already did."""
        with self._fetching():
            current = self._cached()
            if current is None or current == stale:
                self._fetch()

    def _call(self, method: Any, *args: Any) -> Any:
        try:
            try:
                token = self.token()
                return method(*args)
            except WeChatClientException as error:
                if int(error.errcode or 0) not in STALE_TOKEN:
                    raise
                self._refresh(token)
                return method(*args)
        except WeChatClientException as error:
            code = int(error.errcode or 0) or -1
            raise DeliveryFailed(code, str(error.errmsg or "")) from None
        except (requests.RequestException, ValueError) as error:
            raise DeliveryFailed(0, type(error).__name__) from None
        except Exception as error:  # the token store (Redis) unreachable: nothing was sent
            raise DeliveryFailed(0, type(error).__name__) from None

    async def send_text(self, openid: str, text: str) -> None:
        """A customer-service text message to the follower."""
        await asyncio.to_thread(self._call, self._client.message.send_text, openid, text)

    async def media(self, media_id: str) -> bytes:
        """A voice message's audio (AMR or Speex), at most ``max_media_bytes``."""
        response = await asyncio.to_thread(self._call, self._client.media.download, media_id)
        if isinstance(response, dict):
            raise DeliveryFailed(-1, "media/get answered JSON")
        content = bytes(response.content)
        if len(content) > self.config.max_media_bytes:
            raise DeliveryFailed(-1, "media too large")
        return content
