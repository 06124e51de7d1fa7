"""banshi.rasa_tracker_speedups: the same slots, applied events and past states as Rasa's code.

The conversations in ``data/rasa_conversations.json`` are the events Rasa stored while the test
stories (``tests/stories``) were played against the running system, cut down to what the
states are made of (no timestamps, policies or bot texts): forms, their loop's rejections, a
handoff, a cancelled service, a repeated and a slowed-down answer, session starts.
"""

from __future__ import annotations

import copy
import copyreg
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.constants import RULE_ONLY_LOOPS, RULE_ONLY_SLOTS
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    Event,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.slots import Slot, TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from banshi import paths, rasa_tracker_speedups

CONVERSATIONS = json.loads(
    (Path(__file__).parent / "data" / "rasa_conversations.json").read_text(encoding="utf-8")
)
# What the trained model's RulePolicy reports as rule-only (components/train_RulePolicy1/
# rule_only_data.json in the model); MemoizationPolicy leaves these out of its states.
RULE_ONLY = {RULE_ONLY_SLOTS: [], RULE_ONLY_LOOPS: ["service_form"]}
RULE_ONLY_WITH_SLOTS = {RULE_ONLY_SLOTS: ["requested_slot", "service"], RULE_ONLY_LOOPS: []}
# The arguments the policies pass (MemoizationPolicy's, RulePolicy's), Rasa's defaults, and more.
ARGUMENTS: list[dict[str, Any]] = [
    {},
    {"ignore_rule_only_turns": True, "rule_only_data": RULE_ONLY},
    {"rule_only_data": RULE_ONLY},
    {"omit_unset_slots": True, "ignore_rule_only_turns": True},
    {"ignore_rule_only_turns": True, "rule_only_data": RULE_ONLY_WITH_SLOTS},
]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(paths.DOMAIN_DIR))


@pytest.fixture()
def rasas_own() -> Iterator[None]:
    """Rasa's own ``applied_events`` and ``past_states`` while the test runs (the speed-ups
    are called directly); the classes as they were afterwards."""
    before = (DialogueStateTracker.applied_events, DialogueStateTracker.past_states)
    original = getattr(before[0], "__wrapped__", before[0])
    DialogueStateTracker.applied_events = original  # type: ignore[method-assign]
    yield
    DialogueStateTracker.applied_events, DialogueStateTracker.past_states = before  # type: ignore[method-assign]


def _rasas_states(tracker: DialogueStateTracker, domain: Domain, **arguments: Any) -> Any:
    """Rasa's past states of a fresh tracker with the same events."""
    fresh = DialogueStateTracker.from_events(tracker.sender_id, list(tracker.events), domain.slots)
    return domain.states_for_tracker_history(fresh, **arguments)


def _fast_applied(tracker: DialogueStateTracker) -> list[Any]:
    return rasa_tracker_speedups.applied_events(tracker)


def _check(tracker: DialogueStateTracker, domain: Domain) -> int:
    """Compare the speed-ups with Rasa's code on ``tracker``; the number of comparisons."""
    assert _fast_applied(tracker) == DialogueStateTracker.applied_events(tracker)
    for arguments in ARGUMENTS:
        got = rasa_tracker_speedups.past_states(tracker, domain, **arguments)
        assert got == _rasas_states(tracker, domain, **arguments), arguments
        _same_sharing(got, _rasas_states(tracker, domain, **arguments))
    return len(ARGUMENTS)


def _same_sharing(got: list[Any], expected: list[Any]) -> None:
    """The states share their sub-state dicts as Rasa's do (Rasa's featurizer changes the last
    state in place, and the change reaches every state that shares the dict)."""

    def sharing(states: list[Any]) -> list[list[tuple[int, str]]]:
        places: dict[int, list[tuple[int, str]]] = {}
        for i, state in enumerate(states):
            for name, sub_state in state.items():
                places.setdefault(id(sub_state), []).append((i, name))
        return sorted(places.values())

    assert sharing(got) == sharing(expected)


