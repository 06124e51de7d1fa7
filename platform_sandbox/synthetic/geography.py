"""The synthetic city: 苏州市, its districts and (fictional) schools.

School names are made of a district, a place name in it and the kind of school; they are
invented, not real schools.
"""

from __future__ import annotations

from .records import School

CITY = "苏州市"

DISTRICTS = ("姑苏区", "吴中区", "相城区", "虎丘区", "吴江区", "工业园区")
"""Districts that citizens, schools and agency points are spread over."""

SCHOOL_KINDS = ("kindergarten", "primary", "junior", "senior")
"""``kindergarten`` (幼儿园), ``primary`` (小学), ``junior`` (初中), ``senior`` (高中)."""

_KIND_SUFFIX = {
    "kindergarten": "幼儿园",
    "primary": "实验小学",
    "junior": "初级中学",
    "senior": "高级中学",
}

_PLACES: dict[str, tuple[str, str, str, str]] = {
    # district: place names for its (kindergarten, primary, junior, senior)
    "姑苏区": ("平江", "沧浪", "金阊", "三香"),
    "吴中区": ("东山", "木渎", "甪直", "太湖"),
    "相城区": ("元和", "黄桥", "渭塘", "阳澄湖"),
    "虎丘区": ("狮山", "枫桥", "浒墅关", "通安"),
    "吴江区": ("松陵", "同里", "盛泽", "平望"),
    "工业园区": ("星湖", "金鸡湖", "娄葑", "独墅湖"),
}


def schools() -> tuple[School, ...]:
    """All schools of the city, district by district, in :data:`SCHOOL_KINDS` order."""
    return tuple(
        School(name=f"{district}{place}{_KIND_SUFFIX[kind]}", district=district, kind=kind)
        for district in DISTRICTS
        for kind, place in zip(SCHOOL_KINDS, _PLACES[district], strict=True)
    )


AREA_CODES: dict[str, str] = {
    "姑苏区": "320508",
    "吴中区": "320506",
    "相城区": "320507",
    "虎丘区": "320505",
    "吴江区": "320509",
    "工业园区": "320571",
}
"""Administrative area codes of the districts: the first six digits of a resident's ID number."""

STREETS: dict[str, tuple[str, ...]] = {
    "姑苏区": ("平江路", "人民路", "十全街", "山塘街", "道前街", "干将西路"),
    "吴中区": ("宝带西路", "东吴北路", "木渎中山路", "越溪街", "吴中大道"),
    "相城区": ("阳澄湖西路", "相城大道", "元和路", "黄桥街", "渭塘南街"),
    "虎丘区": ("狮山路", "竹园路", "浒关大道", "枫桥路", "通安路"),
    "吴江区": ("松陵中山路", "笠泽路", "同里镇中川路", "盛泽舜湖路", "平望梅堰路"),
    "工业园区": ("星湖街", "金鸡湖大道", "娄葑东路", "独墅湖大道", "现代大道"),
}
"""Streets of each district used for home addresses and agency points."""

HOSPITALS = (
    "苏州大学附属第一医院",
    "苏州大学附属第二医院",
    "苏州市立医院",
    "苏州市中医医院",
    "苏州九龙医院",
    "苏州市第九人民医院",
)
"""Hospitals where synthetic medical claims were made (community health centres are added)."""


def address(district: str, street: str, number: int, building: int, room: int) -> str:
    """A home address such as ``苏州市姑苏区平江路18号3幢201室``."""
    return f"{CITY}{district}{street}{number}号{building}幢{room}室"
