"""File → Export → Everything (archive)… and File → Import an archive…: the whole vault as one
age-encrypted file (docs/archive-format.md) and back, each off the UI thread with progress and
Cancel. An archive is rebuilt into an empty vault only (a new one, on a new machine, say)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from vrmdesk.errors import VrmError
from vrmdesk.interchange import archive
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.progress import run_with_progress
from vrmdesk.ui.core.tasks import Task
from vrmdesk.ui.interchange.exports import PathRow, documents, ok_cancel, radio_column
from vrmdesk.ui.share.items import ERROR_COLOR

FILTER = "vrmdesk archives (*.vrmarchive);;All files (*)"
HOW = (
    ("passphrase", "&With a passphrase (anyone with it, and age, opens the file)"),
    ("recipient", "To an age &key (age1…; its identity file opens it)"),
    ("plain", "&Not encrypted (whoever gets the file reads everything)"),
)


def _secret(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAccessibleName(name)
    return edit


def _problem_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOR}")
    return label


def _tell(parent: QWidget | None, title: str, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.finished.connect(box.deleteLater)
    box.open()


class ArchiveExportDialog(QDialog):
    """Where, and how the archive is encrypted; Export waits until the choice is complete."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export everything (archive)")
        form = QFormLayout(self)
        intro = QLabel(
            "Every record with every field, tags and links, your files, the disclosure log, "
            "replies and vendors' keys, in one file: the way to move to a new machine, or to "
            "leave vrmdesk with everything (docs/archive-format.md says what is inside)."
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        name = f"vrmdesk-{date.today():%Y-%m-%d}{archive.SUFFIX}"
        self.target = PathRow(self.windowTitle(), FILTER, documents() / name, "the archive")
        form.addRow("&Save as:", self.target)
        self.how = QButtonGroup(self)
        form.addRow("Encrypted:", radio_column(self.how, HOW, "how"))
        self.passphrase = _secret("Archive passphrase")
        self.again = _secret("Archive passphrase again")
        self.recipient = QLineEdit()
        self.recipient.setPlaceholderText("age1…")
        self.recipient.setAccessibleName("Age recipient")
        form.addRow("Pass&phrase:", self.passphrase)
        form.addRow("A&gain:", self.again)
        form.addRow("&Recipient:", self.recipient)
        self.identity = QCheckBox("&Include my signing key (only for a copy of my own)")
        form.addRow(self.identity)
        self.problem = _problem_label()
        form.addRow(self.problem)
        self.buttons, self.export_button = ok_cancel(self, form, "&Export")
        for edit in (self.target.edit, self.passphrase, self.again, self.recipient):
            edit.textChanged.connect(self._update)
        self.how.buttonToggled.connect(self._update)
        self._update()
        self.resize(600, self.sizeHint().height())

    def choice(self) -> str:
        checked = self.how.checkedButton()
        return str(checked.property("how")) if checked is not None else "passphrase"

    def path(self) -> Path:
        out = self.target.path()
        return out if out.suffix else out.with_suffix(archive.SUFFIX)

    def why_not(self) -> str:
        """What keeps Export greyed, in a sentence ("" when nothing does)."""
        if problem := self.target.problem():
            return problem
        how = self.choice()
        if how == "passphrase":
            if not self.passphrase.text():
                return "Choose a passphrase for the archive."
            if self.again.text() != self.passphrase.text():
                return "The two passphrases differ."
        if how == "recipient":
            try:
                archive.parse_recipient(self.recipient.text())
            except VrmError as exc:
                return str(exc) if self.recipient.text().strip() else "Paste the age recipient."
        return ""

    def _update(self) -> None:
        how = self.choice()
        for edit in (self.passphrase, self.again):
            edit.setEnabled(how == "passphrase")
        self.recipient.setEnabled(how == "recipient")
        why = self.why_not()
        warning = (
            "Not encrypted: whoever gets this file reads everything in the vault, your files "
            "and stored mail passwords too."
            if how == "plain" and not why
            else ""
        )
        self.problem.setText(why or warning)
        self.export_button.setEnabled(not why)


def export_archive(parent: QWidget, controller: VaultController) -> ArchiveExportDialog:
    """Ask where and how (a window-modal dialog, opened and returned); on Export, write the
    archive off the UI thread with progress and Cancel (a cancel leaves no file)."""
    dialog = ArchiveExportDialog(parent)
    title = dialog.windowTitle()  # the dialog is gone when the work ends

    def start() -> None:
        out, how = dialog.path(), dialog.choice()
        secret = dialog.passphrase.text() if how == "passphrase" else None
        recipient = archive.parse_recipient(dialog.recipient.text()) if how == "recipient" else None
        with_identity = dialog.identity.isChecked()

        def write(task: Task) -> str:
            def progress(done: int, total: int) -> None:
                task.check()
                task.progress(done, total, f"{done:,} of {total:,}")

            written = archive.export_archive(
                controller.vault,
                out,
                passphrase=secret,
                recipient=recipient,
                with_identity=with_identity,
                progress=progress,
            )
            rows = sum(written.rows.values())
            return f"Exported everything ({rows:,} rows, {written.files:,} files) to {out}."

        run_with_progress(
            parent,
            controller,
            f"Writing {out.name}…",
            write,
            controller.status.emit,
            lambda exc: _tell(parent, title, f"Nothing was exported: {explain(exc)}"),
        )

    dialog.accepted.connect(start)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


class ArchiveImportDialog(QDialog):
    """Which archive, and its passphrase or identity file, as the file asks for."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import an archive")
        form = QFormLayout(self)
        intro = QLabel(
            "Rebuilds a vault exported with Export → Everything (archive) into this vault, "
            "which is empty: every record with the same numbers, your files, tags and links."
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.source = PathRow(self.windowTitle(), FILTER, None, "the archive", opening=True)
        form.addRow("&Archive:", self.source)
        self.passphrase = _secret("Archive passphrase")
        form.addRow("Pass&phrase:", self.passphrase)
        self.identity = PathRow(
            "The archive's age identity file",
            "Age identities (*.txt *.key);;All files (*)",
            None,
            "the identity file (AGE-SECRET-KEY-1…)",
            opening=True,
        )
        form.addRow("I&dentity file:", self.identity)
        self.problem = _problem_label()
        form.addRow(self.problem)
        self.buttons, self.import_button = ok_cancel(self, form, "&Import")
        for edit in (self.source.edit, self.passphrase, self.identity.edit):
            edit.textChanged.connect(self._update)
        self._update()
        self.resize(600, self.sizeHint().height())

    def encryption(self) -> str | None:
        """How the chosen file is encrypted (None: no readable file chosen yet)."""
        text = self.source.edit.text().strip()
        if not text or not Path(text).expanduser().is_file():
            return None
        try:
            return archive.encryption_of(Path(text).expanduser())
        except VrmError:
            return None

    def why_not(self, encryption: str | None) -> str:
        if encryption is None:
            return self.source.problem() or "This is not a file vrmdesk can read."
        if encryption == "passphrase" and not self.passphrase.text():
            return "This archive is encrypted with a passphrase: type it."
        if encryption == "recipient" and self.identity.problem():
            return "This archive is encrypted to an age key: choose its identity file."
        return ""

    def _update(self) -> None:
        encryption = self.encryption()
        self.passphrase.setEnabled(encryption == "passphrase")
        self.identity.setEnabled(encryption == "recipient")
        self.identity.problem_label.setVisible(encryption == "recipient")
        why = self.why_not(encryption)
        self.problem.setText("" if why == self.source.problem() else why)
        self.import_button.setEnabled(not why)


def import_archive(parent: QWidget, controller: VaultController) -> ArchiveImportDialog | None:
    """Refuse plainly unless this vault is empty; else ask for the file (and its passphrase or
    identity), then check and import it off the UI thread, all or nothing."""
    with controller.session() as session:
        held = archive.records_in(session)
    if any(held.values()):
        _tell(
            parent,
            "Import an archive",
            "An archive is rebuilt into an empty vault, with the same record numbers, and this "
            f"one holds {sum(held.values()):,} records. Make a new vault (File → Lock, then "
            "“Open another vault…” and choose an empty folder) and import the archive there.",
        )
        return None
    dialog = ArchiveImportDialog(parent)
    title = dialog.windowTitle()  # the dialog is gone when the work ends

    def start() -> None:
        path = dialog.source.path()
        secret = dialog.passphrase.text()
        identity = dialog.identity.path() if dialog.identity.edit.text().strip() else None

        def rebuild(task: Task) -> str:
            def progress(done: int, total: int) -> None:
                task.check()
                task.progress(done, total, f"{done:,} of {total:,}")

            opened = archive.open_archive(path, passphrase=lambda: secret, identity_file=identity)
            try:
                rows = archive.import_archive(controller.vault, opened, progress=progress)
            finally:
                opened.close()
            return f"Imported {sum(rows.values()):,} rows from {path.name}."

        def done(message: Any) -> None:
            controller.notify({"*"}, str(message))

        run_with_progress(
            parent,
            controller,
            f"Importing {path.name}…",
            rebuild,
            done,
            lambda exc: _tell(parent, title, f"Nothing was imported: {explain(exc)}"),
        )

    dialog.accepted.connect(start)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
