"""The shared folder: this device's change sets written into it, the others' read out of it.

Layout (docs/sync.md, "The folder")::

    DIR/vrmsync.json                  {"format": "vrmsync/1"}
    DIR/devices/<device>.json         a device's public card: name, public JWK, age recipient
    DIR/<device>/<set:010d>.vrmsync   one change set: immutable
    DIR/blobs/<sha256>.age            an attachment's bytes, age-encrypted, once

Writing (:func:`write_set`): the next set goes to a temporary name in the device's folder, is
fsynced, then linked to its final name, which fails if that name exists (a set is never
overwritten), and the folder is fsynced. A process killed or a disk that fills up on the way
leaves at most a temporary file, which no reader takes for a set and the next write removes.

Reading (:func:`read_sets`): per paired device, the sets after the last one applied, in order:
each decrypted, its signature checked against the key pinned at pairing, its number and its
link to the previous set (the chain head kept in the devices table) checked. What cannot be
applied yet is reported, never applied out of order: a missing set (a gap: the later ones
wait), a replayed, forged, misnumbered or damaged one (refused with its reason; the device's
later sets wait, the other devices go on), a file still arriving (a temporary name, or a file
that does not decrypt and changed in the last :data:`ARRIVING` seconds: left for the next
sync). A refused set is not remembered as refused: it is read again at the next sync, so a copy
that the sync engine repairs is applied then. Sets of a revoked device, and of devices not
paired, are ignored and reported. Only at the start of a device's chain here (nothing of it
applied yet), sets that are not encrypted to this device are skipped and reported: they were
written before the two were paired; the first set for this device must still link to the file
before it.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pyrage
from pyrage import x25519
from sqlalchemy.orm import Session
from vrmshare.errors import StorageError, VrmError
from vrmshare.fileutil import (
    HashingReader,
    HashingWriter,
    atomic_write_bytes,
    fsync_dir,
    open_regular,
    read_regular,
    storage_error,
)

from vrmdesk.store import changelog
from vrmdesk.store.models import Meta, SyncDevice
from vrmdesk.sync.changeset import (
    FORMAT,
    OpenedSet,
    SetRefused,
    canonical_json,
    created_now,
    open_set,
    pack,
    payload_for,
    sha256_hex,
)
from vrmdesk.sync.device import OwnDevice, ensure_device
from vrmdesk.sync.pairing import list_devices, recipients

FOLDER_KEY = "sync_folder"
OWN_SET_KEY = "sync_own_set"  # the number of this device's newest set in the folder
OWN_HEAD_KEY = "sync_own_head"  # and the SHA-256 of its file
SENT_SEQ_KEY = "sync_sent_seq"  # the greatest change seq written into a set so far

SET_NAME = re.compile(r"(\d{10})\.vrmsync")
#: temporary names of a set on its way: ours (.NAME.xxxx.tmp), Syncthing's
#: (.syncthing.NAME.tmp, ~syncthing~NAME.tmp), and any other engine's NAME.<something>
IN_PROGRESS = re.compile(r"[.~]?(?:syncthing[.~])?\.?(\d{10})\.vrmsync\..*")
DEVICE_DIR = re.compile(r"[0-9a-f]{32}")
BLOB_NAME = re.compile(r"[0-9a-f]{64}")
ARRIVING = 15 * 60  # seconds: a file changed this recently that does not decrypt may be arriving
MAX_SET_BYTES = 256 * 1024 * 1024
BLOB_CHUNK = 1024 * 1024


class FolderError(StorageError):
    """The folder cannot be used (missing, not a vrmsync folder, not writable, full)."""


class _Unreadable(VrmError):
    """A file in the folder that is not a regular file (a link, a pipe) or cannot be read."""


@dataclass
class Problem:
    kind: str  # gap, replayed, forged, damaged, chain, misnumbered, malformed, not-for-me,
    #            too-large, revoked, unpaired, unreadable
    device: str
    message: str
    set: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "device": self.device, "set": self.set, "message": self.message}


@dataclass(frozen=True)
class ReadySet:
    """A set that passed every check and is next in its device's chain."""

    device: str
    opened: OpenedSet
    #: sets of the device skipped before this one: written before the two devices were paired
    #: (not encrypted to this one), at the start of its chain here
    skipped: int = 0

    @property
    def changes(self) -> list[dict[str, Any]]:
        return self.opened.changes


