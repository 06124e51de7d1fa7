"""Kiosk turn latency: from the last word to the first audio of the bot's answer, for complete
expected answers and for free speech.

Starts the real processes (embedded profile) with the Korean test model as the recognizer,
then plays espeak-ng speech into ``/kiosk/ws`` at the pace of real time, as the page's
AudioWorklet does, and times each turn on the client side:

- ``last_voice_to_first_audio``: from the moment the audio up to the last voiced frame has been
  sent (the last word) to the first byte of the answer's speech: what the person waits.
- ``endpoint_to_first_audio``: the same from the moment the audio that ended the utterance
  has been sent. This is what V5 budgets (target p95 ≤ 750 ms): recognition lag, Rasa,
  synthesis, network.
- ``last_voice_to_endpoint_s``: where the utterance was declared over, after the last voiced
  frame, in seconds of audio (the settle time or the end-of-speech silence).

Two kinds of turns:

- **free speech**: a Korean sentence to a fresh kiosk (no question asked yet); the utterance
  ends after the end-of-speech silence (1.2 s, V4);
- **complete expected answers**: the kiosk is first asked "是这样吗？" with the buttons 네 and
  아니요 (through ``bench.kiosk_gateway``: the bot never asks in Korean), and the person says
  one of them; the utterance ends after the settle time (0.3 s). Target: p95 ≤ 600 ms from the
  last word to the first audio.

Both answers go to Rasa, which does not understand Korean and answers with its fallback
prompt; Rasa's time for a real intent is similar (bench.turn_latency).

Prints JSON and writes var/bench/voice_kiosk.json.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
from websockets.legacy.client import connect as ws_connect

from banshi import paths
from banshi.runner import ProcessGroup, process_specs
from banshi.settings import Settings
from banshi.training import ensure_model
from bench.voice_common import korean_model_dir, korean_speech, machine, summary_ms, write_report
from tests.conftest import free_port
from voice.audio import RECOGNIZER_RATE, resample

TURNS = 20
CONCURRENT_KIOSKS = 3
CHUNK_S = 0.02  # the page sends 20 ms frames
FREE_SPEECH = "오늘 날씨가 좋습니다"
QUESTION = "是这样吗？"
ANSWERS = ("네", "아니요")
BUTTONS = [{"title": "네", "payload": "/affirm"}, {"title": "아니요", "payload": "/deny"}]
TARGET_EXPECTED_P95_MS = 600
TARGET_ENDPOINT_P95_MS = 750


def speech(text: str) -> bytes:
    """``text`` in espeak-ng's Korean voice at 16 kHz, with 0.3 s of silence before and 2 s
    after (more than the end-of-speech silence)."""
    pcm, rate = korean_speech(text)
    audio = resample(pcm, rate, RECOGNIZER_RATE)
    return bytes(int(0.3 * RECOGNIZER_RATE) * 2) + audio + bytes(int(2.0 * RECOGNIZER_RATE) * 2)


class Bench:
    """The running system: the kiosk's WebSocket and the bench's question route."""

    def __init__(self, settings: Settings) -> None:
        base = f"http://127.0.0.1:{settings.gateway_port}"
        self.ws_url = base.replace("http://", "ws://") + "/kiosk/ws"
        self.ask_url = f"{base}/bench/ask"
        self.token = settings.service_token

    async def turn(self, audio: bytes, *, ask: bool) -> dict[str, float] | None:
        """One voice turn on a fresh connection (after a question when ``ask``); the
        timings in seconds, ``None`` when nothing was heard or nothing answered."""
        async with ws_connect(self.ws_url, max_size=None) as socket:
            ready = json.loads(await socket.recv())
            while ready.get("voice_input") != "ready":
                await asyncio.sleep(1)
                await socket.send(json.dumps({"type": "reset"}))
                ready = json.loads(await socket.recv())
            if ask:
                await self._ask(socket, ready["conversation_id"])
            await socket.send(json.dumps({"type": "listen", "sample_rate": RECOGNIZER_RATE}))
            return await self._speak(socket, audio)

    async def _ask(self, socket: Any, conversation_id: str) -> None:
        """Start the conversation with a typed 你好, then ask the Korean yes/no question."""
        await socket.send(json.dumps({"type": "text", "text": "你好"}))
        await _next(socket, "messages")
        async with httpx.AsyncClient(timeout=30) as client:
            answer = await client.post(
                self.ask_url,
                json={"conversation_id": conversation_id, "text": QUESTION, "buttons": BUTTONS},
                headers={"Authorization": f"Bearer {self.token}"},
            )
            answer.raise_for_status()
        shown = await _next(socket, "messages")
        if shown["messages"][-1]["text"] != QUESTION:
            raise RuntimeError(f"the kiosk did not show the question: {shown}")

    async def _speak(self, socket: Any, audio: bytes) -> dict[str, float] | None:
        step = int(RECOGNIZER_RATE * CHUNK_S) * 2
        sent_at: list[float] = []  # wall time when the audio up to chunk i's end was sent
        result: dict[str, Any] = {}
        done = asyncio.Event()

        async def receive() -> None:
            replying = False  # an audio_start of the answer came after the transcript
            async for frame in socket:
                now = time.perf_counter()
                if isinstance(frame, bytes):
                    if replying:
                        result["first_audio"] = now
                        done.set()
                        return
                    continue
                message = json.loads(frame)
                if message["type"] == "transcript":
                    result.update(
                        transcript_at=now,
                        endpoint_s=message["endpoint_s"],
                        speech_end_s=message["speech_end_s"] or 0.0,
                        reason=message["reason"],
                        text=message["text"],
                    )
                    if not message["text"]:
                        done.set()
                        return
                elif message["type"] == "audio_start" and "transcript_at" in result:
                    replying = True

        receiver = asyncio.create_task(receive())
        started = time.perf_counter()
        for index, offset in enumerate(range(0, len(audio), step)):
            due = started + index * CHUNK_S
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            await socket.send(audio[offset : offset + step])
            sent_at.append(time.perf_counter())
            if done.is_set():
                break
        await asyncio.wait_for(done.wait(), 30)
        receiver.cancel()
        if "first_audio" not in result:
            return None

        def sent(at_s: float) -> float:
            return sent_at[min(len(sent_at) - 1, max(0, round(at_s / CHUNK_S) - 1))]

        return {
            "last_voice_to_first_audio": result["first_audio"] - sent(result["speech_end_s"]),
            "endpoint_to_first_audio": result["first_audio"] - sent(result["endpoint_s"]),
            "endpoint_to_transcript": result["transcript_at"] - sent(result["endpoint_s"]),
            "last_voice_to_endpoint_s": result["endpoint_s"] - result["speech_end_s"],
            "ended_early": 1.0 if result["reason"] == "complete" else 0.0,
        }


async def _next(socket: Any, kind: str) -> dict[str, Any]:
    """The next JSON message of type ``kind`` (audio and other messages are skipped)."""
    while True:
        frame = await asyncio.wait_for(socket.recv(), 30)
        if isinstance(frame, str) and json.loads(frame)["type"] == kind:
            return dict(json.loads(frame))


def block(turns: list[dict[str, float]], expected: int) -> dict[str, Any]:
    """Percentiles of each timing; how many turns ended early; how many were lost."""
    out: dict[str, Any] = {
        key: summary_ms([t[key] for t in turns])
        for key in turns[0]
        if key not in ("ended_early", "last_voice_to_endpoint_s")
    }
    out["last_voice_to_endpoint_ms"] = summary_ms([t["last_voice_to_endpoint_s"] for t in turns])
    out["ended_early"] = sum(int(t["ended_early"]) for t in turns)
    out["turns_lost"] = expected - len(turns)
    return out


async def measure(bench: Bench, free: bytes, answers: list[bytes]) -> dict[str, Any]:
    """Sequential turns of each kind, then batches of three kiosks at once."""
    await bench.turn(free, ask=False)  # warm up: model pages, recognizer pool, Rasa
    await bench.turn(answers[0], ask=True)
    report: dict[str, Any] = {}
    for name, ask in (("complete_expected_answer", True), ("free_speech", False)):

        def audio(index: int, ask: bool = ask) -> bytes:
            return answers[index % len(answers)] if ask else free

        sequential = [await bench.turn(audio(i), ask=ask) for i in range(TURNS)]
        concurrent: list[dict[str, float] | None] = []
        for batch in range(TURNS // CONCURRENT_KIOSKS):
            concurrent += await asyncio.gather(
                *(bench.turn(audio(batch + k), ask=ask) for k in range(CONCURRENT_KIOSKS))
            )
        report[name] = {
            "one_kiosk": block([t for t in sequential if t], TURNS),
            f"{CONCURRENT_KIOSKS}_kiosks_at_once": block(
                [t for t in concurrent if t], len(concurrent)
            ),
        }
    return report


def main() -> int:
    """Start the system, measure, report."""
    free = speech(FREE_SPEECH)
    answers = [speech(word) for word in ANSWERS]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            var_dir=Path(tmp),
            models_dir=paths.ROOT / "var" / "models",
            gateway_port=free_port(),
            rasa_port=free_port(),
            action_port=free_port(),
            sandbox_port=free_port(),
            vosk_model_path=korean_model_dir(),
        ).with_secrets()
        model = ensure_model(settings.models_dir)
        specs = [
            replace(
                spec,
                argv=[
                    "bench.kiosk_gateway:gateway_app" if arg == "banshi.apps:gateway_app" else arg
                    for arg in spec.argv
                ],
            )
            for spec in process_specs(settings, model)
        ]
        with ProcessGroup(settings, specs, log_dir=Path(tmp) / "logs", echo=False):
            results = asyncio.run(measure(Bench(settings), free, answers))
    expected_p95 = results["complete_expected_answer"]["one_kiosk"]["last_voice_to_first_audio"][
        "p95_ms"
    ]
    endpoint_p95 = results["free_speech"]["one_kiosk"]["endpoint_to_first_audio"]["p95_ms"]
    report = {
        "benchmark": "voice_kiosk",
        "profile": "embedded",
        "recognizer_model": korean_model_dir(),
        "end_of_speech_silence_s": settings.end_of_speech_s,
        "answer_settle_s": settings.answer_settle_s,
        "machine": machine(),
        **results,
        "note": "Free speech: a Korean sentence to a fresh kiosk. Complete expected answers: "
        "네 or 아니요 to the question 是这样吗？ with those buttons, asked through "
        "bench.kiosk_gateway. Rasa answers both with its fallback prompt.",
        "target": {
            "complete_expected_answer_last_voice_to_first_audio_p95_ms": TARGET_EXPECTED_P95_MS,
            "endpoint_to_first_audio_p95_ms": TARGET_ENDPOINT_P95_MS,
        },
        "meets_target": {
            "complete_expected_answer": expected_p95 <= TARGET_EXPECTED_P95_MS,
            "endpoint": endpoint_p95 <= TARGET_ENDPOINT_P95_MS,
        },
    }
    write_report("voice_kiosk", report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
