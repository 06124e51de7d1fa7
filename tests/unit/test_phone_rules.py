"""The phone's own rules (``channels.phone.rules``): every rule, driven by events, no clock."""

from __future__ import annotations

from channels.phone.config import PhoneConfig
from channels.phone.rules import (
    GUIDANCE,
    KEYPAD_OFFER,
    LOUDER_SAID,
    LOUDEST,
    NOT_HEARD,
    OFFER_PERSON,
    PERSON_OFFER,
    QUIETER_SAID,
    QUIETEST,
    STILL_THERE,
    ZERO_CHOICE,
    ZERO_PAUSE_S,
    Answered,
    Button,
    CancelTimer,
    Command,
    HandOff,
    HangUp,
    Heard,
    KeyPressed,
    Listen,
    ModeChanged,
    Number,
    PhoneRules,
    PlaybackDone,
    Pushed,
    Reply,
    Say,
    SendTurn,
    SetVolume,
    SlowDown,
    SpeechStarted,
    StartTimer,
    StopSpeaking,
    Timer,
    TimerFired,
    keypad_options,
    read_back,
)
from voice.expect import ExpectKind
from voice.transcript import FieldKind
from zhtext.speakable import spoken_options, to_speakable

ID_PROMPT = "请说您的身份证号。记不清可以说“用手机号”。"
PHONE_PROMPT = "请说您的手机号。"
STUDENT_PROMPT = "请说孩子的学号。"
CONFIRM = "身份证号是 320508 19400228 2402，对吗？"
YES_NO = (Button("对", "对"), Button("不对", "不对"))


def bot(text: str, buttons: tuple[Button, ...] = (), speech: str = "") -> Reply:
    """A bot reply as the core stores it: its speech carries the spoken options."""
    said = speech or to_speakable(text)
    if buttons:
        said += spoken_options([{"title": b.title} for b in buttons])
    return Reply(text, said, buttons)


def asked(rules: PhoneRules, *replies: Reply, mode: str = "bot") -> list[Command]:
    return rules.handle(Answered(tuple(replies), mode))


def says(commands: list[Command]) -> list[str]:
    return [c.speech for c in commands if isinstance(c, Say)]


def turns(commands: list[Command]) -> list[SendTurn]:
    return [c for c in commands if isinstance(c, SendTurn)]


def keys(rules: PhoneRules, sequence: str) -> list[Command]:
    out: list[Command] = []
    for key in sequence:
        out += rules.handle(KeyPressed(key))
    return out


# ------------------------------------------------------------------ answers and listening
def test_an_answer_is_said_and_listened_for_with_what_the_question_expects() -> None:
    rules = PhoneRules()
    commands = asked(rules, bot("好的，交学费。"), bot(STUDENT_PROMPT))
    assert says(commands) == [to_speakable("好的，交学费。"), to_speakable(STUDENT_PROMPT)]
    listen = [c for c in commands if isinstance(c, Listen)]
    assert [(c.kind, c.hints) for c in listen] == [(FieldKind.DIGITS, listen[0].hints)]
    # a number of no stated length: heard to the end of speech, never cut short
    assert listen[0].expect is not None and listen[0].expect.kind is ExpectKind.DIGITS
    assert not listen[0].expect.complete("7320291068")
    assert "幺" in listen[0].hints and "转人工" in listen[0].hints


def test_buttons_become_keypad_options_said_before_their_key() -> None:
    rules = PhoneRules()
    commands = asked(rules, bot(CONFIRM, YES_NO))
    (speech,) = says(commands)
    assert speech.endswith("对，请按1。不对，请按2。")
    assert "第一" not in speech
    assert any(isinstance(c, Listen) and c.kind is FieldKind.YES_NO for c in commands)


def test_at_most_three_options_are_said_and_keys_choose_them() -> None:
    rules = PhoneRules()
    options = tuple(
        Button(t, f"/{i}") for i, t in enumerate(["全部缴", "只缴第一笔", "先不缴", "别的"])
    )
    (speech,) = says(asked(rules, bot("要缴哪一笔？", options)))
    assert speech.count("请按") == 3 and "别的" not in speech
    assert turns(rules.handle(KeyPressed("2"))) == [SendTurn("/1", "keypad")]
    out_of_range = rules.handle(KeyPressed("4"))
    assert turns(out_of_range) == []
    assert says(out_of_range) == [keypad_options(options)]


