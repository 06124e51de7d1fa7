"""Rasa's turns in slots (banshi.rasa_admission): a few at a time, first come first served, and a
turn whose start-within time passed while it waited for its slot is refused, never run."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from banshi.rasa_admission import (
    TooLate,
    admitted,
    in_slots,
    kept_in_time,
    start_within,
    turns_at_once,
)


class Turns:
    """A stand-in for the processor's turn: records what runs at once, takes ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.running = 0
        self.most_at_once = 0
        self.ran: list[str] = []

    async def handle(self, name: str) -> str:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await asyncio.sleep(self.seconds)
        finally:
            self.running -= 1
        self.ran.append(name)
        return name


async def _turn(run: Callable[..., Awaitable[str]], name: str, within: str | None) -> str:
    with admitted(within):
        return str(await run(name))


async def test_at_most_the_slots_run_at_once_in_arrival_order() -> None:
    turns = Turns(0.05)
    run = in_slots(turns.handle, 2)
    names = [f"t{i}" for i in range(6)]
    results = await asyncio.gather(*(_turn(run, n, "5") for n in names))
    assert results == names
    assert turns.most_at_once == 2
    assert turns.ran[:2] == ["t0", "t1"] and sorted(turns.ran) == names


async def test_a_turn_whose_time_passes_while_it_waits_for_a_slot_is_not_run() -> None:
    turns = Turns(0.3)
    run = in_slots(turns.handle, 1)
    first = asyncio.create_task(_turn(run, "first", "5"))
    await asyncio.sleep(0.01)
    with pytest.raises(TooLate) as late:
        await _turn(run, "late", "0.1")
    assert late.value.where == "slot"
    assert await first == "first"
    assert turns.ran == ["first"]


async def test_a_turn_with_no_time_left_is_refused_on_arrival() -> None:
    turns = Turns(0.0)
    with pytest.raises(TooLate) as late:
        await _turn(in_slots(turns.handle, 1), "late", "0")
    assert late.value.where == "arrival"
    assert turns.ran == []


async def test_the_time_is_this_turns_only() -> None:
    turns = Turns(0.0)
    run = in_slots(turns.handle, 1)
    with pytest.raises(TooLate):
        await _turn(run, "late", "0")
    assert await run("no limit") == "no limit"  # outside admitted(): the old behaviour


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("6", 6.0),
        ("0.5", 0.5),
        ("0", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("nan", None),
        ("-inf", None),
    ],
)
def test_the_header_is_read_as_seconds(header: str | None, seconds: float | None) -> None:
    assert start_within(header) == seconds


def test_the_slots_come_from_the_environment() -> None:
    assert turns_at_once({}) == 4
    assert turns_at_once({"BANSHI_RASA_TURNS_AT_ONCE": "8"}) == 8
    with pytest.raises(ValueError, match="BANSHI_RASA_TURNS_AT_ONCE"):
        turns_at_once({"BANSHI_RASA_TURNS_AT_ONCE": "0"})


async def test_a_turn_that_would_be_saved_after_the_gateway_stopped_waiting_is_not_saved() -> None:
    saved: list[str] = []

    async def save(name: str) -> None:
        saved.append(name)

    keep = kept_in_time(save)
    with admitted("5", "0.1"):
        await keep("in time")
        await asyncio.sleep(0.15)
        with pytest.raises(TooLate) as late:
            await keep("too late")
    assert late.value.where == "save"
    await keep("outside a turn")  # the HTTP API's saves have no limit
    assert saved == ["in time", "outside a turn"]