@dataclass
class Incoming:
    ready: list[ReadySet] = field(default_factory=list)  # in set order per device
    waiting: int = 0  # sets seen but not applicable yet (arriving, after a gap or a refusal)
    problems: list[Problem] = field(default_factory=list)

    def changes(self) -> list[dict[str, Any]]:
        return [change for ready in self.ready for change in ready.changes]


# -- the folder and this device's state ----------------------------------------------------
def meta_get(session: Session, key: str) -> str | None:
    """A sync setting of this vault (``vault_meta``): the folder, the chain head, …"""
    row = session.get(Meta, key)
    return None if row is None else row.value


def meta_set(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value


def folder_of(session: Session) -> Path | None:
    """The folder this vault syncs through, or None before ``sync init``."""
    value = meta_get(session, FOLDER_KEY)
    return Path(value) if value else None


@contextlib.contextmanager
def _writing(what: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        error = storage_error(exc, what)
        raise FolderError(str(error)) from None


def init_folder(session: Session, path: Path) -> Path:
    """Make ``path`` this vault's sync folder: ``vrmsync.json``, this device's card and folder.

    A folder that holds a ``vrmsync.json`` of another format is refused; one that is not there
    yet is made (its parent must exist).
    """
    folder = Path(path).expanduser().absolute()
    if not folder.parent.is_dir():
        raise FolderError(f"The folder {folder.parent} does not exist; make it first.")
    if folder.exists() and not folder.is_dir():
        raise FolderError(f"{folder} is a file, not a folder: choose a folder to sync through.")
    marker = folder / "vrmsync.json"
    own = ensure_device(session)
    with _writing(f"setting up the sync folder {folder}"):
        folder.mkdir(exist_ok=True)
        if marker.exists():
            check_folder(folder)
        else:
            atomic_write_bytes(marker, canonical_json({"format": FORMAT}) + b"\n")
        write_card(folder, own)
        (folder / own.device).mkdir(exist_ok=True)
        (folder / "blobs").mkdir(exist_ok=True)
    meta_set(session, FOLDER_KEY, str(folder))
    return folder


def check_folder(folder: Path) -> None:
    """Refuse a folder that is not a vrmsync/1 folder (or not there: a drive not mounted)."""
    marker = folder / "vrmsync.json"
    if not marker.exists():
        raise FolderError(
            f"The sync folder {folder} is not there or not set up (no vrmsync.json): is the "
            "drive mounted?"
        )
    try:
        data = json.loads(read_regular(marker, 4096, FolderError, "the sync folder's marker"))
    except ValueError:
        raise FolderError(f"{marker} cannot be read as a sync folder's marker.") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FolderError(f"The folder {folder} is not a {FORMAT} sync folder.")


def write_card(folder: Path, own: OwnDevice) -> None:
    """``DIR/devices/<device>.json``: what others may read about this device (nothing secret)."""
    cards = folder / "devices"
    cards.mkdir(exist_ok=True)
    body = json.dumps({"format": FORMAT, **own.card()}, indent=2, sort_keys=True) + "\n"
    path = cards / f"{own.device}.json"
    if not path.exists() or path.read_text(encoding="utf-8", errors="replace") != body:
        atomic_write_bytes(path, body.encode("utf-8"))


def sent_seq(session: Session) -> int:
    """The greatest change ``seq`` this device has written into a set (0: none yet)."""
    return int(meta_get(session, SENT_SEQ_KEY) or 0)


def own_state(session: Session) -> tuple[int, str | None]:
    """This device's newest set number in the folder and its file's SHA-256."""
    return int(meta_get(session, OWN_SET_KEY) or 0), meta_get(session, OWN_HEAD_KEY) or None


# -- writing -------------------------------------------------------------------------------
def set_path(folder: Path, device: str, number: int) -> Path:
    return folder / device / f"{number:010d}.vrmsync"


def write_new(path: Path, data: bytes) -> None:
    """Write ``data`` to the new file ``path``: a temporary name, fsync, a link that fails if
    ``path`` exists (FileExistsError), fsync of the folder. Nothing is left on a failure."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError as exc:  # no hard links here (FAT, some network shares)
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            if path.exists():
                raise FileExistsError(errno.EEXIST, "exists", str(path)) from None
            os.rename(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(path.parent)


def _sweep_temporary(mine: Path) -> None:
    """Remove what a write that was killed or ran out of space left in this device's folder."""
    for entry in mine.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(".tmp"):
            entry.unlink(missing_ok=True)


def _is_mine(data: bytes, own: OwnDevice, number: int, head: str | None) -> OpenedSet | None:
    try:
        return open_set(
            data, own.age_identity, own.public_jwk(), device=own.device, number=number, prev=head
        )
    except SetRefused:
        return None


def write_set(
    session: Session, folder: Path, changes: list[dict[str, Any]], *, created: str | None = None
) -> int | None:
    """Write ``changes`` (this device's, in seq order) as its next set; its number, or None
    when there is nothing to write.

    The set is encrypted to this device and every paired, unrevoked one. The chain state is
    updated in ``session``: the caller commits it. If an earlier write reached the folder but
    its commit did not (or the vault was restored from a backup of this device), that set is
    taken as written, and :func:`sent_seq` moves past its changes: the change log must not give
    their seq numbers again (the changes given come again in this set; a change already applied
    is skipped by (device, seq)). A file this device did not write, in the place of its next
    set, is moved aside (``.NAME.<hash>.refused``) and reported in the error.
    """
    if not changes:
        return None
    check_folder(folder)
    own = ensure_device(session)
    mine = folder / own.device
    number, head = own_state(session)
    with _writing(f"writing a change set into {mine}"):
        mine.mkdir(exist_ok=True)
        _sweep_temporary(mine)
        write_card(folder, own)  # a new name shows in the folder with the next set
        while True:
            path = set_path(folder, own.device, number + 1)
            if not os.path.lexists(path):
                break
            try:
                existing, _ = _read_file(path)
            except (SetRefused, _Unreadable):
                existing = b""  # a pipe, a link, a huge file: not mine either
            adopted = _is_mine(existing, own, number + 1, head) if existing else None
            if adopted is None:
                aside = path.with_name(f".{path.name}.{sha256_hex(existing)[:12]}.refused")
                os.replace(path, aside)
                raise FolderError(
                    f"The folder held a file in the place of this device's set {number + 1} "
                    f"that this device did not write; it was moved aside to {aside.name}. "
                    "If this vault was restored from a backup or copied, set it up as a new "
                    "device."
                )
            number, head = adopted.number, adopted.sha256
            _note_sent(session, adopted.changes)
        payload = payload_for(own.device, number + 1, head, changes, created or created_now())
        data = pack(payload, own.signing, [own.age_recipient, *recipients(session)])
        write_new(path, data)
    meta_set(session, OWN_SET_KEY, str(number + 1))
    meta_set(session, OWN_HEAD_KEY, sha256_hex(data))
    _note_sent(session, changes)
    session.flush()
    return number + 1


def adopt_own(
    session: Session, number: int, head: str | None, changes: list[dict[str, Any]]
) -> None:
    """This device's chain goes on after its set ``number`` (file hash ``head``), whose
    changes (and the ones before) count as sent."""
    meta_set(session, OWN_SET_KEY, str(number))
    if head is not None:
        meta_set(session, OWN_HEAD_KEY, head)
    _note_sent(session, changes)


def _note_sent(session: Session, changes: list[dict[str, Any]]) -> None:
    """``sent_seq`` past this device's own changes among ``changes`` (a catch-up set forwards
    other devices' changes too: their numbers are theirs)."""
    own = changelog.device_id(session.connection())
    seqs = [c["seq"] for c in changes if isinstance(c.get("seq"), int) and c.get("device") == own]
    if seqs:
        meta_set(session, SENT_SEQ_KEY, str(max(sent_seq(session), *seqs)))


# -- reading -------------------------------------------------------------------------------
def _listing(path: Path) -> tuple[dict[int, Path], set[int]]:
    """The sets in a device's folder by number, and the numbers of sets still arriving."""
    sets: dict[int, Path] = {}
    arriving: set[int] = set()
    try:
        entries = list(os.scandir(path))
    except (FileNotFoundError, NotADirectoryError):
        return sets, arriving
    for entry in entries:
        if m := SET_NAME.fullmatch(entry.name):
            sets[int(m.group(1))] = Path(entry.path)
        elif (m := IN_PROGRESS.fullmatch(entry.name)) and not entry.name.endswith(".refused"):
            arriving.add(int(m.group(1)))
    return sets, arriving


def _read_file(path: Path) -> tuple[bytes, float]:
    with open_regular(path, _Unreadable, "the file", follow=False) as handle:
        st = os.fstat(handle.fileno())
        if st.st_size > MAX_SET_BYTES:
            raise SetRefused("too-large", f"it is larger than {MAX_SET_BYTES // 2**20} MiB")
        # changed here lately: the mtime a sync engine copies from the writer, or the ctime
        # that says when it reached this disk (no engine sets that one)
        return handle.read(MAX_SET_BYTES + 1), max(st.st_mtime, st.st_ctime)


def _read_device(
    device: SyncDevice, own: OwnDevice, folder: Path, now: float, incoming: Incoming
) -> None:
    sets, arriving = _listing(folder / device.device)
    newer = sorted(n for n in sets if n > device.last_set)
    later_arriving = {n for n in arriving if n > device.last_set} - set(newer)
    label = f"{device.name} ({device.device[:8]})"
    if device.revoked_at is not None:
        if newer:
            incoming.problems.append(
                Problem(
                    "revoked",
                    device.device,
                    f"{len(newer)} change set(s) from {label}, which was revoked, are ignored.",
                )
            )
        return
    expect, prev = device.last_set + 1, device.last_sha256
    joining = device.last_set == 0  # nothing of it applied yet: its first sets may predate us
    skipped: list[int] = []
    for index, number in enumerate(newer):
        rest = len(newer) - index
        if number != expect:
            if expect not in later_arriving:
                incoming.problems.append(
                    Problem(
                        "gap",
                        device.device,
                        f"Set {expect} of {label} is missing from the folder; its "
                        f"{rest} later set(s) wait for it.",
                        expect,
                    )
                )
            incoming.waiting += rest
            break
        try:
            data, mtime = _read_file(sets[number])
            opened = open_set(
                data, own.age_identity, device.jwk, device=device.device, number=number, prev=prev
            )
        except SetRefused as refused:
            if refused.kind == "not-for-me" and joining:
                skipped.append(number)  # written before the pairing: the chain starts later
                expect, prev = number + 1, sha256_hex(data)
                continue
            if refused.kind == "damaged" and now - mtime < ARRIVING:
                incoming.waiting += rest  # still being copied, perhaps: try again later
                break
            incoming.problems.append(
                Problem(
                    refused.kind,
                    device.device,
                    f"Set {number} of {label} was refused: {refused}."
                    + (f" Its {rest - 1} later set(s) wait." if rest > 1 else ""),
                    number,
                )
            )
            incoming.waiting += rest - 1
            break
        except (OSError, _Unreadable) as exc:
            reason = exc.strerror or exc if isinstance(exc, OSError) else exc
            incoming.problems.append(
                Problem(
                    "unreadable",
                    device.device,
                    f"Set {number} of {label} cannot be read: {reason}",
                    number,
                )
            )
            incoming.waiting += rest - 1
            break
        incoming.ready.append(ReadySet(device.device, opened, len(skipped) if joining else 0))
        joining = False
        expect, prev = number + 1, opened.sha256
    else:
        incoming.waiting += len({n for n in later_arriving if n >= expect})
    if skipped:
        incoming.problems.append(
            Problem(
                "before-pairing",
                device.device,
                f"Set(s) {skipped[0]} to {skipped[-1]} of {label} are not encrypted to this "
                "device (written before the two were paired, or their headers were damaged) "
                "and are skipped.",
                skipped[0],
            )
        )


def read_sets(session: Session, folder: Path, *, now: float | None = None) -> Incoming:
    """The other devices' sets that are next in their chains, what waits, and what is wrong.

    Nothing is marked applied here: call :func:`mark_applied` once their changes are in.
    """
    check_folder(folder)
    own = ensure_device(session)
    now = time.time() if now is None else now
    incoming = Incoming()
    devices = list_devices(session)
    for device in devices:
        _read_device(device, own, folder, now, incoming)
    known = {d.device for d in devices} | {own.device}
    with contextlib.suppress(OSError):
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if DEVICE_DIR.fullmatch(entry.name) and entry.name not in known and entry.is_dir():
                count = len(_listing(Path(entry.path))[0])
                if count:
                    incoming.problems.append(
                        Problem(
                            "unpaired",
                            entry.name,
                            f"{count} change set(s) from device {entry.name[:8]}, which is not "
                            "paired with this one, are ignored.",
                        )
                    )
    return incoming


def mark_applied(session: Session, ready: list[ReadySet]) -> None:
    """Move each device's chain head past the sets given (in order), in ``session``."""
    by_device = {d.device: d for d in list_devices(session)}
    for item in ready:
        device = by_device[item.device]
        if item.opened.number != device.last_set + 1 + item.skipped:
            raise ValueError(f"set {item.opened.number} of {item.device} is not next in its chain")
        device.last_set = item.opened.number
        device.last_sha256 = item.opened.sha256
    session.flush()


def sync_now(
    session: Session,
    folder: Path,
    outgoing: list[dict[str, Any]],
    apply: Callable[[list[dict[str, Any]]], object],
    *,
    now: float | None = None,
) -> dict[str, Any]:
    """Write ``outgoing`` as this device's next set, apply the others' ready sets with
    ``apply`` (all their changes at once, in set order per device), and report.

    The report is ``sync now --json``'s: ``sent`` and ``applied`` count changes, ``waiting``
    counts sets, ``problems`` lists ``{"kind", "device", "set", "message"}``.
    """
    written = write_set(session, folder, outgoing)
    incoming = read_sets(session, folder, now=now)
    changes = incoming.changes()
    if incoming.ready:
        apply(changes)
        mark_applied(session, incoming.ready)
    return {
        "sent": len(outgoing) if written else 0,
        "applied": len(changes),
        "waiting": incoming.waiting,
        "problems": [p.to_json() for p in incoming.problems],
        "sets_sent": 1 if written else 0,
        "sets_applied": len(incoming.ready),
    }


# -- attachments' blobs --------------------------------------------------------------------
def blob_path(folder: Path, sha256: str) -> Path:
    if not BLOB_NAME.fullmatch(sha256):
        raise ValueError("a blob is named by a SHA-256 in lowercase hex")
    return folder / "blobs" / f"{sha256}.age"


def put_blob(
    session: Session, folder: Path, sha256: str, source: BinaryIO, *, replace: bool = False
) -> bool:
    """Put the content ``sha256`` (read from ``source``) into ``blobs/``, encrypted to this
    device and the paired ones; False if it is there already (each content goes once).
    ``replace`` writes it again over the one there (the same content, encrypted to the devices
    paired since: a catch-up).

    A source whose bytes do not hash to ``sha256`` leaves nothing and raises ValueError.
    """
    path = blob_path(folder, sha256)
    if path.exists() and not replace:
        return False
    own = ensure_device(session)
    to = [
        x25519.Recipient.from_str(r)
        for r in dict.fromkeys([own.age_recipient, *recipients(session)])
    ]
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    with _writing(f"writing an attachment into {path.parent}"):
        path.parent.mkdir(exist_ok=True)
        try:
            with tmp.open("xb") as out:
                reader = HashingReader(source, 2**62, lambda: ValueError("too large"))
                writer = HashingWriter(out)
                try:
                    pyrage.encrypt_io(reader, writer, to)
                except (pyrage.EncryptError, OSError):
                    raise writer.error or reader.error or OSError(errno.EIO, "age") from None
                out.flush()
                os.fsync(out.fileno())
            if reader.sha256.hexdigest() != sha256:
                raise ValueError(f"the content given is not {sha256}")
            if replace:  # the same content, now readable by every device paired since
                os.replace(tmp, path)
            else:
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    return False
        finally:
            tmp.unlink(missing_ok=True)
        fsync_dir(path.parent)
    return True


def get_blob(session: Session, folder: Path, sha256: str, out: BinaryIO) -> None:
    """Decrypt the content ``sha256`` from ``blobs/`` into ``out``; a VrmError when it is not
    there, not for this device, or not that content (the caller throws ``out`` away)."""
    path = blob_path(folder, sha256)
    own = ensure_device(session)
    if not path.exists():
        raise VrmError(f"The attachment {sha256[:12]} is not in the folder yet.")
    with open_regular(path, VrmError, "the attachment", follow=False) as source:
        writer = HashingWriter(out)
        try:
            pyrage.decrypt_io(source, writer, [own.age_identity])
        except (pyrage.DecryptError, OSError) as exc:
            if writer.error is not None:
                raise writer.error from None
            raise VrmError(
                f"The attachment {sha256[:12]} in the folder is damaged ({exc})."
            ) from None
    if writer.sha256.hexdigest() != sha256:
        raise VrmError(f"The attachment {sha256[:12]} in the folder is not the content it names.")
