"""The hybrid logical clock of the sync contract: monotonic whatever the machine's clock does."""

from __future__ import annotations

import pytest

from vrmdesk.store.gid import is_gid, new_gid
from vrmdesk.sync.hlc import Clock, ClockError, Timestamp

A = "a" * 32
B = "b" * 32


class FakeTime:
    def __init__(self, ms: int) -> None:
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


def test_the_format_is_the_contracts_and_sorts_as_the_clock():
    clock = Clock(A, now_ms=FakeTime(1764612345678))
    stamp = clock.now()
    assert stamp == f"0001764612345678-0000-{A}"
    assert Timestamp.parse(stamp) == Timestamp(1764612345678, 0, A)
    assert f"0000000000000009-ffff-{A}" < f"0000000000000010-0000-{A}"


def test_monotonic_when_the_machine_clock_goes_back():
    time = FakeTime(10_000)
    clock = Clock(A, now_ms=time)
    stamps = [clock.now()]
    for ms in (10_000, 9_000, 5_000, 10_000, 10_001, 3):
        time.ms = ms
        stamps.append(clock.now())
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert stamps[1] == f"0000000000010000-0001-{A}"  # the same millisecond: the counter
    assert stamps[2] == f"0000000000010000-0002-{A}"  # the clock went back: still later
    assert stamps[5] == f"0000000000010001-0000-{A}"  # time moved on: the counter starts again


def test_observing_a_later_timestamp_moves_the_clock_past_it():
    clock = Clock(A, now_ms=FakeTime(1_000))
    clock.now()
    received = f"0000000000005000-0007-{B}"
    observed = clock.observe(received)
    assert observed == f"0000000000005000-0008-{A}"
    assert clock.now() > received  # what this device does next sorts after what it saw


def test_observing_an_earlier_timestamp_keeps_the_clock():
    clock = Clock(A, now_ms=FakeTime(9_000))
    first = clock.now()
    assert clock.observe(f"0000000000001000-0000-{B}") > first


def test_the_clock_resumes_from_its_saved_state():
    clock = Clock(A, f"0000000000050000-0003-{A}", now_ms=FakeTime(1))
    assert clock.now() == f"0000000000050000-0004-{A}"


def test_a_counter_overflow_moves_to_the_next_millisecond():
    clock = Clock(A, f"0000000000050000-ffff-{A}", now_ms=FakeTime(1))
    assert clock.now() == f"0000000000050001-0000-{A}"


@pytest.mark.parametrize("bad", ["", "123", f"0000000000050000-fff-{A}", f"x-0000-{A}"])
def test_a_malformed_timestamp_is_refused(bad):
    with pytest.raises(ClockError):
        Timestamp.parse(bad)


def test_gids_are_uuid7_and_sort_by_time():
    gids = [new_gid(now_ms=ms) for ms in (1, 2, 1764612345678)]
    assert all(is_gid(g) for g in gids) and gids == sorted(gids)
    assert len({new_gid() for _ in range(1000)}) == 1000