@pytest.mark.usefixtures("rasas_own")
@pytest.mark.parametrize("name", sorted(CONVERSATIONS))
def test_same_states_as_rasa_after_every_action(name: str, domain: Domain) -> None:
    """The live tracker of a stored conversation, event by event, as during its turns."""
    tracker = DialogueStateTracker(name, domain.slots)
    compared = 0
    for data in CONVERSATIONS[name]:
        event = Event.from_parameters(data)
        tracker.update(event)
        assert _fast_applied(tracker) == DialogueStateTracker.applied_events(tracker)
        # After an action, and after a user message: where Rasa predicts.
        if isinstance(event, ActionExecuted | UserUttered):
            compared += _check(tracker, domain)
    compared += _check(tracker, domain)
    assert compared > len(ARGUMENTS) * 5


def test_the_rule_only_loop_is_left_out_of_memoizations_states(domain: Domain) -> None:
    """The rule-only data is the model's and does change the states while the form's loop is
    active (the path is taken), and there the states are still Rasa's."""
    tracker = DialogueStateTracker("c", domain.slots)
    memoization = {"ignore_rule_only_turns": True, "rule_only_data": RULE_ONLY}
    changed = 0
    for data in CONVERSATIONS["conversation-1"]:
        tracker.update(Event.from_parameters(data))
        states = rasa_tracker_speedups.past_states(tracker, domain, **memoization)
        if states != rasa_tracker_speedups.past_states(
            tracker, domain, ignore_rule_only_turns=True
        ):
            changed += 1
            assert states == _rasas_states(tracker, domain, **memoization)
    assert changed >= 10


def test_installed_together_as_rasa_runs_them(domain: Domain) -> None:
    """Both installed (the remembered applied events feeding the replay), against Rasa's own
    methods on a fresh tracker, for two domains and two sets of rule-only data in turn."""
    other_domain = Domain.load(str(paths.DOMAIN_DIR))
    before = (DialogueStateTracker.applied_events, DialogueStateTracker.past_states)
    slot_copy = Slot.__dict__.get("__copy__")
    rasas = (rasa_tracker_speedups.RASA_APPLIED_EVENTS,)
    try:
        rasa_tracker_speedups.install()
        tracker = DialogueStateTracker("c", domain.slots)
        for i, data in enumerate(CONVERSATIONS["conversation-3"]):
            tracker.update(Event.from_parameters(data))
            if i % 7:
                continue
            for each_domain in (domain, other_domain):
                for rule_only in (RULE_ONLY, RULE_ONLY_WITH_SLOTS):
                    arguments = {"ignore_rule_only_turns": True, "rule_only_data": rule_only}
                    got = tracker.past_states(each_domain, **arguments)
                    DialogueStateTracker.applied_events = rasas[0]  # type: ignore[method-assign]
                    try:
                        expected = _rasas_states(tracker, each_domain, **arguments)
                    finally:
                        DialogueStateTracker.applied_events = (  # type: ignore[method-assign]
                            rasa_tracker_speedups.applied_events
                        )
                    assert got == expected
    finally:
        DialogueStateTracker.applied_events, DialogueStateTracker.past_states = before  # type: ignore[method-assign]
        if slot_copy is None:
            del Slot.__copy__  # type: ignore[attr-defined]


def test_a_replay_that_fails_part_way_is_dropped(domain: Domain) -> None:
    """An error while replaying leaves no half-done replay for the next call to build on."""
    tracker = DialogueStateTracker("c", domain.slots)
    for data in CONVERSATIONS["conversation-1"][:20]:
        tracker.update(Event.from_parameters(data))
    rasa_tracker_speedups.past_states(tracker, domain)
    for data in CONVERSATIONS["conversation-1"][20:40]:
        tracker.update(Event.from_parameters(data))

    class Broken(Exception):
        pass

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise Broken

    original = Domain.get_active_state
    Domain.get_active_state = broken  # type: ignore[method-assign]
    try:
        with pytest.raises(Broken):
            rasa_tracker_speedups.past_states(tracker, domain)
    finally:
        Domain.get_active_state = original  # type: ignore[method-assign]
    assert rasa_tracker_speedups.past_states(tracker, domain) == _rasas_states(tracker, domain)


def _undoing_events() -> list[list[Event]]:
    return [
        [UserUtteranceReverted()],
        [ActionReverted()],
        [Restarted(), ActionExecuted("action_listen")],
        [ActionExecuted("action_listen"), UserUttered("再说一遍", {"name": "repeat"})],
    ]


