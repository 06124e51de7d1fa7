"""``make eval``: NLU 5-fold cross-validation, a held-out set, then the end-to-end test stories.

Intents are scored by weighted F1. Entities are scored on the final entity list the bot sees
(every extractor, after the synonym mapper): a predicted entity counts when its span and label
are exactly those of an annotation. Annotations are written on the raw text; they are moved to
the normalised text with the same offset map as the normaliser uses at training time.

The full data set is also trained once in a child process, for the training time and the peak
memory (RSS of that process and its children). The project's model (trained on everything) is
then scored on ``bench/data/heldout.yml``, utterances kept out of the training data.

Reports go to ``var/reports/nlu/`` (intent and entity reports, confusion, errors by intent);
a JSON summary is printed and written to ``var/reports/summary.json``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from banshi import paths
from banshi.settings import NO_TELEMETRY
from bench.procstat import usage

REPORTS = paths.ROOT / "var" / "reports"
NLU_REPORTS = REPORTS / "nlu"
TEST_STORIES = paths.ROOT / "tests" / "stories"
HELDOUT = paths.ROOT / "bench" / "data" / "heldout.yml"
FOLDS = 5
SEED = 1127

Span = tuple[int, int, str]


def load_nlu_data() -> Any:
    """The NLU training data of the project (every NLU file under nlu_data/)."""
    from rasa.shared.importers.rasa import RasaFileImporter

    importer = RasaFileImporter(
        config_file=str(paths.CONFIG), training_data_paths=[str(paths.NLU_DIR)]
    )
    return importer.get_nlu_data()


def folds(data: Any, n: int = FOLDS) -> list[tuple[Any, Any]]:
    """``n`` stratified folds (by intent), always the same for the same data."""
    from sklearn.model_selection import StratifiedKFold

    from nlu.training_data import with_examples

    examples = data.intent_examples
    labels = [example.get_full_intent() for example in examples]
    splitter = StratifiedKFold(n_splits=n, shuffle=True, random_state=SEED)
    out = []
    for train_index, test_index in splitter.split(examples, labels):
        train = with_examples(data, [examples[i] for i in train_index])
        test = with_examples(data, [examples[i] for i in test_index])
        out.append((train, test))
    return out


def gold_spans(example: Any) -> tuple[str, set[Span]]:
    """The normalised text of a test example and its annotations moved onto it."""
    from zhtext.numbers import normalize_utterance

    text = example.get("text")
    result = normalize_utterance(text)
    spans = set()
    for entity in example.get("entities") or []:
        start, end = result.to_normalized(entity["start"], entity["end"])
        spans.add((start, end, entity["entity"]))
    return result.text, spans


def train_fold(train: Any, workdir: Path, name: str) -> str:
    """Train an NLU model on ``train`` with the project's config; the model's path."""
    from rasa.model_training import train_nlu

    data_file = workdir / f"{name}.yml"
    data_file.write_text(train.nlu_as_yaml(), encoding="utf-8")
    model = train_nlu(
        str(paths.CONFIG), str(data_file), str(workdir / "models"), fixed_model_name=name
    )
    if model is None:
        raise RuntimeError(f"training failed for {name}")
    return model


async def parse_all(model: str, test: Any) -> list[dict[str, Any]]:
    """Parse every test example with the trained model."""
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    results = []
    for example in test.intent_examples:
        parsed = await agent.parse_message(example.get("text"))
        text, gold = gold_spans(example)
        predicted = {(e["start"], e["end"], e["entity"]) for e in parsed.get("entities", [])}
        results.append(
            {
                "text": example.get("text"),
                "normalized": parsed.get("text", text),
                "intent": example.get_full_intent(),
                "predicted_intent": (parsed.get("intent") or {}).get("name"),
                "confidence": round(float((parsed.get("intent") or {}).get("confidence", 0)), 4),
                "gold_entities": sorted(gold),
                "predicted_entities": sorted(predicted),
                "extractors": sorted(
                    {
                        (e["start"], e["end"], e["entity"], e.get("extractor", ""))
                        for e in parsed.get("entities", [])
                    }
                ),
            }
        )
    return results


def intent_reports(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Weighted F1, the per-intent report, the confusion and the errors by intent."""
    from sklearn.metrics import classification_report, f1_score

    gold = [r["intent"] for r in results]
    predicted = [r["predicted_intent"] or "None" for r in results]
    report = classification_report(gold, predicted, output_dict=True, zero_division=0)
    weighted = float(f1_score(gold, predicted, average="weighted", zero_division=0))
    confusion: dict[str, dict[str, int]] = defaultdict(dict)
    for (g, p), count in sorted(Counter(zip(gold, predicted, strict=True)).items()):
        confusion[g][p] = count
    errors: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        if r["predicted_intent"] != r["intent"]:
            errors[r["intent"]].append(
                {
                    "text": r["text"],
                    "predicted": r["predicted_intent"],
                    "confidence": r["confidence"],
                }
            )
    _write("intent_report.json", report)
    _write("intent_confusion.json", confusion)
    _write("intent_errors.json", {k: errors[k] for k in sorted(errors)})
    return {"weighted_f1": round(weighted, 4), "errors": sum(len(v) for v in errors.values())}


