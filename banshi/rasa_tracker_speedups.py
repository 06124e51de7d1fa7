"""Speed-ups of Rasa 3.6's dialogue trackers, installed by ``banshi.rasa_speedups``; same results.

Found with py-spy on the Rasa process under ``bench.turn_latency`` (docs/turn-cost.md): once
the tracker store and the action server's checks were cheaper, a fifth of Rasa's time went to
the policies rebuilding the dialogue's states from the whole tracker, three times a prediction.

- **A slot is copied without ``copy``'s generic protocol.** Every tracker Rasa makes (from the
  store, for each state it rebuilds, for forms) copies every slot of the domain with
  ``copy.copy``, which goes through ``__reduce_ex__`` and ``copyreg``. ``Slot.__copy__`` here
  does what that protocol does for these plain objects: a new instance of the same class whose
  ``__dict__`` is a shallow copy of the original's.
- **A tracker's applied events are remembered while its events are unchanged.** A tracker's
  ``applied_events`` walks all its events (with ``isinstance`` on abstract classes, and a walk
  back over them for each loop action); the policies ask for them several times a prediction.
  The answer is kept on the tracker with what it was computed from (the events deque, its
  length, its first and last event) and carried on over the events added since, by Rasa's own
  loop; a dropped first event, a new deque or a newly named loop computes it whole. Each caller
  gets its own list.
- **A tracker's past states are built on from where they were.** ``past_states`` replays the
  tracker's applied events on a fresh tracker and takes a state before each action, for every
  policy at every prediction of a turn (``RulePolicy`` twice after a user message); the events
  between two predictions of a turn are only the few the last action added. Here the replay
  (the replayed tracker and the states so far, per domain and set of arguments) is kept on the
  tracker and carried on over the new events, by Rasa's own loop
  (``Domain.states_for_tracker_history``, here ``_turn``); when the applied events no longer
  begin with those replayed (an undo, a restart, a loop's unhappy path), it starts again. Each
  caller gets its own copy of the states, sharing sub-states between them as Rasa's do (the
  featurizer changes the last one in place).

Both caches rest on what Rasa does with a tracker's events: it appends them (a deque with a
maximum length drops its first as it appends), or gives the tracker a new deque; it never
replaces one in the middle. Two events change in place: ``DefinePrevUserUtteredFeaturization``
and ``EntitiesAdded`` amend the latest user message, and Rasa applies both before the next
action. The state that holds that message is the one after the last event, which is never
kept: it is made anew on every call.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

APPLIED = "_banshi_applied_events"
REPLAYS = "_banshi_replays"

RASA_APPLIED_EVENTS: Callable[[Any], list[Any]] = getattr(
    DialogueStateTracker.applied_events, "__wrapped__", DialogueStateTracker.applied_events
)


def _slot_copy(self: Any) -> Any:
    """``copy.copy(slot)``: a new instance of the slot's class with a copy of its ``__dict__``."""
    cls: Any = type(self)
    new = cls.__new__(cls)
    new.__dict__.update(self.__dict__)
    return new


@dataclass(frozen=True)
class Applied:
    """A tracker's applied events, and what they were computed from."""

    events: Any
    length: int
    first: Any
    last: Any
    loop_names: set[str]
    applied: list[Any]

    @classmethod
    def of(cls, events: Any, loop_names: set[str], applied: list[Any]) -> Applied:
        first, last = (events[0], events[-1]) if events else (None, None)
        return cls(events, len(events), first, last, loop_names, applied)

    def still_begins(self, events: Any) -> bool:
        """Whether ``events`` is the deque computed from, with the same first ``length`` events
        (Rasa only appends to it; a full deque with a maximum length drops its first event)."""
        return (
            events is self.events
            and self.length > 0
            and len(events) >= self.length
            and events[0] is self.first
            and events[self.length - 1] is self.last
        )


def _apply(tracker: Any, new_events: list[Any], loop_names: set[str], applied: list[Any]) -> None:
    """The loop of Rasa's ``DialogueStateTracker.applied_events`` over ``new_events``."""
    for event in new_events:
        if isinstance(event, Restarted | SessionStarted):
            applied.clear()
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)


def _loop_names(events: Any) -> set[str]:
    return {event.name for event in events if isinstance(event, ActiveLoop) and event.name}