def test_a_button_without_payload_sends_its_title() -> None:
    rules = PhoneRules()
    asked(rules, bot(CONFIRM, (Button("对"), Button("不对"))))
    assert turns(rules.handle(KeyPressed("1"))) == [SendTurn("对", "keypad")]


def test_a_digit_question_with_a_button_keeps_keys_for_digits() -> None:
    rules = PhoneRules()
    (speech,) = says(asked(rules, bot(ID_PROMPT, (Button("用手机号", "用手机号"),))))
    assert "请按" not in speech and speech.endswith("第一，用手机号。")
    assert turns(keys(rules, "1")) == []
    assert rules.keys == "1"


def test_what_was_heard_is_the_callers_turn() -> None:
    rules = PhoneRules()
    asked(rules, bot("请问您要办什么事？"))
    commands = rules.handle(Heard("我要交学费"))
    assert turns(commands) == [SendTurn("我要交学费", "voice")]
    assert CancelTimer(Timer.SILENCE) in commands


def test_speech_or_a_key_stops_playback() -> None:
    rules = PhoneRules()
    asked(rules, bot("请问您要办什么事？"))
    assert rules.handle(SpeechStarted())[0] == StopSpeaking()
    assert rules.handle(KeyPressed("5"))[0] == StopSpeaking()


# ------------------------------------------------------------------ silence ladder
def test_silence_ladder_reprompt_then_offer_then_handoff() -> None:
    rules = PhoneRules(silence_s=8)
    asked(rules, bot(STUDENT_PROMPT))
    assert rules.handle(PlaybackDone()) == [StartTimer(Timer.SILENCE, 8)]
    first = says(rules.handle(TimerFired(Timer.SILENCE)))
    assert first == [f"{STILL_THERE}{to_speakable(STUDENT_PROMPT)}{GUIDANCE[FieldKind.DIGITS]}"]
    assert rules.handle(PlaybackDone()) == [StartTimer(Timer.SILENCE, 8)]
    assert says(rules.handle(TimerFired(Timer.SILENCE))) == [OFFER_PERSON]
    rules.handle(PlaybackDone())
    assert rules.handle(TimerFired(Timer.SILENCE)) == [HandOff("silence")]


def test_the_first_silence_guidance_fits_the_question() -> None:
    rules = PhoneRules()
    asked(rules, bot(CONFIRM, YES_NO))
    assert says(rules.handle(TimerFired(Timer.SILENCE)))[0].endswith("请按数字键选择。")
    rules = PhoneRules()
    asked(rules, bot("请问您要办什么事？"))
    assert says(rules.handle(TimerFired(Timer.SILENCE)))[0].endswith(GUIDANCE[FieldKind.FREE])


def test_speaking_or_keying_starts_the_ladder_again() -> None:
    rules = PhoneRules()
    asked(rules, bot("请问您要办什么事？"))
    rules.handle(TimerFired(Timer.SILENCE))
    rules.handle(Heard("交学费"))
    assert says(rules.handle(TimerFired(Timer.SILENCE)))[0].startswith(STILL_THERE)
    rules.handle(KeyPressed("*"))
    assert says(rules.handle(TimerFired(Timer.SILENCE)))[0].startswith(STILL_THERE)


def test_no_silence_ladder_while_a_person_is_involved() -> None:
    rules = PhoneRules()
    asked(rules, bot("请问您要办什么事？"))
    assert rules.handle(ModeChanged("waiting")) == [CancelTimer(Timer.SILENCE)]
    assert rules.handle(PlaybackDone()) == []
    assert rules.handle(TimerFired(Timer.SILENCE)) == []
    rules.handle(ModeChanged("bot"))
    assert rules.handle(PlaybackDone()) == [StartTimer(Timer.SILENCE, rules.silence_s)]


