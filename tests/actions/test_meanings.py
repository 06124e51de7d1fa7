"""What a word means, asked in the person's own way: plain words, never the same sentence."""

from __future__ import annotations

import pytest
from rasa_sdk.events import FollowupAction, SlotSet

from actions.meanings import MEANINGS, NOT_KNOWN, ActionExplainTerm, meaning_of
from tests.actions.conftest import form_turn, said


@pytest.mark.parametrize(
    ("asked", "starts"),
    [
        ("啥个承诺？", "告知承诺，就是"),
        ("户号在哪里找", "户号是水费"),
        ("办件编号是啥", "办件编号是申请时"),
        ("出示码是干什么用的", "出示码是一串数字"),
        ("老年卡有什么用", "敬老卡是60岁"),
    ],
)
def test_the_word_asked_about_is_explained(asked: str, starts: str) -> None:
    meaning = meaning_of(asked)
    assert meaning is not None and meaning[0].startswith(starts)


def test_what_does_it_mean_is_about_the_question_just_asked() -> None:
    assert meaning_of("这是啥意思", "utility_account") == meaning_of("户号")
    assert meaning_of("这是啥意思", "allowance_commitment") == meaning_of("承诺")
    assert meaning_of("这是啥意思") is None


def test_explanations_are_short_and_never_the_commitment_sentence_again() -> None:
    for _, sentences in MEANINGS:
        assert len(sentences) == 2
        for sentence in sentences:
            assert len(sentence) <= 40, sentence
            assert "以后可能会核查" not in sentence


async def test_inside_a_service_the_question_word_is_explained() -> None:
    events = [{"event": "slot", "name": "requested_slot", "value": "allowance_commitment"}]
    turn = form_turn(
        {"service": "elderly_allowance"}, text="啥意思", intent="ask_meaning", events=events
    )
    assert await ActionExplainTerm().run(turn.dispatcher, turn.tracker, {}) == []
    assert said(turn) == list(meaning_of("告知承诺") or ())
    unknown = form_turn({}, text="这是啥意思", intent="ask_meaning")
    unknown.tracker.active_loop = {}
    await ActionExplainTerm().run(unknown.dispatcher, unknown.tracker, {})
    assert said(unknown) == list(NOT_KNOWN)


async def test_a_word_said_as_an_answer_is_the_answer_not_a_question() -> None:
    events = [{"event": "slot", "name": "requested_slot", "value": "status_application_number"}]
    turn = form_turn(
        {"service": "application_status"}, text="不记得编号", intent="ask_meaning", events=events
    )
    answered = await ActionExplainTerm().run(turn.dispatcher, turn.tracker, {})
    assert SlotSet("status_mode", "mine") in answered
    assert answered[-1] == FollowupAction("service_form")
    assert not any(text.startswith("办件编号是") for text in said(turn))