def entity_reports(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Exact span + label scores of the final entity list, overall and by entity."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    errors: list[dict[str, Any]] = []
    for r in results:
        gold = {tuple(s) for s in r["gold_entities"]}
        predicted = {tuple(s) for s in r["predicted_entities"]}
        for span in gold & predicted:
            counts[span[2]]["tp"] += 1
        for span in predicted - gold:
            counts[span[2]]["fp"] += 1
        for span in gold - predicted:
            counts[span[2]]["fn"] += 1
        if gold != predicted:
            text = r["normalized"]
            errors.append(
                {
                    "text": r["text"],
                    "normalized": text,
                    "missed": [(text[s:e], label) for s, e, label in sorted(gold - predicted)],
                    "spurious": [(text[s:e], label) for s, e, label in sorted(predicted - gold)],
                }
            )
    report: dict[str, Any] = {}
    total: Counter[str] = Counter()
    weighted = 0.0
    support_total = 0
    for label in sorted(counts):
        c = counts[label]
        total.update(c)
        precision, recall, f1 = _prf(c)
        support = c["tp"] + c["fn"]
        report[label] = {
            "precision": precision,
            "recall": recall,
            "f1-score": f1,
            "support": support,
            "predicted": c["tp"] + c["fp"],
        }
        weighted += f1 * support
        support_total += support
    precision, recall, f1 = _prf(total)
    report["micro avg"] = {
        "precision": precision,
        "recall": recall,
        "f1-score": f1,
        "support": support_total,
    }
    report["weighted avg"] = {
        "f1-score": round(weighted / support_total, 4) if support_total else 0
    }
    _write("entity_report.json", report)
    _write("entity_errors.json", errors)
    return {
        "f1": f1,
        "precision": precision,
        "recall": recall,
        "weighted_f1": report["weighted avg"]["f1-score"],
        "examples_with_errors": len(errors),
    }


def _prf(c: Counter[str]) -> tuple[float, float, float]:
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return round(precision, 4), round(recall, 4), round(f1, 4)


def _write(name: str, data: Any) -> None:
    NLU_REPORTS.mkdir(parents=True, exist_ok=True)
    (NLU_REPORTS / name).write_text(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def measure_full_training() -> dict[str, Any]:
    """Train NLU on all the data in a child process: seconds and peak RSS (MiB)."""
    with tempfile.TemporaryDirectory(prefix="banshi-eval-") as out:
        command = [
            sys.executable,
            "-m",
            "rasa",
            "train",
            "nlu",
            "--config",
            str(paths.CONFIG),
            "--nlu",
            str(paths.NLU_DIR),
            "--out",
            out,
            "--fixed-model-name",
            "full",
        ]
        started = time.monotonic()
        log = (NLU_REPORTS / "full_training.log").open("w", encoding="utf-8")
        with log:
            process = subprocess.Popen(command, cwd=paths.ROOT, stdout=log, stderr=log)
            peak = 0
            while process.poll() is None:
                peak = max(peak, usage(process.pid).rss_bytes)
                time.sleep(0.25)
        seconds = time.monotonic() - started
    if process.returncode != 0:
        raise RuntimeError("full training failed; see var/reports/nlu/full_training.log")
    return {"seconds": round(seconds, 1), "peak_rss_mib": round(peak / 2**20, 1)}


def cross_validate() -> list[dict[str, Any]]:
    """Train and parse every fold; the results of all test examples."""
    data = load_nlu_data()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="banshi-cv-") as tmp:
        workdir = Path(tmp)
        for index, (train, test) in enumerate(folds(data)):
            print(
                f"fold {index + 1}/{FOLDS}: {len(train.intent_examples)} training examples,"
                f" {len(test.intent_examples)} test examples",
                flush=True,
            )
            model = train_fold(train, workdir, f"fold{index}")
            fold_results = asyncio.run(parse_all(model, test))
            for r in fold_results:
                r["fold"] = index
            results.extend(fold_results)
    return results


def load_heldout() -> list[tuple[str, str]]:
    """The held-out utterances: (text, intent) pairs."""
    import yaml

    document = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    return [(text, intent) for intent, texts in document["heldout"].items() for text in texts]


async def score_heldout(model: Path) -> dict[str, Any]:
    """Intent accuracy of the model trained on all the data, on the held-out utterances."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    errors = []
    pairs = load_heldout()
    for text, intent in pairs:
        parsed = await agent.parse_message(text)
        predicted = (parsed.get("intent") or {}).get("name")
        if predicted != intent:
            errors.append({"text": text, "intent": intent, "predicted": predicted})
    _write("heldout_errors.json", errors)
    return {
        "heldout_examples": len(pairs),
        "heldout_intent_accuracy": round(1 - len(errors) / len(pairs), 4),
    }


def run_test_stories() -> dict[str, Any]:
    """The end-to-end test stories (tests/stories) against the whole system: counts."""
    import xml.etree.ElementTree as ET

    report = REPORTS / "stories.xml"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", str(TEST_STORIES), f"--junitxml={report}"],
        cwd=paths.ROOT,
        check=False,
    )
    suite = ET.parse(report).getroot()
    suite = suite if suite.tag == "testsuite" else suite[0]
    tests, failed = int(suite.get("tests", 0)), int(suite.get("failures", 0))
    failed += int(suite.get("errors", 0))
    return {
        "test_stories": tests,
        "test_stories_failed": failed,
        "test_stories_passed": result.returncode == 0,
    }


def main() -> int:
    """Run the evaluations and print the summary."""
    logging.getLogger("rasa").setLevel(logging.WARNING)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.update(NO_TELEMETRY)
    NLU_REPORTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    results = cross_validate()
    _write("predictions.json", results)
    intents = intent_reports(results)
    entities = entity_reports(results)
    training = measure_full_training()
    summary: dict[str, Any] = {
        "benchmark": "nlu_eval",
        "folds": FOLDS,
        "examples": len(results),
        "intent_weighted_f1": intents["weighted_f1"],
        "intent_errors": intents["errors"],
        "entity_f1": entities["f1"],
        "entity_precision": entities["precision"],
        "entity_recall": entities["recall"],
        "entity_weighted_f1": entities["weighted_f1"],
        "full_training_seconds": training["seconds"],
        "full_training_peak_rss_mib": training["peak_rss_mib"],
        "targets": {
            "intent_weighted_f1": 0.93,
            "entity_f1": 0.90,
            "heldout_intent_accuracy": 0.90,
            "full_training_seconds": 240,
            "full_training_peak_rss_mib": 3072,
        },
        "reports": str(NLU_REPORTS.relative_to(paths.ROOT)),
    }
    from banshi.training import ensure_model

    summary.update(asyncio.run(score_heldout(ensure_model(paths.ROOT / "var" / "models"))))
    if TEST_STORIES.exists():
        summary.update(run_test_stories())
    summary["seconds"] = round(time.monotonic() - started, 1)
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    (REPORTS / "summary.json").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
