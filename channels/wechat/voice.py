"""A voice message without WeChat's own recognition: its audio, decoded to 16 kHz PCM by
ffmpeg (AMR or Speex from ``media/get``), then our recognizer, as the kiosk's speech is.

ffmpeg runs as a child process with a time limit, reading the file on stdin and writing raw
16-bit mono PCM on stdout; the recognizer decodes in the voice engine's threads.
"""

from __future__ import annotations

import asyncio
import logging
import shutil

from voice.audio import RECOGNIZER_RATE
from voice.engine import VoiceEngine
from voice.recognizer import VoiceUnavailable, transcribe

logger = logging.getLogger(__name__)

FFMPEG_TIMEOUT_S = 20.0
MAX_AUDIO_S = 90.0
"""WeChat's voice messages last at most 60 s; more decoded audio is cut off."""


class VoiceFailed(Exception):
    """The voice message could not be understood: ``code`` for operators."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


async def decode(audio: bytes) -> bytes:
    """``audio`` (any format ffmpeg reads: AMR, Speex) as 16 kHz 16-bit mono PCM."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise VoiceFailed("ffmpeg_missing")
    process = await asyncio.create_subprocess_exec(
        ffmpeg,
        "-hide_banner",
        "-loglevel",
        "error",
        "-i",
        "pipe:0",
        "-t",
        str(MAX_AUDIO_S),
        "-f",
        "s16le",
        "-ac",
        "1",
        "-ar",
        str(RECOGNIZER_RATE),
        "pipe:1",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        pcm, error = await asyncio.wait_for(process.communicate(audio), FFMPEG_TIMEOUT_S)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()
        raise VoiceFailed("voice_decode_timeout") from None
    if process.returncode != 0 or not pcm:
        logger.info("wechat.voice.undecodable detail=%s", error[-200:].decode(errors="replace"))
        raise VoiceFailed("voice_undecodable")
    return pcm


async def recognize(engine: VoiceEngine | None, audio: bytes) -> str:
    """What was said in ``audio``; :class:`VoiceFailed` when nothing could be heard."""
    if engine is None:
        raise VoiceFailed("voice_unavailable")
    pcm = await decode(audio)
    try:
        model = await engine.model(timeout_s=30.0)
    except VoiceUnavailable as error:
        raise VoiceFailed(error.code) from None
    loop = asyncio.get_running_loop()
    results = await loop.run_in_executor(
        engine.executor, lambda: transcribe(model, pcm, RECOGNIZER_RATE)
    )
    texts = [result.text for result in results if result.text]
    chinese = any("\u4e00" <= char <= "\u9fff" for text in texts for char in text)
    text = ("" if chinese else " ").join(texts).strip()
    if not text:
        raise VoiceFailed("voice_not_understood")
    return text
