"""Playing a scripted conversation against the running system: the logic shared by the test
stories (``test_stories.py``, which fails on the first turn that goes wrong) and the held-out
dialogues of ``make eval`` (``bench/dialogues_eval.py``, which counts and reports them).

A script names a seeded citizen (``citizen: DEMO_…`` of ``platform_sandbox.seed``) and lists
steps. A step's ``user`` text may use ``{id}``, ``{name}``, ``{phone}``, ``{last6}``, ``{age}``
(the citizen's), ``{sms}`` (the code the sandbox last sent to the citizen's phone) and
``{student_id}`` (and ``{several_bills_student}``, ``{kindergarten_student}``,
``{arrears_account}``: the demo students and water account with several open bills). ``bot``
lists texts that must all be in the answer, ``not`` texts that must not, ``mode`` the
conversation's mode after the turn, ``setting`` a conversation setting; ``faults``
(``{error_rate: 1}``) makes the platform fail from that turn on (reset with the platform before
the next script).
Days are named relative to the day the system works on (:mod:`tests.days`), in ``user``,
``bot`` and ``not`` alike: ``{full_day}``, ``{open_day}`` and ``{last_place_day}`` are the
demo point's three demo days (its 9 o'clock slot full, empty, one place left) and
``{weekend_day}`` the first Saturday after today, as a person says them (``12月2号``); add
``.cn`` for Chinese numerals (``十二月二号``) and ``.written`` for the bot's form
(``2026年12月2日``). ``{application}`` is the demo allowance application's number and
``{last_month.written}`` last month as the bot writes it (``2026年11月``);
``{needs_info.spoken}`` is a senior-card application waiting for materials, its number read out
digit by digit.
Every answer is also held to the response rules (DESIGN.md §6): sentences of at most 40
characters, at most one question per message, at most three buttons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from platform_sandbox import seed
from tests import days
from tests.chat import Chat
from tests.conftest import RunningSystem

MAX_SENTENCE = 40
MAX_BUTTONS = 3
_SENTENCES = re.compile(r"[^。！？!?]+[。！？!?]?")


def response_rule_problem(message: dict[str, Any]) -> str | None:
    """What breaks the response rules in one bot message, or None."""
    text = message["text"]
    for sentence in _SENTENCES.findall(text):
        if len(sentence.strip()) > MAX_SENTENCE:
            return f"sentence over {MAX_SENTENCE}: {sentence}"
    if text.count("？") + text.count("?") > 1:
        return f"more than one question: {text}"
    if len(message.get("buttons") or []) > MAX_BUTTONS:
        return f"too many options: {text}"
    return None


def calendar(today: date) -> dict[str, str]:
    """The placeholders that name days and dated records, for ``today``."""
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
    """The placeholders of a script that do not change while it runs."""
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
            if response.status_code != 200:
                raise RuntimeError(f"no SMS code for the citizen: {response.text}")
            text = text.replace("{sms}", response.json()["code"])
    for key, value in values.items():
        text = text.replace(key, value)
    return text


@dataclass
class Failure:
    """The first turn of a script that did not get what it expected."""

    turn: int
    user: str
    bot: str
    problem: str


@dataclass
class Played:
    """How a script went: every turn said and answered, and its failure if one."""

    transcript: list[str] = field(default_factory=list)
    failure: Failure | None = None

    @property
    def completed(self) -> bool:
        return self.failure is None

    def where(self) -> str:
        return "\n".join(self.transcript)


def play(story: dict[str, Any], system: RunningSystem, today: date) -> Played:
    """Play ``story`` against ``system`` (whose processes work on ``today``) up to its end or
    its first turn that goes wrong."""
    system.reset_platform()
    citizen = getattr(seed, story["citizen"]) if story.get("citizen") else None
    values = story_values(citizen, today)
    played = Played()
    with httpx.Client(base_url=system.gateway, timeout=60) as client:
        conversation = Chat(client)
        for number, step in enumerate(story["steps"], start=1):
            if "faults" in step:
                with system.platform() as platform:
                    faults = {"latency_ms": 0, "error_rate": 0.0, **step["faults"]}
                    response = platform.post("/v1/sandbox/faults", json=faults)
                    if response.status_code != 200:
                        raise RuntimeError(f"faults not set: {response.text}")
            text = fill(str(step["user"]), values, citizen, system)
            response = conversation.post(text)
            if response.status_code != 200:
                played.failure = Failure(number, text, "", f"HTTP {response.status_code}")
                played.transcript.append(f"{number}. 用户：{text}\n   HTTP：{response.text}")
                return played
            body = response.json()
            answer = "\n".join(m["text"] for m in body["messages"])
            played.transcript.append(f"{number}. 用户：{text}\n   回答：{answer}")
            problem = turn_problem(step, body, answer, values, citizen, system)
            if problem is not None:
                played.failure = Failure(number, text, answer, problem)
                return played
    return played


def turn_problem(
    step: dict[str, Any],
    body: dict[str, Any],
    answer: str,
    values: dict[str, str],
    citizen: Any,
    system: RunningSystem,
) -> str | None:
    """What is wrong with the answer to one step, or None."""
    if not body["messages"]:
        return "no answer"
    for message in body["messages"]:
        problem = response_rule_problem(message)
        if problem is not None:
            return problem
    for expected in step.get("bot") or []:
        expected = fill(str(expected), values, citizen, system)
        if expected not in answer:
            return f"missing {expected!r}"
    for unexpected in step.get("not") or []:
        unexpected = fill(str(unexpected), values, citizen, system)
        if unexpected in answer:
            return f"unexpected {unexpected!r}"
    if "mode" in step and body["mode"] != step["mode"]:
        return f"mode {body['mode']!r}, expected {step['mode']!r}"
    for key, value in (step.get("setting") or {}).items():
        if (body.get("settings") or {}).get(key) != value:
            return f"setting {key} is {(body.get('settings') or {}).get(key)!r}, expected {value!r}"
    return None
