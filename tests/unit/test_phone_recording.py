"""Call recordings: off by default, announced when on, named by the conversation, deleted after
their days."""

from __future__ import annotations

import os
import time
import wave
from pathlib import Path

from channels.phone.config import GREETING, RECORDING_NOTICE, PhoneConfig
from channels.phone.recording import CallRecorder, purge_recordings


def test_recordings_are_off_by_default_and_announced_when_on(tmp_path: Path) -> None:
    assert PhoneConfig().recordings is False
    assert PhoneConfig().spoken_greeting == GREETING
    on = PhoneConfig(recordings=True, recordings_dir=tmp_path)
    assert on.spoken_greeting == GREETING + RECORDING_NOTICE


def test_a_recording_is_the_callers_audio_named_by_the_conversation(tmp_path: Path) -> None:
    recorder = CallRecorder(tmp_path, "c0ffee00c0ffee00c0ffee00c0ffee00")
    recorder.write(b"\x01\x00" * 160)
    recorder.write(b"\x02\x00" * 160)
    recorder.close()
    recorder.close()  # idempotent
    (path,) = tmp_path.rglob("*.wav")
    assert path.name == "c0ffee00c0ffee00c0ffee00c0ffee00.wav"
    with wave.open(str(path)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getnframes()) == (8000, 1, 320)


def test_old_recordings_are_deleted(tmp_path: Path) -> None:
    old = CallRecorder(tmp_path, "old")
    old.close()
    new = CallRecorder(tmp_path, "new")
    new.close()
    forty_days_ago = time.time() - 40 * 86_400
    os.utime(old.path, (forty_days_ago, forty_days_ago))
    assert purge_recordings(tmp_path, 30) == 1
    assert not old.path.exists() and new.path.exists()
    assert purge_recordings(tmp_path / "missing", 30) == 0
