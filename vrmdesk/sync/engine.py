"""Sync, wired: the change log out as change sets, the others' sets in through the merge.

What the CLI (``vrmdesk sync …``) and the window call; each function takes an unlocked vault and
does its work in one unit of work (a sync: one per :data:`RECEIVE_CHANGES` changes received),
so a sync that fails or is cancelled leaves the vault as its last unit of work left it (the sets
it wrote stay in the folder and are taken as written next time:
:func:`vrmdesk.sync.folder.write_set`).

A sync (:func:`sync_now`):

1. **Out.** This device's changes after the last one written (``sync_sent_seq``) go into the
   folder as its next sets, at most :data:`SET_CHANGES` changes each, after the attachments'
   contents they name (``blobs/``). After a pairing, once, a *catch-up*: every change the log
   holds, every device's (their own hlc, device and number), and every content again, so that
   the new device, which cannot read the sets written before it was paired, starts from the
   same state. The others skip what they have by (device, seq).
2. **In.** The other devices' sets that are next in their chains (:func:`read_sets`). The
   records they touch are loaded into a :class:`~vrmdesk.sync.merge.MergeState` from the log's
   history of those records (nothing else: the cost is bounded by the changes that came, not by
   the vault), the changes are merged (last writer per field, tombstones, conflicts), and what
   the merge says changed is written to the rows with capture off. The changes that were new go
   into the log under their own device and number, ``sync_fields`` takes the merged hlcs (so
   this device's next edit names the value in force as its base) and the open conflicts of
   those records are rewritten in ``sync_conflicts``.
3. **Waiting.** A set whose changes need a content not in the folder yet, or refer to a record
   whose create has not arrived, waits with the device's later sets (the merge is done again
   without them); it is applied at a later sync, never refused for it.
4. **Names.** Two devices that each made a vendor (or tag) of one name: the later-made record
   is renamed "NAME (xxxx)", the end of its gid, on both (each device that sees the clash logs
   the same rename, so they agree); two records of one mail message (two devices capturing one
   mailbox) or of one tagging: the later-made one is deleted. Both are reported.

A record whose parent another device deleted is gone here too (the database's cascade); the
merge may still hold it, and later changes of it are skipped.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from vrmshare.errors import NotFound, ValidationError, VrmError

from vrmdesk.store import changelog
from vrmdesk.store import models as m
from vrmdesk.store.gid import new_gid
from vrmdesk.sync import folder as sync_folder
from vrmdesk.sync import merge, pairing
from vrmdesk.sync.apply import APPLIED, CLASH, GONE, WAITING, Applier, _drop_unused_blob
from vrmdesk.sync.changes import Change
from vrmdesk.sync.changeset import SetRefused, open_set
from vrmdesk.sync.device import DEVICE_NAME_KEY, default_name, ensure_device
from vrmdesk.sync.folder import Problem, ReadySet

if TYPE_CHECKING:
    from vrmdesk.store.vault import Vault

CATCHUP_KEY = "sync_catchup"
LAST_REPORT_KEY = "sync_last_report"
SET_CHANGES = 5000  # changes per set: a catch-up of a large vault goes as several
RECEIVE_CHANGES = 20_000  # changes received per unit of work (a catch-up in several)

qr_png = pairing.qr_png
read_code = pairing.read_code
PairingCode = pairing.PairingCode


class NotSetUp(VrmError):
    """This vault does not sync yet (``vrmdesk sync init --folder DIR``)."""


class Cancelled(VrmError):
    """The person cancelled the sync; nothing of it was kept."""


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def hlc_time(hlc: str) -> datetime:
    """The wall time an hlc timestamp was issued at."""
    return datetime.fromtimestamp(int(hlc[:16]) / 1000, UTC)


# -- what the functions return ----------------------------------------------------------------
@dataclass
class Report:
    """What one sync did (``sync now --json``)."""

    sent: int = 0
    applied: int = 0
    conflicts: int = 0
    waiting: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    sets_sent: int = 0
    sets_applied: int = 0
    finished_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "applied": self.applied,
            "conflicts": self.conflicts,
            "waiting": self.waiting,
            "problems": list(self.problems),
            "sets_sent": self.sets_sent,
            "sets_applied": self.sets_applied,
            "finished_at": _iso(self.finished_at),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        return cls(
            sent=int(data.get("sent", 0)),
            applied=int(data.get("applied", 0)),
            conflicts=int(data.get("conflicts", 0)),
            waiting=int(data.get("waiting", 0)),
            problems=list(data.get("problems", [])),
            sets_sent=int(data.get("sets_sent", 0)),
            sets_applied=int(data.get("sets_applied", 0)),
            finished_at=_parse_iso(data.get("finished_at")),
        )

    def summary(self) -> str:
        """One line for a person."""
        parts = [f"sent {_count(self.sent, 'change')}", f"applied {self.applied}"]
        if self.waiting:
            parts.append(f"{_count(self.waiting, 'set')} waiting")
        if self.conflicts:
            parts.append(_count(self.conflicts, "conflict"))
        if self.problems:
            parts.append(_count(len(self.problems), "problem"))
        text = ", ".join(parts)
        return text[0].upper() + text[1:] + "."


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


@dataclass(frozen=True)
class DeviceView:
    device: str
    name: str
    thumbprint: str
    paired_at: datetime
    revoked_at: datetime | None
    last_set: int

    @classmethod
    def of(cls, row: m.SyncDevice) -> DeviceView:
        return cls(
            row.device, row.name, row.thumbprint, row.paired_at, row.revoked_at, row.last_set
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "name": self.name,
            "thumbprint": self.thumbprint,
            "paired_at": _iso(self.paired_at),
            "revoked_at": _iso(self.revoked_at),
            "last_set": self.last_set,
        }


@dataclass(frozen=True)
class Status:
    set_up: bool
    folder: Path | None
    device: str
    name: str
    last_sync: datetime | None
    last_report: Report | None
    unsent: int
    waiting: int
    conflicts: int
    devices: int

    def to_json(self) -> dict[str, Any]:
        return {
            "set_up": self.set_up,
            "folder": None if self.folder is None else str(self.folder),
            "device": self.device,
            "name": self.name,
            "last_sync": _iso(self.last_sync),
            "last_report": None if self.last_report is None else self.last_report.to_json(),
            "unsent": self.unsent,
            "waiting": self.waiting,
            "conflicts": self.conflicts,
            "devices": self.devices,
        }


@dataclass(frozen=True)
class VersionView:
    value: Any
    hlc: str
    device: str
    device_name: str
    when: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "hlc": self.hlc,
            "device": self.device,
            "device_name": self.device_name,
            "when": _iso(self.when),
        }


@dataclass(frozen=True)
class ConflictView:
    id: int
    kind: str  # merge.CONCURRENT or merge.AFTER_DELETE
    record_kind: str
    gid: str
    record_label: str
    field: str
    versions: list[VersionView]
    winner: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "record_kind": self.record_kind,
            "gid": self.gid,
            "record_label": self.record_label,
            "field": self.field,
            "versions": [v.to_json() for v in self.versions],
            "winner": self.winner,
        }


#: seconds a writing unit of work waits for another of this process (the window's) to end
UNIT_WAIT = 10.0


@contextlib.contextmanager
def _unit(vault: Vault) -> Iterator[Session]:
    """A unit of work that writes, taking its turn on the vault's unit lock: SQLite refuses a
    write ("database is locked") when another unit of work committed after this one began
    reading, so this process's writers do not interleave (``Vault.unit_lock``)."""
    lock = vault.unit_lock
    held = lock.acquire(timeout=UNIT_WAIT)
    try:
        with vault.session() as s:
            yield s
    finally:
        if held:
            lock.release()


