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
