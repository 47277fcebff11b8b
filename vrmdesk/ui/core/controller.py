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

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QObject, Signal
from sqlalchemy.orm import Session

from vrmdesk.errors import VaultLocked
from vrmdesk.store.services import editing, undo
from vrmdesk.store.tempcopies import TempCopies
from vrmdesk.store.vault import Vault
from vrmdesk.ui.core.tasks import Task, TaskRunner


class VaultController(QObject):
    #: kinds of record that changed (``"vendor"``, ``"ticket"`` …; ``"*"`` for everything)
    changed = Signal(object)
    #: the vault was locked: views must empty themselves
    locked = Signal()
    #: a vault is open again after a lock (views refresh through ``changed`` too)
    unlocked = Signal()
    #: a message for the status bar
    status = Signal(str)
    #: what Undo would bring back ("" when nothing)
    undo_changed = Signal(str)

    def __init__(
        self, vault: Vault, temp_copies: TempCopies, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._vault: Vault | None = vault
        #: plaintext copies of attachments opened in other programs (deleted on lock)
        self.temp_copies = temp_copies
        self.tasks = TaskRunner(self)
        self._undo: list[undo.Snapshot] = []

    @property
    def vault(self) -> Vault:
        if self._vault is None:
            raise VaultLocked("The vault is locked.")
        return self._vault

    @property
    def is_open(self) -> bool:
        return self._vault is not None and self._vault.is_open

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.vault.session() as session:
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

    # -- deleting with undo ------------------------------------------------------------------
    def delete_record(self, kind: str, record_id: int, *, cascade: bool = False) -> undo.Snapshot:
        """Delete a record of ``kind`` ("ticket" …); InUseError for a vendor with records unless
        ``cascade``."""
        with self.session() as session:
            snapshot = editing.delete_record(
                session, kind, record_id, attachments=self.vault.attachments, cascade=cascade
            )
        self._undo.append(snapshot)
        self.undo_changed.emit(snapshot.label)
        self.notify({"*"}, f"Deleted the {snapshot.label}. Undo with Ctrl+Z.")
        return snapshot

    def clear_undo(self) -> None:
        """Forget what Undo could bring back (after a change of key its files have new names)."""
        self._undo.clear()
        self.undo_changed.emit("")

    @property
    def undo_label(self) -> str:
        return self._undo[-1].label if self._undo else ""

    def undo_delete(self) -> bool:
        if not self._undo:
            return False
        snapshot = self._undo.pop()
        with self.session() as session:
            undo.undo(session, snapshot)
        self.undo_changed.emit(self.undo_label)
        self.notify({"*"}, f"Brought back the {snapshot.label}.")
        return True

    def lock(self) -> None:
        """Close the vault; every view empties itself on ``locked``, temporary copies go."""
        if self._vault is None:
            return
        self.tasks.cancel_all()
        self.tasks.wait()
        vault, self._vault = self._vault, None
        self._undo.clear()
        self.undo_changed.emit("")
        self.locked.emit()
        self.temp_copies.clear()
        vault.close()

    def replace(self, vault: Vault) -> None:
        """After an unlock: the same controller over a newly opened vault."""
        self._vault = vault
        self.unlocked.emit()
        self.changed.emit({"*"})
