"""``banshi doctor``: check the machine, and say how to fix every problem found."""

from __future__ import annotations

import importlib.util
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from banshi.settings import Settings

PINYIN_VOICE = "cmn-latn-pinyin"


@dataclass(frozen=True)
class Check:
    """One finding: ``ok``, ``warn`` (works, but something is missing) or ``fail``."""

    name: str
    status: str
    detail: str
    fix: str = ""


def check_python() -> Check:
    """Rasa 3.6 needs Python 3.10."""
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info[:2] == (3, 10):
        return Check("python", "ok", f"Python {version}")
    return Check(
        "python",
        "fail",
        f"Python {version} (Rasa 3.6 needs 3.10)",
        "run `make run` (it finds python3.10) or set PYTHON=/path/to/python3.10",
    )


def check_espeak(run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run) -> Check:
    """espeak-ng and its Mandarin pinyin voice, for speech output."""
    if shutil.which("espeak-ng") is None:
        return Check(
            "espeak-ng",
            "fail",
            "espeak-ng is not installed (no speech output)",
            "apt-get install espeak-ng   (make run does it when run as root)",
        )
    try:
        voices = run(
            ["espeak-ng", "--voices=cmn"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as error:
        return Check(
            "espeak-ng",
            "fail",
            f"espeak-ng does not run: {error}",
            "reinstall it: apt-get install --reinstall espeak-ng",
        )
    if PINYIN_VOICE not in voices:
        return Check(
            "espeak-ng",
            "fail",
            f"voice {PINYIN_VOICE} missing",
            "apt-get install espeak-ng-data (Debian 12 ships the voice)",
        )
    return Check("espeak-ng", "ok", f"espeak-ng with voice {PINYIN_VOICE}")


def check_vosk_model(path: str) -> Check:
    """A Kaldi model for Vosk; without one, voice input is off and text still works."""
    if not path:
        return Check(
            "vosk model",
            "warn",
            "BANSHI_VOSK_MODEL_PATH not set: voice input disabled, text works",
            "download vosk-model-small-cn-0.22 and set BANSHI_VOSK_MODEL_PATH to its folder",
        )
    model = Path(path)
    if not model.is_dir():
        return Check(
            "vosk model",
            "fail",
            f"{model} is not a folder",
            "set BANSHI_VOSK_MODEL_PATH to the unpacked model folder",
        )
    if not (model / "am").is_dir() or not (model / "conf").is_dir():
        return Check(
            "vosk model",
            "fail",
            f"{model} has no am/ and conf/ folders",
            "point BANSHI_VOSK_MODEL_PATH at the folder that contains am/ and conf/",
        )
    return Check("vosk model", "ok", f"Kaldi model at {model}")


def check_port(name: str, port: int) -> Check:
    """A port that banshi will listen on must be free (or already banshi's)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return Check(
                f"port {port}",
                "warn",
                f"{name} port {port} is in use (fine if banshi is already running)",
                f"stop what uses it (`ss -ltnp 'sport = :{port}'`) or set "
                f"BANSHI_{name.upper()}_PORT",
            )
    return Check(f"port {port}", "ok", f"{name} port {port} is free")


def check_phone(settings: Settings) -> Check:
    """The phone channel: the SIP user agent is there and its UDP port is free."""
    if settings.phone_enabled is False:
        return Check("phone", "ok", "phone channel off (BANSHI_PHONE_ENABLED=false)")
    if importlib.util.find_spec("channels.phone.sip") is None:
        return Check(
            "phone",
            "warn",
            "no SIP user agent in this build (channels/phone/sip.py): calls are not answered",
            "update banshi to a version with the phone's SIP user agent",
        )
    host, port = settings.sip_host, settings.sip_port
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as error:
            return Check(
                "phone",
                "warn",
                f"SIP port {host}:{port}/udp is not free ({error.strerror}; fine if banshi runs)",
                f"stop what uses it (`ss -lunp 'sport = :{port}'`) or set BANSHI_SIP_PORT",
            )
    where = "loopback only" if host.startswith("127.") else "reachable from the network"
    recordings = (
        f"recordings kept {settings.phone_recording_days} days"
        if settings.phone_recordings
        else "no recordings"
    )
    return Check("phone", "ok", f"SIP on {host}:{port}/udp ({where}), {recordings}")


def check_sqlite(var_dir: Path) -> Check:
    """The embedded profile keeps its databases under var/."""
    try:
        var_dir.mkdir(parents=True, exist_ok=True)
        probe = var_dir / ".doctor.db"
        with sqlite3.connect(probe) as connection:
            connection.execute("create table if not exists t (x)")
        probe.unlink()
    except (OSError, sqlite3.Error) as error:
        return Check(
            "database",
            "fail",
            f"cannot write SQLite files in {var_dir}: {error}",
            f"make {var_dir} writable or set BANSHI_VAR_DIR",
        )
    return Check("database", "ok", f"SQLite in {var_dir}")


def check_tcp(name: str, url: str, fix: str) -> Check:
    """A service of the scale profile answers on its port."""
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 0
    try:
        with socket.create_connection((host, port), timeout=2):
            return Check(name, "ok", f"{name} reachable at {host}:{port}")
    except OSError as error:
        return Check(name, "fail", f"{name} not reachable at {host}:{port} ({error})", fix)


def check_nginx(settings: Settings) -> Check:
    """nginx, the load balancer the scale profile puts in front of replicas."""
    from banshi.load_balancer import NGINX

    if Path(NGINX).exists():
        return Check("nginx", "ok", f"{NGINX} (load balancer for replicas)")
    return Check(
        "nginx",
        "fail" if settings.load_balanced else "warn",
        "nginx is not installed"
        + (" (needed: BANSHI_*_REPLICAS > 1)" if settings.load_balanced else " (no replicas)"),
        "apt-get install nginx-light   (make run PROFILE=scale does it when run as root)",
    )


def check_replicas(settings: Settings) -> Check:
    """The replica counts fit the profile."""
    from banshi.settings import SettingsError

    try:
        settings.check_replicas()
    except SettingsError as error:
        return Check("replicas", "fail", str(error), "set the replica counts to 1")
    return Check(
        "replicas",
        "ok",
        f"gateway {settings.gateway_replicas}, rasa {settings.rasa_replicas}, "
        f"actions {settings.action_replicas}",
    )


def check_model(models_dir: Path) -> Check:
    """Whether the trained model matches the training data."""
    from banshi.training import model_path

    target = model_path(models_dir)
    if target.exists():
        return Check("rasa model", "ok", f"up to date: {target.name}")
    return Check(
        "rasa model",
        "warn",
        "no model for the current training data",
        "`make train` (make run trains it too)",
    )


def check_wechat(settings: Settings) -> Check:
    """Whether the WeChat channel is on (its four credentials set) and ffmpeg is there for
    voice messages WeChat did not transcribe."""
    names = {
        "BANSHI_WECHAT_APP_ID": settings.wechat_app_id,
        "BANSHI_WECHAT_TOKEN": settings.wechat_token,
        "BANSHI_WECHAT_AES_KEY": settings.wechat_aes_key,
        "BANSHI_WECHAT_APP_SECRET": settings.wechat_app_secret,
    }
    missing = [name for name, value in names.items() if not value.strip()]
    if missing:
        return Check(
            "wechat",
            "warn",
            "channel off: /wechat answers 404 wechat_disabled",
            f"set {', '.join(missing)} (README: WeChat) to connect an Official Account",
        )
    if len(settings.wechat_aes_key) != 43:
        return Check(
            "wechat",
            "fail",
            "BANSHI_WECHAT_AES_KEY is not a 43-character EncodingAESKey",
            "copy the EncodingAESKey from the account's 基本配置 page",
        )
    if shutil.which("ffmpeg") is None:
        return Check(
            "wechat",
            "warn",
            "channel on, but no ffmpeg: voice messages without WeChat's recognition fail",
            "apt-get install ffmpeg",
        )
    return Check("wechat", "ok", f"channel on, API at {settings.wechat_api_base}")


def run_checks(settings: Settings) -> list[Check]:
    """Every check for the settings' profile."""
    results = [
        check_python(),
        check_espeak(),
        check_vosk_model(settings.vosk_model_path),
        check_sqlite(settings.var_dir),
        check_model(settings.models_dir),
        check_wechat(settings),
        check_phone(settings),
        check_replicas(settings),
    ]
    for name, port in (
        ("gateway", settings.gateway_port),
        ("rasa", settings.rasa_port),
        ("action", settings.action_port),
        ("sandbox", settings.sandbox_port),
    ):
        results.append(check_port(name, port))
    if settings.profile == "scale":
        results += [
            check_nginx(settings),
            check_tcp(
                "postgresql", settings.postgres_url, "start PostgreSQL or set BANSHI_POSTGRES_URL"
            ),
            check_tcp("redis", settings.redis_url, "start Redis or set BANSHI_REDIS_URL"),
            check_tcp(
                "rabbitmq", settings.rabbitmq_url, "start RabbitMQ or set BANSHI_RABBITMQ_URL"
            ),
        ]
    return results


def print_report(results: list[Check]) -> None:
    """Print one line a check, with the fix under every problem."""
    marks = {"ok": "✓", "warn": "!", "fail": "✗"}
    for result in results:
        print(f"{marks[result.status]} {result.name:<12} {result.detail}")
        if result.status != "ok" and result.fix:
            print(f"  → {result.fix}")
    failures = sum(r.status == "fail" for r in results)
    print(f"\n{failures} problem(s)" if failures else "\nall required checks passed")
