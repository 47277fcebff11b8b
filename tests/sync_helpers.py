"""Devices for the sync tests: each a small SQLite database with the vault's tables (the sync
modules need only a Session), its own device id and keys, and a counter for the changes it
makes (plain dicts of the contract's shape: the change log is another module's)."""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from vrmdesk.store import models as m
from vrmdesk.sync import device as own_device
from vrmdesk.sync import folder as sync_folder
from vrmdesk.sync import pairing

_TEMPLATE: list[Path] = []


def _empty_database(db: Path) -> None:
    """A copy of one database with the vault's tables, made once per test run (fast)."""
    if not _TEMPLATE:
        template = Path(tempfile.mkdtemp(prefix="vrmsync-template-")) / "empty.db"
        engine = create_engine(f"sqlite:///{template}")
        m.Base.metadata.create_all(engine)
        engine.dispose()
        _TEMPLATE.append(template)
    shutil.copyfile(_TEMPLATE[0], db)


class Device:
    def __init__(self, db: Path, name: str) -> None:
        self.db = db
        if not db.exists():
            _empty_database(db)
        self.engine = create_engine(f"sqlite:///{db}")
        self.factory = sessionmaker(self.engine, expire_on_commit=False)
        self.seq = 0
        with self.session() as s:
            pairing.set_own_name(s, name)
            self.id = own_device.ensure_device(s).device
        self.name = name

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.factory.begin() as s:
            yield s

    def code(self) -> str:
        with self.session() as s:
            return pairing.own_code(s)

    def pair(self, other: Device) -> None:
        """Pair both ways (as two people entering each other's codes do)."""
        mine, theirs = self.code(), other.code()
        with self.session() as s:
            pairing.pair(s, pairing.read_code(theirs))
        with other.session() as s:
            pairing.pair(s, pairing.read_code(mine))

    def change(self, name: str, gid: str | None = None) -> dict[str, Any]:
        self.seq += 1
        hlc = f"{int(time.time() * 1000):016d}-{self.seq:04x}-{self.id}"
        return {
            "hlc": hlc,
            "device": self.id,
            "seq": self.seq,
            "op": "create",
            "kind": "vendor",
            "gid": gid or str(uuid.uuid4()),
            "fields": {"name": name},
        }

    def send(self, folder: Path, *names: str) -> int | None:
        with self.session() as s:
            return sync_folder.write_set(s, folder, [self.change(n) for n in names])

    def receive(self, folder: Path, now: float | None = None) -> sync_folder.Incoming:
        """Read the others' ready sets and mark them applied (as a sync does)."""
        with self.session() as s:
            incoming = sync_folder.read_sets(s, folder, now=now)
            sync_folder.mark_applied(s, incoming.ready)
        return incoming


def names(incoming: sync_folder.Incoming) -> list[str]:
    return [c["fields"]["name"] for c in incoming.changes()]


def kinds(incoming: sync_folder.Incoming) -> list[str]:
    return [p.kind for p in incoming.problems]


def slow_writes(chunk: int, pause: float) -> None:
    """Make every file opened with ``os.fdopen`` write ``chunk`` bytes every ``pause`` seconds
    (a slow disk), so that a process killed at random moments is mostly killed mid-write.
    For the child processes of the fault tests."""
    import os

    real_fdopen = os.fdopen

    class Slow:
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def write(self, data: bytes) -> int:
            view = memoryview(data)
            for i in range(0, len(view), chunk):
                self.handle.write(view[i : i + chunk])
                self.handle.flush()
                time.sleep(pause)
            return len(view)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.handle, name)

        def __enter__(self) -> Slow:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

    os.fdopen = lambda fd, *args, **kw: Slow(real_fdopen(fd, *args, **kw))  # type: ignore[assignment]


def in_vault(folder: Path, passphrase: str, fn: Any) -> Any:
    """``fn(vault, session)`` in the vault at ``folder``, opened for it and closed after (as a
    person's edit between two commands)."""
    from vrmdesk.store.vault import Vault

    vault = Vault.open(folder, passphrase)
    try:
        with vault.session() as s:
            return fn(vault, s)
    finally:
        vault.close()