# -- setting up and pairing -----------------------------------------------------------------
def _folder(session: Session) -> Path:
    folder = sync_folder.folder_of(session)
    if folder is None:
        raise NotSetUp(
            "This vault does not sync yet: set it up with `vrmdesk sync init --folder DIR`."
        )
    return folder


def is_set_up(vault: Vault) -> bool:
    with vault.session() as s:
        return sync_folder.folder_of(s) is not None


def folder(vault: Vault) -> Path | None:
    with vault.session() as s:
        return sync_folder.folder_of(s)


def init(vault: Vault, path: Path, *, name: str | None = None) -> Path:
    """This vault syncs through ``path`` from now on (made if missing; its parent must exist).

    Records made before the change log existed are logged now, so the first sets carry them.
    """
    with _unit(vault) as s:
        if name is not None:
            pairing.set_own_name(s, name)
        where = sync_folder.init_folder(s, path)
        changelog.baseline(s)
    return where


def own_code(vault: Vault) -> str:
    with _unit(vault) as s:
        return pairing.own_code(s)


def own_name(vault: Vault) -> str:
    with vault.session() as s:
        return ensure_device(s).name


def comparison(vault: Vault, code: pairing.PairingCode) -> str:
    with vault.session() as s:
        return pairing.comparison_with(s, code)


def pair(vault: Vault, code: pairing.PairingCode, *, name: str | None = None) -> DeviceView:
    """Pair with the device whose code this is; the next sync sends it a catch-up."""
    with _unit(vault) as s:
        device = pairing.pair(s, code, name=name)
        sync_folder.meta_set(s, CATCHUP_KEY, "1")
        return DeviceView.of(device)


def devices(vault: Vault) -> list[DeviceView]:
    with vault.session() as s:
        return [DeviceView.of(d) for d in pairing.list_devices(s)]


def rename(vault: Vault, ref: str, name: str) -> DeviceView:
    with _unit(vault) as s:
        return DeviceView.of(pairing.rename(s, ref, name))


def revoke(vault: Vault, ref: str) -> DeviceView:
    with _unit(vault) as s:
        return DeviceView.of(pairing.revoke(s, ref))


def folder_signature(vault_or_folder: Vault | Path | None) -> tuple[Any, ...]:
    """Something cheap that changes when a set or a content arrives or goes (for polling)."""
    where = (
        vault_or_folder
        if isinstance(vault_or_folder, Path) or vault_or_folder is None
        else (folder(vault_or_folder))
    )
    if where is None:
        return ()
    out: list[Any] = []
    with contextlib.suppress(OSError):
        for entry in sorted(os.scandir(where), key=lambda e: e.name):
            with contextlib.suppress(OSError):
                st = entry.stat(follow_symlinks=False)
                out.append((entry.name, st.st_mtime_ns, st.st_size))
    return tuple(out)


