"""The load benchmark's reconciliation: what it calls lost, duplicated and out of order."""

from __future__ import annotations

from bench.scale_system import compare


def test_the_same_messages_in_the_same_order_are_all_accounted_for() -> None:
    assert compare(["你好", "交学费", "你好"], ["你好", "交学费", "你好"]) == (0, 0, True)


def test_a_message_missing_from_the_store_is_lost() -> None:
    assert compare(["你好", "交学费", "再见"], ["你好", "再见"]) == (1, 0, False)


def test_a_message_stored_twice_is_duplicated_but_keeps_the_order() -> None:
    assert compare(["你好", "交学费"], ["你好", "交学费", "交学费"]) == (0, 1, True)


def test_messages_stored_in_another_order_are_out_of_order() -> None:
    assert compare(["你好", "交学费", "再见"], ["你好", "再见", "交学费"]) == (0, 0, False)


def test_a_repeated_message_counts_each_time() -> None:
    # The second 你好 is missing: one lost, although 你好 is stored once.
    assert compare(["你好", "交学费", "你好"], ["你好", "交学费"]) == (1, 0, False)
