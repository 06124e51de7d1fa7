"""banshi.settings: environment, secrets, and what the child processes get."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from actions import clock
from actions.config import ActionConfig
from actions.services.when_where import example_day
from banshi.settings import Settings, SettingsError


def test_reads_banshi_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BANSHI_GATEWAY_PORT", "18000")
    monkeypatch.setenv("BANSHI_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("BANSHI_MAX_TEXT_CHARS", "300")
    monkeypatch.setenv("BANSHI_MAX_BODY_BYTES", "8192")
    settings = Settings()
    assert settings.max_body_bytes == 8192
    assert settings.gateway_port == 18000
    assert settings.var_dir == tmp_path.resolve()
    assert settings.max_text_chars == 300
    assert settings.effective_gateway_database_url == (
        f"sqlite+aiosqlite:///{tmp_path.resolve() / 'gateway.db'}"
    )


def test_rejects_invalid_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANSHI_MAX_TEXT_CHARS", "0")
    with pytest.raises(ValueError, match="max_text_chars"):
        Settings()
    monkeypatch.setenv("BANSHI_MAX_TEXT_CHARS", "500")
    monkeypatch.setenv("BANSHI_MAX_BODY_BYTES", "100")
    with pytest.raises(ValueError, match="max_body_bytes"):
        Settings()


def test_embedded_profile_generates_missing_secrets() -> None:
    settings = Settings(profile="embedded", rasa_token="", service_token="x" * 20).with_secrets()
    assert len(settings.rasa_token) >= 24
    assert settings.service_token == "x" * 20
    assert Settings(rasa_token="").with_secrets().rasa_token != settings.rasa_token


def test_scale_profile_refuses_missing_or_placeholder_secrets() -> None:
    with pytest.raises(SettingsError, match="BANSHI_RASA_TOKEN"):
        Settings(
            profile="scale",
            rasa_token="changeme",
            action_token="a" * 20,
            service_token="b" * 20,
            platform_client_key="c" * 20,
        ).with_secrets()


def test_child_env_configures_the_action_server(tmp_path: Path) -> None:
    settings = Settings(
        var_dir=tmp_path,
        action_port=15055,
        sandbox_port=18100,
        gateway_port=18000,
        platform_client_key="k" * 20,
        action_token="t" * 20,
    ).with_secrets()
    env = settings.child_env()
    config = ActionConfig.from_env(env)
    assert config.platform_url == "http://127.0.0.1:18100"
    assert config.platform_client_key == "k" * 20
    assert config.action_token == "t" * 20
    assert config.port == 15055
    assert config.gateway_url == "http://127.0.0.1:18000"
    assert env["BANSHI_SANDBOX_CLIENT_KEYS"] == "k" * 20
    assert env["BANSHI_ACTION_URL"] == "http://127.0.0.1:15055/webhook"
    assert env["BANSHI_RASA_TRACKER_DB"] == str(tmp_path.resolve() / "rasa_tracker.db")


def test_child_env_turns_rasa_telemetry_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_TELEMETRY_ENABLED", "true")
    for profile in ("embedded", "scale"):
        env = Settings(profile=profile).child_env()
        assert env["RASA_TELEMETRY_ENABLED"] == "false", profile


def test_action_config_names_missing_variables() -> None:
    with pytest.raises(RuntimeError, match="BANSHI_PLATFORM_CLIENT_KEY"):
        ActionConfig.from_env({"BANSHI_PLATFORM_URL": "http://x"})


def test_configured_platform_url_wins() -> None:
    settings = Settings(platform_url="https://platform.example.gov.cn")
    assert settings.child_env()["BANSHI_PLATFORM_URL"] == "https://platform.example.gov.cn"


def test_banshi_today_pins_the_calendar_of_every_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANSHI_TODAY", "2027-01-01")
    settings = Settings(platform_client_key="k" * 20).with_secrets()
    assert settings.today == date(2027, 1, 1)
    env = settings.child_env()
    assert env["BANSHI_TODAY"] == "2027-01-01"
    assert ActionConfig.from_env(env).today == date(2027, 1, 1)
    monkeypatch.setenv("BANSHI_TODAY", "")
    assert Settings().today is None
    assert "BANSHI_TODAY" not in Settings().child_env()
    assert ActionConfig.from_env({**env, "BANSHI_TODAY": ""}).today is None
    with pytest.raises(RuntimeError, match="BANSHI_TODAY='12/01' is not a day"):
        ActionConfig.from_env({**env, "BANSHI_TODAY": "12/01"})
    monkeypatch.setenv("BANSHI_TODAY", "2027-13-01")
    with pytest.raises(ValueError, match="today"):
        Settings()


def test_banshi_today_is_refused_outside_the_embedded_profile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BANSHI_TODAY", "2027-01-01")
    with pytest.raises(ValueError, match="only for the embedded profile"):
        Settings(profile="scale")


def test_the_actions_follow_the_pinned_day_and_otherwise_beijing() -> None:
    beijing = timezone(timedelta(hours=8))
    try:
        clock.pin_today(date(2028, 2, 29))
        assert clock.today() == date(2028, 2, 29)
        assert clock.now().date() == date(2028, 2, 29)
        assert clock.now().utcoffset() == timedelta(hours=8)
        assert example_day(clock.today()) == "3月7号"
        clock.pin_today(None)
        assert clock.today() == datetime.now(beijing).date()
    finally:
        clock.pin_today(None)


def test_the_staff_number_for_transfers_must_be_a_sip_uri(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANSHI_PHONE_REFER_TO", "8001")
    with pytest.raises(ValueError, match="BANSHI_PHONE_REFER_TO"):
        Settings()
    monkeypatch.setenv("BANSHI_PHONE_REFER_TO", " sip:8001@pbx.example ")
    assert Settings().phone_refer_to == "sip:8001@pbx.example"


@pytest.mark.parametrize("start_within", ["0", "10", "12"])
def test_rasa_must_start_a_turn_before_the_gateway_stops_waiting(
    monkeypatch: pytest.MonkeyPatch, start_within: str
) -> None:
    monkeypatch.setenv("BANSHI_RASA_TIMEOUT_S", "10")
    monkeypatch.setenv("BANSHI_RASA_START_WITHIN_S", start_within)
    with pytest.raises(ValueError, match="BANSHI_RASA_START_WITHIN_S"):
        Settings()
    monkeypatch.setenv("BANSHI_RASA_START_WITHIN_S", "9.5")
    assert Settings().rasa_start_within_s == 9.5


def test_the_turns_a_gateway_sends_rasa_at_once_are_a_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from banshi.apps import gateway_config

    monkeypatch.setenv("BANSHI_RASA_TURNS_IN_FLIGHT", "12")
    settings = Settings()
    assert settings.rasa_turns_in_flight == 12
    assert gateway_config(settings).rasa_turns_in_flight == 12
    for bad in ("0", "10001", "many"):
        monkeypatch.setenv("BANSHI_RASA_TURNS_IN_FLIGHT", bad)
        with pytest.raises(ValueError, match=r"rasa_turns_in_flight|BANSHI_RASA_TURNS_IN_FLIGHT"):
            Settings()