# -- status and conflicts -------------------------------------------------------------------
def _last_report(session: Session) -> Report | None:
    raw = sync_folder.meta_get(session, LAST_REPORT_KEY)
    if not raw:
        return None
    try:
        return Report.from_json(json.loads(raw))
    except (ValueError, TypeError, AttributeError):
        return None


def _open_conflicts(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(m.SyncConflict)) or 0)


def status(vault: Vault) -> Status:
    """Where sync stands; it only reads (the window asks often, while other work may be
    writing), so a vault that never synced gets no device keys from it."""
    with vault.session() as s:
        where = sync_folder.folder_of(s)
        device = sync_folder.meta_get(s, changelog.DEVICE_KEY) or ""
        name = sync_folder.meta_get(s, DEVICE_NAME_KEY) or default_name()
        report = _last_report(s)
        unsent = changelog.count_after(s.connection(), device, sync_folder.sent_seq(s))
        return Status(
            set_up=where is not None,
            folder=where,
            device=device,
            name=name,
            last_sync=None if report is None else report.finished_at,
            last_report=report,
            unsent=unsent,
            waiting=0 if report is None else report.waiting,
            conflicts=_open_conflicts(s),
            devices=len(pairing.list_devices(s, include_revoked=False)),
        )


def _device_names(session: Session) -> dict[str, str]:
    own = ensure_device(session)
    names = {d.device: d.name for d in pairing.list_devices(session)}
    names[own.device] = f"{own.name} (this device)"
    return names


def _label(session: Session, kind: str, gid: str) -> str:
    from vrmdesk.store.services.records import title_of

    cls = changelog.SYNCED.get(kind)
    if cls is None:
        return kind
    row = session.scalars(select(cls).where(changelog.table_for(cls).c.gid == gid)).first()
    if row is None:  # deleted: named by the last name or title the log knows of it
        last: dict[str, Any] = {}
        for change in sorted(changelog.history(session.connection(), [gid]), key=_hlc_of):
            last.update(change["fields"])
        title = next((last[k] for k in ("name", "title", "subject") if last.get(k)), None)
        what = kind.replace("_", " ")
        return f"{title} (a deleted {what})" if title else f"a deleted {what}"
    if isinstance(row, m.Record):
        return title_of(row)
    return str(getattr(row, "name", None) or kind)


def _hlc_of(change: dict[str, Any]) -> str:
    return str(change["hlc"])


def conflicts(vault: Vault) -> list[ConflictView]:
    """The open conflicts, oldest first."""
    with vault.session() as s:
        names = _device_names(s)
        out: list[ConflictView] = []
        for row in s.scalars(select(m.SyncConflict).order_by(m.SyncConflict.id)):
            versions = [
                VersionView(
                    v["value"],
                    v["hlc"],
                    v["device"],
                    names.get(v["device"], f"device {v['device'][:8]}"),
                    hlc_time(v["hlc"]),
                )
                for v in row.data.get("values", [])
            ]
            out.append(
                ConflictView(
                    row.id,
                    row.reason,
                    row.kind,
                    row.gid,
                    _label(s, row.kind, row.gid),
                    row.field,
                    versions,
                    len(versions) - 1,
                )
            )
        return out


def _conflict(session: Session, conflict_id: int, reason: str) -> m.SyncConflict:
    row = session.get(m.SyncConflict, conflict_id)
    if row is None:
        raise NotFound(f"No open conflict {conflict_id} (resolved already, or on another device).")
    if row.reason != reason:
        if reason == merge.CONCURRENT:
            raise ValidationError(
                f"Conflict {conflict_id} is a record edited after it was deleted: keep it "
                "deleted or restore it."
            )
        raise ValidationError(
            f"Conflict {conflict_id} is two edits of one field: keep one of its values."
        )
    return row


def resolve(
    vault: Vault, conflict_id: int, choice: int | None = None, *, value: Any = None
) -> None:
    """Settle two concurrent edits with version ``choice`` (or ``value``): a change of this
    device whose base is the value in force, so every device closes the conflict."""
    with _unit(vault) as s:
        row = _conflict(s, conflict_id, merge.CONCURRENT)
        values = row.data.get("values", [])
        if choice is not None:
            if not 0 <= choice < len(values):
                raise ValidationError(
                    f"Conflict {conflict_id} has versions 1 to {len(values)}; there is no "
                    f"version {choice + 1}."
                )
            value = values[choice]["value"]
        winner = values[-1]["hlc"]
        change = Change("", "", 0, "update", row.kind, row.gid, {row.field: value}, {})
        with Applier(s) as applier:
            outcome = applier.write(change)
        if outcome.status == CLASH:
            raise ValidationError(
                f"Another record has the value {value!r} already; choose another."
            )
        if outcome.status != APPLIED:
            raise ValidationError("The record is not here any more (deleted since).")
        conn = s.connection()
        changelog.stamp_fields(conn, {(row.gid, row.field): winner})
        changelog.log_own(conn, [("update", row.kind, row.gid, {row.field: value})])
        s.delete(row)


