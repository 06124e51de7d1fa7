"""G.711 μ-law (PCMU) and A-law (PCMA) coding, the two codecs every PBX and trunk speaks.

Python 3.10's ``audioop`` does the work in C; it is deprecated from 3.11 and gone in 3.13, so it
is used here and nowhere else: when the environment moves on, only this module changes (a
table-driven pure Python version, or the ``audioop-lts`` package, fits the same two functions).
"""

from __future__ import annotations

import audioop
from typing import Literal

Law = Literal["PCMU", "PCMA"]
"""The codec's SDP encoding name: PCMU (μ-law, payload type 0) or PCMA (A-law, 8)."""


def encode(pcm: bytes, law: Law) -> bytes:
    """16-bit little-endian PCM → one G.711 byte per sample."""
    if law == "PCMU":
        return audioop.lin2ulaw(pcm, 2)
    return audioop.lin2alaw(pcm, 2)


def decode(payload: bytes, law: Law) -> bytes:
    """One G.711 byte per sample → 16-bit little-endian PCM (two bytes per sample)."""
    if law == "PCMU":
        return audioop.ulaw2lin(payload, 2)
    return audioop.alaw2lin(payload, 2)


def silence(samples: int, law: Law) -> bytes:
    """``samples`` of digital silence in ``law`` (0xFF for μ-law, 0xD5 for A-law)."""
    return (b"\xff" if law == "PCMU" else b"\xd5") * samples
