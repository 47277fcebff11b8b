"""File → Export: a spreadsheet (CSV) of one kind of record, the address book (vCard), the
deadlines (.ics). A small dialog asks what and where; the file is written off the UI thread
(atomically, by the core), and the status bar says when it is done."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.interchange import calendar, csv_export, vcard
from vrmdesk.store.services.dashboard import Lead
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.progress import run_with_progress
from vrmdesk.ui.core.tasks import Task
from vrmdesk.ui.share.items import ERROR_COLOR
from vrmdesk.ui.widgets.elided_label import ElidedLabel
from vrmdesk.ui.widgets.icons import icon

CSV_KINDS: dict[str, str] = {
    "assets": "Things",
    "vendors": "Vendors",
    "warranties": "Warranties",
    "service_events": "Service events",
    "tickets": "Tickets",
    "interactions": "Interactions (the timeline)",
    "contacts": "Contacts",
    "channels": "Channels (e-mail, phone, portals)",
    "accounts": "Accounts",
    "registrations": "Registrations",
    "offers": "Offers",
    "agreements": "Agreements",
}
DETAILS: tuple[tuple[str, str], ...] = (
    ("titles", "&Titles only (what each deadline is about)"),
    ("full", "With &vendor names and notes"),
)


@dataclass(frozen=True)
class Format:
    key: str
    title: str
    suffix: str
    filter: str


FORMATS = {
    "csv": Format("csv", "Export a spreadsheet (CSV)", ".csv", "Spreadsheets (*.csv)"),
    "vcard": Format("vcard", "Export the address book (vCard)", ".vcf", "Address books (*.vcf)"),
    "calendar": Format("calendar", "Export the deadlines (.ics)", ".ics", "Calendars (*.ics)"),
}


def documents() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(folder) if folder and Path(folder).is_dir() else Path.home()


def path_problem(text: str, what: str) -> str:
    """Why ``text`` cannot be written (""), as the dialogs show it under the name."""
    if not text.strip():
        return f"Choose where to save {what}."
    path = Path(text.strip()).expanduser()
    if text.strip().endswith(("/", os.sep)) or path.is_dir():
        return f"{text.strip()} is a folder: add a file name."
    if not path.parent.is_dir():
        return f"The folder {path.parent} does not exist."
    return ""


def open_problem(text: str, what: str) -> str:
    """Why ``text`` names no file to read (""), as the dialogs show it under the name."""
    if not text.strip():
        return f"Choose {what}."
    if not Path(text.strip()).expanduser().is_file():
        return f"There is no file {text.strip()}."
    return ""


def ok_cancel(
    dialog: QDialog, form: QFormLayout, text: str
) -> tuple[QDialogButtonBox, QPushButton]:
    """OK (named ``text``) and Cancel at the foot of ``form``, for ``dialog``."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
    return buttons, ok


def radio_column(
    group: QButtonGroup, choices: tuple[tuple[str, str], ...], name: str
) -> QVBoxLayout:
    """One radio button per (key, label) of ``choices``, in ``group``, the first checked; each
    button's property ``name`` is its key."""
    box = QVBoxLayout()
    for index, (key, label) in enumerate(choices):
        button = QRadioButton(label)
        button.setProperty(name, key)
        button.setChecked(index == 0)
        group.addButton(button)
        box.addWidget(button)
    return box


class PathRow(QWidget):
    """A file name to write (or with ``opening``, to read), with Browse…, and one line under it
    saying what is wrong."""

    def __init__(
        self, title: str, filter_: str, default: Path | None, what: str, *, opening: bool = False
    ) -> None:
        super().__init__()
        self.title, self.filter_, self.what, self.opening = title, filter_, what, opening
        self.edit = QLineEdit("" if default is None else str(default))
        self.edit.setAccessibleName(title if opening else "Save as")
        browse = QPushButton(icon("folder"), "&Browse…")
        browse.clicked.connect(self.browse)
        self.problem_label = ElidedLabel()  # its room is kept: nothing moves as a name is typed
        self.problem_label.setStyleSheet(f"color: {ERROR_COLOR}")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.problem_label)
        self.edit.textChanged.connect(self._update)
        self._update()

    def browse(self) -> None:
        ask = QFileDialog.getOpenFileName if self.opening else QFileDialog.getSaveFileName
        start = self.edit.text() or str(documents())
        path, _ = ask(self, self.title, start, self.filter_)
        if path:
            self.edit.setText(path)

    def problem(self) -> str:
        if self.opening:
            return open_problem(self.edit.text(), self.what)
        return path_problem(self.edit.text(), self.what)

    def path(self) -> Path:
        return Path(self.edit.text().strip()).expanduser()

    def _update(self) -> None:
        self.problem_label.setText(self.problem())


