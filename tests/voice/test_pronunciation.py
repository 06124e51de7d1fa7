"""zhtext.pronunciation: every respelling sounds, in espeak-ng, exactly like its pinyin."""

from __future__ import annotations

import subprocess

import pytest

from tests.needs import need_espeak
from zhtext.pronunciation import READINGS, respell
from zhtext.speakable import to_speakable


def phonemes(text: str) -> str:
    """What espeak-ng's cmn-latn-pinyin voice says for ``text``, as phoneme mnemonics."""
    need_espeak()
    return subprocess.run(
        ["espeak-ng", "-v", "cmn-latn-pinyin", "-q", "-x", text],
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    ).stdout.strip()


@pytest.mark.parametrize("reading", READINGS, ids=[r.word for r in READINGS])
def test_respelling_sounds_like_its_pinyin(reading) -> None:
    assert phonemes(reading.respelling) == phonemes(reading.pinyin), reading


@pytest.mark.parametrize("word", ["银行", "行长", "重庆", "长辈", "还款"])
def test_the_issue_words_are_wrong_without_the_list(word: str) -> None:
    """The words the issue names are misread by plain espeak-ng, so the list is needed."""
    reading = next(r for r in READINGS if r.word == word)
    assert phonemes(word) != phonemes(reading.pinyin)
    assert phonemes(respell(word)) == phonemes(reading.pinyin)


def test_no_word_listed_twice() -> None:
    words = [r.word for r in READINGS]
    assert len(words) == len(set(words))


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("请到中国银行办理还款", "请到中国银杭办理环款"),
        ("银行行长", "银杭杭掌"),
        ("重庆的长辈", "虫庆的掌辈"),
        ("请重新说一遍", "请虫新说一遍"),
        ("目的地是您的地址", "目弟弟是您的弟址"),
        # Guards: a listed word must not match across a word boundary.
        ("排队长时间", "排队长时间"),
        ("大家长期缴费", "大家长期缴费"),
        ("还有还款", "还有环款"),
        ("请您慢慢地说", "请您慢慢地说"),
        ("执行长期计划", "执行长期计划"),
        ("重要", "重要"),
    ],
)
def test_respell_in_context(text: str, spoken: str) -> None:
    assert respell(text) == spoken


def test_the_formatter_applies_the_list() -> None:
    assert to_speakable("请在2026-12-15前到银行还款") == "请在二〇二六年十二月十五日前到银杭环款"
