"""Back from staff: the bot says the hand-back summary whole, a sentence at a time."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoffReturned

SUMMARY = (
    "已帮您查到孙子这学期的学费一共2550元，还没有交。"
    "请您明天上午带上身份证到学校财务处再确认一下金额；交好以后可以再来问我。"
)


def _tracker(summary: str | None) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "c1",
            "slots": {"handoff_summary": summary},
            "latest_message": {"text": "", "intent": {}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        }
    )


async def test_the_summary_is_said_whole_a_sentence_at_a_time() -> None:
    dispatcher = CollectingDispatcher()
    await ActionHandoffReturned().run(dispatcher, _tracker(SUMMARY), {})
    texts = [m.get("text") for m in dispatcher.messages if m.get("text")]
    assert texts[1:4] == [
        "刚才工作人员帮您：已帮您查到孙子这学期的学费一共2550元，还没有交。",
        "请您明天上午带上身份证到学校财务处再确认一下金额。",
        "交好以后可以再来问我。",
    ]
    said = "".join(texts)
    for piece in ("2550元", "财务处再确认一下金额", "交好以后可以再来问我"):
        assert piece in said  # nothing cut off
    assert dispatcher.messages[-1].get("response") == "utter_how_can_i_help"


def test_sentences_of_a_summary() -> None:
    from actions.handoff import summary_sentences

    assert summary_sentences("") == []
    assert summary_sentences("已办好") == ["刚才工作人员帮您：已办好。"]
    assert summary_sentences("第一句！\n第二句？") == ["刚才工作人员帮您：第一句。", "第二句。"]