# ------------------------------------------------------------------ keys
def test_zero_asks_for_a_person_at_any_turn() -> None:
    rules = PhoneRules()
    asked(rules, bot(CONFIRM, YES_NO))
    assert rules.handle(KeyPressed("0"))[-1] == HandOff("dtmf_0")
    asked(rules, bot(ID_PROMPT))  # no ID number starts with 0
    assert rules.handle(KeyPressed("0"))[-1] == HandOff("dtmf_0")
    # a number that may start with 0: 0 alone, then # or the key gap, is still a person
    asked(rules, bot(STUDENT_PROMPT))
    assert not any(isinstance(c, HandOff) for c in rules.handle(KeyPressed("0")))
    assert rules.handle(KeyPressed("#"))[-1] == HandOff("dtmf_0")
    asked(rules, bot(PHONE_PROMPT))
    rules.handle(KeyPressed("0"))
    assert rules.handle(TimerFired(Timer.KEYS))[-1] == HandOff("dtmf_0")


def test_a_landline_number_starting_with_0_can_be_keyed() -> None:
    rules = PhoneRules()
    callback = Reply("请说出或输入您的手机号码。", buttons=(Button("继续等", "/keep_waiting"),))
    asked(rules, callback, mode="waiting")  # the call-back question, waiting for a person
    commands = rules.handle(KeyPressed("0"))
    assert StartTimer(Timer.ZERO, ZERO_PAUSE_S) in commands
    assert StartTimer(Timer.KEYS, 10.0) in commands
    commands = keys(rules, "5718888666")  # 11 digits in all: a landline is not done yet
    assert CancelTimer(Timer.ZERO) in commands and not turns(commands)
    assert rules.handle(TimerFired(Timer.ZERO)) == []  # no question once more keys came
    commands = keys(rules, "6")  # the 12th digit completes it without #
    assert turns(commands) == [SendTurn("057188886666", "keypad")]
    assert says(commands) == ["您按的是 零五七幺，八八八八，六六六六。"]
    # 010 and seven more digits, ended with #
    asked(rules, callback, mode="waiting")
    assert turns(keys(rules, "01066668888#")) == [SendTurn("01066668888", "keypad")]


def test_a_pause_after_a_lone_zero_asks_whether_a_person_is_wanted() -> None:
    rules = PhoneRules()
    asked(rules, bot(STUDENT_PROMPT))
    rules.handle(KeyPressed("0"))
    assert says(rules.handle(TimerFired(Timer.ZERO))) == [ZERO_CHOICE]
    assert turns(keys(rules, "123#")) == [SendTurn("0123", "keypad")]


def test_star_repeats_the_last_answer() -> None:
    rules = PhoneRules()
    asked(rules, bot("好的。"), bot(CONFIRM, YES_NO))
    repeated = says(rules.handle(KeyPressed("*")))
    assert repeated == [to_speakable("好的。") + to_speakable(CONFIRM) + "对，请按1。不对，请按2。"]


def test_a_pushed_message_is_said_and_becomes_the_last_answer() -> None:
    rules = PhoneRules()
    asked(rules, bot("请问您要办什么事？"))
    notice = Reply("您前面还有1位，大约等3分钟。", "您前面还有一位，大约等三分钟。", (), "system")
    assert says(rules.handle(Pushed(notice, "waiting"))) == [notice.speech]
    assert rules.mode == "waiting"
    assert says(rules.handle(KeyPressed("*"))) == [notice.speech]


# ------------------------------------------------------------------ keypad entry
def test_keypad_entry_ends_with_hash_and_is_read_back_in_groups() -> None:
    rules = PhoneRules()
    asked(rules, bot(STUDENT_PROMPT))
    started = keys(rules, "73202")
    assert StartTimer(Timer.KEYS, 10.0) in started and turns(started) == []
    done = keys(rules, "91068#")
    assert turns(done) == [SendTurn("7320291068", "keypad")]
    assert says(done) == ["您按的是 七三二零，二九幺零，六八。"]


