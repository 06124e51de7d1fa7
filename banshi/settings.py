"""banshi's settings: one typed class read from ``BANSHI_*`` environment variables.

Nothing here runs at import time. The composition root (the CLI, the app factories in
``banshi.apps``) calls :func:`get_settings` and hands each part the values it needs; the parts
never read the environment themselves, except the action server, which is started by Rasa's SDK
and reads the variables that :meth:`Settings.child_env` exports for it (see ``actions/config.py``).
"""

from __future__ import annotations

import secrets
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse, urlunparse

from pydantic import BaseSettings, validator

Profile = Literal["embedded", "scale"]

# Secrets the embedded profile may generate for one run; outside it they must be configured.
_SECRET_FIELDS = ("rasa_token", "action_token", "service_token", "platform_client_key")
_PLACEHOLDERS = {"", "changeme", "change-me", "secret", "token"}

NO_TELEMETRY = {"RASA_TELEMETRY_ENABLED": "false"}
"""Rasa's anonymous usage reporting is off in every process we start (it would send data out)."""


class SettingsError(ValueError):
    """A setting is missing or unsafe; the message says which variable to set and how."""


TURNS_AT_ONCE_RANGE = range(1, 65)
"""What ``BANSHI_RASA_TURNS_AT_ONCE`` may be (checked here and by the Rasa process, which reads
its environment without the settings: banshi.rasa_admission)."""


def check_turns_at_once(value: int) -> int:
    """``value`` when it is in :data:`TURNS_AT_ONCE_RANGE`, else ``ValueError``."""
    if value not in TURNS_AT_ONCE_RANGE:
        low, high = TURNS_AT_ONCE_RANGE[0], TURNS_AT_ONCE_RANGE[-1]
        raise ValueError(f"BANSHI_RASA_TURNS_AT_ONCE must be between {low} and {high}, not {value}")
    return value


