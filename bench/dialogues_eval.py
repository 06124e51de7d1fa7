"""``make eval``: the held-out dialogues, whole conversations played against the whole system.

The dialogues (``bench/data/dialogues/*.yml``, one file per family of services) were written
without reading the training data, in the ways older citizens and their families talk. Each is
a script in the format of the test stories (:mod:`tests.stories.play`): it completes when every
scripted turn gets its expected answer, so a dialogue that would need the person to rephrase
does not. The system is started the way the story tests start it (real processes on free
ports, the trained model of ``var/models``), every dialogue is played once, and the counts per
file and overall, with each failure (the dialogue, the turn, what the person said, what the bot
answered, what was wrong), are printed as JSON and written to ``var/reports/dialogues.json``.

``python -m bench.dialogues_eval [FILE_STEM …]`` plays only the named files.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from banshi import paths
from banshi.settings import NO_TELEMETRY

DIALOGUES = paths.ROOT / "bench" / "data" / "dialogues"
REPORT = paths.ROOT / "var" / "reports" / "dialogues.json"
TARGET = 0.95


def load_dialogues(only: list[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The dialogues of every file (or of the files named in ``only``), by file stem."""
    files = sorted(DIALOGUES.glob("*.yml"))
    if only:
        files = [path for path in files if path.stem in only]
    return {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))["stories"] for path in files
    }


def summarize(outcomes: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Counts and rates per file and overall, and the failures, from each dialogue's outcome
    (``{"dialogue", "completed", "failure"?}``)."""
    files: dict[str, Any] = {}
    failures: list[dict[str, Any]] = []
    total = completed = 0
    for stem, results in outcomes.items():
        done = sum(1 for r in results if r["completed"])
        files[stem] = {
            "dialogues": len(results),
            "completed": done,
            "rate": _rate(done, len(results)),
        }
        total += len(results)
        completed += done
        failures.extend({"file": stem, **r["failure"]} for r in results if not r["completed"])
    return {
        "benchmark": "dialogues_eval",
        "dialogues": total,
        "completed": completed,
        "rate": _rate(completed, total),
        "target": TARGET,
        "files": files,
        "failures": failures,
    }


def _rate(done: int, total: int) -> float:
    return round(done / total, 4) if total else 0.0


def play_all(dialogues: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Start the whole system and play every dialogue once."""
    from tests import days
    from tests.conftest import running_system, system_settings
    from tests.stories.play import play

    days.fix_today(os.environ.pop("BANSHI_TODAY", None))
    outcomes: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="banshi-dialogues-") as var:
        settings = system_settings(Path(var)).with_secrets()
        print("starting the system (a few minutes)", file=sys.stderr, flush=True)
        with running_system(settings) as system:
            for stem, scripts in dialogues.items():
                results = outcomes.setdefault(stem, [])
                for script in scripts:
                    played = play(script, system, days.today())
                    result: dict[str, Any] = {
                        "dialogue": script["story"],
                        "completed": played.completed,
                    }
                    mark = "ok"
                    if played.failure is not None:
                        failure = played.failure
                        result["failure"] = {
                            "dialogue": script["story"],
                            "turn": failure.turn,
                            "user": failure.user,
                            "bot": failure.bot,
                            "problem": failure.problem,
                            "transcript": played.transcript,
                        }
                        mark = f"FAILED at turn {failure.turn}: {failure.problem}"
                    print(f"{stem}: {script['story']}: {mark}", file=sys.stderr, flush=True)
                    results.append(result)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    """Play the dialogues, print the summary and write the report."""
    os.environ.update(NO_TELEMETRY)
    started = time.monotonic()
    dialogues = load_dialogues(list(argv if argv is not None else sys.argv[1:]))
    summary = summarize(play_all(dialogues))
    summary["seconds"] = round(time.monotonic() - started, 1)
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
