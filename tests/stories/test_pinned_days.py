"""The appointment stories on two pinned days: the whole system started with ``BANSHI_TODAY``
on a Friday (the demo days fall after the weekend, in the new year) and on the Monday before
a 29 February (the empty demo day is a leap day). Both systems pin the sandbox and the actions
through the same setting, as a replayed demo would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import RunningSystem, running_system, system_settings
from tests.stories.test_stories import run_story

pytestmark = pytest.mark.integration

PINNED_DAYS = (date(2027, 1, 1), date(2028, 2, 28))
"""A Friday (demo days 4–6 January 2027) and a Monday (demo days 29 February – 2 March)."""
APPOINTMENTS = yaml.safe_load(
    (Path(__file__).parent / "appointments.yml").read_text(encoding="utf-8")
)["stories"]


@pytest.fixture(scope="module", params=PINNED_DAYS, ids=lambda day: day.isoformat())
def pinned(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RunningSystem, date]]:
    """The whole system, started with its calendar pinned to the day."""
    day: date = request.param
    var_dir = tmp_path_factory.mktemp(f"pinned-{day.isoformat()}")
    settings = system_settings(var_dir, today=day).with_secrets()
    with running_system(settings) as running:
        yield running, day


def test_every_part_works_on_the_pinned_day(pinned: tuple[RunningSystem, date]) -> None:
    system, day = pinned
    health = httpx.get(f"{system.gateway}/healthz", timeout=10).json()
    assert health["calendar"] == {"today": day.isoformat(), "pinned": True}
    with system.platform() as platform:
        reset = platform.post("/v1/sandbox/reset")
    assert reset.status_code == 200 and reset.json()["today"] == day.isoformat()


@pytest.mark.parametrize("story", APPOINTMENTS, ids=[s["story"] for s in APPOINTMENTS])
def test_appointment_story_on_a_pinned_day(
    story: dict[str, Any], pinned: tuple[RunningSystem, date]
) -> None:
    system, day = pinned
    run_story(story, system, day)
