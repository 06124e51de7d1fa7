"""``make eval``: NLU 5-fold cross-validation (and the test stories, when there are any).

Reports go to ``var/reports/``; a JSON summary (intent and entity weighted F1, time) is printed
and written to ``var/reports/summary.json``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from banshi import paths

REPORTS = paths.ROOT / "var" / "reports"
TEST_STORIES = paths.ROOT / "tests" / "stories"


def _weighted_f1(report: Path) -> float | None:
    if not report.exists():
        return None
    data = json.loads(report.read_text(encoding="utf-8"))
    return round(float(data.get("weighted avg", {}).get("f1-score", 0.0)), 4)


def main() -> int:
    """Run the evaluations and print the summary."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    nlu_out = REPORTS / "nlu"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "test",
            "nlu",
            "--nlu",
            str(paths.NLU_DIR),
            "--config",
            str(paths.CONFIG),
            "--cross-validation",
            "--folds",
            "5",
            "--out",
            str(nlu_out),
        ],
        cwd=paths.ROOT,
        check=True,
    )
    summary: dict[str, Any] = {
        "benchmark": "nlu_eval",
        "folds": 5,
        "intent_weighted_f1": _weighted_f1(nlu_out / "intent_report.json"),
        "entity_weighted_f1": _weighted_f1(nlu_out / "RegexEntityExtractor_report.json")
        or _weighted_f1(nlu_out / "DIETClassifier_report.json"),
        "targets": {"intent_weighted_f1": 0.93, "entity_f1": 0.90},
    }
    if TEST_STORIES.exists():
        from banshi.training import ensure_model

        model = ensure_model(paths.ROOT / "var" / "models")
        core_out = REPORTS / "stories"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "rasa",
                "test",
                "core",
                "--model",
                str(model),
                "--stories",
                str(TEST_STORIES),
                "--out",
                str(core_out),
            ],
            cwd=paths.ROOT,
            check=False,
        )
        summary["test_stories_passed"] = result.returncode == 0
    summary["seconds"] = round(time.monotonic() - started, 1)
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    (REPORTS / "summary.json").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