def keep_deleted(vault: Vault, conflict_id: int) -> None:
    """An edit made after another device deleted the record: the record stays deleted."""
    with _unit(vault) as s:
        row = _conflict(s, conflict_id, merge.AFTER_DELETE)
        changelog.log_own(s.connection(), [("delete", row.kind, row.gid, {})])
        _drop_conflicts(s, row.gid, merge.AFTER_DELETE)


def restore(vault: Vault, conflict_id: int) -> str:
    """An edit made after another device deleted the record: the record comes back (as a new
    record with its last values, late edits included; a deleted record stays deleted on every
    device). Returns the new record's gid."""
    with _unit(vault) as s:
        row = _conflict(s, conflict_id, merge.AFTER_DELETE)
        state = merge.MergeState()
        merge.apply(state, changelog.history(s.connection(), [row.gid]))
        fresh = new_gid()
        created = merge.restore(state, row.gid, fresh, hlc="", device="", seq=0)
        change = Change("", "", 0, "create", row.kind, fresh, created["fields"])
        with Applier(s) as applier:
            outcome = applier.write(change)
        if outcome.status != APPLIED:
            raise ValidationError(
                "It cannot be restored: what it belonged to was deleted too."
                if outcome.status != CLASH
                else "It cannot be restored: another record has its name now."
            )
        changelog.log_own(
            s.connection(),
            [("create", row.kind, fresh, created["fields"]), ("delete", row.kind, row.gid, {})],
        )
        _drop_conflicts(s, row.gid, merge.AFTER_DELETE)
        return fresh


def _drop_conflicts(session: Session, gid: str, reason: str) -> None:
    session.execute(
        delete(m.SyncConflict).where(m.SyncConflict.gid == gid, m.SyncConflict.reason == reason)
    )


# -- a sync ---------------------------------------------------------------------------------
Progress = Callable[[int, int, str], None]


@dataclass
class _Run:
    vault: Vault
    session: Session
    folder: Path
    report: Report
    progress: Progress
    cancelled: Callable[[], bool]
    more: bool = False  # sets left for the next unit of work (RECEIVE_CHANGES)

    def step(self, done: int, total: int, text: str) -> None:
        if self.cancelled():
            raise Cancelled("The sync was cancelled; what it had not saved yet was not kept.")
        self.progress(done, total, text)


