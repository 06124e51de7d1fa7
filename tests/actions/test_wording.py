"""What the actions say, where the wording itself was wrong: a wrong SMS code is not a new
one, face certification is only offered where a camera is, suspended insurance is tied to its
paid-until date, a complaint is read back in whole phrases, and no broken sentences."""

from __future__ import annotations

import re

from actions.explain import explain
from actions.identity import ask as ask_identity
from actions.services.appointments import BookAppointment
from actions.services.complaints import shorten
from actions.services.medical import MedicalInsuranceQuery
from actions.services.pension import PensionCertification
from platform_client import PlatformError
from platform_sandbox.seed import DEMO_MEDICAL_SUSPENDED
from tests.actions.conftest import form_turn, said, verified
from tests.conftest import RunningSystem


def on(channel: str, **slots: object) -> object:
    turn = form_turn(dict(slots), text="刷脸", service="pension_certification")
    turn.tracker.latest_message["metadata"] = {"channel": channel}
    return turn


async def test_face_certification_is_offered_and_taken_only_at_the_kiosk() -> None:
    service = PensionCertification()
    web, kiosk = on("webchat"), on("kiosk")
    await service.ask("certification_method", web)  # type: ignore[arg-type]
    await service.ask("certification_method", kiosk)  # type: ignore[arg-type]
    assert said(web) == [
        "刷脸认证要到社区的自助机上做。",
        "在这里可以视频认证或请人上门，您想怎么认证？",
    ]
    assert [b["title"] for b in web.dispatcher.messages[-1]["buttons"]] == ["视频认证", "请人上门"]  # type: ignore[attr-defined]
    assert "刷脸认证" in [b["title"] for b in kiosk.dispatcher.messages[-1]["buttons"]]  # type: ignore[attr-defined]
    methods = ["kiosk_face", "video", "home_visit"]
    web, kiosk = (
        on("webchat", certification_methods=methods),
        on("kiosk", certification_methods=methods),
    )
    assert await service.validate("certification_method", "刷脸", web) == {
        "certification_method": None
    }  # type: ignore[arg-type]
    assert "自助机" in said(web)[0]
    assert await service.validate("certification_method", "刷脸", kiosk) == {
        "certification_method": "kiosk_face"
    }  # type: ignore[arg-type]


async def test_after_a_wrong_code_the_same_message_is_asked_for() -> None:
    first = form_turn({"verification_phone": "138****0612"}, service="pension_query")
    again = form_turn(
        {"verification_phone": "138****0612", "field_failures": 1}, service="pension_query"
    )
    service = PensionCertification()
    assert await ask_identity("sms_code", first, service)
    assert await ask_identity("sms_code", again, service)
    assert said(first)[0] == "验证码已发到 138****0612。"
    assert first.dispatcher.messages[0]["custom"] == {"speech": "验证码已发到 尾号零六幺二。"}
    assert said(again) == ["请再看一下刚才那条短信，把六位验证码念给我。"]
    assert not any("已发到" in text for text in said(again))


async def test_suspended_insurance_says_why(platform: None, sandbox: RunningSystem) -> None:
    slots = await verified(sandbox, DEMO_MEDICAL_SUSPENDED)
    turn = form_turn(slots, service="medical_insurance")
    await MedicalInsuranceQuery().complete(turn)
    text = "".join(said(turn))
    assert "只缴到" in text and "所以现在暂停了" in text and "续缴" in text
    assert "已经缴到" not in text


def test_a_complaint_is_read_back_in_whole_phrases() -> None:
    said_ = "小区门口的路灯坏了一个多月，晚上黑乎乎的，老人出门摔了好几次，物业也不管"
    short = shorten(said_)
    assert short == "小区门口的路灯坏了一个多月，晚上黑乎乎的…"
    assert len("我记下了您的投诉：" + short + "。") <= 40
    assert shorten("楼道灯坏了") == "楼道灯坏了"


def test_an_assistance_booking_is_read_back_as_the_kind_asked_for() -> None:
    medical = form_turn(
        {"appointment_service": "social_assistance", "assistance_kind": "medical"},
        service="appointment",
    )
    assert BookAppointment._service_said(medical) == "申请医疗救助"
    unknown = form_turn({"appointment_service": "social_assistance"}, service="appointment")
    assert BookAppointment._service_said(unknown) == "申请救助"


def test_no_explanation_is_a_broken_sentence() -> None:
    told = explain(PlatformError("not_a_pensioner", "", 404))
    assert told == ["没有查到您领取养老金的记录。", "有疑问可以说“转人工”。"]


