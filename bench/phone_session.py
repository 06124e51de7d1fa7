"""Phone call latency and cost, through the real call session, gateway, Rasa and actions.

Starts the system as ``tests/phone`` does (sandbox, actions and Rasa as processes, the gateway
in this process) and answers in-memory calls (``tests/phone/memory_call.py``: the SIP
transport's stand-in; the real user agent adds its G.711 coding and RTP pacing):

- ``answer_to_greeting_audio``: from the call's answer to the first greeting audio handed to
  the call (target p95 ≤ 300 ms), one call at a time and then ``CONCURRENT`` at once;
- ``last_voice_to_first_audio``: from the last frame of the caller's speech (espeak-ng Korean,
  8 kHz, paced in real time) to the first audio of the answer; ``endpoint_to_first_audio`` is
  the same less the end-of-speech silence (1.2 s, V4), i.e. recognition lag, the turn through
  Rasa and synthesis (target p95 ≤ 800 ms with the Korean model); an answer that takes more
  than 1.5 s starts with "请稍等" (V5), which counts as its first audio;
- ``cpu_s_per_call_minute``: this process's CPU time (gateway, recognizer, synthesizer) for
  calls that say one utterance, per minute of call.

Prints JSON and writes var/bench/phone_session.json.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.voice_common import korean_speech, machine, summary_ms, write_report
from tests.phone.conftest import PhoneStack, started_phone_stack
from voice.audio import resample

CALLS = 20
CONCURRENT = 10
TURNS = 10
END_OF_SPEECH_S = 1.2


def trim_silence(pcm: bytes, level: int = 300) -> bytes:
    """``pcm`` without the quiet espeak-ng leaves after the last word, so that its last frame
    is the caller's last voiced frame."""
    samples = np.frombuffer(pcm, dtype="<i2")
    loud = np.nonzero(np.abs(samples.astype(np.int32)) > level)[0]
    return pcm[: (int(loud[-1]) + 1) * 2] if loud.size else pcm


def greeting_latency(stack: PhoneStack, calls: int, at_once: int) -> list[float]:
    """Answer → first greeting audio, in seconds, for ``calls`` calls, ``at_once`` at a time."""
    out: list[float] = []
    for _ in range(0, calls, at_once):
        running = [stack.call() for _ in range(at_once)]
        for call, session, _future in running:
            call.wait_until(lambda c: len(c.played) >= 1)
            assert session.first_audio_s is not None
            out.append(session.first_audio_s)
        for call, _session, future in running:
            call.caller_hangs_up()
            future.result(timeout=60)
    return out


def reply_latency(stack: PhoneStack, speech: bytes) -> dict[str, Any]:
    """End of the caller's speech → first audio of the answer, for ``TURNS`` calls."""
    last_voice: list[float] = []
    cpu_s = 0.0
    call_s = 0.0
    for _ in range(TURNS):
        cpu_before, started = time.process_time(), time.perf_counter()
        call, _session, future = stack.call(play_speed=1.0)
        call.wait_until(lambda c: len(c.played) >= 1, timeout_s=60)
        before = call.started
        call.say(speech)
        call.wait_said()
        spoke_at = call.last_frame_at
        call.wait_until(lambda c, before=before: c.started > before, timeout_s=60)
        last_voice.append(call.started_at[before] - spoke_at)
        call.caller_hangs_up()
        future.result(timeout=60)
        cpu_s += time.process_time() - cpu_before
        call_s += time.perf_counter() - started
    return {
        "last_voice_to_first_audio": summary_ms(last_voice),
        "endpoint_to_first_audio": summary_ms([s - END_OF_SPEECH_S for s in last_voice]),
        "cpu_s_per_call_minute": round(cpu_s / call_s * 60, 2),
    }


def main() -> None:
    """Run the measurements and write the report."""
    pcm, rate = korean_speech()
    speech = trim_silence(resample(pcm, rate, 8000))
    report: dict[str, Any] = {"machine": machine()}
    with (
        tempfile.TemporaryDirectory() as var_dir,
        started_phone_stack(Path(var_dir)) as stack,
    ):
        report["answer_to_greeting_audio"] = summary_ms(greeting_latency(stack, CALLS, 1))
        report[f"answer_to_greeting_audio_{CONCURRENT}_at_once"] = summary_ms(
            greeting_latency(stack, CONCURRENT * 2, CONCURRENT)
        )
        report.update(reply_latency(stack, speech))
    write_report("phone_session", report)


if __name__ == "__main__":
    main()
