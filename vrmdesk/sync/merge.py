"""The merge engine: changes from every device into one state that all devices agree on.

Pure code, no vault: :func:`apply` takes a :class:`MergeState` and a batch of changes (the JSON
objects of docs/sync.md, "A change") and returns a :class:`MergeResult` saying which records to
create, update or delete in the vault, which attachments they now need, and which conflicts
opened or closed. The store's applier touches only those rows.

The rules (docs/sync.md, "Merging"):

- a change whose (device, seq) was applied before is skipped (duplicates, replays);
- per field, last writer wins: the value whose hlc is greatest (hlc strings sort in clock
  order, ties between devices broken by the device id at their end); a create sets every field
  at its hlc;
- a delete leaves a tombstone at its hlc; the record stays deleted whatever arrives later. An
  edit whose hlc is greater than every delete of the record was made without seeing them: it
  opens an "edited after delete" conflict, closed by a later delete (the person keeps it
  deleted, :func:`keep_deleted`) or restored as a new record (:func:`restore`);
- updates of the same (gid, field) from the same base with different values are concurrent: the
  one with the greatest hlc stays in force and a "concurrent edit" conflict is kept until an
  update whose base is that winner's hlc arrives (the resolution, :func:`resolve`, or any edit
  made after seeing the merged value).

Everything in the state is a function of the *set* of changes applied (maxima, minima and
unions), never of their order, so every device that has received the same changes holds the
same state and the same open conflicts, whatever order, delay or duplication they came in.
Nothing here iterates in an order that depends on arrival: results and the JSON form are sorted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from vrmshare.errors import ValidationError

CONCURRENT = "concurrent edit"
AFTER_DELETE = "edited after delete"
STATE_FORMAT = "vrmsync-merge/1"

OPS = ("create", "update", "delete")
_HLC = re.compile(r"\A[0-9]{16}-[0-9a-f]{4}-([0-9a-f]{32})\Z")
_DEVICE = re.compile(r"\A[0-9a-f]{32}\Z")


class ChangeRefused(ValidationError):
    """A change does not have the shape of docs/sync.md; nothing of its batch was applied."""


def device_of(hlc: str) -> str:
    """The device id at the end of an hlc timestamp."""
    return hlc.rsplit("-", 1)[1]


def value_key(value: Any) -> str:
    """A value's canonical JSON: equal values, equal keys (``1`` and ``true`` differ)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Version:
    """One value of a field as some device wrote it, at its hlc."""

    value: Any
    hlc: str

    @property
    def device(self) -> str:
        return device_of(self.hlc)

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "hlc": self.hlc, "device": self.device}


@dataclass(frozen=True)
class Conflict:
    """A conflict the person resolves.

    ``reason`` is :data:`CONCURRENT` or :data:`AFTER_DELETE`. For a concurrent edit ``base`` is
    the hlc the edits started from (None: the field had no value) and ``values`` the competing
    values in hlc order, the last one in force (:attr:`winner`). For an edit after a delete
    ``base`` is the tombstone's hlc and ``values`` holds the late edit.
    """

    reason: str
    gid: str
    kind: str
    field: str
    base: str | None
    values: tuple[Version, ...]

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.gid, self.field, self.reason, self.base or "")

    @property
    def winner(self) -> Version:
        return self.values[-1]

    def to_json(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "gid": self.gid,
            "kind": self.kind,
            "field": self.field,
            "base": self.base,
            "values": [v.to_json() for v in self.values],
        }


@dataclass(frozen=True)
class RecordChange:
    """What the store's applier does to one row: ``op`` create (``fields``: all), update
    (``fields``: the changed ones) or delete (``fields`` empty)."""

    op: str
    kind: str
    gid: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class MergeResult:
    """What one :func:`apply` did.

    ``records`` are in the order to apply them (by the hlc that made each what it is, so a
    record comes after the records its references were created by, then by gid); ``blobs`` the
    sha256 of the attachments that created or updated records now refer to (field ``blob``);
    ``opened`` the conflicts that are new or gained a value; ``closed`` those no longer open.
    """

    applied: int
    skipped: int
    records: tuple[RecordChange, ...]
    blobs: tuple[str, ...]
    opened: tuple[Conflict, ...]
    closed: tuple[Conflict, ...]