def applied_events(self: Any) -> list[Any]:
    """``DialogueStateTracker.applied_events``, carried on over the events added since it was
    last computed; computed whole when the first event was dropped, the deque is another, or a
    new loop is named."""
    events = self.events
    kept: Applied | None = self.__dict__.get(APPLIED)
    if kept is not None and kept.still_begins(events):
        if len(events) == kept.length:
            return list(kept.applied)
        new_events = list(itertools.islice(events, kept.length, None))
        if _loop_names(new_events) <= kept.loop_names:
            applied = list(kept.applied)
            _apply(self, new_events, kept.loop_names, applied)
            self.__dict__[APPLIED] = Applied.of(events, kept.loop_names, applied)
            return list(applied)
    applied = RASA_APPLIED_EVENTS(self)
    self.__dict__[APPLIED] = Applied.of(events, _loop_names(events), list(applied))
    return applied


applied_events.__wrapped__ = RASA_APPLIED_EVENTS  # type: ignore[attr-defined]


def _copy_states(states: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of a list of states (each a dict of sub-state dicts of strings and tuples) that
    shares its sub-state dicts between states as the original does: with rule-only turns left
    out, Rasa's states share the user's and the previous action's dicts, and its featurizer
    changes the last state in place, which reaches every state sharing the dict."""
    copies: dict[int, dict[str, Any]] = {}

    def copy_of(sub_state: dict[str, Any]) -> dict[str, Any]:
        copied = copies.get(id(sub_state))
        if copied is None:
            copied = copies[id(sub_state)] = dict(sub_state)
        return copied

    return [{name: copy_of(sub_state) for name, sub_state in state.items()} for state in states]


@dataclass
class Replay:
    """Rasa's ``states_for_tracker_history`` part-way: the tracker replayed over ``applied``
    (the applied events so far) and what its loop had made of them, before the last turn."""

    tracker: Any
    applied: list[Any] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)
    last_ml_action: Any = None
    turn_was_hidden: bool = False


def _turn(
    domain: Any,
    replay: Replay,
    states: list[dict[str, Any]],
    hide_rule_turn: bool,
    omit_unset_slots: bool,
    ignore_rule_only_turns: bool,
    rule_only_data: dict[str, Any] | None,
) -> None:
    """One pass of the loop of ``Domain.states_for_tracker_history`` (Rasa 3.6), on the tracker
    as replayed so far: the state of this turn appended to ``states`` unless it is hidden."""
    tr = replay.tracker
    if ignore_rule_only_turns:
        if not replay.turn_was_hidden:
            replay.last_ml_action = domain._get_prev_action_sub_state(tr)
        if not tr.followup_action and tr.latest_action_name != tr.active_loop_name:
            replay.turn_was_hidden = hide_rule_turn
        if replay.turn_was_hidden:
            return
    state = domain.get_active_state(tr, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if states:
            domain._substitute_rule_only_user_input(state, states[-1])
        if replay.last_ml_action:
            state[PREVIOUS_ACTION] = replay.last_ml_action
    states.append(domain._clean_state(state))


def _extends(applied: list[Any], before: list[Any]) -> bool:
    """Whether ``applied`` begins with the very events of ``before``."""
    return len(applied) >= len(before) and all(
        a is b for a, b in zip(applied, before, strict=False)
    )


def past_states(
    tracker: Any,
    domain: Any,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """``DialogueStateTracker.past_states``, replaying only the events added since the last
    call with the same domain and arguments (all of them when any applied event changed)."""
    applied = tracker.applied_events()
    rule_only = None if rule_only_data is None else json.dumps(rule_only_data, sort_keys=True)
    key = (bool(omit_unset_slots), bool(ignore_rule_only_turns), rule_only)
    replays = tracker.__dict__.get(REPLAYS)
    if replays is None or replays[0] is not domain:
        replays = (domain, {})
        tracker.__dict__[REPLAYS] = replays
    replay = replays[1].get(key)
    if replay is None or not _extends(applied, replay.applied):
        replay = replays[1][key] = Replay(tracker.init_copy())
    arguments = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    try:
        for event in applied[len(replay.applied) :]:
            if isinstance(event, ActionExecuted):
                _turn(domain, replay, replay.states, event.hide_rule_turn, *arguments)
            replay.tracker.update(event)
    except BaseException:
        del replays[1][key]  # half replayed: the next call starts again
        raise
    replay.applied = applied
    # The turn after the last event, on a copy: the next call replays further from before it.
    last = Replay(replay.tracker, applied, [], replay.last_ml_action, replay.turn_was_hidden)
    states = list(replay.states)
    _turn(domain, last, states, False, *arguments)
    return _copy_states(states)


def install() -> None:
    """Install the tracker speed-ups into Rasa (results unchanged)."""
    from rasa.shared.core.slots import Slot

    Slot.__copy__ = _slot_copy
    DialogueStateTracker.applied_events = applied_events
    DialogueStateTracker.past_states = past_states
