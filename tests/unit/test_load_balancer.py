"""banshi.load_balancer and the runner's layout with replicas: the nginx configuration nginx
itself accepts, and the processes the runner starts for replica counts."""

from __future__ import annotations

import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from banshi import load_balancer
from banshi.runner import STOP_ORDER, process_specs
from banshi.settings import Settings, SettingsError
from tests.needs import need


def _scale(tmp_path: Path, **replicas: int) -> Settings:
    return Settings(
        profile="scale",
        var_dir=tmp_path,
        gateway_port=18000,
        rasa_port=15005,
        action_port=15055,
        trusted_proxies="10.0.0.0/8",
        **replicas,
    )


def test_one_of_each_needs_no_nginx_and_keeps_the_ports(tmp_path: Path) -> None:
    specs = process_specs(_scale(tmp_path), Path("model.tar.gz"))
    assert [spec.name for spec in specs] == ["sandbox", "actions", "rasa", "gateway"]
    assert [spec.port for spec in specs[1:]] == [15055, 15005, 18000]
    assert not (tmp_path / "nginx").exists()


def test_replicas_get_ports_of_their_own_behind_nginx(tmp_path: Path) -> None:
    settings = _scale(tmp_path, gateway_replicas=2, rasa_replicas=3)
    specs = {spec.name: spec for spec in process_specs(settings, Path("model.tar.gz"))}
    assert list(specs) == [
        "sandbox",
        "nginx",
        "actions",
        "rasa-1",
        "rasa-2",
        "rasa-3",
        "gateway-1",
        "gateway-2",
    ]
    own_ports = [spec.port for name, spec in specs.items() if name not in ("sandbox", "nginx")]
    assert len(set(own_ports)) == 6
    assert not {15055, 15005, 18000} & set(own_ports)
    rasa = specs["rasa-2"]
    assert rasa.kind == "rasa" and rasa.argv[rasa.argv.index("--port") + 1] == str(rasa.port)
    assert rasa.env["TICKET_LOCK_LIFETIME"] == "20"
    assert rasa.env["BANSHI_RASA_TURNS_AT_ONCE"] == str(settings.rasa_turns_at_once)
    assert specs["actions"].env == {"BANSHI_ACTION_PORT": str(specs["actions"].port)}
    first, second = specs["gateway-1"], specs["gateway-2"]
    assert first.argv[first.argv.index("--host") + 1] == "127.0.0.1"
    assert first.env["BANSHI_TRUSTED_PROXIES"] == "10.0.0.0/8,127.0.0.1"
    assert "BANSHI_PHONE_ENABLED" not in first.env  # the SIP user agent: gateway-1 only
    assert second.env["BANSHI_PHONE_ENABLED"] == "false"
    assert specs["nginx"].stop_signal == signal.SIGQUIT
    assert STOP_ORDER.index("gateway") < STOP_ORDER.index("rasa") < STOP_ORDER.index("nginx")

    config = (tmp_path / "nginx" / "nginx.conf").read_text()
    assert "listen 127.0.0.1:18000;" in config and "listen 127.0.0.1:15005;" in config
    for port in own_ports:
        assert f"server 127.0.0.1:{port} " in config
    assert "proxy_next_upstream error timeout;" in config
    assert "non_idempotent" not in config
    # Connections to the gateways are reused, to Rasa and the action servers never.
    assert config.count("keepalive 32;") == 1
    assert config.count("proxy_set_header Connection close;") == 2


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    need(shutil.which(load_balancer.NGINX), "nginx", "apt-get install nginx-light")
    config = load_balancer.write_config(
        [
            load_balancer.Upstream("gateways", "127.0.0.1:18000", (18001, 18002), True, True),
            load_balancer.Upstream("rasa", "127.0.0.1:15005", (15006,)),
        ],
        prefix=tmp_path / "nginx",
        log_dir=tmp_path / "logs",
        max_body_bytes=65536,
    )
    done = subprocess.run(
        [*load_balancer.command(config), "-t"], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


def test_nginx_error_lines_lose_their_tokens() -> None:
    line = b'request: "POST /webhook?token=s3cr-et_ HTTP/1.1", upstream: "http://x/a?b=1&token=t"'
    assert load_balancer.SECRET_IN_QUERY.sub(rb"\1***", line) == (
        b'request: "POST /webhook?token=*** HTTP/1.1", upstream: "http://x/a?b=1&token=***"'
    )


@pytest.mark.parametrize("setting", ["gateway_replicas", "rasa_replicas"])
def test_the_embedded_profile_refuses_replicas_of_rasa_or_the_gateway(
    tmp_path: Path, setting: str
) -> None:
    settings = Settings(var_dir=tmp_path, **{setting: 2})
    with pytest.raises(SettingsError, match=f"BANSHI_{setting.upper()}=2 needs the scale"):
        process_specs(settings, Path("model.tar.gz"))


def test_replica_counts_are_bounded() -> None:
    with pytest.raises(ValueError, match="between 1 and 16"):
        Settings(rasa_replicas=0)


def test_banshi_run_refuses_rasa_replicas_in_the_embedded_profile(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from banshi import cli
    from banshi.settings import get_settings

    monkeypatch.setenv("BANSHI_RASA_REPLICAS", "2")
    monkeypatch.setenv("BANSHI_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert cli.main(["run", "--profile", "embedded"]) == 2
    finally:
        get_settings.cache_clear()
    error = capsys.readouterr().err
    assert "BANSHI_RASA_REPLICAS=2 needs the scale profile" in error
    assert "conversation locks in one process's memory" in error
