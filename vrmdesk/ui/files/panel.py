"""The files attached to one record: list, add (dialog or drag and drop), preview, open, save,
remove.

Adding, saving a copy, opening in another program and loading a preview run off the UI thread
with progress and Cancel. Plaintext reaches the disk only through "Save a copy…" and through
"Open", whose private temporary copy (``controller.temp_copies``) is deleted on lock and on exit.
Problems are shown in a message bar inside the panel, never in a modal box.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QKeySequence,
    QPalette,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QProgressDialog,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import NotFound, VrmError
from vrmdesk.store.attachments import MAX_SIZE, format_size
from vrmdesk.store.services import editing, files
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.progress import run_with_progress
from vrmdesk.ui.core.tasks import Task
from vrmdesk.ui.files import jobs as file_jobs
from vrmdesk.ui.files.model import AttachmentsModel, FileRow
from vrmdesk.ui.files.preview import PREVIEW_LIMIT, PreviewDialog, preview_kind
from vrmdesk.ui.widgets.icons import icon
from vrmdesk.ui.widgets.message_bar import MessageBar
from vrmdesk.ui.widgets.tables import record_table


class AttachmentsPanel(QWidget):
    """Lists and manages the files attached to one record (``set_owner(kind, id)``)."""

    #: a plain-text message for a status bar (also shown in the panel)
    message = Signal(str)

    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.max_size = MAX_SIZE
        self.owner: tuple[str, int] | None = None
        self.preview_dialog: PreviewDialog | None = None
        self.setAcceptDrops(True)
        self.setAccessibleName("Files")

        self.model = AttachmentsModel(self)
        self.table = record_table(self.model, "Attached files", stretch_last=False)
        self.table.setTabKeyNavigation(False)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.activated.connect(self._activated)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)

        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty.setAccessibleName("No files attached")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        self.stack.setObjectName("drop-area")

        self.add_button = self._button(
            "&Add files…", "attach", "Attach files to this record", self.choose_files
        )
        self.preview_button = self._button(
            "Preview", "search", "Show the file inside vrmdesk", self.preview
        )
        self.open_button = self._button(
            "&Open",
            "open",
            "Open in its usual program "
            "(from a private temporary copy, deleted when the vault locks)",
            self.open_external,
        )
        self.save_button = self._button(
            "Save a &copy…", "save", "Save the file outside the vault", self.choose_copy_path
        )
        self.remove_button = self._button(
            "&Remove",
            "trash",
            "Remove the file from this record (Undo brings it back)",
            self.remove,
        )
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        for button in (self.preview_button, self.open_button, self.save_button, self.remove_button):
            buttons.addWidget(button)

        self.bar = MessageBar()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.bar)

        self._actions = {
            "preview": self._action(
                "Preview", "search", self.preview, QKeySequence(Qt.Key.Key_Space)
            ),
            "open": self._action("&Open", "open", self.open_external),
            "save": self._action(
                "Save a &copy…", "save", self.choose_copy_path, QKeySequence.StandardKey.Save
            ),
            "remove": self._action(
                "&Remove", "trash", self.remove, QKeySequence.StandardKey.Delete
            ),
        }
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        controller.changed.connect(self._changed)
        controller.locked.connect(self.clear)
        self.clear()

    def _button(self, text: str, icon_name: str, tip: str, slot: Callable[[], Any]) -> QPushButton:
        button = QPushButton(icon(icon_name), text)
        button.setToolTip(tip)
        button.setAccessibleDescription(tip)
        button.setAutoDefault(False)
        button.clicked.connect(lambda checked=False: slot())
        return button

    def _action(
        self,
        text: str,
        icon_name: str,
        slot: Callable[[], Any],
        shortcut: QKeySequence | QKeySequence.StandardKey | None = None,
    ) -> QAction:
        action = QAction(icon(icon_name), text, self.table)
        if shortcut is not None:
            action.setShortcut(shortcut)
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.table.addAction(action)
        action.triggered.connect(lambda checked=False: slot())
        return action

    # -- showing a record's files ----------------------------------------------------------------
    def set_owner(self, kind: str, record_id: int) -> None:
        if kind not in editing.KINDS:
            raise ValueError(f"unknown kind of record {kind!r}")
        if self.owner != (kind, record_id):
            self.bar.hide()
        self.owner = (kind, record_id)
        self.empty.setText("No files yet.\nDrop files here, or choose Add files…")
        self.setEnabled(True)
        self.reload()

    def clear(self) -> None:
        """No record (or the vault was locked): forget every file and any open preview."""
        self.owner = None
        self.model.clear()
        self.bar.hide()
        self._close_preview()
        self.empty.setText("")
        self.stack.setCurrentWidget(self.empty)
        self.setEnabled(False)

    def reload(self) -> None:
        if self.owner is None or not self.controller.is_open:
            return
        kind, record_id = self.owner
        selected = self.selected()
        try:
            with self.controller.session() as session:
                rows = files.files_of(session, kind, record_id)
        except NotFound:
            self.clear()
            return
        self.model.set_rows(rows)
        self.stack.setCurrentWidget(self.table if rows else self.empty)
        if selected is not None:
            self.select(selected.id)

    def _changed(self, kinds: set[str]) -> None:
        if kinds & {"*", "attachment"}:
            self.reload()

    def selected(self) -> FileRow | None:
        index = self.table.currentIndex()
        selection = self.table.selectionModel()
        if not index.isValid() or not selection.isRowSelected(index.row(), QModelIndex()):
            return None
        return self.model.row_at(index.row())

    def select(self, attachment_id: int) -> None:
        row = self.model.row_of_id(attachment_id)
        if row >= 0:
            self.table.selectRow(row)

    def _update_buttons(self) -> None:
        row = self.selected()
        previewable = row is not None and preview_kind(row.media_type) is not None
        for widget, enabled in (
            (self.preview_button, previewable),
            (self._actions["preview"], previewable),
            (self.open_button, row is not None),
            (self._actions["open"], row is not None),
            (self.save_button, row is not None),
            (self._actions["save"], row is not None),
            (self.remove_button, row is not None),
            (self._actions["remove"], row is not None),
        ):
            widget.setEnabled(enabled)

    def _activated(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None and preview_kind(row.media_type) is not None:
            self.preview()
        elif row is not None:
            self.open_external()

    def _context_menu(self, pos: QPoint) -> None:
        if self.selected() is None:
            return
        menu = QMenu(self)
        for key in ("preview", "open", "save", None, "remove"):
            menu.addSeparator() if key is None else menu.addAction(self._actions[key])
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def _say(
        self,
        text: str,
        *,
        warning: bool = False,
        action: str = "",
        slot: Callable[[], None] | None = None,
    ) -> None:
        self.bar.show_message(text, warning=warning, action=action, slot=slot)
        self.message.emit(text)

    def _failed(self, what: str) -> Callable[[BaseException], None]:
        return lambda exc: self._say(f"{what}: {explain(exc)}", warning=True)

    # -- adding ------------------------------------------------------------------------------------
    def choose_files(self) -> None:
        if self.owner is None:
            return
        names, _ = QFileDialog.getOpenFileNames(self, "Attach files", str(Path.home()))
        if names:
            self.add_files([Path(n) for n in names])

    def add_files(self, paths: list[Path]) -> QProgressDialog | None:
        """Attach these files (off the UI thread, in one transaction: a cancel adds none)."""
        if self.owner is None:
            return None
        refused: list[str] = []
        accepted: list[tuple[Path, int]] = []
        for path in paths:
            if path.is_dir():
                refused.append(f"“{path.name}” is a folder; attach the files in it instead.")
            elif not path.is_file():
                refused.append(f"“{path.name}” is not a file that can be read.")
            elif (size := path.stat().st_size) > self.max_size:
                refused.append(
                    f"“{path.name}” is {format_size(size)}; files can be at most "
                    f"{format_size(self.max_size)}. It was not attached."
                )
            else:
                accepted.append((path, size))
        if refused:
            self._say(" ".join(refused), warning=True)
        if not accepted:
            return None
        kind, record_id = self.owner
        vault, limit = self.controller.vault, self.max_size

        def work(task: Task) -> int | None:
            return file_jobs.attach_files(task, vault, kind, record_id, accepted, limit)

        what = f"“{accepted[0][0].name}”" if len(accepted) == 1 else f"{len(accepted)} files"

        def finished(count: int | None) -> None:
            if count is None:
                self._say("Cancelled: nothing was attached.")
                return
            self.controller.notify({"attachment"})
            self._say(" ".join([f"Attached {what}.", *refused]), warning=bool(refused))

        label = f"Attaching {what}…"
        return self._run(label, work, finished, self._failed("The files were not attached"))

    def _run(
        self,
        label: str,
        work: Callable[[Task], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
    ) -> QProgressDialog:
        """Run ``work`` off the UI thread behind a progress dialog with Cancel."""
        dialog: QProgressDialog

        def finish(result: Any) -> None:
            dialog.deleteLater()
            done(result)

        def fail(exc: BaseException) -> None:
            dialog.deleteLater()
            failed(exc)

        dialog = run_with_progress(self, self.controller, label, work, finish, fail)
        return dialog

    # -- drag and drop -------------------------------------------------------------------------
    @staticmethod
    def _local_paths(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        urls = mime.urls()
        if not urls or not all(url.isLocalFile() for url in urls):
            return []
        return [Path(url.toLocalFile()) for url in urls]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.owner is not None and self._local_paths(event):
            event.acceptProposedAction()
            self.stack.setStyleSheet("#drop-area { border: 2px dashed palette(highlight); }")
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.stack.setStyleSheet("")
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self.stack.setStyleSheet("")
        paths = self._local_paths(event)
        if self.owner is None or not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_files(paths)

    # -- reading -----------------------------------------------------------------------------------
    def preview(self) -> QProgressDialog | None:
        row = self.selected()
        if row is None or preview_kind(row.media_type) is None:
            return None
        if row.size > PREVIEW_LIMIT:
            self._say(
                f"“{row.name}” is too large to preview ({format_size(row.size)}); "
                "open it in another program instead.",
                warning=True,
            )
            return None
        vault = self.controller.vault

        def work(task: Task) -> bytes | None:
            return file_jobs.read_content(task, vault, row.id, row.size, row.name)

        def show(data: bytes | None) -> None:
            if data is None or not self.controller.is_open:
                return
            self._close_preview()
            dialog = PreviewDialog(row.name, row.media_type, data, self.window())
            dialog.destroyed.connect(lambda *_: self._preview_gone(dialog))
            self.preview_dialog = dialog
            dialog.show()

        return self._run(
            f"Opening {row.name}…", work, show, self._failed(f"“{row.name}” could not be shown")
        )

    def _preview_gone(self, dialog: PreviewDialog) -> None:
        if self.preview_dialog is dialog:
            self.preview_dialog = None

    def _close_preview(self) -> None:
        if self.preview_dialog is not None:
            dialog, self.preview_dialog = self.preview_dialog, None
            dialog.close()

    def open_external(self) -> QProgressDialog | None:
        row = self.selected()
        if row is None:
            return None
        copies = self.controller.temp_copies
        vault = self.controller.vault

        def work(task: Task) -> Path | None:
            return file_jobs.temporary_copy(task, vault, copies, row.id, row.size, row.name)

        def opened(path: Path | None) -> None:
            if path is None:
                return
            if not self.controller.is_open:  # locked meanwhile: the copy must not outlive it
                copies.clear()
                return
            if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
                self._say(
                    f"Opened “{row.name}” from a private temporary copy; "
                    "it is deleted when the vault locks."
                )
            else:
                self._say(
                    f"No program is set up to open “{row.name}”. Save a copy instead.", warning=True
                )

        return self._run(
            f"Opening {row.name}…", work, opened, self._failed(f"“{row.name}” could not be opened")
        )

    # -- saving a copy ----------------------------------------------------------------------------
    def choose_copy_path(self) -> None:
        row = self.selected()
        if row is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, "Save a copy", str(Path.home() / row.name))
        if name:
            self.save_copy_to(Path(name))

    def save_copy_to(self, destination: Path) -> QProgressDialog | None:
        """Write the selected file's plaintext to ``destination`` (off the UI thread)."""
        row = self.selected()
        if row is None:
            return None
        vault = self.controller.vault

        def work(task: Task) -> bool:
            return file_jobs.save_copy(task, vault, row.id, row.size, row.name, destination)

        def saved(ok: bool) -> None:
            if ok:
                self._say(f"Saved a copy of “{row.name}” to {destination}.")
            else:
                self._say("Cancelled: no copy was saved.")

        return self._run(f"Saving {row.name}…", work, saved, self._failed("The copy was not saved"))

    # -- removing ---------------------------------------------------------------------------------
    def remove(self) -> None:
        row = self.selected()
        if row is None:
            return
        try:
            snapshot = self.controller.delete_record("attachment", row.id)
        except VrmError as exc:
            self._say(f"“{row.name}” was not removed: {exc}", warning=True)
            return

        def undo() -> None:
            if self.controller.is_open and self.controller.undo_label == snapshot.label:
                self.controller.undo_delete()
                self.select(row.id)

        self._say(f"Removed “{row.name}”.", action="&Undo", slot=undo)
