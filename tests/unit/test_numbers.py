"""zhtext.numbers: integers and amounts in words, digit strings, spoken digits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zhtext.numbers import (
    AmountError,
    amount_to_words,
    corrected_digits,
    digits_to_speech,
    format_amount,
    int_to_chinese,
    normalize_spoken_digits,
    normalize_utterance,
)


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "零"),
        (7, "七"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (105, "一百零五"),
        (110, "一百一十"),
        (1005, "一千零五"),
        (1230, "一千二百三十"),
        (10000, "一万"),
        (10005, "一万零五"),
        (100005, "十万零五"),
        (1000000, "一百万"),
        (12345678, "一千二百三十四万五千六百七十八"),
        (100000000, "一亿"),
        (100010000, "一亿零一万"),
        (-15, "负十五"),
    ],
)
def test_int_to_chinese(number: int, words: str) -> None:
    assert int_to_chinese(number) == words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("1234.50", "一千二百三十四元五角"),
        ("1234.05", "一千二百三十四元零五分"),
        ("1234.56", "一千二百三十四元五角六分"),
        (Decimal("0.30"), "三角"),
        ("0.05", "五分"),
        (0, "零元"),
        (1230, "一千二百三十元"),
        (2550.0, "两千五百五十元"),
        ("22222", "两万两千二百二十二元"),
        ("10.10", "十元一角"),
        ("1,000.00", "一千元"),
        ("0.005", "一分"),  # rounded half up to the fen
    ],
)
def test_amount_to_words(amount: object, words: str) -> None:
    assert amount_to_words(amount) == words  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["abc", "", "1.2.3", "NaN", "Infinity"])
def test_amount_rejects_non_numbers(bad: str) -> None:
    with pytest.raises(AmountError):
        amount_to_words(bad)


def test_format_amount_keeps_two_decimals() -> None:
    assert format_amount(1230) == "1230.00"
    assert format_amount("99.5") == "99.50"


def test_digits_to_speech_reads_one_by_one_with_yao() -> None:
    assert digits_to_speech("13912340000") == "幺三九幺二三四零零零零"
    assert digits_to_speech("0107", one_as_yao=False) == "零一零七"
    assert digits_to_speech("11010119550101123X").endswith("叉")


@pytest.mark.parametrize(
    ("spoken", "digits"),
    [
        ("三二零五零幺二四幺拐", "3205012417"),
        ("3205 0124 17", "3205012417"),
        ("洞洞幺两", "0012"),
        ("学号是三二零五", "学号是3205"),
        ("３２０５", "3205"),
        ("32050219550101123叉", "32050219550101123X"),
        ("139-1234-5678", "13912345678"),
    ],
)
def test_normalize_spoken_digits(spoken: str, digits: str) -> None:
    assert normalize_spoken_digits(spoken) == digits


def test_normalize_keeps_words_and_leading_zeros() -> None:
    assert normalize_spoken_digits("你好") == "你好"
    assert normalize_spoken_digits("零零七") == "007"


@pytest.mark.parametrize(
    ("utterance", "normalized"),
    [
        # digits said one by one (length ≥ 3), leading zeros kept
        ("电话 幺三九 幺二三四 五六七八", "电话13912345678"),
        ("三二零五零幺二四幺拐", "3205012417"),
        ("洞洞七", "007"),
        ("零零七", "007"),
        ("幺幺零", "110"),
        ("学号３２０５０１２４１７", "学号3205012417"),
        ("139-1234-5678", "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("一三九 一二三四 五六七八", "13912345678"),
        ("身份证 三二零五零二 一九五五 零一零一 一二三叉", "身份证32050219550101123X"),
        ("32050219550101123x", "32050219550101123X"),
        ("三二零五零二一九五五零一零一一二三 叉", "32050219550101123X"),
        ("申请号SQ二零二六一一零三一二三四五六", "申请号SQ20261103123456"),
        ("户号 幺五零零 零幺二 三四五", "户号1500012345"),
        ("拐拐拐", "777"),
        ("二〇二六年", "2026年"),
        # quantities through cn2an
        ("两千五百元", "2500元"),
        ("两千五", "2500"),
        ("三个月", "3个月"),
        ("十二月三号", "12月3号"),
        ("一百块", "100块"),
        ("二〇二六年十一月三号", "2026年11月3号"),
        ("七十三岁", "73岁"),
        ("三万五", "35000"),
        ("一千零五块", "1005块"),
        ("两个月", "2个月"),
        ("下午三点半", "下午3点半"),
        ("十块钱", "10块钱"),
        ("一块钱", "1块钱"),
        ("五十多岁", "50多岁"),
        ("交 两 千 五 百 块", "交2500块"),
        # words with a numeral in them stay
        ("说一遍", "说一遍"),
        ("再说一遍", "再说一遍"),
        ("等一下", "等一下"),
        ("慢一点", "慢一点"),
        ("一起", "一起"),
        ("统一", "统一"),
        ("万一", "万一"),
        ("一些", "一些"),
        ("第一", "第一"),
        ("第一个", "第一个"),
        ("第三个月", "第三个月"),
        ("千万别", "千万别"),
        ("十分感谢", "十分感谢"),
        ("十全街", "十全街"),
        ("两三个", "两三个"),
        ("七八个人", "七八个人"),
        ("星期三", "星期三"),
        ("周一", "周一"),
        ("初三", "初三"),
        ("一个人", "一个人"),
        ("一块儿去", "一块儿去"),
        ("一点钟", "一点钟"),
        ("零钱", "零钱"),
        ("一二", "一二"),
        ("统一三二零五", "统一3205"),
        ("三二零五一下", "3205一下"),
        # spaces from the recognizer
        ("我 要 查 一下 养老金", "我要查一下养老金"),
        ("  嗯 那个  就是说 ", "嗯那个就是说"),
        ("hello world", "hello world"),
        ("申请号 S Q 二零二六 幺幺零三 幺二三四五六", "申请号SQ20261103123456"),
        ("学号 3205012417", "学号3205012417"),
        ("你好", "你好"),
        ("", ""),
    ],
)
def test_normalize_utterance(utterance: str, normalized: str) -> None:
    assert normalize_utterance(utterance).text == normalized


def test_normalize_utterance_keeps_the_original_and_the_changes() -> None:
    result = normalize_utterance("电话 幺三九 幺二三四 五六七八 谢谢")
    assert result.original == "电话 幺三九 幺二三四 五六七八 谢谢"
    assert result.text == "电话13912345678谢谢"
    changed = [(span.original, span.replacement) for span in result.spans]
    assert changed == [(" 幺三九 幺二三四 五六七八 ", "13912345678")]


@pytest.mark.parametrize(
    ("utterance", "surface", "expected"),
    [
        ("我的电话是 幺三九 幺二三四 五六七八 ", "幺三九 幺二三四 五六七八", "13912345678"),
        ("给 孙子 交 两千五百元 学费", "两千五百元", "2500元"),
        ("给 孙子 交 两千五百元 学费", "孙子", "孙子"),
        ("我 要 查 一下 养老金", "养老金", "养老金"),
        ("十二月三号 上午", "十二月三号", "12月3号"),
        ("十二月三号 上午", "上午", "上午"),
        ("学号３２０５０１２４１７交学费", "３２０５０１２４１７", "3205012417"),
    ],
)
def test_spans_move_with_the_text(utterance: str, surface: str, expected: str) -> None:
    result = normalize_utterance(utterance)
    start = utterance.index(surface)
    new_start, new_end = result.to_normalized(start, start + len(surface))
    assert result.text[new_start:new_end] == expected
    back_start, back_end = result.to_original(new_start, new_end)
    assert utterance[back_start:back_end] == surface


def test_part_of_a_converted_number_grows_to_the_whole_number() -> None:
    result = normalize_utterance("两千五百元")
    assert result.to_normalized(0, 2) == (0, 4)


def test_unchanged_text_maps_to_itself() -> None:
    result = normalize_utterance("我要交学费")
    assert result.spans == ()
    assert result.to_normalized(2, 5) == (2, 5)
    assert result.to_original(2, 5) == (2, 5)


@pytest.mark.parametrize(
    ("said", "understood"),
    [
        ("我不晓得学号", "我不知道学号"),
        ("身份证号记不住了", "身份证号记不清了"),
        ("叫个人到我屋里来帮我弄", "叫个人到我家里来帮我弄"),
        ("啥个承诺？", "什么承诺？"),
        ("申请的高龄补贴一直没个信", "申请的高龄补贴一直没消息"),
        ("我晓得了", "我知道了"),
    ],
)
def test_regional_words_become_the_standard_ones(said: str, understood: str) -> None:
    result = normalize_utterance(said)
    assert result.text == understood
    # The whole normalised text still maps back to the whole original.
    assert result.to_original(0, len(result.text)) == (0, len(said))


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("3205081940022824 02，不对不对，是320508194002282412", "320508194002282412"),
        ("13812345675，不对，是74", "13812345674"),
        ("13812345675，说错了，应该是13812345674", "13812345674"),
        ("320508194002282403，不对不对，最后4位是2402", "320508194002282402"),
        ("13813090613，不对不对，最后是612", "13813090612"),
        ("学号7320291068", "学号7320291068"),  # no correction: as it was
        ("13812345675，不对", "13812345675，不对"),  # nothing said after it
    ],
)
def test_a_correction_inside_the_sentence_is_applied(said: str, meant: str) -> None:
    assert corrected_digits(said) == meant
