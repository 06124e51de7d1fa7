"""Action tests: real actions, a real sandbox process, trackers replayed from saved states."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker

from actions.config import ActionConfig
from actions.platform import runtime
from banshi import paths
from banshi.runner import ProcessGroup, process_specs
from banshi.settings import Settings
from tests.conftest import RunningSystem, system_settings

TRACKERS = Path(__file__).parent / "trackers"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """Only the platform sandbox, as a real process."""
    settings: Settings = system_settings(tmp_path_factory.mktemp("actions")).with_secrets()
    specs = [s for s in process_specs(settings, Path("unused")) if s.name == "sandbox"]
    with ProcessGroup(settings, specs, log_dir=settings.var_dir / "logs", echo=False) as group:
        yield RunningSystem(settings, group)


@pytest.fixture
async def platform(sandbox: RunningSystem) -> AsyncIterator[None]:
    """The action server's platform client, started against the sandbox as at server start."""
    sandbox.reset_platform()
    runtime.start_client(ActionConfig.from_env(sandbox.settings.child_env()))
    yield
    await runtime.stop_client()


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The bot's domain as the action server receives it."""
    return dict(Domain.load(str(paths.DOMAIN_DIR)).as_dict())


def load_tracker(name: str, **slots: Any) -> Tracker:
    """A saved tracker state (``trackers/NAME.json``), with slots overridden."""
    state = json.loads((TRACKERS / f"{name}.json").read_text(encoding="utf-8"))
    state["slots"].update(slots)
    for event in state["events"]:
        if event["event"] == "slot" and event["name"] in slots:
            event["value"] = slots[event["name"]]
    return Tracker.from_dict(state)
