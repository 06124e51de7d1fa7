"""nlu_data/lookups.yml and nlu_data/jieba/entities.txt agree with the pattern files."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import yaml

from nlu import patterns

ROOT = Path(__file__).resolve().parents[2]


def _pattern_files() -> dict[str, list[dict[str, object]]]:
    by_entity: dict[str, list[dict[str, object]]] = {}
    for path in sorted((ROOT / "nlu_data" / "patterns").glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        by_entity[path.stem] = [json.loads(line) for line in lines if line.strip()]
    return by_entity


def _lookups() -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    document = yaml.safe_load((ROOT / "nlu_data" / "lookups.yml").read_text(encoding="utf-8"))
    tables: dict[str, set[str]] = defaultdict(set)
    regexes: dict[str, list[str]] = defaultdict(list)
    for item in document["nlu"]:
        values = [line[2:].strip() for line in item["examples"].splitlines() if line.strip()]
        if "lookup" in item:
            tables[item["lookup"]].update(values)
        else:
            regexes[item["regex"]].extend(values)
    return tables, regexes


def test_one_pattern_file_per_entity() -> None:
    files = _pattern_files()
    assert set(files) == set(patterns.ENTITIES)
    for entity, rows in files.items():
        assert rows and all(row["label"] == entity for row in rows)


def test_lookup_tables_are_the_list_names() -> None:
    tables, _ = _lookups()
    files = _pattern_files()
    assert set(tables) == set(patterns.LIST_ENTITIES)
    for entity in patterns.LIST_ENTITIES:
        names = {str(row["pattern"]) for row in files[entity] if len(str(row["pattern"])) > 1}
        assert tables[entity] == names


def test_regexes_are_the_shapes() -> None:
    _, regexes = _lookups()
    files = _pattern_files()
    assert set(regexes) == set(patterns.SHAPE_ENTITIES)
    for entity in patterns.SHAPE_ENTITIES:
        (regex,) = regexes[entity]
        (row,) = files[entity]
        token_regex = row["pattern"][0]["TEXT"]["REGEX"]  # type: ignore[index]
        assert token_regex == f"^{regex}$"
        re.compile(regex)


def test_every_list_name_is_a_jieba_word() -> None:
    words = {
        line.split()[0]
        for line in (ROOT / "nlu_data" / "jieba" / "entities.txt").read_text("utf-8").splitlines()
    }
    files = _pattern_files()
    for entity in patterns.LIST_ENTITIES:
        for row in files[entity]:
            name = str(row["pattern"])
            assert len(name) == 1 or name in words, name
