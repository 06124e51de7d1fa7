"""The caller's volume (ACCESSIBILITY.md V12): "大声点" / "小声点" move the rest of the call's
speech up or down a step, within limits, and louder never clips.

A step is :data:`STEP_DB` decibels. Synthesized speech already peaks near full scale, so a
louder level cannot just multiply the samples: above :data:`KNEE` of full scale the amplified
samples are bent smoothly (tanh) towards :data:`CEILING`, which they never reach. The loudness
(RMS) rises while the peaks stay below full scale — no flat-topped, clipped waves.
"""

from __future__ import annotations

import re

import numpy as np

STEP_DB = 3.0
"""One "大声点" or "小声点": about 1.4 times the amplitude either way."""
MIN_LEVEL = -2
MAX_LEVEL = 3
"""The quietest and loudest levels, in steps from the synthesizer's own level (0)."""
FULL_SCALE = 32767
CEILING = 0.95 * FULL_SCALE
"""Amplified speech stays below this (16-bit sample value)."""
KNEE = 0.5
"""Fraction of :data:`CEILING` above which amplified samples are bent instead of scaled."""

LOUDER = "louder"
QUIETER = "quieter"
VOLUME_PHRASES = ("大声点", "大声一点", "声音大一点", "小声点", "小声一点", "声音小一点")
"""What callers say most, as recognizer hints (a grammar must let them through)."""

_POLITE = r"(?:请|你|您|麻烦你?|麻烦您|能不能|可以)?"
_END = r"(?:吧|啊|呀|好吗|行吗|好不好|可以吗)?"
_SOME = r"(?:一)?(?:点|些)(?:儿)?"
_LOUDER = re.compile(
    rf"{_POLITE}(?:"
    rf"(?:说话|说|讲)?再?大声{_SOME}(?:说|讲)?"
    rf"|声音再?(?:大|响){_SOME}"
    rf"|(?:说|讲)?大点声儿?"
    rf"|声音(?:太|有点|好)?小了?"
    rf"){_END}"
)
_QUIETER = re.compile(
    rf"{_POLITE}(?:"
    rf"(?:说话|说|讲)?再?小声{_SOME}(?:说|讲)?"
    rf"|声音再?(?:小|轻){_SOME}"
    rf"|(?:说|讲)?小点声儿?"
    rf"|声音(?:太|有点|好)?(?:大|响)了?"
    rf"){_END}"
)
_NOT_WORDS = re.compile(r"[\s，。！？、,.!?~～]")


def volume_request(text: str) -> str:
    """:data:`LOUDER` or :data:`QUIETER` when the whole utterance asks for it ("大声点",
    "声音太小了", "请小声一点"), else "" (an errand said with it goes to the bot)."""
    plain = _NOT_WORDS.sub("", text)
    if _LOUDER.fullmatch(plain):
        return LOUDER
    if _QUIETER.fullmatch(plain):
        return QUIETER
    return ""


def gain(level: int) -> float:
    """The amplitude factor of ``level`` (0 → 1.0, each step :data:`STEP_DB`)."""
    return float(10 ** (level * STEP_DB / 20))


def at_level(pcm: bytes, level: int) -> bytes:
    """16-bit little-endian PCM at ``level``: scaled down, or up with its peaks bent below
    :data:`CEILING`; level 0 returns it unchanged."""
    if level == 0 or not pcm:
        return pcm
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float64)
    scaled = samples * gain(level)
    if level > 0:
        knee = KNEE * CEILING
        size = np.abs(scaled)
        over = size > knee
        room = CEILING - knee
        size[over] = knee + room * np.tanh((size[over] - knee) / room)
        scaled = np.sign(scaled) * size
    return np.round(scaled).astype("<i2").tobytes()
