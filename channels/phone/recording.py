"""Call recordings: off by default; when on, the caller's audio of each call is kept as a WAV
file under ``var/recordings/<day>/<conversation id>.wav`` and deleted after the configured
number of days. The file is named by the conversation, never by the caller's number."""

from __future__ import annotations

import logging
import time
import wave
from datetime import datetime, timezone
from pathlib import Path

from channels.phone.media import PHONE_RATE

logger = logging.getLogger(__name__)


class CallRecorder:
    """Writes one call's audio as it arrives (8 kHz, 16-bit mono)."""

    def __init__(self, folder: Path, conversation_id: str) -> None:
        day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        self.path = folder / day / f"{conversation_id}.wav"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._wav: wave.Wave_write | None = wave.open(str(self.path), "wb")  # noqa: SIM115
        self._wav.setnchannels(1)
        self._wav.setsampwidth(2)
        self._wav.setframerate(PHONE_RATE)

    def write(self, pcm: bytes) -> None:
        """Append a frame of the caller's audio."""
        if self._wav is not None:
            self._wav.writeframes(pcm)

    def close(self) -> None:
        """Finish the file (idempotent)."""
        if self._wav is not None:
            self._wav.close()
            self._wav = None


def purge_recordings(folder: Path, days: int, *, now: float | None = None) -> int:
    """Delete recordings older than ``days``; return how many went."""
    if not folder.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - days * 86_400
    removed = 0
    for path in folder.rglob("*.wav"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    for day in folder.iterdir():
        if day.is_dir() and not any(day.iterdir()):
            day.rmdir()
    if removed:
        logger.info("phone.recordings.purged count=%d", removed)
    return removed