class ExportDialog(QDialog):
    """What to export and where. ``kind()`` (CSV), ``detail()`` (calendar), ``path()``."""

    def __init__(self, fmt: Format, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fmt = fmt
        self.setWindowTitle(fmt.title)
        form = QFormLayout(self)
        self.kinds = QComboBox()
        self.kinds.setAccessibleName("What to export")
        for key, label in CSV_KINDS.items():
            self.kinds.addItem(label, key)
        self.detail_buttons = QButtonGroup(self)
        if fmt.key == "csv":
            form.addRow("&Records:", self.kinds)
            self.kinds.currentIndexChanged.connect(self._rename)
        if fmt.key == "calendar":
            form.addRow("In each event:", radio_column(self.detail_buttons, DETAILS, "detail"))
        self.target = PathRow(fmt.title, fmt.filter, documents() / self._name(), "the file")
        form.addRow("&Save as:", self.target)
        self.buttons, self.export_button = ok_cancel(self, form, "&Export")
        self.target.edit.textChanged.connect(self._update)
        self._update()
        self.resize(560, self.sizeHint().height())

    def _name(self) -> str:
        kind = {"assets": "things"}.get(self.kind(), self.kind())
        stem = {"csv": kind, "vcard": "vendors", "calendar": "deadlines"}[self.fmt.key]
        return f"vrmdesk-{stem.replace('_', '-')}-{date.today():%Y-%m-%d}{self.fmt.suffix}"

    def _rename(self) -> None:
        """A new kind: the default name follows, unless the person typed their own."""
        current = self.target.path()
        if current.name.startswith("vrmdesk-"):
            self.target.edit.setText(str(current.with_name(self._name())))

    def _update(self) -> None:
        self.export_button.setEnabled(not self.target.problem())

    def kind(self) -> str:
        return str(self.kinds.currentData())

    def detail(self) -> calendar.Detail:
        checked = self.detail_buttons.checkedButton()
        return "full" if checked is not None and checked.property("detail") == "full" else "titles"

    def path(self) -> Path:
        out = self.target.path()
        return out if out.suffix else out.with_suffix(self.fmt.suffix)


def export_job(
    controller: VaultController, dialog: ExportDialog, lead: Lead
) -> tuple[str, Callable[[Task], Any]]:
    """The label and the work of what ``dialog`` asks for."""
    out, fmt, vault_id = dialog.path(), dialog.fmt.key, controller.vault.header.vault_id
    if fmt == "csv":
        kind = dialog.kind()

        def write_csv(task: Task) -> str:
            def progress(done: int, total: int, text: str) -> None:
                task.check()
                task.progress(done, total, text)

            with controller.session() as session:
                count = csv_export.export_csv(session, kind, out, progress=progress)
            noun = CSV_KINDS[kind].split(" (")[0].lower()
            return f"Exported {count:,} {noun} to {out}."

        return f"Writing {out.name}…", write_csv
    if fmt == "vcard":

        def write_cards(task: Task) -> str:
            with controller.session() as session:
                count = vcard.export_vcards(session, vault_id, out)
            return f"Exported {count:,} cards to {out}."

        return f"Writing {out.name}…", write_cards
    detail = dialog.detail()

    def write_ics(task: Task) -> str:
        with controller.session() as session:
            count = calendar.write_calendar(session, vault_id, out, lead, detail=detail)
        return f"Exported {count:,} deadlines to {out}."

    return f"Writing {out.name}…", write_ics


def export(parent: QWidget, controller: VaultController, fmt: str, lead: Lead) -> ExportDialog:
    """Ask (a window-modal dialog, opened and returned); on Export, write the file off the UI
    thread with progress and Cancel. Done: the status bar says so; failed: a plain message."""
    dialog = ExportDialog(FORMATS[fmt], parent)

    title = dialog.fmt.title

    def failed(exc: BaseException) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            title,
            f"Nothing was exported: {explain(exc)}",
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.finished.connect(box.deleteLater)
        box.open()

    def start() -> None:
        label, work = export_job(controller, dialog, lead)
        run_with_progress(parent, controller, label, work, controller.status.emit, failed)

    dialog.accepted.connect(start)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