def _by_hlc_then_value(pair: tuple[Any, str]) -> tuple[str, str]:
    return (pair[1], value_key(pair[0]))


class _Record:
    """The merged knowledge of one record (internal; mutable)."""

    __slots__ = ("created", "deleted", "edits", "fields", "kind", "last_delete")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.created: str | None = None  # the least hlc of its creates
        self.deleted: str | None = None  # the tombstone: the least hlc of its deletes
        self.last_delete: str | None = None  # the greatest hlc of its deletes
        self.fields: dict[str, tuple[Any, str]] = {}  # field -> (value in force, its hlc)
        # the updates, for concurrency: field -> base -> value key -> (value, greatest hlc)
        self.edits: dict[str, dict[str | None, dict[str, tuple[Any, str]]]] = {}

    @property
    def live(self) -> bool:
        return self.created is not None and self.deleted is None

    def values(self) -> dict[str, Any]:
        return {name: self.fields[name][0] for name in sorted(self.fields)}

    def write(self, name: str, value: Any, hlc: str) -> None:
        current = self.fields.get(name)
        if (
            current is None
            or hlc > current[1]
            # one hlc, two values: only a broken or forged device does that; still, one outcome
            or (hlc == current[1] and value_key(value) > value_key(current[0]))
        ):
            self.fields[name] = (value, hlc)

    def note_edit(self, name: str, base: str | None, value: Any, hlc: str) -> None:
        by_value = self.edits.setdefault(name, {}).setdefault(base, {})
        key = value_key(value)
        known = by_value.get(key)
        if known is None or hlc > known[1]:
            by_value[key] = (value, hlc)

    def conflicts(self, gid: str) -> dict[tuple[str, str, str, str], Conflict]:
        found: dict[tuple[str, str, str, str], Conflict] = {}
        if self.created is None:
            return found  # nothing in the vault to be in conflict about, until the create comes
        if self.deleted is not None:
            last = self.last_delete or self.deleted
            for name, (value, hlc) in self.fields.items():
                if hlc > last:
                    c = Conflict(
                        AFTER_DELETE, gid, self.kind, name, self.deleted, (Version(value, hlc),)
                    )
                    found[c.key] = c
            return found
        for name, groups in self.edits.items():
            for base, by_value in groups.items():
                if len(by_value) < 2:
                    continue
                versions = tuple(
                    Version(v, h) for v, h in sorted(by_value.values(), key=_by_hlc_then_value)
                )
                if versions[-1].hlc in groups:
                    continue  # someone edited on top of the winner: resolved
                c = Conflict(CONCURRENT, gid, self.kind, name, base, versions)
                found[c.key] = c
        return found

    def to_json(self) -> dict[str, Any]:
        edits = {
            name: [
                [base, [list(vh) for vh in sorted(groups[base].values(), key=_by_hlc_then_value)]]
                for base in sorted(groups, key=lambda b: b or "")
            ]
            for name, groups in sorted(self.edits.items())
        }
        return {
            "kind": self.kind,
            "created": self.created,
            "deleted": self.deleted,
            "last_delete": self.last_delete,
            "fields": {name: list(self.fields[name]) for name in sorted(self.fields)},
            "edits": edits,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Record:
        rec = cls(data["kind"])
        rec.created = data["created"]
        rec.deleted = data["deleted"]
        rec.last_delete = data["last_delete"]
        rec.fields = {name: (vh[0], vh[1]) for name, vh in data["fields"].items()}
        for name, groups in data["edits"].items():
            for base, pairs in groups:
                for value, hlc in pairs:
                    rec.note_edit(name, base, value, hlc)
        return rec


@dataclass
class _Seen:
    """The (device, seq) pairs applied: per device, all up to ``upto`` and the ones beyond."""

    upto: int = 0
    beyond: set[int] = field(default_factory=set)

    def add(self, seq: int) -> bool:
        if seq <= self.upto or seq in self.beyond:
            return False
        self.beyond.add(seq)
        while self.upto + 1 in self.beyond:
            self.upto += 1
            self.beyond.discard(self.upto)
        return True


class MergeState:
    """Records by gid with every field's value and hlc, tombstones, the applied (device, seq)
    and the open conflicts. Serialisable: :meth:`to_json` / :meth:`from_json`."""

    def __init__(self) -> None:
        self._records: dict[str, _Record] = {}
        self._seen: dict[str, _Seen] = {}
        self._conflicts: dict[str, dict[tuple[str, str, str, str], Conflict]] = {}

    def __len__(self) -> int:
        return len(self._records)

    def has_applied(self, device: str, seq: int) -> bool:
        seen = self._seen.get(device)
        return seen is not None and (seq <= seen.upto or seq in seen.beyond)

    def applied_upto(self, device: str) -> int:
        """The greatest seq of ``device`` up to which every change was applied."""
        seen = self._seen.get(device)
        return 0 if seen is None else seen.upto

    def record(self, gid: str) -> dict[str, Any] | None:
        """The record's fields in force, or None when it does not exist (yet) or was deleted."""
        rec = self._records.get(gid)
        return rec.values() if rec is not None and rec.live else None

    def kind_of(self, gid: str) -> str | None:
        rec = self._records.get(gid)
        return None if rec is None else rec.kind

    def is_deleted(self, gid: str) -> bool:
        rec = self._records.get(gid)
        return rec is not None and rec.deleted is not None

    def field_hlc(self, gid: str, name: str) -> str | None:
        """The hlc of the field's value in force: an update's ``base`` for that field."""
        rec = self._records.get(gid)
        if rec is None or name not in rec.fields:
            return None
        return rec.fields[name][1]

    def created_at(self, gid: str) -> str | None:
        """The hlc of the record's (earliest) create: the base of a field never updated."""
        rec = self._records.get(gid)
        return None if rec is None else rec.created

    def records(self) -> dict[str, tuple[str, dict[str, Any]]]:
        """Every live record, gid -> (kind, fields), in gid order."""
        return {
            gid: (rec.kind, rec.values()) for gid, rec in sorted(self._records.items()) if rec.live
        }

    def conflicts(self) -> list[Conflict]:
        """The open conflicts, sorted by gid, field, reason and base."""
        return sorted(
            (c for by_key in self._conflicts.values() for c in by_key.values()), key=lambda c: c.key
        )

    def record_json(self, gid: str) -> dict[str, Any] | None:
        """One record's merge knowledge as JSON (None: nothing known of it), for keeping the
        state per record (in the vault) rather than whole; see :meth:`load_record`."""
        rec = self._records.get(gid)
        return None if rec is None else rec.to_json()

    def load_record(self, gid: str, data: dict[str, Any]) -> None:
        """Put back one record's :meth:`record_json`. A batch touches only the records it names
        (:func:`gids_of`), so a state holding just those (and every device's seen changes)
        merges them exactly as the whole state would."""
        try:
            rec = _Record.from_json(data)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise ValidationError(f"the merge state of {gid} is damaged") from exc
        self._records[gid] = rec
        found = rec.conflicts(gid)
        if found:
            self._conflicts[gid] = found
        else:
            self._conflicts.pop(gid, None)

    def to_json(self, records: bool = True) -> dict[str, Any]:
        """The state as JSON; ``records=False``: the seen changes only (the records kept apart,
        :meth:`record_json`)."""
        return {
            "format": STATE_FORMAT,
            "seen": {
                device: {"upto": seen.upto, "beyond": sorted(seen.beyond)}
                for device, seen in sorted(self._seen.items())
            },
            "records": (
                {gid: self._records[gid].to_json() for gid in sorted(self._records)}
                if records
                else {}
            ),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MergeState:
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            raise ValidationError(f"not a merge state of format {STATE_FORMAT}")
        state = cls()
        try:
            for device, seen in data["seen"].items():
                state._seen[device] = _Seen(int(seen["upto"]), {int(s) for s in seen["beyond"]})
            for gid, rec_data in data["records"].items():
                rec = _Record.from_json(rec_data)
                state._records[gid] = rec
                found = rec.conflicts(gid)
                if found:
                    state._conflicts[gid] = found
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise ValidationError(
                f"the merge state is damaged ({type(exc).__name__}: {exc})"
            ) from exc
        return state


def _refuse(index: int, change: Any, why: str) -> ChangeRefused:
    where = f"change {index + 1}"
    if (
        isinstance(change, dict)
        and isinstance(change.get("device"), str)
        and isinstance(change.get("seq"), int)
    ):
        where += f" (device {change['device'][:12]}, seq {change['seq']})"
    return ChangeRefused(f"{where} was refused: {why}")


def check_change(change: Any, index: int = 0) -> None:
    """Raise :class:`ChangeRefused` unless ``change`` has the shape of docs/sync.md."""
    if not isinstance(change, dict):
        raise _refuse(index, change, "it is not a JSON object")
    device = change.get("device")
    if not isinstance(device, str) or not _DEVICE.match(device):
        raise _refuse(index, change, "its device is not 32 lowercase hex characters")
    hlc = change.get("hlc")
    match = _HLC.match(hlc) if isinstance(hlc, str) else None
    if match is None:
        raise _refuse(index, change, "its hlc is not a timestamp of the form WALL-COUNTER-DEVICE")
    if match.group(1) != device:
        raise _refuse(index, change, "its hlc names another device")
    seq = change.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise _refuse(index, change, "its seq is not a whole number from 1")
    op = change.get("op")
    if op not in OPS:
        raise _refuse(index, change, "its op is none of create, update, delete")
    for name in ("kind", "gid"):
        if not isinstance(change.get(name), str) or not change[name]:
            raise _refuse(index, change, f"its {name} is missing")
    fields = change.get("fields", {})
    if not isinstance(fields, dict) or not all(isinstance(k, str) and k for k in fields):
        raise _refuse(index, change, "its fields are not an object of named values")
    if op == "delete" and fields:
        raise _refuse(index, change, "a delete carries no fields")
    if op == "update" and not fields:
        raise _refuse(index, change, "an update changes no field")
    base = change.get("base", {})
    if not isinstance(base, dict):
        raise _refuse(index, change, "its base is not an object")
    for name, hlc_of in base.items():
        if hlc_of is not None and (not isinstance(hlc_of, str) or not _HLC.match(hlc_of)):
            raise _refuse(index, change, f"the base of field {name!r} is not a timestamp")


def gids_of(changes: Iterable[dict[str, Any]]) -> list[str]:
    """The gids a batch names, sorted: the records :func:`apply` may touch."""
    return sorted(
        {c["gid"] for c in changes if isinstance(c, dict) and isinstance(c.get("gid"), str)}
    )


def _order(change: dict[str, Any]) -> tuple[str, str, int]:
    return (change["hlc"], change["device"], change["seq"])


def apply(state: MergeState, changes: Iterable[dict[str, Any]]) -> MergeResult:
    """Apply a batch of changes to ``state`` (in hlc order) and say what changed.

    Every change is checked first: one that is malformed refuses the whole batch with
    :class:`ChangeRefused` and the state is left as it was.
    """
    batch = list(changes)
    for index, change in enumerate(batch):
        check_change(change, index)
    batch.sort(key=_order)
    records = state._records
    before: dict[str, tuple[bool, dict[str, Any]]] = {}
    applied = skipped = 0
    for change in batch:
        seen = state._seen.get(change["device"])
        if seen is None:
            seen = state._seen[change["device"]] = _Seen()
        if not seen.add(change["seq"]):
            skipped += 1
            continue
        applied += 1
        gid: str = change["gid"]
        hlc: str = change["hlc"]
        rec = records.get(gid)
        if rec is None:
            rec = records[gid] = _Record(change["kind"])
            before[gid] = (False, {})
        elif gid not in before:
            before[gid] = (rec.live, rec.values() if rec.live else {})
        op = change["op"]
        if op == "delete":
            if rec.deleted is None or hlc < rec.deleted:
                rec.deleted = hlc
            if rec.last_delete is None or hlc > rec.last_delete:
                rec.last_delete = hlc
            continue
        fields: dict[str, Any] = change.get("fields", {})
        if op == "create":
            if rec.created is None or hlc < rec.created:
                rec.created = hlc
                rec.kind = change["kind"]  # the (earliest) create decides the kind
            for name, value in fields.items():
                rec.write(name, value, hlc)
        else:
            base: dict[str, str | None] = change.get("base", {})
            for name, value in fields.items():
                rec.write(name, value, hlc)
                rec.note_edit(name, base.get(name), value, hlc)
    return _result(state, before, applied, skipped)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return value_key(a) == value_key(b)
    return type(a) is type(b) and a == b


def _result(
    state: MergeState, before: dict[str, tuple[bool, dict[str, Any]]], applied: int, skipped: int
) -> MergeResult:
    ordered: list[tuple[str, RecordChange]] = []
    blobs: set[str] = set()
    opened: list[Conflict] = []
    closed: list[Conflict] = []
    for gid in sorted(before):
        rec = state._records[gid]
        was_live, old = before[gid]
        change: RecordChange | None = None
        when = ""
        if rec.live:
            now = rec.values()
            if not was_live:
                change = RecordChange("create", rec.kind, gid, now)
                when = rec.created or ""
            else:
                diff = {k: v for k, v in now.items() if k not in old or not _same(old[k], v)}
                if diff:
                    change = RecordChange("update", rec.kind, gid, diff)
                    when = max(rec.fields[k][1] for k in diff)
            if change is not None and isinstance(change.fields.get("blob"), str):
                blobs.add(change.fields["blob"])
        elif was_live:
            change = RecordChange("delete", rec.kind, gid, {})
            when = rec.deleted or ""
        if change is not None:
            ordered.append((when, change))
        old_conflicts = state._conflicts.get(gid, {})
        new_conflicts = rec.conflicts(gid)
        for key, conflict in new_conflicts.items():
            if old_conflicts.get(key) != conflict:
                opened.append(conflict)
        closed.extend(c for key, c in old_conflicts.items() if key not in new_conflicts)
        if new_conflicts:
            state._conflicts[gid] = new_conflicts
        else:
            state._conflicts.pop(gid, None)
    ordered.sort(key=lambda wc: (wc[0], wc[1].gid))
    return MergeResult(
        applied=applied,
        skipped=skipped,
        records=tuple(c for _when, c in ordered),
        blobs=tuple(sorted(blobs)),
        opened=tuple(sorted(opened, key=lambda c: c.key)),
        closed=tuple(sorted(closed, key=lambda c: c.key)),
    )


def _stamp(op: str, kind: str, gid: str, *, hlc: str, device: str, seq: int) -> dict[str, Any]:
    return {"hlc": hlc, "device": device, "seq": seq, "op": op, "kind": kind, "gid": gid}


def resolve(conflict: Conflict, value: Any, *, hlc: str, device: str, seq: int) -> dict[str, Any]:
    """The update that resolves a concurrent edit with ``value`` (one of the values or another).

    Its base is the winner's hlc, so it closes the conflict on every device and is not itself a
    conflict. ``hlc``, ``device`` and ``seq`` are the resolving device's next ones.
    """
    if conflict.reason != CONCURRENT:
        raise ValidationError(
            "a record edited after its delete is kept deleted or restored as a new record,"
            " not resolved to a value"
        )
    change = _stamp("update", conflict.kind, conflict.gid, hlc=hlc, device=device, seq=seq)
    change["fields"] = {conflict.field: value}
    change["base"] = {conflict.field: conflict.winner.hlc}
    return change


def keep_deleted(conflict: Conflict, *, hlc: str, device: str, seq: int) -> dict[str, Any]:
    """The delete that closes an "edited after delete" conflict: the record stays deleted.

    ``hlc`` must be the device's next timestamp after receiving the late edit (so greater).
    """
    if conflict.reason != AFTER_DELETE:
        raise ValidationError("only a record edited after its delete can be kept deleted")
    change = _stamp("delete", conflict.kind, conflict.gid, hlc=hlc, device=device, seq=seq)
    change["fields"] = {}
    return change


def restore(
    state: MergeState, gid: str, new_gid: str, *, hlc: str, device: str, seq: int
) -> dict[str, Any]:
    """The create of a new record ``new_gid`` holding a deleted record's last values (late
    edits included). Tombstones are final, so a restored record is a new one; send
    :func:`keep_deleted` too to close the conflicts of the old one."""
    rec = state._records.get(gid)
    if rec is None or rec.deleted is None:
        raise ValidationError("only a deleted record can be restored")
    change = _stamp("create", rec.kind, new_gid, hlc=hlc, device=device, seq=seq)
    change["fields"] = rec.values()
    return change
