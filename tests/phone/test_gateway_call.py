"""A real call into the whole system: baresip dials the gateway's SIP port, hears the greeting,
presses 0 and is queued for a person (seen in the console), hangs up, and the conversation
records the end of the call; ``#`` makes the rest of a call louder."""

from __future__ import annotations

import asyncio
import audioop
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from channels.phone.media import FRAME_BYTES
from channels.phone.session import CALL_ENDED
from tests.conftest import RunningSystem, running_system, system_settings
from tests.handoff.kit import Console, add_staff
from tests.needs import need_espeak
from tests.phone.baresip import Baresip, free_udp_port, need_baresip, wav_pcm
from tests.phone.calls import loud_frames, write_wav

WAV_HEADER = 44


@pytest.fixture(scope="module")
def phone_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """Every process, the gateway answering SIP calls on a free port, handoffs at any hour."""
    need_espeak()
    need_baresip()
    settings = system_settings(
        tmp_path_factory.mktemp("phone-e2e"),
        phone_enabled=True,
        sip_port=free_udp_port(),
        handoff_working_hours="1-7 00:00-23:59",
    ).with_secrets()
    with running_system(settings) as running:
        yield running


async def until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll ``condition`` (a file, an HTTP API) until it is truthy; its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def greeting_heard(recordings: Path) -> bool:
    """Whether the caller has heard speech and then a second of quiet (the greeting is over):
    read from the recording baresip is still writing."""
    files = list(recordings.glob("dump-*-dec.wav"))
    if not files:
        return False
    pcm = files[0].read_bytes()[WAV_HEADER:]
    pcm = pcm[: len(pcm) - len(pcm) % FRAME_BYTES]
    tail = pcm[-50 * FRAME_BYTES :]
    return loud_frames(pcm) >= 50 and len(tail) == 50 * FRAME_BYTES and loud_frames(tail) == 0


async def test_a_call_hears_the_greeting_reaches_a_person_with_0_and_hangs_up(
    phone_system: RunningSystem, tmp_path: Path
) -> None:
    (boss,) = add_staff(phone_system, ("supervisor", "测试区"))
    voice = write_wav(tmp_path / "voice.wav", bytes(8000 * 2 * 60))  # a quiet caller
    phone = Baresip(tmp_path / "baresip", voice, user="13912345678")
    with Console(phone_system.gateway, boss) as supervisor:
        assert supervisor.get("/api/handoffs", status="waiting").status_code == 200  # on duty
        await phone.start()
        try:
            await phone.command("dial", f"sip:banshi@127.0.0.1:{phone_system.settings.sip_port}")
            await phone.wait_event("CALL_ESTABLISHED")
            await until(lambda: greeting_heard(phone.recordings), 30, "the greeting")
            await phone.command("sndcode", "0")

            def queued() -> dict[str, Any] | None:
                waiting = supervisor.get("/api/handoffs", status="waiting").json()["handoffs"]
                phone_ones = [h for h in waiting if h["channel"] == "phone"]
                return phone_ones[0] if phone_ones else None

            handoff = await until(queued, 20, "the handoff")
            await phone.command("hangup")
            await phone.wait_event("CALL_CLOSED")

            def ended() -> bool:
                path = f"/api/conversations/{handoff['conversation_id']}/transcript"
                transcript = supervisor.get(path).json()
                return any(m["text"] == CALL_ENDED for m in transcript["messages"])

            await until(ended, 20, "the end of the call in the transcript")
        finally:
            await phone.stop()
    assert handoff["reason"] == "dtmf_0"
    heard = wav_pcm(phone.heard())
    assert loud_frames(heard) * 0.02 > 2.0, "the greeting is speech of a few seconds"


def loud_rms(pcm: bytes) -> float:
    """The RMS of the 20 ms frames of ``pcm`` that are sound (speech, not the pauses)."""
    frames = [pcm[i : i + FRAME_BYTES] for i in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES)]
    loud = b"".join(f for f in frames if loud_frames(f))
    return float(audioop.rms(loud, 2)) if loud else 0.0


async def test_hash_makes_the_rest_of_the_call_louder_without_clipping(
    phone_system: RunningSystem, tmp_path: Path
) -> None:
    voice = write_wav(tmp_path / "voice.wav", bytes(8000 * 2 * 60))  # a quiet caller
    phone = Baresip(tmp_path / "baresip", voice, user="13912345678")
    await phone.start()
    try:
        await phone.command("dial", f"sip:banshi@127.0.0.1:{phone_system.settings.sip_port}")
        await phone.wait_event("CALL_ESTABLISHED")
        await until(lambda: greeting_heard(phone.recordings), 30, "the greeting")
        (recording,) = phone.recordings.glob("dump-*-dec.wav")
        before = len(recording.read_bytes())
        await phone.command("sndcode", "#")

        def said_again() -> bool:
            pcm = recording.read_bytes()[before:]
            pcm = pcm[: len(pcm) - len(pcm) % FRAME_BYTES]
            tail = pcm[-50 * FRAME_BYTES :]
            return loud_frames(pcm) >= 100 and loud_frames(tail) == 0 and len(tail) > 0

        await until(said_again, 60, "the greeting said again, louder")
        await phone.command("hangup")
        await phone.wait_event("CALL_CLOSED")
    finally:
        await phone.stop()
    heard = phone.heard().read_bytes()
    greeting = heard[WAV_HEADER:before]
    louder = heard[before:]
    ratio = loud_rms(louder) / loud_rms(greeting)
    # one step is +3 dB (1.41 times); the peaks are bent below full scale, so a little less
    assert 1.2 <= ratio <= 1.6, ratio
    # nothing at the top of G.711's scale (32124: where a full-scale sample lands)
    assert audioop.max(louder[: len(louder) - len(louder) % 2], 2) < 32124
