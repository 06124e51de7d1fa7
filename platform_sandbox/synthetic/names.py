"""Pools of Chinese surnames and given-name characters, and a name picker."""

from __future__ import annotations

import random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙朱马胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁沈任姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊孟秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
"""Common single-character surnames (顾, 陆, 沈, 钱 … are frequent around Suzhou)."""

CHILD_GIVEN_CHARS = (
    "子梓浩宇轩然欣怡一诺晨曦涵雨泽佳琪思睿博文嘉俊若彤沐辰语桐奕铭锦安乐悦可昊天逸凡梦瑶"
    "心妍皓云翔钰婷嘉懿书航星辰紫萱宸宁彦希瑾瑜"
)
"""Characters common in given names of children born 2008–2023."""


def child_name(rng: random.Random, surname: str | None = None) -> str:
    """A child's name: a surname and one or two given-name characters."""
    family = surname or rng.choice(SURNAMES)
    length = rng.choices((1, 2), weights=(3, 7))[0]
    return family + "".join(rng.choice(CHILD_GIVEN_CHARS) for _ in range(length))


ELDER_GIVEN_MALE = (
    "建国", "国华", "志强", "德明", "福生", "永康", "建华", "正平", "国庆", "金根", "荣生", "宝林",
    "振华", "文斌", "海根", "德兴", "伯平", "家良", "树林", "阿三", "卫东", "新民", "耀祖", "锦春",
)  # fmt: skip
"""Given names common among men born 1927–1971."""

ELDER_GIVEN_FEMALE = (
    "秀英", "桂英", "玉兰", "淑珍", "秀兰", "凤英", "桂兰", "金凤", "美华", "月娥", "素琴", "彩娣",
    "巧珍", "阿妹", "惠芬", "丽华", "雪琴", "菊芳", "雅芬", "宝珠", "翠英", "小妹", "佩芳", "杏娣",
)  # fmt: skip
"""Given names common among women born 1927–1971."""

ADULT_GIVEN_CHARS = "伟敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚燕华芳红斌玲峰波辉鹏颖"
"""Characters of given names common among people born 1955–2000."""


def elder_name(rng: random.Random, gender: str, surname: str | None = None) -> str:
    """An older citizen's name: a surname and a two-character given name."""
    given = ELDER_GIVEN_MALE if gender == "M" else ELDER_GIVEN_FEMALE
    return (surname or rng.choice(SURNAMES)) + rng.choice(given)


def adult_name(rng: random.Random, surname: str | None = None) -> str:
    """A grown-up child's name: a surname and one or two given-name characters."""
    length = rng.choices((1, 2), weights=(4, 6))[0]
    family = surname or rng.choice(SURNAMES)
    return family + "".join(rng.choice(ADULT_GIVEN_CHARS) for _ in range(length))
