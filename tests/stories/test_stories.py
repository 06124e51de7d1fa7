"""End-to-end test stories: whole conversations through the running system (gateway → Rasa →
action server → platform sandbox), one YAML file per service family in this folder.

A story names a seeded citizen (``citizen: DEMO_…`` of ``platform_sandbox.seed``) and lists
turns. A turn's ``user`` text may use ``{id}``, ``{name}``, ``{phone}``, ``{last6}``, ``{age}`` (the
citizen's), ``{sms}`` (the code the sandbox last sent to the citizen's phone) and
``{student_id}`` (and ``{several_bills_student}``, ``{kindergarten_student}``,
``{arrears_account}``: the demo students and water account with several open bills). ``bot``
lists texts that must all be in the answer, ``not`` texts that must not, ``mode`` the
conversation's mode after the turn, ``setting`` a conversation setting; ``faults``
(``{error_rate: 1}``) makes the platform fail from that turn on (reset with the platform
before the next story).
Days are named relative to the day the system works on (:mod:`tests.days`), in ``user``,
``bot`` and ``not`` alike: ``{full_day}``, ``{open_day}`` and ``{last_place_day}`` are the
demo point's three demo days (its 9 o'clock slot full, empty, one place left) and
``{weekend_day}`` the first Saturday after today, as a person says them (``12月2号``); add
``.cn`` for Chinese numerals (``十二月二号``) and ``.written`` for the bot's form
(``2026年12月2日``). ``{application}`` is the demo allowance application's number and
``{last_month.written}`` last month as the bot writes it (``2026年11月``);
``{needs_info.spoken}`` is a senior-card application waiting for materials, its number read out
digit by digit.
Every answer of every story is also held to the response rules (DESIGN.md §6): sentences of at
most 40 characters, at most one question per message, at most three buttons.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from platform_sandbox import seed
from tests import days
from tests.chat import Chat
from tests.conftest import RunningSystem

pytestmark = pytest.mark.integration

HERE = Path(__file__).parent
MAX_SENTENCE = 40
MAX_BUTTONS = 3
_SENTENCES = re.compile(r"[^。！？!?]+[。！？!?]?")


def load_stories() -> list[Any]:
    stories = []
    for path in sorted(HERE.glob("*.yml")):
        for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]:
            stories.append(pytest.param(story, id=f"{path.stem}: {story['story']}"))
    return stories


STORIES = load_stories()


def check_response_rules(message: dict[str, Any]) -> None:
    text = message["text"]
    for sentence in _SENTENCES.findall(text):
        assert len(sentence.strip()) <= MAX_SENTENCE, f"sentence over {MAX_SENTENCE}: {sentence}"
    assert text.count("？") + text.count("?") <= 1, f"more than one question: {text}"
    assert len(message.get("buttons") or []) <= MAX_BUTTONS, f"too many options: {text}"


def calendar(today: date) -> dict[str, str]:
    """The story placeholders that name days and dated records, for ``today``."""
    demo = days.slots(today)
    named = {
        "full_day": days.day_of(demo.full),
        "open_day": days.day_of(demo.open),
        "last_place_day": days.day_of(demo.last_place),
        "weekend_day": days.weekend_after(today),
    }
    values: dict[str, str] = {}
    for name, day in named.items():
        values[f"{{{name}}}"] = days.said(day)
        values[f"{{{name}.cn}}"] = days.said_in_words(day)
        values[f"{{{name}.written}}"] = days.written(day)
    year, month = days.months_before(today, 1)[0].split("-")
    values["{last_month.written}"] = f"{year}年{int(month)}月"
    dataset = seed.cached_dataset(seed.DEFAULT_SEED, today)
    values["{application}"] = seed.demo_allowance_application(dataset)
    needs_info = days.needs_info_application(dataset).application_number
    values["{needs_info.spoken}"] = days.spoken(needs_info)
    return values


def story_values(citizen: Any, today: date) -> dict[str, str]:
    """The placeholders of a story that do not change while it runs."""
    values = {
        **calendar(today),
        "{student_id}": seed.DEMO_STUDENT_ID,
        "{several_bills_student}": seed.DEMO_SEVERAL_BILLS_STUDENT_ID,
        "{kindergarten_student}": seed.DEMO_KINDERGARTEN_STUDENT_ID,
        "{arrears_account}": seed.DEMO_ARREARS_ACCOUNT,
    }
    if citizen is not None:
        values.update(
            {
                "{id}": citizen.id_number,
                "{name}": citizen.name,
                "{phone}": citizen.phone,
                "{last6}": citizen.id_number[-6:],
                "{age}": str(days.age(citizen.id_number, today)),
            }
        )
    return values


def fill(text: str, values: dict[str, str], citizen: Any, system: RunningSystem) -> str:
    """``text`` with its placeholders filled; ``{sms}`` is the code last sent to the citizen."""
    if citizen is not None and "{sms}" in text:
        with system.platform() as platform:
            response = platform.get("/v1/sandbox/sms", params={"phone": citizen.phone})
            assert response.status_code == 200, response.text
            text = text.replace("{sms}", response.json()["code"])
    for key, value in values.items():
        text = text.replace(key, value)
    return text


@pytest.mark.parametrize("story", STORIES)
def test_story(story: dict[str, Any], system: RunningSystem) -> None:
    run_story(story, system, days.today())


def run_story(story: dict[str, Any], system: RunningSystem, today: date) -> None:
    """Play ``story`` against ``system``, whose processes work on ``today``."""
    system.reset_platform()
    citizen = getattr(seed, story["citizen"]) if story.get("citizen") else None
    values = story_values(citizen, today)
    transcript: list[str] = []
    with httpx.Client(base_url=system.gateway, timeout=60) as client:
        conversation = Chat(client)
        for number, step in enumerate(story["steps"], start=1):
            if "faults" in step:
                with system.platform() as platform:
                    faults = {"latency_ms": 0, "error_rate": 0.0, **step["faults"]}
                    assert platform.post("/v1/sandbox/faults", json=faults).status_code == 200
            text = fill(str(step["user"]), values, citizen, system)
            response = conversation.post(text)
            assert response.status_code == 200, response.text
            body = response.json()
            answer = "\n".join(m["text"] for m in body["messages"])
            transcript.append(f"{number}. 用户：{text}\n   回答：{answer}")
            where = "\n".join(transcript)
            assert body["messages"], f"no answer\n{where}"
            for message in body["messages"]:
                check_response_rules(message)
            for expected in step.get("bot") or []:
                expected = fill(str(expected), values, citizen, system)
                assert expected in answer, f"missing {expected!r}\n{where}"
            for unexpected in step.get("not") or []:
                unexpected = fill(str(unexpected), values, citizen, system)
                assert unexpected not in answer, f"unexpected {unexpected!r}\n{where}"
            if "mode" in step:
                assert body["mode"] == step["mode"], where
            for key, value in (step.get("setting") or {}).items():
                assert (body.get("settings") or {}).get(key) == value, where
