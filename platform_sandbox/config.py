"""Settings of the platform sandbox, read from ``BANSHI_SANDBOX_*`` environment variables."""

from __future__ import annotations

from datetime import date

from pydantic import BaseSettings, Field, validator

from .synthetic.dataset import DEFAULT_SEED


class SandboxConfig(BaseSettings):
    """Configuration of one sandbox process.

    Nothing is read at import time: the environment is read when an instance is built
    (``create_app`` builds one when it is given none).
    """

    database_url: str = "sqlite:///var/sandbox.db"
    """SQLAlchemy URL; relative SQLite paths are relative to the working directory."""

    client_keys: str = "dev-platform-key"
    """Comma-separated bearer keys accepted on ``/v1`` (one per calling system)."""

    seed: int = DEFAULT_SEED  # 20261127
    """Seed of the synthetic data; the same seed always gives the same citizens and bills."""

    today: date | None = Field(default=None, env="BANSHI_TODAY")
    """The calendar day of the platform (``BANSHI_TODAY=2026-12-01``), for tests and replayed
    demos; unset, it is today's date in Beijing. The data is laid out around it."""

    helpers_enabled: bool = True
    """Whether the sandbox-only ``/v1/sandbox`` routes exist (404 when disabled)."""

    citizen_token_ttl_s: int = 1800
    """Lifetime of a citizen token, in seconds (30 minutes)."""

    sms_code_ttl_s: int = 300
    """Lifetime of an SMS verification code, in seconds (5 minutes)."""

    sms_resend_interval_s: int = 60
    """Seconds before another code may be sent to the same phone (``sms_too_frequent``)."""

    presentation_ttl_s: int = 300
    """Lifetime of a certificate presentation code, in seconds (5 minutes)."""

    payment_ttl_s: int = 1800
    """How long a pending payment's pay code can be paid, in seconds; then it is ``expired``
    and the bill can be paid anew."""

    rate_limit_per_s: float = 100.0
    """Requests a second allowed per client key on ``/v1`` (0 disables the limit)."""

    rate_limit_burst: int = 200
    """Requests a client key may make at once before the rate applies."""

    class Config:
        env_prefix = "BANSHI_SANDBOX_"

    @validator("today", pre=True)
    def _blank_today_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @validator("client_keys")
    def _at_least_one_key(cls, value: str) -> str:
        if not [key for key in value.split(",") if key.strip()]:
            raise ValueError(
                "BANSHI_SANDBOX_CLIENT_KEYS is empty: give at least one key, "
                "e.g. BANSHI_SANDBOX_CLIENT_KEYS=dev-platform-key"
            )
        return value

    def accepted_keys(self) -> tuple[str, ...]:
        """The accepted bearer keys, stripped, in configuration order."""
        return tuple(key.strip() for key in self.client_keys.split(",") if key.strip())
