"""The phone channel's whole errand through a PBX: banshi registers at Kamailio with digest
authentication, baresip calls banshi's account through Kamailio, chooses 交学费 from the
greeting's menu, keys the student number, hears the bill and pays it with a key; the sandbox
then holds the pay code banshi issued for that bill."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from channels.phone.media import FRAME_BYTES
from platform_sandbox.seed import DEMO_STUDENT_ID
from tests.conftest import RunningSystem, running_system, system_settings
from tests.needs import need_espeak
from tests.phone.baresip import Baresip, free_udp_port, need_baresip, wav_pcm
from tests.phone.calls import loud_frames, write_wav
from tests.phone.kamailio import PASSWORD, running_kamailio
from tests.phone.test_gateway_call import until

WAV_HEADER = 44
DEMO_BILL = "EB202600001"
"""The open tuition bill of DEMO_STUDENT_ID (学费和住宿费, 2550.00 元)."""
QUIET_FRAMES = 60
"""1.2 s of quiet after speech: the bot has finished saying something."""


@pytest.fixture(scope="module")
def pbx_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningSystem, int]]:
    """Kamailio as the PBX, then every process of banshi with the gateway's user agent
    registered at it as ``banshi``."""
    need_espeak()
    need_baresip()
    with running_kamailio(tmp_path_factory.mktemp("kamailio")) as pbx:
        settings = system_settings(
            tmp_path_factory.mktemp("phone-pbx"),
            phone_enabled=True,
            sip_port=free_udp_port(),
            sip_register_uri=f"127.0.0.1:{pbx}",
            sip_register_user="banshi",
            sip_register_password=PASSWORD,
        ).with_secrets()
        with running_system(settings) as running:
            yield running, pbx


def heard_frames(recordings: Path) -> bytes:
    """What the caller has heard so far (baresip is still writing it)."""
    files = list(recordings.glob("dump-*-dec.wav"))
    if not files:
        return b""
    pcm = files[0].read_bytes()[WAV_HEADER:]
    return pcm[: len(pcm) - len(pcm) % FRAME_BYTES]


def said_and_done(recordings: Path, after: int) -> int | None:
    """The length heard when speech came after byte ``after`` and has ended (a pause of
    :data:`QUIET_FRAMES`); None while the bot is still speaking or has not started."""
    pcm = heard_frames(recordings)
    new = pcm[after:]
    tail = pcm[-QUIET_FRAMES * FRAME_BYTES :]
    if loud_frames(new) >= 25 and len(tail) == QUIET_FRAMES * FRAME_BYTES:
        return len(pcm) if loud_frames(tail) == 0 else None
    return None


async def test_tuition_is_paid_by_keypad_through_kamailio(
    pbx_system: tuple[RunningSystem, int], tmp_path: Path
) -> None:
    system, pbx = pbx_system
    voice = write_wav(tmp_path / "voice.wav", bytes(8000 * 2 * 120))  # a caller who only keys
    phone = Baresip(tmp_path / "baresip", voice, user="13912345678")
    await phone.start()
    try:
        await phone.command("dial", f"sip:banshi@127.0.0.1:{pbx}")
        await phone.wait_event("CALL_ESTABLISHED", timeout=30)
        heard = await until(lambda: said_and_done(phone.recordings, 0), 60, "the greeting")
        await phone.command("sndcode", "1")  # 交学费，请按1
        heard = await until(lambda: said_and_done(phone.recordings, heard), 60, "the question")
        for key in f"{DEMO_STUDENT_ID}#":
            await phone.command("sndcode", key)
            await asyncio.sleep(0.3)
        heard = await until(lambda: said_and_done(phone.recordings, heard), 90, "the bill")
        await phone.command("sndcode", "1")  # 对，缴费，请按1
        await until(lambda: said_and_done(phone.recordings, heard), 90, "the pay code")
        await phone.command("hangup")
        await phone.wait_event("CALL_CLOSED")
    finally:
        await phone.stop()
    with system.platform() as platform:
        again = platform.post("/v1/payments", json={"bill_id": DEMO_BILL, "payer": "family"})
    # banshi made the payment: the bill now waits for the pay code banshi said
    assert again.status_code == 409, again.text
    assert again.json()["error"]["pending_payment"]["pay_code"]
    assert loud_frames(wav_pcm(phone.heard())) * 0.02 > 10, "greeting, question, bill, code"
