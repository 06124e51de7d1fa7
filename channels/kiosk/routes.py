"""``GET /kiosk`` (the page and its files) and ``/kiosk/ws`` (its WebSocket).

:func:`build_router` gives the gateway a router with its own lifespan: the voice engine (model,
decoding threads, synthesizer) starts with the app and stops with it, and the kiosk registers
its delivery hook so that staff replies reach the screen.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, WebSocket
from fastapi.responses import FileResponse

from channels.kiosk.config import KioskConfig
from channels.kiosk.hub import KioskHub
from channels.kiosk.protocol import PROMPTS
from channels.kiosk.session import KioskSession
from conversation.errors import ApiError
from voice.endpoint import EndpointConfig
from voice.engine import VoiceConfig, VoiceEngine
from voice.recognizer import RecognizerConfig
from voice.synthesizer import SynthConfig

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
_FILES = {
    "kiosk.css": "text/css; charset=utf-8",
    "kiosk.js": "text/javascript; charset=utf-8",
    "mic-worklet.js": "text/javascript; charset=utf-8",
}


def voice_config(config: KioskConfig) -> VoiceConfig:
    """The voice engine's configuration for the kiosk's settings."""
    return VoiceConfig(
        model_path=config.vosk_model_path,
        recognizer=RecognizerConfig(
            endpoint=EndpointConfig(
                end_silence_s=config.end_of_speech_s, no_speech_timeout_s=config.no_input_s
            ),
            settle_s=config.answer_settle_s,
        ),
        synth=SynthConfig(
            rate_cpm=config.speech_rate_cpm, slow_rate_cpm=config.slow_speech_rate_cpm
        ),
    )


def build_router(config: KioskConfig) -> APIRouter:
    """The kiosk's routes, with a lifespan that owns the voice engine."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = VoiceEngine(voice_config(config))
        try:
            await asyncio.to_thread(engine.start)
        except Exception as error:  # no espeak-ng: the kiosk still shows every message
            logger.error("kiosk.voice.start_failed error=%s", error)
        hub = KioskHub()
        app.state.voice = engine
        app.state.kiosk_hub = hub
        app.state.conversations.delivery.register_channel("kiosk", hub.deliver)
        preload = asyncio.create_task(
            engine.synthesizer.preload(
                list(PROMPTS.values()),
                rate_cpm=config.speech_rate_cpm,
                sample_rate=config.playback_rate_hz,
            )
        )
        try:
            yield
        finally:
            preload.cancel()
            await asyncio.to_thread(engine.close)

    router = APIRouter(lifespan=lifespan)

    @router.get("/kiosk", include_in_schema=False)
    async def kiosk_page() -> FileResponse:
        """The kiosk page (elder layout, voice in and out)."""
        return FileResponse(STATIC_DIR / "kiosk.html", media_type="text/html; charset=utf-8")

    @router.get("/kiosk/static/{name}", include_in_schema=False)
    async def kiosk_file(name: str) -> FileResponse:
        """The page's script, style sheet and audio worklet."""
        if name not in _FILES:
            raise ApiError(404, "not_found", "没有这个地址。")
        return FileResponse(STATIC_DIR / name, media_type=_FILES[name])

    @router.websocket("/kiosk/ws")
    async def kiosk_socket(websocket: WebSocket) -> None:
        """Audio up, speech and messages down (see ``channels.kiosk.protocol``)."""
        state = websocket.app.state
        session = KioskSession(
            websocket,
            config=config,
            voice=state.voice,
            conversations=state.conversations,
            hub=state.kiosk_hub,
            max_text_chars=state.config.max_text_chars,
        )
        await session.run()

    return router
