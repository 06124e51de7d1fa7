"""nlu.patterns from plain lists: the short forms made by rule, the hand-kept place names, and
names of a province that are not the sandbox's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlu import patterns
from nlu.patterns import AgencyPoint, PlaceNames, ReferenceLists, School

LISTS = ReferenceLists(
    districts=["鼓楼区", "江宁区"],
    schools=[
        School("鼓楼区宁海实验小学", "鼓楼区"),
        School("江宁区东山初级中学", "江宁区"),
        School("江宁区秣陵高级中学", "江宁区"),
        School("南京市第一中学", "鼓楼区"),
    ],
    agency_points=[
        AgencyPoint("鼓楼区政务服务中心", "鼓楼区", "hall"),
        AgencyPoint("宁海路街道党群服务中心代办点", "鼓楼区", "community_point"),
        AgencyPoint("江宁区市民中心", "江宁区", "hall"),
        AgencyPoint("东山街道便民服务站", "江宁区", "community_point"),
    ],
)
PLACES = PlaceNames(
    city=["南京市", "南京"],
    district_aliases={"江宁区": ["江宁开发区"]},
    unused_short_forms=["鼓楼"],
    streets=["中山北路"],
)


def test_districts_with_the_city_the_short_form_and_the_aliases() -> None:
    assert patterns.district_names(LISTS, PLACES) == {
        "鼓楼区": ("鼓楼区", "南京市鼓楼区", "南京鼓楼区"),
        "江宁区": ("江宁区", "南京市江宁区", "南京江宁区", "江宁", "江宁开发区"),
    }


def test_school_short_forms_by_rule_and_other_names_in_full() -> None:
    names = patterns.school_names(LISTS)
    assert names["鼓楼区宁海实验小学"] == (
        "鼓楼区宁海实验小学",
        "宁海实验小学",
        "宁海小学",
        "鼓楼宁海实验小学",
    )
    assert "东山中学" in names["江宁区东山初级中学"] and "东山初中" in names["江宁区东山初级中学"]
    assert "秣陵高中" in names["江宁区秣陵高级中学"]
    assert names["南京市第一中学"] == ("南京市第一中学",)


def test_a_short_name_shared_by_two_schools_goes_to_the_first() -> None:
    lists = ReferenceLists(
        districts=["江宁区"],
        schools=[School("江宁区东山初级中学", "江宁区"), School("鼓楼区东山高级中学", "鼓楼区")],
        agency_points=[],
    )
    names = patterns.school_names(lists)
    assert "东山中学" in names["江宁区东山初级中学"]
    assert (
        "东山中学" not in names["鼓楼区东山高级中学"] and "东山高中" in names["鼓楼区东山高级中学"]
    )


def test_agency_point_short_forms() -> None:
    names = patterns.agency_point_names(LISTS)
    assert "鼓楼政务服务中心" in names["鼓楼区政务服务中心"]
    assert "鼓楼区办事大厅" in names["鼓楼区政务服务中心"]
    assert "宁海路代办点" in names["宁海路街道党群服务中心代办点"]
    # a hall of another name is still the district's hall; another kind of point only in full
    assert (
        names["江宁区市民中心"][0] == "江宁区市民中心"
        and "江宁区政务大厅" in names["江宁区市民中心"]
    )
    assert names["东山街道便民服务站"] == ("东山街道便民服务站",)


def test_write_all_from_plain_lists(tmp_path: Path) -> None:
    written = patterns.write_all(tmp_path, LISTS, PLACES)
    assert {p.relative_to(tmp_path).as_posix() for p in written} == {
        *(f"nlu_data/patterns/{entity}.jsonl" for entity in patterns.ENTITIES),
        "nlu_data/lookups.yml",
        "nlu_data/jieba/entities.txt",
    }
    rows = [
        json.loads(line)
        for line in (tmp_path / "nlu_data/patterns/district.jsonl").read_text("utf-8").splitlines()
    ]
    assert {"label": "district", "pattern": "江宁开发区", "id": "江宁区"} in rows
    words = (tmp_path / "nlu_data/jieba/entities.txt").read_text("utf-8").splitlines()
    assert "中山北路 2000 nz" in words and "宁海小学 2000 nz" in words
    assert "苏州" not in "".join(path.read_text("utf-8") for path in written)


def test_the_hand_kept_file_is_read() -> None:
    places = patterns.read_place_names()
    assert "苏州" in places.city
    assert "园区" in places.district_aliases["工业园区"]
    assert "木渎中山路" in places.streets


@pytest.mark.parametrize(
    "text",
    [
        "city: 苏州\n",
        "district_aliases: [园区]\n",
        "streets:\n  姑苏区: 平江路\n",
        "towns: []\n",
        "city: [苏州\n",
    ],
)
def test_a_malformed_place_names_file_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "place_names.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(patterns.PlaceNamesError):
        patterns.read_place_names(path)
