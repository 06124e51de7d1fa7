"""banshi.doctor: each check finds its problem and says how to fix it."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

from banshi import doctor
from banshi.settings import Settings


def test_vosk_model_checks(tmp_path: Path) -> None:
    assert doctor.check_vosk_model("").status == "warn"
    missing = doctor.check_vosk_model(str(tmp_path / "nope"))
    assert missing.status == "fail" and "BANSHI_VOSK_MODEL_PATH" in missing.fix
    (tmp_path / "model").mkdir()
    assert doctor.check_vosk_model(str(tmp_path / "model")).status == "fail"
    (tmp_path / "model" / "am").mkdir()
    (tmp_path / "model" / "conf").mkdir()
    assert doctor.check_vosk_model(str(tmp_path / "model")).status == "ok"


def test_port_in_use_is_reported() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = doctor.check_port("gateway", port)
    assert result.status == "warn" and "BANSHI_GATEWAY_PORT" in result.fix
    assert doctor.check_port("gateway", port).status == "ok"


def test_espeak_without_the_pinyin_voice(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(doctor.shutil, "which", lambda _name: "/usr/bin/espeak-ng")

    def fake_run(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        return subprocess.CompletedProcess([], 0, stdout=" 5  cmn  --/M  Chinese\n", stderr="")

    result = doctor.check_espeak(run=fake_run)
    assert result.status == "fail" and "cmn-latn-pinyin" in result.detail


def test_missing_espeak(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(doctor.shutil, "which", lambda _name: None)
    result = doctor.check_espeak()
    assert result.status == "fail" and "apt-get install espeak-ng" in result.fix


def test_unreachable_service_and_unwritable_var(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = doctor.check_tcp("redis", f"redis://127.0.0.1:{port}/0", "start Redis")
    assert result.status == "fail" and result.fix == "start Redis"
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert doctor.check_sqlite(blocker / "var").status == "fail"
    assert doctor.check_sqlite(tmp_path / "var").status == "ok"


def test_scale_profile_adds_service_checks(tmp_path: Path) -> None:
    names = {r.name for r in doctor.run_checks(Settings(profile="scale", var_dir=tmp_path))}
    assert {"postgresql", "redis", "rabbitmq", "python", "espeak-ng"} <= names


def test_the_phone_check(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    off = doctor.check_phone(Settings(phone_enabled=False))
    assert off.status == "ok" and "off" in off.detail
    monkeypatch.setattr(doctor.importlib.util, "find_spec", lambda _name: None)
    missing = doctor.check_phone(Settings())
    assert missing.status == "warn" and "SIP user agent" in missing.detail
    monkeypatch.setattr(doctor.importlib.util, "find_spec", lambda _name: object())
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        busy = doctor.check_phone(Settings(sip_port=port))
    assert busy.status == "warn" and "BANSHI_SIP_PORT" in busy.fix
    free = doctor.check_phone(Settings(sip_port=port, phone_recordings=True))
    assert free.status == "ok" and "loopback only" in free.detail and "30 days" in free.detail
