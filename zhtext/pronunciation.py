"""Words with two readings, respelled so espeak-ng's ``cmn-latn-pinyin`` voice says them right.

espeak-ng 1.51 reads Chinese one character at a time with one reading per character, so
银行 comes out as "yín xíng" and 长辈 as "cháng bèi". Each entry below replaces the word with
characters that have the wanted sound as their only reading (杭 háng, 掌 zhǎng); the screen keeps
the original text. Guard entries map a word to itself: they stop a longer-reaching entry from
matching across a word boundary (排队|长时间 must not become 排|队长|时间).

Matching is longest-first at each position, left to right (forward maximum matching), which is
what a segmenter would do for these short words. Every entry is checked against espeak-ng's
phonemes by ``tests/voice/test_pronunciation.py``: the respelling must sound exactly like the
pinyin given here. Checked with ``espeak-ng -v cmn-latn-pinyin -x``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Reading:
    """One entry: the word as written, what espeak-ng is given, the pinyin it must sound as."""

    word: str
    respelling: str
    pinyin: str
    """Tone-numbered pinyin, space separated (the same text read by the pinyin voice)."""


def _r(word: str, respelling: str, pinyin: str) -> Reading:
    return Reading(word, respelling, pinyin)


def _guard(word: str, pinyin: str) -> Reading:
    return Reading(word, word, pinyin)


READINGS: tuple[Reading, ...] = (
    # 行 háng (bank, trade) — espeak says xíng.
    _r("银行", "银杭", "yin2 hang2"),
    _r("行长", "杭掌", "hang2 zhang3"),
    _r("行业", "杭业", "hang2 ye4"),
    # 长 zhǎng (elder, head of) — espeak says cháng.
    _r("长辈", "掌辈", "zhang3 bei4"),
    _r("长者", "掌者", "zhang3 zhe3"),
    _r("长大", "掌大", "zhang3 da4"),
    _r("家长", "家掌", "jia1 zhang3"),
    _r("校长", "校掌", "xiao4 zhang3"),
    _r("局长", "局掌", "ju2 zhang3"),
    _r("村长", "村掌", "cun1 zhang3"),
    _r("县长", "县掌", "xian4 zhang3"),
    _r("市长", "市掌", "shi4 zhang3"),
    _r("院长", "院掌", "yuan4 zhang3"),
    _r("队长", "队掌", "dui4 zhang3"),
    _r("年长", "年掌", "nian2 zhang3"),
    _r("成长", "成掌", "cheng2 zhang3"),
    _r("增长", "增掌", "zeng1 zhang3"),
    # 还 huán (give back) — espeak says hái.
    _r("还款", "环款", "huan2 kuan3"),
    _r("还贷", "环贷", "huan2 dai4"),
    _r("还钱", "环钱", "huan2 qian2"),
    _r("归还", "归环", "gui1 huan2"),
    _r("退还", "退环", "tui4 huan2"),
    _r("偿还", "偿环", "chang2 huan2"),
    # 重 chóng (again, Chongqing) — espeak says zhòng.
    _r("重庆", "虫庆", "chong2 qing4"),
    _r("重新", "虫新", "chong2 xin1"),
    _r("重复", "虫复", "chong2 fu4"),
    _r("重阳", "虫阳", "chong2 yang2"),
    _r("重办", "虫办", "chong2 ban4"),
    _r("重置", "虫置", "chong2 zhi4"),
    _r("重说", "虫说", "chong2 shuo1"),
    _r("重来", "虫来", "chong2 lai2"),
    _r("重填", "虫填", "chong2 tian2"),
    _r("重拨", "虫拨", "chong2 bo1"),
    _r("重发", "虫发", "chong2 fa1"),
    _r("重试", "虫试", "chong2 shi4"),
    _r("重开", "虫开", "chong2 kai1"),
    # 应 yìng — espeak says yīng.
    _r("应用", "映用", "ying4 yong4"),
    _r("供应", "供映", "gong1 ying4"),
    _r("回应", "回映", "hui2 ying4"),
    _r("反应", "反映", "fan3 ying4"),
    _r("相应", "相映", "xiang1 ying4"),
    _r("适应", "适映", "shi4 ying4"),
    # 地 dì — espeak always says the particle "de"; the particle is guarded below.
    _r("地", "弟", "di4"),
    _r("目的地", "目弟弟", "mu4 di4 di4"),
    # 假 jià (leave, holiday) — espeak says jiǎ.
    _r("请假", "请驾", "qing3 jia4"),
    _r("假期", "驾期", "jia4 qi1"),
    _r("放假", "放驾", "fang4 jia4"),
    _r("休假", "修驾", "xiu1 jia4"),
    _r("暑假", "暑驾", "shu3 jia4"),
    _r("寒假", "寒驾", "han2 jia4"),
    _r("节假日", "节驾日", "jie2 jia4 ri4"),
    # Single words.
    _r("处理", "储理", "chu3 li3"),
    _r("处方", "储方", "chu3 fang1"),
    _r("上当", "上荡", "shang4 dang4"),
    _r("调整", "条整", "tiao2 zheng3"),
    _r("调解", "条解", "tiao2 jie3"),
    _r("调休", "条休", "tiao2 xiu1"),
    _r("便宜", "骈宜", "pian2 yi5"),
    _r("差额", "叉额", "cha1 e2"),
    _r("出差", "出钗", "chu1 chai1"),
    _r("头发", "头珐", "tou2 fa4"),
    _r("理发", "理珐", "li3 fa4"),
    _r("干部", "赣部", "gan4 bu4"),
    _r("大夫", "代夫", "dai4 fu5"),
    _r("了解", "瞭解", "liao3 jie3"),
    _r("首都", "首督", "shou3 du1"),
    _r("睡觉", "睡叫", "shui4 jiao4"),
    _r("音乐", "音月", "yin1 yue4"),
    _r("得到", "德到", "de2 dao4"),
    _r("获得", "获德", "huo4 de2"),
    _r("取得", "取德", "qu3 de2"),
    # 着急 is zháo jí; no other character reads zháo, 招 (zhāo) is the nearest.
    _r("着急", "招急", "zhao1 ji2"),
    _r("爱好", "爱号", "ai4 hao4"),
    _r("中奖", "众奖", "zhong4 jiang3"),
    _r("认为", "认围", "ren4 wei2"),
    _r("以为", "以围", "yi3 wei2"),
    _r("作为", "作围", "zuo4 wei2"),
    _r("成为", "成围", "cheng2 wei2"),
    _r("行为", "形围", "xing2 wei2"),
    _r("下载", "下宰", "xia4 zai3"),
    _r("有空", "有控", "you3 kong4"),
    _r("空闲", "控闲", "kong4 xian2"),
    _r("更新", "耕新", "geng1 xin1"),
    _r("更改", "耕改", "geng1 gai3"),
    _r("累计", "垒计", "lei3 ji4"),
    _r("供养", "共养", "gong4 yang3"),
    # Guards: already right in espeak-ng, listed so that no entry above matches across them.
    _guard("执行", "zhi2 xing2"),
    _guard("进行", "jin4 xing2"),
    _guard("不行", "bu4 xing2"),
    _guard("行政", "xing2 zheng4"),
    _guard("长期", "chang2 qi1"),
    _guard("长度", "chang2 du4"),
    _guard("长时间", "chang2 shi2 jian1"),
    _guard("还是", "hai2 shi4"),
    _guard("还有", "hai2 you3"),
    _guard("重要", "zhong4 yao4"),
    _guard("大家", "da4 jia1"),
    _guard("排队", "pai2 dui4"),
    _guard("医院", "yi1 yuan4"),
    _guard("每年", "mei3 nian2"),
    _guard("今年", "jin1 nian2"),
    _guard("马上", "ma3 shang4"),
    _guard("早上", "zao3 shang4"),
    _guard("晚上", "wan3 shang4"),
    _guard("为了", "wei4 le5"),
    _guard("项目", "xiang4 mu4"),
    _guard("没有", "mei2 you3"),
    _guard("慢慢地", "man4 man4 de5"),
    _guard("好好地", "hao3 hao3 de5"),
    _guard("认真地", "ren4 zhen1 de5"),
    _guard("耐心地", "nai4 xin1 de5"),
    _guard("仔细地", "zi3 xi4 de5"),
    _guard("大声地", "da4 sheng1 de5"),
)


@lru_cache(maxsize=1)
def _table() -> tuple[re.Pattern[str], dict[str, str]]:
    mapping = {reading.word: reading.respelling for reading in READINGS}
    words = sorted(mapping, key=len, reverse=True)  # longest first: regex tries in order
    return re.compile("|".join(map(re.escape, words))), mapping


def respell(text: str) -> str:
    """``text`` with every listed word respelled for espeak-ng (longest match, left to right)."""
    pattern, mapping = _table()
    return pattern.sub(lambda match: mapping[match.group(0)], text)