def sync_now(
    vault: Vault,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Report:
    """Write this device's new changes as sets and apply the others' (see the module's
    docstring); the report is kept as the last sync's."""
    report = Report()
    progress = progress or (lambda done, total, text: None)
    cancelled = cancelled or (lambda: False)
    first = True
    while True:  # a unit of work per RECEIVE_CHANGES changes received: memory stays bounded
        with _unit(vault) as s:
            run = _Run(vault, s, _folder(s), report, progress, cancelled)
            if first:
                run.step(0, 3, "Writing this device's changes")
                own_sets = _after_restore(run)
                outgoing = _send(run)
                run.step(1, 3, "Reading the other devices' changes")
                _receive(run, outgoing, own_sets, RECEIVE_CHANGES)
                first = False
            else:
                _receive(run, [], [], RECEIVE_CHANGES)
            if run.more:
                continue
            run.step(3, 3, "Done")
            report.conflicts = _open_conflicts(s)
            report.finished_at = datetime.now(UTC).replace(microsecond=0)
            sync_folder.meta_set(s, LAST_REPORT_KEY, json.dumps(report.to_json()))
            return report


def _after_restore(run: _Run) -> list[dict[str, Any]]:
    """After a backup was restored: this device's sets in the folder that the restored
    database does not know (written after the backup was taken) are read back, their changes
    applied here again with the others', the chain taken up after them, and the changes made
    since the restore numbered after theirs (so none is given a number twice)."""
    s = run.session
    restored = sync_folder.meta_get(s, changelog.RESTORED_KEY)
    if restored is None:
        return []
    own = ensure_device(s)
    number, head = sync_folder.own_state(s)
    changes: list[dict[str, Any]] = []
    while True:
        path = sync_folder.set_path(run.folder, own.device, number + 1)
        try:
            data = path.read_bytes()
            opened = open_set(
                data,
                own.age_identity,
                own.public_jwk(),
                device=own.device,
                number=number + 1,
                prev=head,
            )
        except (OSError, SetRefused):
            break
        changes.extend(opened.changes)
        number, head = opened.number, opened.sha256
    given = max([c["seq"] for c in changes if c.get("device") == own.device], default=0)
    changelog.renumber_own(s.connection(), int(restored), given - int(restored))
    sync_folder.adopt_own(s, number, head, changes)
    s.execute(delete(m.Meta).where(m.Meta.key == changelog.RESTORED_KEY))
    s.flush()
    return changes


def _attachment_blobs(changes: list[dict[str, Any]]) -> list[str]:
    return sorted(
        {
            c["fields"]["blob"]
            for c in changes
            if c.get("kind") == "attachment"
            and isinstance(c.get("fields"), dict)
            and isinstance(c["fields"].get("blob"), str)
        }
    )


def _send(run: _Run) -> list[dict[str, Any]]:
    """This device's new changes into the folder (or, after a pairing, the whole log: a
    catch-up, written a set at a time); returns this device's new changes."""
    s = run.session
    own = ensure_device(s)
    catchup = sync_folder.meta_get(s, CATCHUP_KEY) == "1"
    new = changelog.entries(s, own.device, after_seq=sync_folder.sent_seq(s))
    if catchup:
        sync_folder.meta_set(s, CATCHUP_KEY, "0")  # sent below (or nothing to send)
        parts: Iterable[list[dict[str, Any]]] = changelog.entries_in_parts(s, SET_CHANGES)
    else:
        parts = (new[start : start + SET_CHANGES] for start in range(0, len(new), SET_CHANGES))
    written: set[str] = set()
    for chunk in parts:
        run.step(0, 3, f"Writing change sets ({run.report.sent} changes so far)")
        _send_blobs(run, chunk, written, again=catchup)
        if sync_folder.write_set(s, run.folder, chunk) is not None:
            run.report.sets_sent += 1
            run.report.sent += len(chunk)
    return new


def _send_blobs(
    run: _Run, changes: list[dict[str, Any]], written: set[str], *, again: bool
) -> None:
    """The contents these changes' attachments name, into ``blobs/`` before their set (each
    once; ``again``: written anew, for the devices paired since)."""
    s = run.session
    for sha256 in _attachment_blobs(changes):
        if sha256 in written:
            continue
        written.add(sha256)
        stored = s.scalars(select(m.Blob).where(m.Blob.sha256 == sha256).limit(1)).first()
        if stored is None:
            continue  # its attachment was deleted since: the delete goes too
        if not again and sync_folder.blob_path(run.folder, sha256).exists():
            continue
        with _piped(functools.partial(_decrypt_stored, run.vault, stored)) as source:
            sync_folder.put_blob(s, run.folder, sha256, source, replace=again)


def _decrypt_stored(vault: Vault, blob: m.Blob, out: BinaryIO) -> None:
    vault.attachments.write_blob_to(
        blob.name, blob.sha256, out, shown_as=f"content {blob.sha256[:12]}"
    )


@contextlib.contextmanager
def _piped(write: Callable[[BinaryIO], object]) -> Iterator[BinaryIO]:
    """A stream that reads what ``write`` writes (in a thread), so that a content goes from
    one encrypted store to another without its plaintext on disk; what ``write`` raised is
    raised at the end."""
    read_fd, write_fd = os.pipe()
    failure: list[BaseException] = []

    def produce() -> None:
        try:
            with open(write_fd, "wb") as out:
                write(out)
        except BaseException as exc:  # handed to the reading side
            failure.append(exc)

    worker = threading.Thread(target=produce, daemon=True)
    reader = open(read_fd, "rb")  # noqa: SIM115 - closed below
    worker.start()
    try:
        yield reader
        reader.read()  # let the writer finish if the reader stopped early
    finally:
        reader.close()
        worker.join()
    if failure:
        raise failure[0]


def _fetch_blob(run: _Run, sha256: str) -> bool:
    """The content into the vault's store from the folder; False when it cannot be (yet)."""
    s = run.session
    if s.scalars(select(m.Blob.name).where(m.Blob.sha256 == sha256).limit(1)).first():
        return True
    try:
        with _piped(lambda out: sync_folder.get_blob(s, run.folder, sha256, out)) as source:
            blob = run.vault.attachments.store_blob(s, source)
        if blob.sha256 != sha256:
            raise VrmError("not the content named")
    except (VrmError, OSError):
        for obj in list(s.new):  # a content that did not come whole: no row names it
            if isinstance(obj, m.Blob) and obj.sha256 != sha256:
                s.expunge(obj)
        return False
    s.flush()
    return True


@dataclass
class _Merged:
    state: merge.MergeState
    result: merge.MergeResult
    fresh: list[dict[str, Any]]
    gids: list[str]
    reused: int = 0


def _merge(conn: Any, changes: list[dict[str, Any]], own_gids: list[str]) -> _Merged:
    gids = sorted(set(merge.gids_of(changes)) | set(own_gids))
    state = merge.MergeState()
    merge.apply(state, changelog.history(conn, gids))
    fresh: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    for c in changes:
        key = (c["device"], c["seq"])
        if key not in seen and not state.has_applied(*key):
            seen.add(key)
            fresh.append(c)
    reused = _numbers_logged(conn, fresh)
    if reused:  # a number this vault has under another record: never applied twice
        fresh = [c for c in fresh if (c["device"], c["seq"]) not in reused]
    result = merge.apply(state, fresh)
    return _Merged(state, result, fresh, gids, len(reused))


def _numbers_logged(conn: Any, changes: list[dict[str, Any]]) -> set[tuple[str, int]]:
    """The (device, seq) of ``changes`` that the log holds already (for other records)."""
    log = changelog.table_for(m.SyncLog)
    by_device: dict[str, list[int]] = {}
    for c in changes:
        by_device.setdefault(c["device"], []).append(c["seq"])
    found: set[tuple[str, int]] = set()
    for device, seqs in by_device.items():
        for start in range(0, len(seqs), 500):
            query = select(log.c.seq).where(
                log.c.device == device, log.c.seq.in_(seqs[start : start + 500])
            )
            found.update((device, seq) for seq in conn.execute(query).scalars())
    return found


def _references(kind: str) -> list[str]:
    return [s.field for s in changelog.specs(changelog.SYNCED[kind]) if s.how in ("ref", "owner")]


def _receive(
    run: _Run,
    own_outgoing: list[dict[str, Any]],
    own_sets: list[dict[str, Any]],
    limit: int | None = None,
) -> None:
    s, report = run.session, run.report
    incoming = sync_folder.read_sets(s, run.folder)
    problems: list[Problem] = list(incoming.problems)
    waiting = incoming.waiting
    candidates = list(incoming.ready)
    if limit is not None:  # the first sets, up to ``limit`` changes (a prefix per device)
        total = 0
        for index, ready in enumerate(candidates):
            if index and total + len(ready.changes) > limit:
                candidates, run.more = candidates[:index], True
                break
            total += len(ready.changes)
    own_gids = merge.gids_of(own_outgoing)
    conn = s.connection()
    candidates = _well_formed(candidates, problems)
    revoked = {d.device for d in pairing.list_devices(s) if d.revoked_at is not None}
    while True:
        changes = [*own_sets, *(c for r in candidates for c in r.changes)]
        if revoked:  # forwarded in another device's catch-up: a revoked device is not heard
            changes = [c for c in changes if c["device"] not in revoked]
        merged = _merge(conn, changes, own_gids)
        blocked = _blocked(run, merged, candidates, problems)
        if not blocked:
            break
        kept: list[ReadySet] = []
        stopped: set[str] = set()
        for ready in candidates:
            if ready.device in stopped or id(ready) in blocked:
                stopped.add(ready.device)
                waiting += 1
            else:
                kept.append(ready)
        candidates = kept
    if merged.reused:
        problems.append(
            Problem(
                "reused-number",
                "",
                f"{_count(merged.reused, 'change')} came under a number this vault has for "
                "another change (a device restored or copied without telling); not applied.",
            )
        )
    run.step(2, 3, f"Applying {_count(len(merged.fresh), 'change')}")
    renamed = _write(run, merged)
    problems.extend(renamed)
    sync_folder.mark_applied(s, candidates)
    report.applied += len(merged.fresh)
    report.sets_applied += len(candidates)
    if not candidates:
        run.more = False  # nothing could be applied: another unit of work would do the same
    report.waiting = waiting  # as the folder stands after this unit of work
    told = {p["message"] for p in report.problems}
    report.problems.extend(p.to_json() for p in problems if p.message not in told)


def _well_formed(candidates: list[ReadySet], problems: list[Problem]) -> list[ReadySet]:
    """The sets whose every change has the contract's shape; a device's set that has one that
    does not is refused (and its later sets wait: the chain stops there)."""
    kept: list[ReadySet] = []
    stopped: set[str] = set()
    for ready in candidates:
        if ready.device in stopped:
            continue
        try:
            for index, change in enumerate(ready.changes):
                merge.check_change(change, index)
                Change.from_json(change)
        except VrmError as exc:
            stopped.add(ready.device)
            problems.append(
                Problem(
                    "malformed",
                    ready.device,
                    f"Set {ready.opened.number} of device {ready.device[:8]} was refused: {exc}",
                    ready.opened.number,
                )
            )
            continue
        kept.append(ready)
    return kept


def _blocked(
    run: _Run, merged: _Merged, candidates: list[ReadySet], problems: list[Problem]
) -> set[int]:
    """The sets (by id) that must wait: their contents are not in the folder yet, or they refer
    to records whose creates have not come."""
    culprits: set[str] = set()
    for sha256 in merged.result.blobs:
        if not _fetch_blob(run, sha256):
            culprits.update(
                c["gid"] for c in merged.fresh if c.get("fields", {}).get("blob") == sha256
            )
    referring: list[tuple[str, str]] = []  # (gid, the gid it refers to) not in the merge
    for rc in merged.result.records:
        if rc.op == "delete":
            continue
        for name in _references(rc.kind):
            target = rc.fields.get(name)
            if isinstance(target, str) and merged.state.kind_of(target) is None:
                referring.append((rc.gid, target))
    targets = {target for _, target in referring}
    here = _rows_existing(run.session, targets) | _tombstoned(run.session, targets)
    culprits.update(gid for gid, target in referring if target not in here)
    if not culprits:
        return set()
    blocked: set[int] = set()
    for ready in candidates:
        if any(c["gid"] in culprits for c in ready.changes):
            blocked.add(id(ready))
            problems.append(
                Problem(
                    "incomplete",
                    ready.device,
                    f"Set {ready.opened.number} of device {ready.device[:8]} needs an "
                    "attachment or a record that is not in the folder yet; it waits.",
                    ready.opened.number,
                )
            )
    return blocked


def _tombstoned(session: Session, gids: set[str]) -> set[str]:
    """Those of ``gids`` deleted here for good (the log holds their delete): a reference to one
    waits for nothing."""
    log = changelog.table_for(m.SyncLog)
    wanted = sorted(gids)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        query = select(log.c.gid).where(
            log.c.gid.in_(wanted[start : start + 500]), log.c.op == "delete"
        )
        found.update(session.scalars(query))
    return found


def _rows_existing(session: Session, gids: set[str]) -> set[str]:
    """Those of ``gids`` that a row here has (a few queries per table, not one per gid)."""
    found: set[str] = set()
    for kind in changelog.SYNCED:
        wanted = sorted(gids - found)
        if not wanted:
            break
        table = changelog.table_of(kind)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found.update(session.scalars(select(table.c.gid).where(table.c.gid.in_(chunk))))
    return found


def _write(run: _Run, merged: _Merged) -> list[Problem]:
    """The merge's outcome into the rows; the new changes into the log; stamps, conflicts."""
    s = run.session
    state = merged.state
    own_ops: list[tuple[str, str, str, dict[str, Any]]] = []
    problems: list[Problem] = []
    gone_here: set[str] = set()  # taken by a delete's cascade in this sync
    with Applier(s) as applier:
        for change in merged.fresh:
            applier.clock.observe(change["hlc"])
        by_kind: dict[str, list[str]] = {}
        for rc in merged.result.records:
            if rc.op == "update":
                by_kind.setdefault(rc.kind, []).append(rc.gid)
        for kind, gids in by_kind.items():
            applier.preload(kind, gids)
        named: dict[str, list[dict[str, Any]]] = {}
        for rc in merged.result.records:
            if rc.op != "delete":
                named.setdefault(rc.kind, []).append(dict(rc.fields))
        for kind, given in named.items():
            applier.preload_unique(kind, given)
        # a create carries the record's merged values: a reference set by a later change may
        # name a record this batch creates after it; such a write is done again after that
        made_now = {rc.gid for rc in merged.result.records if rc.op == "create"}
        todo: list[tuple[merge.RecordChange, Change | None]] = [
            (rc, None) for rc in merged.result.records
        ]
        while todo:
            later: list[tuple[merge.RecordChange, Change | None]] = []
            for rc, settling in todo:
                if settling is None:
                    fields = dict(rc.fields)
                    op = rc.op
                    if op != "delete" and not _orphan(
                        applier, state, rc, fields, gone_here, own_ops
                    ):
                        if op == "create":
                            continue
                        op, fields = "delete", {}  # here already: it goes now, with what it has
                    settling = Change("", "", 0, op, rc.kind, rc.gid, fields, {})
                outcome = applier.write(settling)
                if outcome.status == WAITING and made_now & set(outcome.missing):
                    later.append((rc, settling))
                    continue
                if outcome.status == CLASH:
                    problems.extend(_settle(applier, state, settling, outcome.missing, own_ops))
                # WAITING here: a record whose parent is gone here (deleted, the cascade took it)
                cascaded = applier.take_cascaded()
                own_ops.extend(cascaded)
                gone_here.update(gid for op, _k, gid, _f in cascaded if op == "delete")
            if len(later) == len(todo):
                break
            todo = later
        for sha256 in merged.result.blobs:  # fetched for an attachment that went meanwhile
            for name in list(s.scalars(select(m.Blob.name).where(m.Blob.sha256 == sha256))):
                _drop_unused_blob(s, name)
    own_ops = _still_needed(own_ops, state, gone_here)
    conn = s.connection()
    changelog.insert_log(conn, merged.fresh)
    stamps: dict[tuple[str, str], str] = {}
    gone: list[str] = []
    for gid in merge.gids_of(merged.fresh):
        values = state.record(gid)
        if values is None:
            if state.is_deleted(gid):
                gone.append(gid)
            continue
        created = state.created_at(gid)
        if created is not None:
            stamps[(gid, changelog.CREATE_FIELD)] = created
        for name in values:
            hlc = state.field_hlc(gid, name)
            if hlc is not None and hlc != created:
                stamps[(gid, name)] = hlc
    changelog.forget_fields(conn, gone)
    changelog.stamp_fields(conn, stamps)
    if own_ops:
        changelog.log_own(conn, own_ops)
    _rewrite_conflicts(s, merged)
    return problems


def _orphan(
    applier: Applier,
    state: merge.MergeState,
    rc: merge.RecordChange,
    fields: dict[str, Any],
    gone_here: set[str],
    own_ops: list[tuple[str, str, str, dict[str, Any]]],
) -> bool:
    """A record made or changed on another device under a record deleted here: a reference
    that empties when its target goes is emptied (``fields`` changed), a record that goes
    with its parent goes (False: not to be written). Either is logged as this device's change,
    so every device's log says the same."""
    cls = changelog.SYNCED[rc.kind]
    for spec in changelog.specs(cls):
        if spec.how not in ("ref", "owner"):
            continue
        target = fields.get(spec.field)
        if not isinstance(target, str) or not _gone(applier, state, target, gone_here):
            continue
        if changelog.on_delete(cls, spec) == "SET NULL":
            fields[spec.field] = None
            own_ops.append(("update", rc.kind, rc.gid, {spec.field: None}))
        else:
            own_ops.append(("delete", rc.kind, rc.gid, {}))
            gone_here.add(rc.gid)
            return False
    return True


def _gone(applier: Applier, state: merge.MergeState, gid: str, gone_here: set[str]) -> bool:
    """Deleted: in this sync, or before it (the log's tombstone; the merge loads only the
    records the sync's changes name, not those they refer to)."""
    if gid in gone_here or state.is_deleted(gid):
        return True
    return state.record(gid) is None and applier.was_deleted(gid)


def _still_needed(
    own_ops: list[tuple[str, str, str, dict[str, Any]]],
    state: merge.MergeState,
    gone_here: set[str],
) -> list[tuple[str, str, str, dict[str, Any]]]:
    """This device's changes to log, without those the merge made moot: a change of a record
    deleted anyway, a second delete of one record."""
    kept: list[tuple[str, str, str, dict[str, Any]]] = []
    deleted: set[str] = set()
    for op, kind, gid, fields in own_ops:
        if op == "delete":
            if gid in deleted or state.is_deleted(gid):
                continue
            deleted.add(gid)
        elif state.is_deleted(gid) or gid in gone_here:
            continue
        kept.append((op, kind, gid, fields))
    return kept


def _settle(
    applier: Applier,
    state: merge.MergeState,
    change: Change,
    clashes: list[str],
    own_ops: list[tuple[str, str, str, dict[str, Any]]],
) -> list[Problem]:
    """Two records with one unique value: the later-made one is renamed (names) or dropped
    (a mail message captured twice, a tagging made twice), the same on every device."""
    s = applier.session
    cls = changelog.SYNCED[change.kind]
    table = changelog.table_for(cls)
    columns, other_gid = clashes[0].split("=", 1)
    other_created = state.created_at(other_gid) or _created_here(s, other_gid)
    mine_created = state.created_at(change.gid) or ""
    mine_later = (mine_created, change.gid) > (other_created or "", other_gid)
    renamable = columns == "name"
    what = change.kind.replace("_", " ")
    if renamable:
        later = change.gid if mine_later else other_gid
        current = s.scalar(select(table.c.name).where(table.c.gid == later))
        value = str((change.fields.get("name") if mine_later else current) or current or "")
        fresh_name = _free_name(s, table, value, later)
        if mine_later:
            fields = {**change.fields, "name": fresh_name}
            outcome = applier.write(Change("", "", 0, change.op, change.kind, change.gid, fields))
        else:
            other = s.scalars(select(cls).where(table.c.gid == other_gid)).one()
            other.name = fresh_name  # type: ignore[attr-defined]
            s.flush()
            applier.forget_unique(change.kind, other_gid)
            applier.gave(change.kind, other_gid, {"name": fresh_name})
            outcome = applier.write(change)
        own_ops.append(("update", change.kind, later, {"name": fresh_name}))
        return [
            Problem(
                "renamed",
                "",
                f"Two devices each made a {what} named {value!r}; the later one is now "
                f"{fresh_name!r}. Merge or rename them if they are one.",
            ),
            *_unsettled(outcome, what),
        ]
    later = change.gid if mine_later else other_gid
    applier.write(Change("", "", 0, "delete", change.kind, later))  # nothing if not here
    own_ops.append(("delete", change.kind, later, {}))
    unsettled: list[Problem] = []
    if not mine_later:
        unsettled = _unsettled(applier.write(change), what)
    return [
        Problem(
            "duplicate",
            "",
            f"Two devices each stored the same {what}; the copy made later was removed.",
        ),
        *unsettled,
    ]


def _unsettled(outcome: Any, what: str) -> list[Problem]:
    if outcome.status in (APPLIED, GONE):
        return []
    return [
        Problem(
            "unsettled",
            "",
            f"A {what} from another device could not be written here ({outcome.status}: "
            f"{', '.join(outcome.missing) or 'no reason given'}).",
        )
    ]


def _created_here(session: Session, gid: str) -> str:
    found = session.get(m.SyncField, (gid, changelog.CREATE_FIELD))
    return "" if found is None else found.hlc


def _free_name(session: Session, table: Any, name: str, gid: str) -> str:
    """``NAME (xxxx)``, the end of the renamed record's own gid: every device that settles the
    clash picks the same name (a counter would depend on what each device holds)."""
    for length in (4, 6, 8, 12, 32):
        candidate = f"{name} ({gid.replace('-', '')[-length:]})"
        taken = select(table.c.id).where(table.c.name == candidate).limit(1)
        if session.execute(taken).first() is None:
            return candidate
    return f"{name} ({gid})"


def _rewrite_conflicts(session: Session, merged: _Merged) -> None:
    """The open conflicts of the records this sync touched, as the merge now sees them."""
    gids = merged.gids
    if not gids:
        return
    now = {c.key: c for c in merged.state.conflicts()}
    existing: dict[tuple[str, str, str, str], m.SyncConflict] = {}
    for start in range(0, len(gids), 500):
        rows = session.scalars(
            select(m.SyncConflict).where(m.SyncConflict.gid.in_(gids[start : start + 500]))
        )
        for row in rows:
            existing[(row.gid, row.field, row.reason, row.base)] = row
    for key, row in existing.items():
        if key not in now:
            session.delete(row)
        else:
            row.data = now[key].to_json()
    for key, conflict in now.items():
        if key not in existing:
            session.add(
                m.SyncConflict(
                    gid=conflict.gid,
                    kind=conflict.kind,
                    field=conflict.field,
                    reason=conflict.reason,
                    base=conflict.base or "",
                    data=conflict.to_json(),
                )
            )
    session.flush()
