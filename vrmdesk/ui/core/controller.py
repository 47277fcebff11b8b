"""The one way the UI reaches the core: a controller that owns the open vault.

Widgets get the controller passed in (there is no global). They read through
``controller.session()`` for quick queries (a page of a list, one record) and call
``controller.run(...)`` for anything that may take longer than a moment; after a change they call
``controller.notify(kinds)`` so every view showing those kinds refreshes. Reading and writing
go through the core's services, which take that session; a widget never queries through it.

The controller also holds the private temporary copies that "Open" makes of attachments
(:class:`TempCopies`, given by whoever makes the controller); locking deletes them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QObject, Signal
from sqlalchemy.orm import Session

from vrmdesk.errors import VaultLocked, VrmError
from vrmdesk.store.services import editing, undo
from vrmdesk.store.services.undo import Step
from vrmdesk.store.tempcopies import TempCopies
from vrmdesk.store.vault import Vault
from vrmdesk.ui.core.tasks import Task, TaskRunner

#: seconds a unit of work waits for another of this process holding the vault's unit lock
EXCLUSIVE_WAIT = 3.0


@contextmanager
def holding(lock: threading.RLock, timeout: float) -> Iterator[bool]:
    """``lock`` for the block, waited for ``timeout`` seconds at most (then the block runs
    without it: SQLite may then refuse a write, which is told as any failure is)."""
    held = lock.acquire(timeout=timeout)
    try:
        yield held
    finally:
        if held:
            lock.release()


class VaultController(QObject):
    #: kinds of record that changed (``"vendor"``, ``"ticket"`` …; ``"*"`` for everything)
    changed = Signal(object)
    #: the vault was locked: views must empty themselves
    locked = Signal()
    #: a vault is open again after a lock (views refresh through ``changed`` too)
    unlocked = Signal()
    #: a message for the status bar
    status = Signal(str)
    #: what Undo would undo, "delete of ticket “Leaks”", "edit of Bosch dishwasher" ("": nothing)
    undo_changed = Signal(str)
    #: what Redo would do again, worded the same ("" when nothing)
    redo_changed = Signal(str)

    def __init__(
        self, vault: Vault, temp_copies: TempCopies, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._vault: Vault | None = vault
        #: plaintext copies of attachments opened in other programs (deleted on lock)
        self.temp_copies = temp_copies
        self.tasks = TaskRunner(self)
        self._spare_lock = threading.RLock()  # while locked: no vault, nothing to guard
        #: the steps Undo can take back, the last one first, and those Redo can do again
        self._undo: list[undo.Step] = []
        self._redo: list[undo.Step] = []

    @property
    def vault(self) -> Vault:
        if self._vault is None:
            raise VaultLocked("The vault is locked.")
        return self._vault

    @property
    def is_open(self) -> bool:
        return self._vault is not None and self._vault.is_open

    @property
    def exclusive(self) -> threading.RLock:
        """Held by background work that writes in one long unit of work (a sync, an attach)
        and by :meth:`session`, so that neither commits in the middle of the other: the
        vault's :attr:`~vrmdesk.store.vault.Vault.unit_lock`."""
        vault = self._vault
        return vault.unit_lock if vault is not None else self._spare_lock

    #: seconds a unit of work waits for background work holding :attr:`exclusive` (a sync)
    #: before it goes ahead anyway
    EXCLUSIVE_WAIT = EXCLUSIVE_WAIT

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work. It waits (a moment at most) for background work that holds
        :attr:`exclusive`: SQLite refuses a unit of work's write ("database is locked") when
        another one committed after it began reading, so the two must not interleave."""
        with holding(self.exclusive, self.EXCLUSIVE_WAIT), self.vault.session() as session:
            yield session

    def notify(self, kinds: Iterable[str], message: str | None = None) -> None:
        self.changed.emit(set(kinds))
        if message:
            self.status.emit(message)

    def run(
        self,
        fn: Callable[[Task], Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        receiver: QObject | None = None,
        label: str = "",
    ) -> Task:
        """Run ``fn(task)`` off the UI thread; callbacks come back on the UI thread.

        A ``label`` marks work that quitting would cut short: the window asks before it quits.
        """
        return self.tasks.start(
            fn, on_done=on_done, on_error=on_error, receiver=receiver or self, label=label
        )

    # -- deleting and editing, with undo and redo ---------------------------------------------
    #: how many steps Undo goes back at most (the oldest are forgotten)
    UNDO_DEPTH = 50

    def delete_record(self, kind: str, record_id: int, *, cascade: bool = False) -> undo.Snapshot:
        """Delete a record of ``kind`` ("ticket" …); InUseError for a vendor with records unless
        ``cascade``."""
        with self.session() as session:
            snapshot = editing.delete_record(
                session, kind, record_id, attachments=self.vault.attachments, cascade=cascade
            )
        self.remember(snapshot)
        self.notify({"*"}, f"Deleted the {snapshot.label}. Undo with Ctrl+Z.")
        return snapshot

    def save_edit(self, kind: str, record_id: int, values: dict[str, Any]) -> editing.Saved:
        """Save an edit of a stored record (the core refuses bad values: nothing is written);
        Undo can take it back."""
        with self.session() as session:
            saved, edit = editing.save_edit(session, kind, record_id, values)
        if edit.changed:
            self.remember(edit)
        return saved

    def remember(self, step: Step) -> None:
        """Put a step the core returned on the undo stack (what could be redone is forgotten)."""
        self._undo.append(step)
        del self._undo[: -self.UNDO_DEPTH]
        self._redo.clear()
        self._tell_undo()

    def _tell_undo(self) -> None:
        self.undo_changed.emit(self._undo[-1].action if self._undo else "")
        self.redo_changed.emit(self._redo[-1].action if self._redo else "")

    def clear_undo(self) -> None:
        """Forget what Undo could bring back (after a change of key its files have new names)."""
        self._undo.clear()
        self._redo.clear()
        self._tell_undo()

    @property
    def undo_label(self) -> str:
        return self._undo[-1].label if self._undo else ""

    @property
    def undo_text(self) -> str:
        """What Undo would undo ("edit of Bosch dishwasher"; "" when nothing)."""
        return self._undo[-1].action if self._undo else ""

    @property
    def redo_text(self) -> str:
        return self._redo[-1].action if self._redo else ""

    def undo(self) -> bool:
        """Take back the last step; False when there is none. A step the core refuses (its
        record gone meanwhile …) is told and forgotten."""
        if not self._undo:
            return False
        step = self._undo.pop()
        attachments = self.vault.attachments

        def run(session: Session) -> Step:
            undo.undo_step(session, step, attachments=attachments)
            return step

        said = f"Brought back the {step.label}" if isinstance(step, undo.Snapshot) else ""
        self._take(run, self._redo, said or f"Undid the {step.action}")
        return True

    def redo(self) -> bool:
        """Do the last step undone again; False when there is none."""
        if not self._redo:
            return False
        step = self._redo.pop()
        attachments = self.vault.attachments
        self._take(
            lambda session: undo.redo_step(session, step, attachments=attachments),
            self._undo,
            f"Redid the {step.action}",
        )
        return True

    def _take(self, run: Callable[[Session], Step], onto: list[Step], said: str) -> None:
        """Run a step popped off one stack and put what undoes it on the other; a step the core
        refuses is told and forgotten."""
        try:
            with self.session() as session:
                onto.append(run(session))
        except VrmError as exc:
            said = str(exc).rstrip(".")
        self._tell_undo()
        self.notify({"*"}, f"{said}.")

    def undo_delete(self) -> bool:
        """Undo the last step (its name from when only deletes could be undone)."""
        return self.undo()

    def lock(self) -> None:
        """Close the vault; every view empties itself on ``locked``, temporary copies go."""
        if self._vault is None:
            return
        self.tasks.cancel_all()
        self.tasks.wait()
        vault, self._vault = self._vault, None
        self._undo.clear()
        self._redo.clear()
        self._tell_undo()
        self.locked.emit()
        self.temp_copies.clear()
        vault.close()

    def replace(self, vault: Vault) -> None:
        """After an unlock: the same controller over a newly opened vault."""
        self._vault = vault
        self.unlocked.emit()
        self.changed.emit({"*"})
