"""Every platform error in short, plain Chinese with a next step (``actions/explain.py``)."""

from __future__ import annotations

import pytest

from actions.explain import (
    explain,
    explained_client_codes,
    explained_codes,
    reason_explanations,
)
from platform_client import errors as e

SENTENCE_LIMIT = 40
"""Characters in one sentence at most, short enough to hear on the phone: written out here, not
taken from actions/explain.py, so that a longer sentence cannot pass by a raised constant."""


def _all_sentences() -> list[tuple[str, str]]:
    out = []
    for code in explained_codes() | explained_client_codes():
        for sentence in explain(e.PlatformError(code, "", 400)):
            out.append((code, sentence))
    for reason, sentences in reason_explanations().items():
        out += [(reason, s) for s in sentences]
    return out


def test_every_contract_code_is_explained() -> None:
    assert explained_codes() == set(e.error_types())


def test_every_code_of_the_client_is_explained() -> None:
    assert explained_client_codes() == set(e.client_error_types())


@pytest.mark.parametrize(("code", "sentence"), _all_sentences())
def test_sentences_are_short_plain_chinese(code: str, sentence: str) -> None:
    assert 0 < len(sentence) <= SENTENCE_LIMIT, (code, sentence)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in sentence)
    assert not any(ch.isascii() and ch.isalpha() for ch in sentence), (code, sentence)


def test_every_explanation_has_what_happened_and_a_next_step() -> None:
    for code in explained_codes():
        said = explain(e.error_types()[code](code, "", 400))
        assert len(said) == 2, code
        assert said[0] != said[1]


def test_under_80_for_the_allowance_says_why_and_offers_the_senior_card() -> None:
    error = e.NotEligible("not_eligible", "…", 422)
    error.reason = "age_under_80"
    said = explain(error)
    assert "80" in said[0]
    assert "敬老卡" in said[1]


def test_platform_down_apologises_says_nothing_was_charged_and_offers_a_person() -> None:
    for error in (e.PlatformUnavailable("timeout"), e.CircuitOpen(3.0)):
        said = "".join(explain(error))
        assert "抱歉" in said and "没有扣" in said and "转人工" in said


def test_an_answer_of_the_wrong_shape_apologises_and_offers_a_person() -> None:
    said = explain(e.UnexpectedResponse("POST /v1/payments: pay_code:value_error.missing", 200))
    assert len(said) == 2
    assert "抱歉" in said[0] and "答复" in said[0] and "没有扣" in said[0]
    assert "转人工" in said[1]
    assert said != explain(e.PlatformUnavailable("timeout"))


def test_details_are_used_when_present() -> None:
    missing = e.MaterialsRequired("materials_required", "", 422)
    missing.missing = ("户口簿", "近期免冠照片")
    assert explain(missing)[0] == "还缺：户口簿、近期免冠照片。"
    wrong = e.CodeInvalid("code_invalid", "", 422)
    wrong.remaining_tries = 2
    assert "2次" in explain(wrong)[1]


def test_an_unknown_code_gets_a_safe_default() -> None:
    said = explain(e.PlatformError("something_new", "", 400))
    assert "没有扣" in said[0] and "转人工" in said[1]
