"""End-to-end test stories: whole conversations through the running system (gateway → Rasa →
action server → platform sandbox), one YAML file per service family in this folder.

The format of a story (its citizen, steps, placeholders and expectations) and the way it is
played are those of :mod:`tests.stories.play`; a story fails on its first turn that does not get
what it expects, with the transcript up to that turn. Every answer of every story is also held
to the response rules (DESIGN.md §6): sentences of at most 40 characters, at most one question
per message, at most three buttons.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import days
from tests.conftest import RunningSystem
from tests.stories.play import play

pytestmark = pytest.mark.integration

HERE = Path(__file__).parent


def load_stories() -> list[Any]:
    stories = []
    for path in sorted(HERE.glob("*.yml")):
        for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]:
            stories.append(pytest.param(story, id=f"{path.stem}: {story['story']}"))
    return stories


STORIES = load_stories()


@pytest.mark.parametrize("story", STORIES)
def test_story(story: dict[str, Any], system: RunningSystem) -> None:
    run_story(story, system, days.today())


def run_story(story: dict[str, Any], system: RunningSystem, today: date) -> None:
    """Play ``story`` against ``system``, whose processes work on ``today``; fail on its first
    turn that goes wrong."""
    played = play(story, system, today)
    if played.failure is not None:
        pytest.fail(f"{played.failure.problem}\n{played.where()}", pytrace=False)
