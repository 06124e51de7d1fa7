"""The held-out dialogues of ``make eval`` (``bench/data/dialogues``): well-formed scripts that the
story player can fill, kept out of the training data, and counted the way the report says."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bench import dialogues_eval
from platform_sandbox import seed
from tests import days
from tests.stories.play import response_rule_problem, story_values

DIALOGUES = dialogues_eval.load_dialogues()
ALL = [(stem, d) for stem, scripts in DIALOGUES.items() for d in scripts]
KEYS = {"user", "bot", "not", "mode", "setting", "faults"}
RUNTIME = {"{sms}"}
"""Placeholders filled while the dialogue runs (the code the sandbox just sent)."""
SHORT = 4
"""Answers this short (对, 好的, 同意, a name) are everyone's words, in any data set."""


def test_between_45_and_60_dialogues_over_every_family_of_services() -> None:
    assert 45 <= len(ALL) <= 60
    assert set(DIALOGUES) == {
        "applications",
        "appointments",
        "certificates",
        "complaints",
        "controls",
        "education",
        "medical",
        "pension",
        "status",
        "utilities",
    }
    names = [d["story"] for _, d in ALL]
    assert len(names) == len(set(names)), "two dialogues share a name"


@pytest.mark.parametrize(("stem", "dialogue"), ALL, ids=[f"{s}: {d['story']}" for s, d in ALL])
def test_every_placeholder_is_known(stem: str, dialogue: dict[str, Any]) -> None:
    citizen = getattr(seed, dialogue["citizen"]) if dialogue.get("citizen") else None
    values = story_values(citizen, days.today())
    assert dialogue["steps"], "a dialogue without turns"
    for step in dialogue["steps"]:
        assert set(step) <= KEYS and isinstance(step["user"], str), step
        for text in [step["user"], *(step.get("bot") or []), *(step.get("not") or [])]:
            filled = str(text)
            for key, value in values.items():
                filled = filled.replace(key, value)
            left = set(re.findall(r"\{[^}]*\}", filled)) - RUNTIME
            assert not left, f"{stem}: unknown placeholder {left} in {text!r}"
            if "{sms}" in filled:
                assert citizen is not None, "{sms} needs a citizen"


def test_no_user_turn_is_a_training_example() -> None:
    from bench.nlu_eval import load_nlu_data

    trained = {example.get("text") for example in load_nlu_data().intent_examples}
    said = {
        step["user"]
        for _, d in ALL
        for step in d["steps"]
        if "{" not in step["user"] and len(step["user"]) > SHORT
    }
    assert said, "no literal turn to check"
    overlap = sorted(said & trained)
    assert not overlap, f"held-out turns in the training data: {overlap}"


def test_summary_counts_per_file_and_lists_each_failure() -> None:
    failure = {"dialogue": "b", "turn": 2, "user": "对", "bot": "请再说一遍", "problem": "x"}
    summary = dialogues_eval.summarize(
        {
            "education": [
                {"dialogue": "a", "completed": True},
                {"dialogue": "b", "completed": False, "failure": failure},
            ],
            "status": [{"dialogue": "c", "completed": True}],
        }
    )
    assert (summary["dialogues"], summary["completed"], summary["rate"]) == (3, 2, 0.6667)
    assert summary["files"]["education"] == {"dialogues": 2, "completed": 1, "rate": 0.5}
    assert summary["files"]["status"]["rate"] == 1.0
    assert summary["failures"] == [{"file": "education", **failure}]


def test_response_rules_name_what_is_broken() -> None:
    assert response_rule_problem({"text": "好的。请说学号。"}) is None
    long = "请" * 41 + "。"
    assert "over 40" in str(response_rule_problem({"text": long}))
    assert "one question" in str(response_rule_problem({"text": "对吗？要交吗？"}))
    four = {"text": "选一个。", "buttons": [{}, {}, {}, {}]}
    assert "options" in str(response_rule_problem(four))