@pytest.mark.usefixtures("rasas_own")
@pytest.mark.parametrize("undo", _undoing_events(), ids=["rewind", "revert", "restart", "turn"])
def test_an_undo_or_restart_starts_the_replay_again(undo: list[Event], domain: Domain) -> None:
    """Events that take back applied events, added at every tenth action of a conversation."""
    events = [Event.from_parameters(data) for data in CONVERSATIONS["conversation-1"]]
    actions = [i for i, event in enumerate(events) if isinstance(event, ActionExecuted)]
    for cut in actions[::10]:
        tracker = DialogueStateTracker("c", domain.slots)
        for event in events[: cut + 1]:
            tracker.update(event)
        _check(tracker, domain)
        for event in undo:
            tracker.update(event)
        _check(tracker, domain)
        tracker.update(ActionExecuted("action_listen"))
        _check(tracker, domain)


@pytest.mark.usefixtures("rasas_own")
def test_a_full_event_history_that_drops_its_first_event(domain: Domain) -> None:
    """A tracker with a maximum history keeps its length as it appends; the key changes."""
    tracker = DialogueStateTracker("c", domain.slots, max_event_history=6)
    for data in CONVERSATIONS["conversation-2"][:40]:
        tracker.update(Event.from_parameters(data))
        assert len(tracker.events) <= 6
        _check(tracker, domain)


@pytest.mark.usefixtures("rasas_own")
def test_the_same_event_added_twice(domain: Domain) -> None:
    tracker = DialogueStateTracker("c", domain.slots)
    listen = ActionExecuted("action_listen")
    slot = SlotSet("person_name", "张三")
    for event in (listen, slot, slot, listen, listen):
        tracker.update(event)
        _check(tracker, domain)


@pytest.mark.usefixtures("rasas_own")
def test_a_caller_changing_its_states_changes_no_one_elses(domain: Domain) -> None:
    tracker = DialogueStateTracker("c", domain.slots)
    for data in CONVERSATIONS["conversation-1"][:30]:
        tracker.update(Event.from_parameters(data))
    first = rasa_tracker_speedups.past_states(tracker, domain)
    for state in first:
        for sub_state in state.values():
            sub_state.clear()
    first.clear()
    assert rasa_tracker_speedups.past_states(tracker, domain) == _rasas_states(tracker, domain)
    applied = _fast_applied(tracker)
    applied.clear()
    assert _fast_applied(tracker) == DialogueStateTracker.applied_events(tracker)


def _copy_by_protocol(slot: Slot) -> Slot:
    """``copy.copy`` of a slot without ``__copy__``: Python's ``__reduce_ex__`` protocol."""
    _cls, _args, state, *_ = slot.__reduce_ex__(4)
    new = copyreg.__newobj__(type(slot))  # type: ignore[attr-defined]
    new.__dict__.update(state)
    return new


def test_a_slot_copy_is_what_copys_protocol_makes() -> None:
    domain = Domain.load(str(paths.DOMAIN_DIR))
    assert {type(slot).__name__ for slot in domain.slots} >= {"TextSlot", "AnySlot", "BooleanSlot"}
    for slot in domain.slots:
        slot.value = {"changed": [1]} if type(slot).__name__ == "AnySlot" else slot.value
        fast = rasa_tracker_speedups._slot_copy(slot)
        expected = _copy_by_protocol(slot)
        assert type(fast) is type(expected) is type(slot)
        assert fast.__dict__ == expected.__dict__
        assert fast is not slot and fast.__dict__ is not slot.__dict__
        fast.value = "another"
        assert slot.value != "another"  # a shallow copy, as copy.copy makes


def test_install_replaces_rasas_methods() -> None:
    before = (
        DialogueStateTracker.applied_events,
        DialogueStateTracker.past_states,
        Slot.__dict__.get("__copy__"),
    )
    try:
        rasa_tracker_speedups.install()
        assert DialogueStateTracker.past_states is rasa_tracker_speedups.past_states
        assert DialogueStateTracker.applied_events is rasa_tracker_speedups.applied_events
        text = TextSlot("s", [], initial_value="x")
        assert copy.copy(text).__dict__ == text.__dict__
        assert Slot.__copy__ is rasa_tracker_speedups._slot_copy  # type: ignore[attr-defined]
    finally:
        DialogueStateTracker.applied_events, DialogueStateTracker.past_states = before[:2]  # type: ignore[method-assign]
        if before[2] is None:
            del Slot.__copy__  # type: ignore[attr-defined]
