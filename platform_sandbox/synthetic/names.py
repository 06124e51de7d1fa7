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
