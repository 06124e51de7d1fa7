"""The entity patterns: lists (names people say) and shapes (digit strings), and the files made
from them.

:func:`write_all` writes

- ``nlu_data/patterns/<entity>.jsonl``: spaCy EntityRuler patterns, one file per entity;
- ``nlu_data/lookups.yml``: Rasa lookup tables and regexes (features for the intent classifier);
- ``nlu_data/jieba/entities.txt``: every list name, so that jieba keeps each one a single token.

The names come from the platform's reference lists (districts, schools, agency points), handed
in as plain :class:`ReferenceLists` by ``banshi nlu-patterns``, which fetches them; from the
province's own place names kept by hand in ``nlu_data/place_names.yml`` (:class:`PlaceNames`);
and from the platform's certificate and utility types. The short forms people use are made
here by rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml

ROOT = Path(__file__).resolve().parents[1]
PLACE_NAMES_FILE = ROOT / "nlu_data" / "place_names.yml"
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


class School(NamedTuple):
    """A school of the platform's list (``GET /v1/schools``)."""

    name: str
    district: str


class AgencyPoint(NamedTuple):
    """An agency point of the platform's list (``GET /v1/agency-points``)."""

    name: str
    district: str
    kind: str
    """``hall`` | ``community_point``."""


@dataclass(frozen=True)
class ReferenceLists:
    """The platform's lists the names are made from, in the platform's order."""

    districts: Sequence[str]
    schools: Sequence[School]
    agency_points: Sequence[AgencyPoint]


@dataclass(frozen=True)
class PlaceNames:
    """The province's own place names (``nlu_data/place_names.yml``)."""

    city: Sequence[str] = ()
    """The city's names, said before a district (苏州市姑苏区)."""
    district_aliases: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Other names of a district (园区 for 工业园区)."""
    unused_short_forms: Sequence[str] = ()
    """District names without 区 that are not said on their own."""
    streets: Sequence[str] = ()
    """Street names, kept whole by jieba."""


class PlaceNamesError(ValueError):
    """``nlu_data/place_names.yml`` is not as :func:`read_place_names` expects."""


def _names(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise PlaceNamesError(f"{where}: expected a list of names")
    return tuple(value)


def _table(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PlaceNamesError(f"{where}: expected a mapping of names to lists of names")
    return {str(key): _names(names, f"{where}.{key}") for key, names in value.items()}


def read_place_names(path: Path = PLACE_NAMES_FILE) -> PlaceNames:
    """The place names kept by hand in ``path``."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise PlaceNamesError(f"{path}: not YAML: {error}") from error
    if not isinstance(document, dict):
        raise PlaceNamesError(f"{path}: expected a mapping")
    known = {"city", "district_aliases", "unused_short_forms", "streets"}
    if unknown := sorted(set(document) - known):
        raise PlaceNamesError(f"{path}: unknown keys {unknown}")
    streets = _table(document.get("streets"), f"{path}: streets")
    return PlaceNames(
        city=_names(document.get("city"), f"{path}: city"),
        district_aliases=_table(document.get("district_aliases"), f"{path}: district_aliases"),
        unused_short_forms=_names(
            document.get("unused_short_forms"), f"{path}: unused_short_forms"
        ),
        streets=tuple(street for names in streets.values() for street in names),
    )


_SCHOOL_SHORT = {
    "幼儿园": ("幼儿园",),
    "实验小学": ("实验小学", "小学"),
    "初级中学": ("初级中学", "初中", "中学"),
    "高级中学": ("高级中学", "高中", "中学"),
}
"""The end of a school's name (after its district and place) and the short forms said for it."""

_HALL = "政务服务中心"
_COMMUNITY_POINT = "党群服务中心代办点"

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


def district_names(lists: ReferenceLists, places: PlaceNames) -> dict[str, tuple[str, ...]]:
    """Each district and the names people use for it."""
    names: dict[str, tuple[str, ...]] = {}
    for district in lists.districts:
        short = district.removesuffix("区")
        forms = [district, *(city + district for city in places.city)]
        if short != district and short not in places.unused_short_forms:
            forms.append(short)
        forms.extend(places.district_aliases.get(district, ()))
        names[district] = tuple(dict.fromkeys(forms))
    return names


def school_names(lists: ReferenceLists) -> dict[str, tuple[str, ...]]:
    """Each school (its full name) and the short names people use.

    A name made of its district, a place and a known ending (姑苏区 沧浪 实验小学) is also said
    as the place and a short ending (沧浪小学) and with the district's short name (姑苏沧浪实验
    小学); any other name only in full.
    """
    names: dict[str, tuple[str, ...]] = {}
    for school in lists.schools:
        forms = [school.name]
        rest = school.name.removeprefix(school.district)
        suffix = next((s for s in _SCHOOL_SHORT if rest.endswith(s)), None)
        place = rest.removesuffix(suffix) if suffix else ""
        if suffix and place and rest != school.name:
            forms.extend(place + short for short in _SCHOOL_SHORT[suffix])
            forms.append(school.district.removesuffix("区") + place + suffix)
        names[school.name] = tuple(dict.fromkeys(forms))
    # 中学 is shared by junior and senior schools of different places: keep names unique.
    seen: dict[str, str] = {}
    for canonical, names_of_school in names.items():
        for form in names_of_school:
            seen.setdefault(form, canonical)
    return {c: tuple(f for f in fs if seen[f] == c) for c, fs in names.items()}