def test_the_queue_notices_are_short_sentences() -> None:
    from handoff import notices

    told = [
        notices.queued(3, "大约要等5分钟"),
        notices.offer_callback(
            open_now=False, hours="周一至周五 8:30-17:30", when="周一8:30以后", busy=False
        )[1],
        notices.offer_callback(open_now=True, hours="", when="尽快", busy=True)[1],
        notices.callback_arranged("13812345678", "明天9:00以后")[1],
        notices.confirm_phone("13812345678")[1],
    ]
    for text in told:
        for sentence in re.findall(r"[^。！？]+[。！？]?", text):
            assert len(sentence) <= 40, sentence
    assert told[3] == "好的，工作人员会在明天9:00以后打138****5678给您回电。还有别的事吗？"
    assert (
        notices.confirm_phone("13812345678")[2]["speech"]
        == "您的电话是 幺三八，幺二三四，五六七八，对吗？"
    )


def test_consent_is_understood_as_people_give_it() -> None:
    from actions.identity import consent_in

    for said_yes in ("我同意，让我儿子帮我查", "行，让她办吧", "同意", "好的", "可以的", True):
        assert consent_in(said_yes) is True, said_yes
    for said_no in ("不同意", "不行，我自己来", "别让他弄", "不让她办", False):
        assert consent_in(said_no) is False, said_no
    for unclear in ("啥？", "他是我儿子", ""):
        assert consent_in(unclear) is None, unclear


async def test_an_unclear_consent_is_asked_again_and_a_refusal_leaves_a_way_on() -> None:
    from actions.identity import validate
    from actions.services.pension import PensionQuery

    service = PensionQuery()
    unclear = form_turn({"relation": "母亲"}, text="他是我女儿", service="pension_query")
    assert await validate("proxy_consent", "他是我女儿", unclear, service) == {
        "proxy_consent": None
    }
    assert said(unclear) == ["请您母亲说“我同意”，或者“不同意”。"]
    refused = form_turn({"relation": "母亲"}, text="不同意", service="pension_query")
    answer = await validate("proxy_consent", False, refused, service)
    assert answer == {"proxy_consent": False, "service_done": True}
    assert "本人想办" in "".join(said(refused))


def test_an_id_or_phone_corrected_inside_the_sentence_is_the_corrected_one() -> None:
    from actions.identity import find_id_number, find_phone

    said = (
        "三二零五零八 幺九四零零二二八 二四零二，不对不对，是三二零五零八 幺九四零零二二八 二四零叉"
    )
    assert find_id_number(said) == "32050819400228240X"
    assert find_phone("幺三八 幺二三四 五六七五，不对，是七四") == "13812345674"


def test_a_name_given_with_how_it_is_written_is_the_name() -> None:
    from actions.identity import spoken_name

    for told, name in (
        ("张小妹，弓长张", "张小妹"),
        ("我叫张小妹，弓长张的张，小小的小", "张小妹"),
        ("胡建华 古月胡", "胡建华"),
        ("我叫王秀英吧", "王秀英"),
    ):
        assert spoken_name(told, form_turn({}, text=told)) == name


def test_putting_a_service_aside_switches_on_a_weaker_reading() -> None:
    from actions.service_form import switch_to

    def asked(text: str, confidence: float) -> object:
        turn = form_turn({}, text=text, service="education_fee")
        turn.tracker.latest_message["intent_ranking"] = [
            {"name": "inform", "confidence": 1 - confidence},
            {"name": "query_pension", "confidence": confidence},
        ]
        return turn

    assert switch_to(asked("算了，你先帮我查查养老金", 0.2)).code == "pension_query"  # type: ignore[arg-type,union-attr]
    # Without those words a weak reading of another service does not take over an answer.
    assert switch_to(asked("我孙子的学号我看看", 0.2)) is None  # type: ignore[arg-type]


def test_yes_and_no_are_read_from_what_people_say() -> None:
    from actions.services.base import yes_or_no

    assert yes_or_no(None, "对，交上去") is True
    assert yes_or_no(None, "不对，是139") is False
    assert yes_or_no(True, "") is True
    assert yes_or_no(None, "我想想") is None
    assert yes_or_no(None, "不知道对不对") is None  # unsure, not a no


def test_a_student_number_or_reply_phone_corrected_in_the_sentence() -> None:
    from actions.services.complaints import find_phone
    from actions.services.education import extract_student_id

    assert extract_student_id("学号是7320291086，不对不对，是7320291068") == "7320291068"
    assert find_phone("幺三八 幺三零九 零六幺三，不对不对，最后是六幺两") == "13813090612"