def test_star_is_x_in_an_id_number_and_a_full_id_needs_no_hash() -> None:
    rules = PhoneRules()
    asked(rules, bot(ID_PROMPT, (Button("用手机号"),)))
    commands = keys(rules, "32050819400228240*")
    assert turns(commands) == [SendTurn("32050819400228240X", "keypad")]
    assert says(commands) == ["您按的是 三二零五零八，幺九四零零二二八，二四零叉。"]


def test_a_phone_number_is_read_back_3_4_4() -> None:
    rules = PhoneRules()
    asked(rules, bot(PHONE_PROMPT))
    commands = keys(rules, "13912345678")
    assert turns(commands) == [SendTurn("13912345678", "keypad")]
    assert says(commands) == ["您按的是 幺三九，幺二三四，五六七八。"]
    assert read_back("13912345678", Number.PHONE) == "幺三九，幺二三四，五六七八"


def test_the_key_gap_finishes_an_entry_and_is_at_least_ten_seconds() -> None:
    rules = PhoneRules(key_gap_s=12)
    asked(rules, bot(STUDENT_PROMPT))
    assert StartTimer(Timer.KEYS, 12) in keys(rules, "123")
    assert turns(rules.handle(TimerFired(Timer.KEYS))) == [SendTurn("123", "keypad")]
    assert rules.handle(TimerFired(Timer.KEYS)) == []
    assert PhoneRules().key_gap_s >= 10


def test_zero_inside_an_entry_is_a_digit_and_silence_waits_for_the_keys() -> None:
    rules = PhoneRules()
    asked(rules, bot(STUDENT_PROMPT))
    commands = keys(rules, "70")
    assert not any(isinstance(c, HandOff) for c in commands)
    assert rules.handle(TimerFired(Timer.SILENCE)) == []
    assert turns(keys(rules, "#")) == [SendTurn("70", "keypad")]


def test_two_misrecognitions_of_a_number_offer_the_keypad() -> None:
    rules = PhoneRules()
    asked(rules, bot(STUDENT_PROMPT))
    assert says(rules.handle(Heard(""))) == [NOT_HEARD]
    assert says(rules.handle(Heard(""))) == [KEYPAD_OFFER]
    # the same question asked again by the bot keeps the count; a new one starts afresh
    asked(rules, bot(STUDENT_PROMPT))
    assert says(rules.handle(Heard(""))) == [NOT_HEARD]
    asked(rules, bot(PHONE_PROMPT))
    assert says(rules.handle(Heard(""))) == [NOT_HEARD]


def test_two_misrecognitions_of_anything_else_offer_a_person() -> None:
    rules = PhoneRules()
    asked(rules, bot("请问您要办什么事？"))
    rules.handle(Heard(""))
    assert says(rules.handle(Heard(""))) == [PERSON_OFFER]


# ------------------------------------------------------------------ slower, farewell
def test_asking_for_slower_speech_slows_the_rest_of_the_call() -> None:
    rules = PhoneRules()
    asked(rules, bot("请问您要办什么事？"))
    commands = rules.handle(Heard("你说慢点"))
    assert SlowDown() in commands and turns(commands) == [SendTurn("你说慢点", "voice")]
    assert SlowDown() not in rules.handle(Heard("说慢一点"))


def test_the_bots_slow_setting_slows_the_call_once() -> None:
    rules = PhoneRules()
    assert SlowDown() in rules.handle(Answered((bot("好的，我慢一点说。"),), "bot", slow=True))
    assert SlowDown() not in rules.handle(Answered((bot("请说。"),), "bot", slow=True))


def test_louder_and_quieter_change_the_rest_of_the_call_within_limits() -> None:
    rules = PhoneRules()
    asked(rules, bot("请问您要办什么事？"))
    question = to_speakable("请问您要办什么事？")
    louder = rules.handle(Heard("声音大一点"))
    assert SetVolume(1) in louder and not turns(louder), "not a turn for the bot"
    assert says(louder) == [LOUDER_SAID + question]  # the question again, louder
    for level in (2, 3):
        assert SetVolume(level) in rules.handle(Heard("大声点"))
    at_most = rules.handle(Heard("再大声一点"))
    assert not any(isinstance(c, SetVolume) for c in at_most)
    assert says(at_most) == [LOUDEST + question]
    assert SetVolume(2) in rules.handle(Heard("小声点"))
    for _ in range(4):
        rules.handle(Heard("声音小一点"))
    assert rules.volume == -2 and says(rules.handle(Heard("小声点"))) == [QUIETEST + question]
    assert QUIETER_SAID + question in says(
        PhoneRules(question=rules.question).handle(Heard("请小声一点"))
    )
    # an errand said with it is the bot's
    assert turns(rules.handle(Heard("大声点我要交学费"))) == [SendTurn("大声点我要交学费", "voice")]


