"""The hybrid logical clock of the sync contract: see :mod:`vrmdesk.store.hlc`.

The implementation lives in the store, whose change log stamps every change in the committing
transaction (and the store may not import this package); this is its name for sync's users.
"""

from __future__ import annotations

from vrmdesk.store.hlc import HLC_PATTERN, Clock, ClockError, Timestamp, wall_ms

__all__ = ["HLC_PATTERN", "Clock", "ClockError", "Timestamp", "wall_ms"]
