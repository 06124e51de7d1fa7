"""The WeChat channel's configuration (part of the gateway's, built by ``banshi.apps``)."""

from __future__ import annotations

from dataclasses import dataclass

OFFICIAL_API_BASE = "https://api.weixin.qq.com/cgi-bin/"


@dataclass(frozen=True)
class WeChatConfig:
    """The Official Account's credentials and the channel's limits; units in the names.

    The channel is off (its routes answer 404 ``wechat_disabled``) until the four credentials
    are set: they come from the account's 基本配置 page.
    """

    app_id: str = ""
    token: str = ""
    """The server configuration's Token: WeChat signs every request with it."""
    aes_key: str = ""
    """The EncodingAESKey (43 characters) of safe mode (安全模式)."""
    app_secret: str = ""
    api_base: str = OFFICIAL_API_BASE
    """Where the API is reached (``token``, ``message/custom/send``, ``media/get``); tests and
    a private egress gateway point it elsewhere."""
    reply_budget_s: float = 4.0
    """How long a request waits for the bot before it answers ``success`` and sends the answer
    through the customer-service API (WeChat gives up after 5 s and retries)."""
    idle_s: float = 1800.0
    """After this long without a message, the next one starts a new conversation."""
    max_xml_bytes: int = 16 * 1024
    """The largest request body read; WeChat's own messages are a few kilobytes at most."""
    api_timeout_s: float = 5.0
    max_media_bytes: int = 2 * 1024 * 1024
    """The largest voice file fetched (60 s of AMR is about 100 KB)."""
    redis_url: str = ""
    """The scale profile's Redis: one access token for every gateway process (empty: each
    process keeps its own in memory)."""

    def __post_init__(self) -> None:
        if self.enabled and len(self.aes_key) != 43:
            raise ValueError("BANSHI_WECHAT_AES_KEY must be the 43-character EncodingAESKey")
        if not 0 < self.reply_budget_s < 5:
            raise ValueError("BANSHI_WECHAT_REPLY_BUDGET_S must be between 0 and 5 seconds")
        if self.idle_s <= 0:
            raise ValueError("BANSHI_WECHAT_IDLE_S must be positive")

    def missing(self) -> list[str]:
        """The settings still to set before the channel is on (empty: it is on)."""
        names = {
            "BANSHI_WECHAT_APP_ID": self.app_id,
            "BANSHI_WECHAT_TOKEN": self.token,
            "BANSHI_WECHAT_AES_KEY": self.aes_key,
            "BANSHI_WECHAT_APP_SECRET": self.app_secret,
            "BANSHI_WECHAT_API_BASE": self.api_base,
        }
        return [name for name, value in names.items() if not value.strip()]

    @property
    def enabled(self) -> bool:
        """Whether every credential is set."""
        return not self.missing()

    @property
    def base_url(self) -> str:
        """``api_base`` ending with one slash (wechatpy appends the endpoint to it)."""
        return self.api_base.rstrip("/") + "/"
