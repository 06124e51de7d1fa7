"""The entity patterns: lists (names people say) and shapes (digit strings), and the files made
from them.

``python -m nlu.patterns`` writes

- ``nlu_data/patterns/<entity>.jsonl``: spaCy EntityRuler patterns, one file per entity;
- ``nlu_data/lookups.yml``: Rasa lookup tables and regexes (features for the intent classifier);
- ``nlu_data/jieba/entities.txt``: every list name, so that jieba keeps each one a single token.

The names come from the sandbox's synthetic city (districts, schools, agency points) and the
platform's certificate and utility types, plus the short forms people use.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml

from platform_sandbox.synthetic import agency, geography

ROOT = Path(__file__).resolve().parents[1]
PATTERNS_DIR = ROOT / "nlu_data" / "patterns"
LOOKUPS_FILE = ROOT / "nlu_data" / "lookups.yml"
JIEBA_DIR = ROOT / "nlu_data" / "jieba"
JIEBA_ENTITIES = JIEBA_DIR / "entities.txt"
JIEBA_FREQUENCY = 2000

LIST_ENTITIES = ("district", "school", "agency_point", "certificate_type", "utility_type")
SHAPE_ENTITIES = ("id_number", "phone_number", "student_id", "account_number", "application_number")
ENTITIES = LIST_ENTITIES + SHAPE_ENTITIES
"""Entities extracted by the pattern extractor (and no other extractor)."""

SHAPES: dict[str, str] = {
    # the whole token; id_number is also checked against its check character
    "id_number": r"[1-9][0-9]{16}[0-9Xx]",
    "phone_number": r"1[3-9][0-9]{9}",
    "student_id": r"[0-9]{10}",
    "account_number": r"[0-9]{10}",
    "application_number": r"[Ss][Qq][0-9]{14}",
}
"""Regular expressions of the digit-string entities (a whole jieba token must match)."""

CERTIFICATE_TYPES: dict[str, tuple[str, ...]] = {
    "id_card": ("居民身份证", "身份证", "电子身份证", "二代身份证"),
    "hukou": ("居民户口簿", "户口簿", "户口本", "电子户口本", "电子户口簿"),
    "social_security_card": (
        "社会保障卡",
        "社保卡",
        "电子社保卡",
        "市民卡",
        "医保卡",
    ),
    "senior_card": ("敬老卡", "老年卡", "老人卡", "老年证", "优待证", "老年优待证", "尊老卡"),
    "retirement": ("退休证", "电子退休证"),
    "marriage": ("结婚证", "电子结婚证"),
    "driving_license": ("机动车驾驶证", "驾驶证", "驾照", "驾驶执照", "电子驾驶证", "电子驾照"),
}
"""Platform certificate types and what people call them."""

UTILITY_TYPES: dict[str, tuple[str, ...]] = {
    "water": ("水费", "自来水", "自来水费", "水表", "水钱", "水"),
    "electricity": ("电费", "电钱", "电表", "用电", "电"),
    "gas": ("燃气", "燃气费", "煤气", "煤气费", "天然气", "天然气费", "气费", "燃气表", "气表"),
}
"""Platform utility types and what people call them."""

DISTRICT_ALIASES: dict[str, tuple[str, ...]] = {
    "工业园区": ("园区", "苏州工业园区"),
    "虎丘区": ("高新区", "苏州高新区"),
}

_SCHOOL_SHORT = {
    "幼儿园": ("幼儿园",),
    "实验小学": ("实验小学", "小学"),
    "初级中学": ("初级中学", "初中", "中学"),
    "高级中学": ("高级中学", "高中", "中学"),
}

GUARD_WORDS = (
    "身份证号",
    "身份证号码",
    "社保卡号",
    "手机号",
    "手机号码",
    "电话号码",
    "户号",
    "学号",
    "学籍号",
    "申请号",
    "电动车",
    "电视",
    "电梯",
)
"""Words kept whole so that a shorter list name inside them is not matched."""


def district_names() -> dict[str, tuple[str, ...]]:
    """Each district and the names people use for it."""
    names: dict[str, tuple[str, ...]] = {}
    for district in geography.DISTRICTS:
        short = district.removesuffix("区")
        forms = [district, geography.CITY + district, "苏州" + district]
        if short != district and short not in ("工业园",):
            forms.append(short)
        forms.extend(DISTRICT_ALIASES.get(district, ()))
        names[district] = tuple(dict.fromkeys(forms))
    return names


def school_names() -> dict[str, tuple[str, ...]]:
    """Each school (its full name) and the short names people use."""
    names: dict[str, tuple[str, ...]] = {}
    for school in geography.schools():
        rest = school.name.removeprefix(school.district)
        suffix = next(s for s in _SCHOOL_SHORT if rest.endswith(s))
        place = rest.removesuffix(suffix)
        forms = [school.name]
        forms.extend(place + short for short in _SCHOOL_SHORT[suffix])
        forms.append(school.district.removesuffix("区") + place + suffix)
        names[school.name] = tuple(dict.fromkeys(forms))
    # 中学 is shared by junior and senior schools of different places: keep names unique.
    seen: dict[str, str] = {}
    for canonical, names_of_school in names.items():
        for form in names_of_school:
            seen.setdefault(form, canonical)
    return {c: tuple(f for f in fs if seen[f] == c) for c, fs in names.items()}


def agency_point_names() -> dict[str, tuple[str, ...]]:
    """Each agency point (its full name) and the short names people use."""
    names: dict[str, tuple[str, ...]] = {}
    for district in geography.DISTRICTS:
        short = district.removesuffix("区")
        hall = f"{district}政务服务中心"
        forms = [hall, f"{short}政务服务中心", f"{district}政务中心", f"{district}行政服务中心"]
        forms += [f"{district}政务大厅", f"{district}办事大厅", f"{short}政务中心"]
        names[hall] = tuple(dict.fromkeys(forms))
        for community in agency._COMMUNITIES[district]:
            point = f"{community}党群服务中心代办点"
            place = community.removesuffix("街道").removesuffix("镇")
            forms = [point, f"{community}党群服务中心", f"{community}代办点"]
            forms += [f"{community}社区代办点", f"{place}代办点", f"{place}社区代办点"]
            names[point] = tuple(dict.fromkeys(forms))
    return names


def list_names() -> dict[str, dict[str, tuple[str, ...]]]:
    """Entity → canonical value → the names people say."""
    return {
        "district": district_names(),
        "school": school_names(),
        "agency_point": agency_point_names(),
        "certificate_type": CERTIFICATE_TYPES,
        "utility_type": UTILITY_TYPES,
    }


def patterns() -> Iterator[tuple[str, dict[str, object]]]:
    """(entity, EntityRuler pattern) for every list name and shape."""
    for entity, table in list_names().items():
        for canonical, forms in table.items():
            for form in forms:
                yield entity, {"label": entity, "pattern": form, "id": canonical}
    for entity, regex in SHAPES.items():
        yield entity, {"label": entity, "pattern": [{"TEXT": {"REGEX": f"^{regex}$"}}]}


def lookups_document() -> dict[str, object]:
    """The Rasa NLU document with the lookup tables and regexes."""
    nlu: list[dict[str, str]] = []
    for entity, table in list_names().items():
        forms = sorted({form for values in table.values() for form in values if len(form) > 1})
        nlu.append({"lookup": entity, "examples": "".join(f"- {form}\n" for form in forms)})
    for entity, regex in SHAPES.items():
        nlu.append({"regex": entity, "examples": f"- {regex}\n"})
    return {"version": "3.1", "nlu": nlu}


class _LiteralDumper(yaml.SafeDumper):
    pass


def _literal(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _literal)


def write_all(root: Path = ROOT) -> None:
    """Write the pattern files, the lookup tables and the jieba word list."""
    patterns_dir = root / "nlu_data" / "patterns"
    patterns_dir.mkdir(parents=True, exist_ok=True)
    by_entity: dict[str, list[str]] = {entity: [] for entity in ENTITIES}
    for entity, pattern in patterns():
        by_entity[entity].append(json.dumps(pattern, ensure_ascii=False))
    for entity, lines in by_entity.items():
        (patterns_dir / f"{entity}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    header = (
        "# Lookup tables and regexes for the RegexFeaturizer (features, not extraction).\n"
        "# Made by `python -m nlu.patterns` from the same names as nlu_data/patterns/.\n"
    )
    body = yaml.dump(lookups_document(), Dumper=_LiteralDumper, allow_unicode=True, sort_keys=False)
    (root / "nlu_data" / "lookups.yml").write_text(header + body, encoding="utf-8")
    words = {form for table in list_names().values() for forms in table.values() for form in forms}
    words.update(GUARD_WORDS)
    words.update(street for streets in geography.STREETS.values() for street in streets)
    lines = [f"{word} {JIEBA_FREQUENCY} nz" for word in sorted(words) if len(word) > 1]
    (root / "nlu_data" / "jieba" / "entities.txt").write_text(
        "\n".join(lines) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    write_all()
    sys.exit(0)
