"""``banshi tts``, ``banshi stt`` and ``banshi speakable``: the voice engine from the shell.

``banshi.cli`` registers these with :func:`add_voice_commands` and passes the configured model
folder; this module reads no settings itself.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from voice.audio import ESPEAK_RATE, AudioError, read_wav, wav_bytes
from voice.synthesizer import (
    DEFAULT_RATE_CPM,
    MAX_RATE_CPM,
    MIN_RATE_CPM,
    SynthConfig,
    SynthesisError,
    Synthesizer,
)
from zhtext.speakable import to_speakable


def cmd_speakable(args: argparse.Namespace) -> int:
    """Print the text as it will be spoken."""
    print(to_speakable(args.text))
    return 0


def cmd_tts(args: argparse.Namespace) -> int:
    """Synthesize the text into a WAV file."""
    if not MIN_RATE_CPM <= args.rate <= MAX_RATE_CPM:
        print(
            f"banshi tts: --rate must be {MIN_RATE_CPM}–{MAX_RATE_CPM} characters a minute",
            file=sys.stderr,
        )
        return 2
    synthesizer = Synthesizer(SynthConfig(rate_cpm=args.rate))
    started = time.perf_counter()
    try:
        synthesizer.start()
        pcm = synthesizer.synthesize_blocking(args.text, sample_rate=args.sample_rate)
    except SynthesisError as error:
        print(f"banshi tts: {error.code}: {error}", file=sys.stderr)
        return 1
    finally:
        synthesizer.close()
    if not pcm:
        print("banshi tts: nothing to say (the text is empty)", file=sys.stderr)
        return 2
    Path(args.output).write_bytes(wav_bytes(pcm, args.sample_rate))
    seconds = len(pcm) / 2 / args.sample_rate
    print(
        json.dumps(
            {
                "output": str(args.output),
                "spoken": to_speakable(args.text),
                "audio_s": round(seconds, 3),
                "sample_rate": args.sample_rate,
                "rate_cpm": args.rate,
                "synth_s": round(time.perf_counter() - started, 3),
            },
            ensure_ascii=False,
        )
    )
    return 0


def cmd_stt(args: argparse.Namespace, default_model: Callable[[], str]) -> int:
    """Recognize a WAV file; print JSON with text, words and timing."""
    from voice.recognizer import VoiceUnavailable, load_model, transcribe

    try:
        pcm, rate = read_wav(Path(args.input).read_bytes())
    except OSError as error:
        print(f"banshi stt: cannot read {args.input}: {error.strerror}", file=sys.stderr)
        return 2
    except AudioError as error:
        print(f"banshi stt: {error.code}: {error}", file=sys.stderr)
        return 2
    model_path = args.model or default_model()
    try:
        model = load_model(model_path)
    except VoiceUnavailable as error:
        print(f"banshi stt: {error.code}: {error.detail}", file=sys.stderr)
        print("  → pass --model DIR or set BANSHI_VOSK_MODEL_PATH", file=sys.stderr)
        return 1
    started = time.perf_counter()
    results = transcribe(model, pcm, rate)
    elapsed = time.perf_counter() - started
    audio_s = len(pcm) / 2 / rate
    print(
        json.dumps(
            {
                "text": _join([r.text for r in results if r.text]),
                "utterances": [r.to_json() for r in results],
                "words": [w.to_json() for r in results for w in r.words],
                "timing": {
                    "audio_s": round(audio_s, 3),
                    "input_rate": rate,
                    "model_load_s": round(model.load_s, 3),
                    "decode_s": round(elapsed, 3),
                    "rtf": round(elapsed / audio_s, 4) if audio_s else 0.0,
                },
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    return 0


def _join(texts: list[str]) -> str:
    """Utterances joined: without a space in Chinese, with one in other scripts."""
    chinese = any("\u4e00" <= char <= "\u9fff" for text in texts for char in text)
    return ("" if chinese else " ").join(texts)


def add_voice_commands(
    sub: argparse._SubParsersAction,
    *,
    default_model: Callable[[], str],
) -> None:
    """Register ``tts``, ``stt`` and ``speakable`` on the ``banshi`` parser."""
    tts = sub.add_parser("tts", help="speak a text into a WAV file (espeak-ng)")
    tts.add_argument("text")
    tts.add_argument("-o", "--output", required=True, help="WAV file to write")
    tts.add_argument(
        "--rate",
        type=int,
        default=DEFAULT_RATE_CPM,
        help=f"characters per minute ({MIN_RATE_CPM}–{MAX_RATE_CPM}, default {DEFAULT_RATE_CPM})",
    )
    tts.add_argument(
        "--sample-rate", type=int, default=ESPEAK_RATE, choices=[8000, 16000, 22050, 48000]
    )
    tts.set_defaults(func=cmd_tts)

    stt = sub.add_parser("stt", help="recognize a WAV file (Vosk); prints JSON")
    stt.add_argument("input", help="16-bit PCM WAV, any supported rate")
    stt.add_argument("--model", help="Kaldi model folder (default: BANSHI_VOSK_MODEL_PATH)")
    stt.set_defaults(func=lambda args: cmd_stt(args, default_model))

    speakable = sub.add_parser("speakable", help="print a text as it will be spoken")
    speakable.add_argument("text")
    speakable.set_defaults(func=cmd_speakable)
