"""The kiosk's configuration reaches the voice engine, and is checked when it is built."""

from __future__ import annotations

import pytest

from channels.kiosk.config import KioskConfig
from channels.kiosk.routes import voice_config


def test_the_silences_reach_the_recognizer() -> None:
    config = voice_config(KioskConfig(end_of_speech_s=1.5, answer_settle_s=0.4, no_input_s=6.0))
    assert config.recognizer.endpoint.end_silence_s == 1.5
    assert config.recognizer.endpoint.no_speech_timeout_s == 6.0
    assert config.recognizer.settle_s == 0.4
    assert voice_config(KioskConfig()).recognizer.settle_s == 0.3


@pytest.mark.parametrize("settle_s", [0.05, 1.3])
def test_a_settle_time_outside_the_silence_is_refused(settle_s: float) -> None:
    with pytest.raises(ValueError, match="BANSHI_ANSWER_SETTLE_S"):
        KioskConfig(end_of_speech_s=1.2, answer_settle_s=settle_s)
