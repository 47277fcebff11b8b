"""Global record ids: UUIDv7 strings (RFC 9562, section 5.7), the same on every device.

Python 3.11's :mod:`uuid` has no ``uuid7`` (it came in 3.14), and the few lines below are less to
keep than a dependency (``uuid6`` or ``uuid-utils``) for one function: 48 bits of Unix
milliseconds, then 74 random bits, so ids sort roughly by creation time (good for the unique
index) and two devices never choose the same one.
"""

from __future__ import annotations

import os
import re
import time
import uuid

GID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def new_gid(now_ms: int | None = None) -> str:
    """A new UUIDv7, as its lowercase 36-character string."""
    ms = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    rand = int.from_bytes(os.urandom(10), "big")  # 80 bits; 74 are used
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0xFFF) << 64  # rand_a, 12 bits
    value |= 0b10 << 62  # variant (RFC 9562)
    value |= rand & ((1 << 62) - 1)  # rand_b, 62 bits
    return str(uuid.UUID(int=value))


def is_gid(text: object) -> bool:
    return isinstance(text, str) and GID_PATTERN.match(text) is not None
