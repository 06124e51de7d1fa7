"""The kiosk WebSocket's wire form.

Text frames carry JSON objects with a ``type``; binary frames carry raw audio: 16-bit
little-endian mono PCM, upwards at the rate named in the last ``listen`` message (16 kHz from
the page's AudioWorklet), downwards at the rate named in the last ``audio_start``. Audio never
travels inside JSON.

Client → server
  ``{"type": "listen", "sample_rate": 16000, "mode": "ptt"|"handsfree"}`` start an utterance
  ``{"type": "stop_listening"}``     press-to-talk released: the utterance is over
  ``{"type": "cancel_listening"}``   forget the utterance
  ``{"type": "text", "text": "…", "shown": "…"}`` a typed answer or a quick reply
  ``{"type": "stop_audio"}``         barge-in: stop sending speech
  ``{"type": "speak", "seq": N}``    read message N again (``seq`` omitted: the last one)
  ``{"type": "prompt", "name": "idle_warning"}`` speak a fixed prompt (the welcome too)
  ``{"type": "rate", "slow": true}`` slower (or normal) speech from now on
  ``{"type": "reset"}``              a new person ("办完了" or inactivity): new conversation,
                                     nothing of the last one kept, not even a reply on its way

Server → client
  ``ready`` (conversation id, voice input status, timeouts, prompts, and ``welcome``: the
  name of the greeting that fits the voice input), ``voice_status`` (the model finished
  loading, or failed to: with ``welcome`` again), ``listening`` (``kind``: how the recognizer
  listens, ``expect``: the answer the last question expects, see ``voice.expect``),
  ``speech_started``, ``partial``, ``transcript`` (``reason`` ``complete`` when a complete
  expected answer ended it early), ``messages`` (as ``POST /api/chat`` returns them),
  ``audio_start`` (with the ``seq`` of the message or the ``prompt`` name being spoken) /
  binary frames / ``audio_end``, ``rate``, ``error`` (code, message).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from voice.audio import RECOGNIZER_RATE, SUPPORTED_RATES

CLIENT_TYPES = (
    "listen",
    "stop_listening",
    "cancel_listening",
    "text",
    "stop_audio",
    "speak",
    "prompt",
    "rate",
    "reset",
)
PROMPTS = {
    "welcome": "您好！我是办事小助手。请按下面的大按钮说话，也可以点选服务或打字。",
    "welcome_touch": "您好！我是办事小助手。请点下面的按钮选择要办的事，"
    "也可以在屏幕最下面的框里打字，再点“发送”。",
    "idle_warning": "您还在吗？如果还要继续，请点屏幕上的“继续使用”。",
    "reset": "欢迎下一位。",
    "not_heard": "我没有听清，请再说一遍，或者点按钮。",
    "wait": "请稍等。",
}
"""Fixed prompts, synthesized once and cached. ``welcome`` invites speaking; ``welcome_touch``
is the greeting of a kiosk without voice input (touch and typing only)."""


def welcome_prompt(voice_input: str) -> str:
    """The greeting for a voice input status: the spoken one unless voice input is off."""
    return "welcome_touch" if voice_input == "unavailable" else "welcome"


MAX_MESSAGE_CHARS = 4000


class ProtocolError(ValueError):
    """A client frame that breaks the protocol; ``code`` and a Chinese ``message``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ClientMessage:
    """One parsed JSON frame from the page."""

    type: str
    data: dict[str, Any]

    @property
    def sample_rate(self) -> int:
        """The rate of the audio that follows a ``listen``, in Hertz."""
        rate = self.data.get("sample_rate", RECOGNIZER_RATE)
        if not isinstance(rate, int) or rate not in SUPPORTED_RATES:
            raise ProtocolError("audio_rate_unsupported", "麦克风的采样率不支持。")
        return rate

    def text(self, key: str = "text") -> str:
        """A string field (empty when absent or not a string)."""
        value = self.data.get(key)
        return value if isinstance(value, str) else ""


def parse_client(frame: str) -> ClientMessage:
    """Parse a text frame; raises :class:`ProtocolError` for anything malformed."""
    if len(frame) > MAX_MESSAGE_CHARS:
        raise ProtocolError("message_too_large", "内容太长了。")
    try:
        data = json.loads(frame)
    except json.JSONDecodeError as error:
        raise ProtocolError("invalid_json", "消息格式不对。") from error
    if not isinstance(data, dict) or data.get("type") not in CLIENT_TYPES:
        raise ProtocolError("unknown_message", "不认识的消息类型。")
    return ClientMessage(str(data["type"]), data)


def error_message(code: str, message: str, *, speak: bool = True) -> dict[str, Any]:
    """An error for the page: shown in the alert region and, with ``speak``, read out (K12)."""
    return {"type": "error", "code": code, "message": message, "speak": speak}
