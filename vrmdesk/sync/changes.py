"""One change, the unit the devices exchange (the sync contract's shape, docs/sync.md).

:meth:`Change.from_json` checks what arrives from the folder before anything uses it: every key
there and of its type, nothing else, the clock timestamp well formed and naming the change's own
device, a delete without fields, an update with a ``base`` for exactly its fields. A change that
fails is refused with a :class:`ChangeError` saying why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from vrmdesk.errors import VrmError
from vrmdesk.store.gid import is_gid
from vrmdesk.store.hlc import HLC_PATTERN

OPS = ("create", "update", "delete")
KEYS = frozenset({"hlc", "device", "seq", "op", "kind", "gid", "fields"})
DEVICE = re.compile(r"[0-9a-f]{32}")
FIELD = re.compile(r"[a-z][a-z0-9_]{0,63}")


class ChangeError(VrmError):
    """A change that is not one of the contract's shape."""


@dataclass(frozen=True)
class Change:
    hlc: str
    device: str
    seq: int
    op: str
    kind: str
    gid: str
    fields: dict[str, Any] = field(default_factory=dict)
    base: dict[str, str | None] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "hlc": self.hlc,
            "device": self.device,
            "seq": self.seq,
            "op": self.op,
            "kind": self.kind,
            "gid": self.gid,
            "fields": dict(self.fields),
        }
        if self.op == "update":
            out["base"] = dict(self.base or {})
        return out

    @classmethod
    def from_json(cls, data: object) -> Change:
        if not isinstance(data, dict):
            raise ChangeError("A change is not a JSON object.")
        expected = KEYS | ({"base"} if data.get("op") == "update" else set())
        if set(data) != expected:
            odd = ", ".join(sorted(set(data) ^ expected))
            raise ChangeError(f"A change has other keys than the contract's ({odd}).")
        hlc, device, seq, op = data["hlc"], data["device"], data["seq"], data["op"]
        kind, gid, fields = data["kind"], data["gid"], data["fields"]
        if not isinstance(device, str) or not DEVICE.fullmatch(device):
            raise ChangeError("A change's device is not a device id (32 lowercase hex).")
        if not isinstance(hlc, str) or not (match := HLC_PATTERN.match(hlc)):
            raise ChangeError(f"A change of device {device} has no valid clock timestamp.")
        if match.group(3) != device:
            raise ChangeError(f"A change's clock timestamp names another device than {device}.")
        if type(seq) is not int or seq < 1:
            raise ChangeError(f"A change of device {device} has no valid number (1, 2, 3 …).")
        where = f"change {seq} of device {device}"
        if op not in OPS:
            raise ChangeError(f"The {where} has an unknown operation {op!r}.")
        if not isinstance(kind, str) or not FIELD.fullmatch(kind):
            raise ChangeError(f"The {where} names no record kind.")
        if not is_gid(gid):
            raise ChangeError(f"The {where} has no valid global id (a UUIDv7).")
        if not isinstance(fields, dict) or not all(
            isinstance(k, str) and FIELD.fullmatch(k) for k in fields
        ):
            raise ChangeError(f"The {where} has no valid fields.")
        if op == "delete" and fields:
            raise ChangeError(f"The {where} is a delete with fields.")
        base = data.get("base")
        if op == "update":
            if not isinstance(base, dict) or set(base) != set(fields) or not fields:
                raise ChangeError(f"The {where} is an update whose base does not match its fields.")
            for value in base.values():
                if value is not None and not (isinstance(value, str) and HLC_PATTERN.match(value)):
                    raise ChangeError(f"The {where} has a base that is no clock timestamp.")
        return cls(hlc, device, seq, op, kind, gid, dict(fields), base)