class Settings(BaseSettings):
    """Every setting of the whole system. Field ``x`` is read from ``BANSHI_X``."""

    profile: Profile = "embedded"
    var_dir: Path = Path("var")
    models_dir: Path = Path("var/models")
    host: str = "127.0.0.1"

    gateway_port: int = 8000
    rasa_port: int = 5005
    # Where the gateway reaches Rasa: loopback when `banshi run` starts both on one machine;
    # Rasa's Service name where each runs in its own container (deploy/k8s/).
    rasa_host: str = "127.0.0.1"
    action_port: int = 5055
    sandbox_port: int = 8100

    # Secrets. Empty means "generate one for this run" in the embedded profile.
    rasa_token: str = ""
    action_token: str = ""
    service_token: str = ""
    platform_client_key: str = ""

    # The platform. Empty URL means the local sandbox.
    platform_url: str = ""
    platform_connect_timeout_s: float = 1.0
    platform_read_timeout_s: float = 3.0

    # Gateway.
    gateway_database_url: str = ""
    max_text_chars: int = 500
    # The longest request body the gateway reads (bytes); longer: 413 too_large, unread.
    max_body_bytes: int = 64 * 1024
    rasa_timeout_s: float = 10.0
    # A turn Rasa could not start within this many seconds of its arrival is refused there
    # (bot_busy) and not run: below rasa_timeout_s, so that a turn the gateway gave up on
    # was not answered behind its back. Each Rasa runs at most rasa_turns_at_once turns at a
    # time, the others wait for a slot (banshi/rasa_admission.py).
    rasa_start_within_s: float = 6.0
    rasa_turns_at_once: int = 4
    # A gateway sends at most this many turns to Rasa at once; one more waits for a place up to
    # rasa_start_within_s, then is refused (bot_busy). Size it to what the Rasa replicas behind
    # the gateway hold: about rasa_turns_at_once per replica plus the turns waiting for a slot.
    rasa_turns_in_flight: int = 100

    # Replicas of each process kind that `banshi run` starts (scale profile; more than one of
    # anything puts the project's nginx in front, see banshi/load_balancer.py).
    gateway_replicas: int = 1
    rasa_replicas: int = 1
    action_replicas: int = 1
    # Stopping: a gateway or Rasa server finishes the turns it is answering for at most this
    # long after SIGTERM; a gateway first answers /readyz with 503 for shutdown_drain_s, so
    # that a load balancer stops sending it work (0: at once, as behind the project's nginx).
    shutdown_grace_s: float = 20.0
    shutdown_drain_s: float = 0.0
    # How long a Rasa server holds a conversation's lock in Redis at most: a replica killed
    # mid-turn blocks its conversations this long (Rasa's default is 60 s).
    rasa_lock_lifetime_s: int = 20
    # Starting: how long to wait for PostgreSQL, Redis and RabbitMQ before giving up.
    wait_for_s: float = 60.0

    # Scale profile services.
    postgres_url: str = "postgresql://postgres@127.0.0.1:5432/banshi"
    redis_url: str = "redis://127.0.0.1:6379/0"
    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    rabbitmq_queue: str = "banshi_events"

    # Speech.
    vosk_model_path: str = ""
    speech_rate_cpm: int = 190
    slow_speech_rate_cpm: int = 160
    end_of_speech_s: float = 1.2
    # Quiet that ends a complete expected answer (an ID, a phone number, 对, a button) early.
    answer_settle_s: float = 0.3
    no_input_s: float = 8.0
    # Kiosk: inactivity warning after kiosk_idle_s, reset kiosk_warning_s later (K6: ≥ 20 s).
    kiosk_idle_s: float = 90.0
    kiosk_warning_s: float = 30.0
    # The district of the agency point the kiosk stands in: its handoffs go to that district's
    # staff (empty: to the supervisors, who route them).
    kiosk_district: str = ""

    # The WeChat Official Account (off until the four credentials are set; see the README).
    wechat_app_id: str = ""
    wechat_token: str = ""
    wechat_aes_key: str = ""
    wechat_app_secret: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com/cgi-bin/"
    # Longer than this for the bot: answer `success`, then send through the customer-service API.
    wechat_reply_budget_s: float = 4.0
    # A pause this long starts a new conversation.
    wechat_idle_s: float = 1800.0
    # Phone: the gateway answers SIP calls. Unset: on for `banshi run`, off otherwise (tests
    # start many gateways); the SIP port faces the network only when sip_host says so.
    phone_enabled: bool | None = None
    sip_host: str = "127.0.0.1"
    sip_port: int = 5060
    sip_public_host: str = ""
    sip_rtp_port_min: int = 20000
    sip_rtp_port_max: int = 20999
    sip_rtp_timeout_s: float = 30.0
    # Addresses or networks SIP is taken from, comma-separated (empty: any).
    sip_allowed_peers: str = ""
    # REGISTER at a PBX with digest authentication (empty URI: the PBX sends calls to us).
    sip_register_uri: str = ""
    sip_register_user: str = ""
    sip_register_password: str = ""
    # V3: the silence ladder's step, and the longest pause between keys (at least 10 s).
    phone_silence_s: float = 8.0
    phone_key_gap_s: float = 10.0
    # Recordings of the caller's audio under var/recordings (off by default; callers are told).
    phone_recordings: bool = False
    phone_recording_days: int = 30
    # A staff number as a SIP URI: calls that go to a person are first handed there by REFER.
    phone_refer_to: str = ""

    # Human handoff and the staff console.
    handoff_claim_timeout_s: float = 180.0
    handoff_working_hours: str = "1-5 08:30-17:30"
    handoff_timezone: str = "Asia/Shanghai"
    handoff_presence_s: float = 120.0
    staff_session_hours: float = 12.0
    staff_cookie_secure: bool = False
    # Reverse proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For is
    # believed for the client address of staff sign-in limits and the audit log; empty: none.
    trusted_proxies: str = ""
    # Demo: staff accounts demo-staff / demo-supervisor with this password (embedded only).
    demo: bool = False
    demo_password: str = ""
    # The calendar day every part works on (YYYY-MM-DD): the sandbox lays its data out around
    # it, the actions take it as today. For tests and replayed demos; embedded profile only.
    today: date | None = None

    class Config:
        env_prefix = "BANSHI_"
        env_file = ".env"

    @validator("max_text_chars")
    def _text_limit(cls, value: int) -> int:
        if not 1 <= value <= 10_000:
            raise ValueError("max_text_chars must be between 1 and 10000")
        return value

    @validator("max_body_bytes")
    def _body_limit(cls, value: int) -> int:
        if not 1024 <= value <= 16 * 1024 * 1024:
            raise ValueError("max_body_bytes must be between 1024 and 16777216")
        return value

    @validator("handoff_working_hours")
    def _working_hours(cls, value: str) -> str:
        from handoff.hours import HoursError, WorkingHours

        try:
            WorkingHours(value)
        except (HoursError, ValueError) as error:
            raise ValueError(f"BANSHI_HANDOFF_WORKING_HOURS: {error}") from error
        return value

    @validator(
        "handoff_claim_timeout_s", "handoff_presence_s", "staff_session_hours", "sip_rtp_timeout_s"
    )
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be greater than 0")
        return value

    @validator("trusted_proxies")
    def _proxies(cls, value: str) -> str:
        import ipaddress

        for item in filter(None, (part.strip() for part in value.split(","))):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError as error:
                raise ValueError(f"BANSHI_TRUSTED_PROXIES: {item!r} is no address") from error
        return value

    @validator("sip_port", "sip_rtp_port_min", "sip_rtp_port_max")
    def _udp_port(cls, value: int) -> int:
        if not 1 <= value <= 65535:
            raise ValueError("must be a port number (1–65535)")
        return value

    @validator("phone_key_gap_s")
    def _key_gap(cls, value: float) -> float:
        if value < 10:
            raise ValueError("BANSHI_PHONE_KEY_GAP_S must be at least 10 seconds (V3)")
        return value

    @validator("phone_silence_s")
    def _silence(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be greater than 0")
        return value

    @validator("phone_recording_days")
    def _recording_days(cls, value: int) -> int:
        if value < 1:
            raise ValueError("BANSHI_PHONE_RECORDING_DAYS must be at least 1")
        return value

    @validator("gateway_replicas", "rasa_replicas", "action_replicas")
    def _replicas(cls, value: int) -> int:
        if not 1 <= value <= 16:
            raise ValueError("replicas must be between 1 and 16")
        return value

    @validator("shutdown_grace_s", "shutdown_drain_s", "wait_for_s", "rasa_lock_lifetime_s")
    def _not_negative(cls, value: float) -> float:
        if value < 0:
            raise ValueError("must not be negative")
        return value

    @validator("rasa_start_within_s")
    def _start_within(cls, value: float, values: dict[str, object]) -> float:
        timeout = values.get("rasa_timeout_s")
        if value <= 0 or (isinstance(timeout, float) and value >= timeout):
            raise ValueError(
                "BANSHI_RASA_START_WITHIN_S must be above 0 and below BANSHI_RASA_TIMEOUT_S "
                "(a started turn needs the rest of the gateway's wait to finish)"
            )
        return value

    @validator("rasa_turns_at_once")
    def _turns_at_once(cls, value: int) -> int:
        return check_turns_at_once(value)

    @validator("rasa_turns_in_flight")
    def _turns_in_flight(cls, value: int) -> int:
        if not 1 <= value <= 10_000:
            raise ValueError("BANSHI_RASA_TURNS_IN_FLIGHT must be between 1 and 10000")
        return value

    @validator("phone_refer_to")
    def _refer_to(cls, value: str) -> str:
        from channels.phone.config import PhoneConfig

        try:
            PhoneConfig(refer_to=value.strip())
        except ValueError as error:
            raise ValueError(f"BANSHI_PHONE_REFER_TO: {error}") from error
        return value.strip()

    @validator("kiosk_district")
    def _kiosk_district(cls, value: str) -> str:
        return value.strip()[:64]

    @validator("today", pre=True)
    def _today_blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @validator("today")
    def _today_only_embedded(cls, value: date | None, values: dict[str, object]) -> date | None:
        if value is not None and values.get("profile") != "embedded":
            raise ValueError(
                "BANSHI_TODAY pins the calendar for tests and demos; it is only for the "
                "embedded profile. Unset it."
            )
        return value

    @validator("var_dir", "models_dir")
    def _absolute_dirs(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    # ----------------------------------------------------------------- derived values
    @property
    def gateway_url(self) -> str:
        """The gateway's base URL."""
        return f"http://{self.host}:{self.gateway_port}"

    @property
    def rasa_url(self) -> str:
        """The Rasa server's base URL, as the gateway reaches it."""
        return f"http://{self.rasa_host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        """The action server's webhook URL, as Rasa calls it."""
        return f"http://127.0.0.1:{self.action_port}/webhook"

    @property
    def recordings_dir(self) -> Path:
        """Where call recordings are kept (when ``phone_recordings`` is on)."""
        return self.var_dir / "recordings"

    @property
    def sandbox_url(self) -> str:
        """The local platform sandbox's base URL."""
        return f"http://127.0.0.1:{self.sandbox_port}"

    @property
    def effective_platform_url(self) -> str:
        """Where actions reach the platform: the configured URL, else the local sandbox."""
        return self.platform_url or self.sandbox_url

    @property
    def effective_gateway_database_url(self) -> str:
        """The gateway's database: SQLite under var/ (embedded) or PostgreSQL (scale)."""
        if self.gateway_database_url:
            return self.gateway_database_url
        if self.profile == "scale":
            return self.postgres_url_for(self.postgres_database, driver="postgresql+asyncpg")
        return f"sqlite+aiosqlite:///{self.var_dir / 'gateway.db'}"

    @property
    def postgres_database(self) -> str:
        """The scale profile's main database name (the gateway's); others are derived from it."""
        return urlparse(self.postgres_url).path.lstrip("/") or "banshi"

    def postgres_url_for(self, database: str, *, driver: str = "postgresql") -> str:
        """``postgres_url`` pointing at another database (and optionally another driver)."""
        parsed = urlparse(self.postgres_url)
        return urlunparse(parsed._replace(scheme=driver, path=f"/{database}"))

    @property
    def sandbox_database_url(self) -> str:
        """The platform sandbox's database."""
        if self.profile == "scale":
            return self.postgres_url_for(f"{self.postgres_database}_sandbox")
        return f"sqlite:///{self.var_dir / 'sandbox.db'}"

    @property
    def rasa_tracker_db(self) -> str:
        """Rasa's tracker store: a SQLite file (embedded) or a PostgreSQL database name."""
        if self.profile == "scale":
            return f"{self.postgres_database}_rasa"
        return str(self.var_dir / "rasa_tracker.db")

    @property
    def load_balanced(self) -> bool:
        """Whether ``banshi run`` puts nginx in front: some process kind has replicas."""
        return max(self.gateway_replicas, self.rasa_replicas, self.action_replicas) > 1

    def check_replicas(self) -> None:
        """Raise :class:`SettingsError` when the replica counts do not fit the profile.

        The embedded profile keeps Rasa's tracker store and the gateway's database in SQLite
        files and Rasa's conversation locks in one process's memory: a second Rasa server would
        not see the first one's locks (both could answer one conversation at once), and SQLite
        takes one writer at a time. Replicas of Rasa or the gateway need the scale profile.
        """
        if self.profile != "embedded":
            return
        for name in ("gateway_replicas", "rasa_replicas"):
            if getattr(self, name) > 1:
                raise SettingsError(
                    f"BANSHI_{name.upper()}={getattr(self, name)} needs the scale profile: the "
                    "embedded profile keeps Rasa's conversation locks in one process's memory "
                    "and its data in SQLite files, which several processes cannot share safely. "
                    "Use `make run PROFILE=scale`, or set it to 1."
                )

    # ----------------------------------------------------------------- secrets
    def with_secrets(self) -> Settings:
        """Return settings whose secrets are all set.

        In the embedded profile a missing secret is generated for this run (it lives only in the
        environment of the processes the runner starts). In any other profile a missing or
        placeholder secret is an error that names the variable to set.
        """
        updates: dict[str, str] = {}
        if self.profile != "embedded":
            self.require_secrets(*_SECRET_FIELDS)
        for name in _SECRET_FIELDS:
            if getattr(self, name).strip().lower() in _PLACEHOLDERS:
                updates[name] = secrets.token_urlsafe(24)
        if self.demo:
            if self.profile != "embedded":
                raise SettingsError(
                    "BANSHI_DEMO is only for the embedded profile: demo accounts have a known "
                    "password. Create real accounts with `banshi staff add`."
                )
            if not self.demo_password:
                updates["demo_password"] = "banshi-demo-2026"
        return self.copy(update=updates) if updates else self

    def require_secrets(self, *names: str) -> None:
        """Raise :class:`SettingsError` naming the first of the secret fields ``names`` that is
        missing or a placeholder. A process started on its own (a container) checks its own
        secrets with it, so a Secret applied unfilled stops it instead of running with a
        known token."""
        for name in names:
            if getattr(self, name).strip().lower() in _PLACEHOLDERS:
                raise SettingsError(
                    f"BANSHI_{name.upper()} is not set (profile {self.profile}). "
                    f"Set it to a long random value, e.g. "
                    f"`python -c 'import secrets; print(secrets.token_urlsafe(32))'`."
                )

    # ----------------------------------------------------------------- child processes
    def child_env(self) -> dict[str, str]:
        """The environment every started process gets: all settings as ``BANSHI_*`` variables.

        It also carries the derived values the non-Python configuration reads (Rasa's
        ``endpoints.yml`` substitutes ``${BANSHI_...}``), the sandbox's own variables and
        :data:`NO_TELEMETRY`.
        """
        env = {
            f"BANSHI_{key.upper()}": str(value)
            for key, value in self.dict().items()
            if value is not None
        }
        env.update(
            {
                "BANSHI_ACTION_URL": self.action_url,
                "BANSHI_GATEWAY_URL": f"http://127.0.0.1:{self.gateway_port}",
                # The action server keeps its citizen sessions in the gateway's database.
                "BANSHI_GATEWAY_DATABASE_URL": self.effective_gateway_database_url,
                "BANSHI_PLATFORM_URL": self.effective_platform_url,
                "BANSHI_RASA_TRACKER_DB": self.rasa_tracker_db,
                "BANSHI_SANDBOX_DATABASE_URL": self.sandbox_database_url,
                "BANSHI_SANDBOX_CLIENT_KEYS": self.platform_client_key,
            }
        )
        env.update(self._service_parts())
        env.update(NO_TELEMETRY)
        return env

    def _service_parts(self) -> dict[str, str]:
        """Host, port and credentials of the scale services, for Rasa's endpoints file."""
        pg, redis, rabbit = (
            urlparse(u) for u in (self.postgres_url, self.redis_url, self.rabbitmq_url)
        )
        return {
            "BANSHI_PG_HOST": pg.hostname or "127.0.0.1",
            "BANSHI_PG_PORT": str(pg.port or 5432),
            "BANSHI_PG_USER": unquote(pg.username or "postgres"),
            "BANSHI_PG_PASSWORD": unquote(pg.password or ""),
            "BANSHI_REDIS_HOST": redis.hostname or "127.0.0.1",
            "BANSHI_REDIS_PORT": str(redis.port or 6379),
            "BANSHI_REDIS_DB": redis.path.lstrip("/") or "0",
            "BANSHI_RABBITMQ_HOST": rabbit.hostname or "127.0.0.1",
            "BANSHI_RABBITMQ_PORT": str(rabbit.port or 5672),
            "BANSHI_RABBITMQ_USER": unquote(rabbit.username or "guest"),
            "BANSHI_RABBITMQ_PASSWORD": unquote(rabbit.password or "guest"),
        }


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once from the environment (and ``.env``) on first use."""
    return Settings()