def test_hash_outside_a_number_is_louder_and_inside_one_ends_it() -> None:
    rules = PhoneRules()
    asked(rules, bot(CONFIRM, YES_NO))
    assert SetVolume(1) in rules.handle(KeyPressed("#"))
    asked(rules, bot(STUDENT_PROMPT))
    assert not any(isinstance(c, SetVolume) for c in rules.handle(KeyPressed("#")))
    assert turns(keys(rules, "12#")) == [SendTurn("12", "keypad")]
    assert rules.volume == 1


def test_volume_words_are_let_through_a_grammar() -> None:
    rules = PhoneRules()
    asked(rules, bot(CONFIRM, YES_NO))
    assert {"大声点", "小声点", "声音大一点"} <= set(rules.listen().hints)
    asked(rules, bot("请问您要办什么事？"))
    assert rules.listen().hints == ()  # free speech: no grammar at all


def test_a_farewell_hangs_up_after_it_is_said() -> None:
    rules = PhoneRules()
    asked(rules, bot("好的，再见！有事随时找我。"))
    assert rules.handle(PlaybackDone()) == [HangUp()]


# ------------------------------------------------------------------ a whole answer heard
def test_a_whole_answer_ends_the_turn_without_waiting_for_silence() -> None:
    # What the question expects goes to the recognizer (voice.expect): a whole answer ends
    # the caller's turn after a short settle instead of the end-of-speech silence.
    rules = PhoneRules()
    asked(rules, bot(ID_PROMPT, (Button("用手机号"),)))
    expect = rules.listen().expect
    assert expect is not None
    assert not expect.complete("32050819400228240")  # 17 characters: not yet
    assert not expect.complete("320508194002282403")  # 18, but the check character is wrong
    assert expect.complete("320508194002282402")
    asked(rules, bot(PHONE_PROMPT))
    expect = rules.listen().expect
    assert expect is not None
    assert not expect.complete("1391234567")
    assert expect.complete("13912345678")
    assert not expect.complete("139123456780")  # too long: something else was said
    asked(rules, bot(CONFIRM, YES_NO))
    expect = rules.listen().expect
    assert expect is not None
    assert expect.complete("对") and expect.complete("不对")
    assert not expect.complete("对不起我没听清")
    asked(rules, Reply("请说学号。", "请说学号。", expect="digits:10"))
    expect = rules.listen().expect
    assert expect is not None and expect.complete("7320291068")  # the action's hint
    asked(rules, bot("请问您要办什么事？"))
    expect = rules.listen().expect
    assert expect is not None and not expect.complete("对")


def test_keys_being_entered_are_not_cut_short_by_speech() -> None:
    rules = PhoneRules()
    asked(rules, bot(PHONE_PROMPT))
    keys(rules, "139")
    assert rules.listen().expect is None  # the keys decide, speech does not end the entry


def test_the_greeting_said_on_answer_is_the_one_synthesized_ahead() -> None:
    config = PhoneConfig()
    greeting = config.spoken_greeting
    commands = PhoneRules().handle(Answered((Reply(greeting, greeting, config.menu),)))
    assert says(commands) == [config.greeting_speech]  # so the first call hits the cache
    assert config.greeting_speech.endswith("交学费，请按1。查养老金，请按2。交水电燃气费，请按3。")
    key = PhoneRules()
    key.handle(Answered((Reply(greeting, greeting, config.menu),)))
    assert SendTurn("/pay_education_fee", "keypad") in key.handle(KeyPressed("1"))
