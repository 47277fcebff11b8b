"""The hybrid logical clock of the sync contract (Kulkarni et al., "Logical Physical Clocks", 2014).

A timestamp is the string ``f"{wall_ms:016d}-{counter:04x}-{device}"``: string order is clock
order, and ties between devices break by device id. :meth:`Clock.now` issues
``max(previous.wall_ms, now_ms)`` with the counter one up when the wall time did not move (else
0); :meth:`Clock.observe` takes ``max(local, received, now)`` the same way, so a timestamp issued
after seeing another device's is greater than it, whatever the machine's clock says.

It lives in the store because the change log (:mod:`vrmdesk.store.changelog`) stamps every change
in the committing transaction; :mod:`vrmdesk.sync.hlc` is its public name for the sync package.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from vrmdesk.errors import VrmError

HLC_PATTERN = re.compile(r"^(\d{16})-([0-9a-f]{4})-([0-9a-f]{32})$")
MAX_COUNTER = 0xFFFF


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


class ClockError(VrmError):
    """A timestamp that is no HLC timestamp, or a clock that cannot go on."""


@dataclass(frozen=True, order=True)
class Timestamp:
    wall_ms: int
    counter: int
    device: str

    def __str__(self) -> str:
        return f"{self.wall_ms:016d}-{self.counter:04x}-{self.device}"

    @classmethod
    def parse(cls, text: str) -> Timestamp:
        match = HLC_PATTERN.match(text) if isinstance(text, str) else None
        if match is None:
            raise ClockError(f"{text!r} is not a clock timestamp (WALLMS-COUNTER-DEVICE).")
        return cls(int(match.group(1)), int(match.group(2), 16), match.group(3))


class Clock:
    """One device's clock. ``last`` is the greatest timestamp it issued or observed."""

    def __init__(
        self, device: str, last: str | None = None, now_ms: Callable[[], int] = wall_ms
    ) -> None:
        if not re.fullmatch(r"[0-9a-f]{32}", device):
            raise ClockError(f"{device!r} is not a device id (32 lowercase hex characters).")
        self.device = device
        self._now = now_ms
        parsed = Timestamp.parse(last) if last else None
        self._wall = parsed.wall_ms if parsed else 0
        self._counter = parsed.counter if parsed else 0

    @property
    def last(self) -> str:
        return str(Timestamp(self._wall, self._counter, self.device))

    def _advance(self, wall: int, counter: int) -> str:
        if counter > MAX_COUNTER:
            # 65,536 changes in one millisecond (or a peer's clock far ahead): wait for time
            wall, counter = wall + 1, 0
        self._wall, self._counter = wall, counter
        return self.last

    def now(self) -> str:
        """A new timestamp, greater than every one issued or observed before."""
        physical = self._now()
        if physical > self._wall:
            return self._advance(physical, 0)
        return self._advance(self._wall, self._counter + 1)

    def observe(self, received: str) -> str:
        """Take a received timestamp into account; returns the clock's new timestamp."""
        other = Timestamp.parse(received)
        physical = self._now()
        wall = max(self._wall, other.wall_ms, physical)
        if wall == self._wall == other.wall_ms:
            counter = max(self._counter, other.counter) + 1
        elif wall == self._wall:
            counter = self._counter + 1
        elif wall == other.wall_ms:
            counter = other.counter + 1
        else:
            counter = 0
        return self._advance(wall, counter)
