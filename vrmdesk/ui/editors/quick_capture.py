"""Quick capture: record an exchange with a vendor from anywhere (Ctrl+I).

Vendor (searchable), channel, direction, subject and text, optionally the vendor's ticket it
belongs to, the thing it is about, the ticket's next follow-up date and files to attach, and
when (now unless changed). It starts with what is selected in the window: the vendor shown, the
thing or the ticket chosen (a ticket brings its vendor, thing and follow-up date). Enter saves,
and Ctrl+Enter saves from inside the text. The core checks it; problems show under the field.
Saving with files encrypts them off the UI thread, with progress and Cancel, in the same unit of
work as the interaction: a cancel or a refusal keeps neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import ValidationError, VrmError
from vrmdesk.store.attachments import MAX_SIZE, format_size
from vrmdesk.store.services import editing, things, tickets
from vrmdesk.store.services.editing import Captured
from vrmdesk.store.vault import Vault
from vrmdesk.ui.core.controller import EXCLUSIVE_WAIT, VaultController, holding
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.progress import run_with_progress
from vrmdesk.ui.core.tasks import Cancelled, Task
from vrmdesk.ui.editors.dates import DateField, DateTimeField
from vrmdesk.ui.editors.fields import (
    EnumField,
    Field,
    LineField,
    PickerField,
    TextField,
    human,
)
from vrmdesk.ui.editors.form_rows import (
    ErrorLabel,
    FormRows,
    checked_values,
    on_ctrl_enter,
    report_save_error,
)
from vrmdesk.ui.widgets import buttons
from vrmdesk.ui.widgets.icons import icon


class DirectionField(Field):
    """Inbound or outbound, as two radio buttons (arrow keys move between them)."""

    def __init__(self, name: str, used: set[str]) -> None:
        super().__init__((name,))
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        texts = {"inbound": "&From them", "outbound": "T&o them"}  # words.DIRECTION, with keys
        for direction in editing.choices("interaction", "direction"):
            button = QRadioButton(texts.get(direction, human(direction)))
            button.setAccessibleName(texts[direction].replace("&", ""))
            self.group.addButton(button)
            self.buttons[direction] = button
            self.layout_.addWidget(button)
        self.layout_.addStretch(1)
        used.update({"f", "o"})
        self.buttons["inbound"].setChecked(True)
        self.group.buttonToggled.connect(lambda *_: self.changed.emit())

    def value(self) -> str:
        return next(d for d, b in self.buttons.items() if b.isChecked())

    def set_value(self, value: object) -> None:
        button = self.buttons.get(getattr(value, "value", str(value)))
        if button is not None:
            button.setChecked(True)

    def focus_target(self) -> QWidget:
        return next(b for b in self.buttons.values() if b.isChecked())

    def set_accessible(self, name: str) -> None:
        pass


class FilesField(Field):
    """Files to attach: a short list, Add files… and Remove (files dropped on the dialog too)."""

    def __init__(self, name: str) -> None:
        super().__init__((name,))
        self.paths: list[Path] = []
        self.list = QListWidget()
        self.list.setAccessibleName("Files to attach")
        self.list.setMaximumHeight(self.list.fontMetrics().lineSpacing() * 4 + 8)
        self.list.hide()
        self.add_button = QPushButton(icon("attach"), "Add files…")
        self.add_button.setAccessibleName("Add files to attach")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.choose)
        self.remove_button = QPushButton(icon("trash"), "Remove")
        self.remove_button.setAccessibleName("Remove the chosen file")
        self.remove_button.setAutoDefault(False)
        self.remove_button.clicked.connect(self.remove_current)
        self.remove_button.hide()
        buttons = QVBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        self.layout_.addWidget(self.list, 1)
        self.layout_.addLayout(buttons)
        self.layout_.addStretch(0)
        self.setFocusProxy(self.add_button)

    def choose(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Attach files", str(Path.home()))
        self.add([Path(n) for n in names])

    def add(self, paths: list[Path]) -> None:
        for path in paths:
            if path not in self.paths:
                self.paths.append(path)
        self._show()

    def remove_current(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.paths):
            del self.paths[row]
            self._show()

    def _show(self) -> None:
        self.list.clear()
        for path in self.paths:
            size = path.stat().st_size if path.is_file() else 0
            item = QListWidgetItem(icon("file"), f"{path.name} ({format_size(size)})")
            item.setToolTip(str(path))
            self.list.addItem(item)
        self.list.setVisible(bool(self.paths))
        self.remove_button.setVisible(bool(self.paths))
        if self.paths:
            self.list.setCurrentRow(len(self.paths) - 1)
        self.add_button.setText("Add more files…" if self.paths else "Add files…")
        self.changed.emit()

    def checked(self, max_size: int) -> list[tuple[Path, int]]:
        """The files with their sizes; ValidationError for one that cannot be attached."""
        out = []
        for path in self.paths:
            if not path.is_file():
                raise ValidationError(
                    f"“{path.name}” is not a file that can be read: remove it.", field=self.names[0]
                )
            size = path.stat().st_size
            if size > max_size:
                raise ValidationError(
                    f"“{path.name}” is {format_size(size)}; files can be at most "
                    f"{format_size(max_size)}.",
                    field=self.names[0],
                )
            out.append((path, size))
        return out

    def values(self) -> dict[str, Any]:
        return {}  # the files are not a field of the interaction: the dialog attaches them

    def is_empty(self) -> bool:
        return not self.paths

    def focus_target(self) -> QWidget:
        return self.add_button

    def set_accessible(self, name: str) -> None:
        pass


def capture_with_files(
    task: Task,
    vault: Vault,
    values: Mapping[str, Any],
    paths: list[tuple[Path, int]],
    max_size: int,
) -> Captured | None:
    """Record the interaction and attach the files to it in one transaction (None: cancelled,
    and nothing of it is kept)."""
    from vrmdesk.ui.files.jobs import attach_in

    try:
        with holding(vault.unit_lock, EXCLUSIVE_WAIT), vault.session() as session:
            captured = tickets.capture(session, values)
            attach_in(session, task, vault, "interaction", captured.id, paths, max_size)
    except Cancelled:
        return None
    return captured


class QuickCaptureDialog(QDialog):
    def __init__(
        self,
        controller: VaultController,
        parent: QWidget | None = None,
        vendor_id: int | None = None,
        asset_id: int | None = None,
        ticket_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.interaction_id: int | None = None
        self.max_size = MAX_SIZE
        #: the progress of a save with files, while it runs
        self.saving: QProgressDialog | None = None
        self.setAcceptDrops(True)
        self.setWindowTitle("Quick capture")
        self.setAccessibleName("Quick capture: record an interaction")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        form = QFormLayout()
        self.rows = FormRows(form, reserved="sc")
        self.vendor = PickerField("vendor_id", "vendor", optional=False)
        self.ticket = PickerField("ticket_id", "ticket", optional=True)
        self.thing = PickerField("asset_id", "thing", optional=True)
        self.follow_up = DateField("follow_up_on", nullable=True, null_text="no follow-up")
        self.files = FilesField("files")
        self.channel = EnumField("channel", editing.choices("interaction", "channel"))
        self.direction = DirectionField("direction", self.rows.used)
        self.when = DateTimeField("occurred_at")
        self.subject = LineField("subject", 500, placeholder="what it was about")
        self.body = TextField("body", lines=6)
        self.rows.add("Vendor", self.vendor, required=True)
        self.rows.add("Ticket", self.ticket)
        self.rows.add("Thing", self.thing)
        self.rows.add("Channel", self.channel)
        self.rows.add("Direction", self.direction)
        self.rows.add("When", self.when)
        self.rows.add("Subject", self.subject)
        self.rows.add("Text", self.body, hint="Ctrl+Enter saves from here.")
        self.rows.add(
            "Follow up on", self.follow_up, hint="When to chase the ticket's vendor next."
        )
        self.rows.add("Files", self.files)

        with controller.session() as session:
            self.vendor.set_choices(editing.vendor_choices(session))
            self.thing.set_choices(things.asset_choices(session))
            start = tickets.capture_context(
                session, vendor_id=vendor_id, asset_id=asset_id, ticket_id=ticket_id
            )
        self._ticket_vendor: int | None = -1
        self._ticket_shown: int | None = start.ticket_id
        self.vendor.changed.connect(self._reload_tickets)
        self.vendor.set_value(start.vendor_id)
        self._reload_tickets()
        self.ticket.set_value(start.ticket_id)
        self.thing.set_value(start.asset_id)
        self.follow_up.set_value(start.follow_up_on)
        self.ticket.changed.connect(self._ticket_chosen)
        self.rows.clear_messages()
        on_ctrl_enter(self.body.edit, self.save)

        self.general_error = ErrorLabel()
        self.general_error.label.setAccessibleName("Problem")
        self.buttons = buttons.save_cancel(self, self.save)
        hint = QLabel("Enter saves.")
        hint.setEnabled(False)
        bottom = QHBoxLayout()
        bottom.addWidget(hint)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addLayout(bottom)
        self.resize(560, self.sizeHint().height())
        (self.subject if start.vendor_id is not None else self.vendor).focus_target().setFocus()
        controller.locked.connect(self.reject)  # nothing of the vault stays on screen

    def _reload_tickets(self) -> None:
        try:
            vendor_id = self.vendor.value()
        except ValidationError:
            vendor_id = None
        if vendor_id == self._ticket_vendor:
            return
        self._ticket_vendor = vendor_id
        with self.controller.session() as session:
            self.ticket.set_choices(editing.ticket_choices(session, vendor_id))

    def _ticket_chosen(self) -> None:
        """A ticket chosen brings its follow-up date, and its thing when none is chosen."""
        try:
            ticket_id = self.ticket.value()
        except ValidationError:
            return
        if ticket_id == self._ticket_shown or ticket_id is None:
            self._ticket_shown = ticket_id
            return
        self._ticket_shown = ticket_id
        with self.controller.session() as session:
            chosen = tickets.capture_context(session, ticket_id=ticket_id)
        self.follow_up.set_value(chosen.follow_up_on)
        if self.thing.is_empty():
            self.thing.set_value(chosen.asset_id)

    # -- files dropped on the dialog ---------------------------------------------------------
    @staticmethod
    def _dropped(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        mime = event.mimeData()
        urls = mime.urls() if mime.hasUrls() else []
        if not urls or not all(url.isLocalFile() for url in urls):
            return []
        return [Path(url.toLocalFile()) for url in urls]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._dropped(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files.add(paths)

    # -- saving ------------------------------------------------------------------------------
    def save(self) -> bool:
        """Record the interaction (and attach the files); False (with the problem under its
        field) if refused. With files the work goes on off the UI thread: the dialog closes
        when it is done, and stays with the problem shown if it fails."""
        if self.saving is not None:
            return False
        values = checked_values(self.rows, self.general_error)
        if values is None:
            return False
        try:
            paths = self.files.checked(self.max_size)
        except ValidationError as exc:
            report_save_error(self.rows, self.general_error, exc)
            return False
        if paths:
            self._save_with_files(values, paths)
            return True
        try:
            with self.controller.session() as session:
                captured = tickets.capture(session, values)
        except VrmError as exc:
            report_save_error(self.rows, self.general_error, exc)
            return False
        self._saved(values, captured, 0)
        return True

    def _save_with_files(self, values: dict[str, Any], paths: list[tuple[Path, int]]) -> None:
        vault, limit = self.controller.vault, self.max_size

        def work(task: Task) -> Captured | None:
            return capture_with_files(task, vault, values, paths, limit)

        def done(captured: Captured | None) -> None:
            self.saving = None
            self._set_busy(False)
            if captured is None:
                self.general_error.set_text("Cancelled: nothing was recorded or attached.")
                return
            self._saved(values, captured, len(paths))

        def failed(exc: BaseException) -> None:
            self.saving = None
            self._set_busy(False)
            if isinstance(exc, VrmError):
                report_save_error(self.rows, self.general_error, exc)
            else:
                self.general_error.set_text(f"Nothing was recorded: {explain(exc)}")

        what = f"“{paths[0][0].name}”" if len(paths) == 1 else f"{len(paths)} files"
        self._set_busy(True)
        self.saving = run_with_progress(
            self, self.controller, f"Recording and attaching {what}…", work, done, failed
        )

    def _set_busy(self, busy: bool) -> None:
        self.buttons.setEnabled(not busy)

    def _saved(self, values: Mapping[str, Any], captured: Captured, attached: int) -> None:
        self.interaction_id = captured.id
        kinds = {"interaction", "ticket"} if values.get("ticket_id") else {"interaction"}
        if attached:
            kinds.add("attachment")
        channel = human(values["channel"]).lower()
        files_text = f", {attached} file{'s' if attached != 1 else ''} attached" if attached else ""
        self.controller.notify(
            kinds, f"Recorded the interaction with {captured.vendor} ({channel}){files_text}."
        )
        self.accept()