def agency_point_names(lists: ReferenceLists) -> dict[str, tuple[str, ...]]:
    """Each agency point (its full name) and the short names people use.

    A district's hall is also called by the district (姑苏政务服务中心, 姑苏区办事大厅 …); a
    community point named ``<街道或镇>党群服务中心代办点`` by its community (平江代办点 …).
    """
    names: dict[str, tuple[str, ...]] = {}
    for point in lists.agency_points:
        forms = [point.name]
        district = point.district
        short = district.removesuffix("区")
        community = point.name.removesuffix(_COMMUNITY_POINT)
        if point.kind == "hall":
            forms += [f"{short}{_HALL}", f"{district}政务中心", f"{district}行政服务中心"]
            forms += [f"{district}政务大厅", f"{district}办事大厅", f"{short}政务中心"]
        elif point.kind == "community_point" and community and community != point.name:
            place = community.removesuffix("街道").removesuffix("镇")
            forms += [f"{community}党群服务中心", f"{community}代办点"]
            forms += [f"{community}社区代办点", f"{place}代办点", f"{place}社区代办点"]
        names[point.name] = tuple(dict.fromkeys(forms))
    return names


def list_names(lists: ReferenceLists, places: PlaceNames) -> dict[str, dict[str, tuple[str, ...]]]:
    """Entity → canonical value → the names people say."""
    return {
        "district": district_names(lists, places),
        "school": school_names(lists),
        "agency_point": agency_point_names(lists),
        "certificate_type": CERTIFICATE_TYPES,
        "utility_type": UTILITY_TYPES,
    }


def patterns(
    names: Mapping[str, Mapping[str, Sequence[str]]],
) -> Iterator[tuple[str, dict[str, object]]]:
    """(entity, EntityRuler pattern) for every list name and shape."""
    for entity, table in names.items():
        for canonical, forms in table.items():
            for form in forms:
                yield entity, {"label": entity, "pattern": form, "id": canonical}
    for entity, regex in SHAPES.items():
        yield entity, {"label": entity, "pattern": [{"TEXT": {"REGEX": f"^{regex}$"}}]}


def lookups_document(names: Mapping[str, Mapping[str, Sequence[str]]]) -> dict[str, object]:
    """The Rasa NLU document with the lookup tables and regexes."""
    nlu: list[dict[str, str]] = []
    for entity, table in names.items():
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


def write_all(root: Path, lists: ReferenceLists, places: PlaceNames) -> list[Path]:
    """Write the pattern files, the lookup tables and the jieba word list under ``root``
    (``root/nlu_data/…``); the files written."""
    names = list_names(lists, places)
    patterns_dir = root / "nlu_data" / "patterns"
    patterns_dir.mkdir(parents=True, exist_ok=True)
    (root / "nlu_data" / "jieba").mkdir(parents=True, exist_ok=True)
    by_entity: dict[str, list[str]] = {entity: [] for entity in ENTITIES}
    for entity, pattern in patterns(names):
        by_entity[entity].append(json.dumps(pattern, ensure_ascii=False))
    written: list[Path] = []
    for entity, lines in by_entity.items():
        written.append(patterns_dir / f"{entity}.jsonl")
        written[-1].write_text("\n".join(lines) + "\n", encoding="utf-8")
    header = (
        "# Lookup tables and regexes for the RegexFeaturizer (features, not extraction).\n"
        "# Made by `banshi nlu-patterns` from the same names as nlu_data/patterns/.\n"
    )
    body = yaml.dump(
        lookups_document(names), Dumper=_LiteralDumper, allow_unicode=True, sort_keys=False
    )
    written.append(root / "nlu_data" / "lookups.yml")
    written[-1].write_text(header + body, encoding="utf-8")
    words = {form for table in names.values() for forms in table.values() for form in forms}
    words.update(GUARD_WORDS)
    words.update(places.streets)
    lines = [f"{word} {JIEBA_FREQUENCY} nz" for word in sorted(words) if len(word) > 1]
    written.append(root / "nlu_data" / "jieba" / "entities.txt")
    written[-1].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written


if __name__ == "__main__":
    raise SystemExit(
        "The pattern files are made from the platform's lists: run "
        "`banshi nlu-patterns --platform-url URL [--client-key KEY]`."
    )
