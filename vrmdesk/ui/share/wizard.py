"""Share with a vendor: a wizard that chooses the slice, what to leave out, the terms, shows
exactly what will leave, and writes the signed bundle.

1. What to share — a checkable tree of the vendor's things (with warranties, registrations,
   service and files), tickets (with their timeline), single messages, agreements and notes,
   preselected from where the wizard was opened (``vrmdesk.share.slice.choices``).
2. Leave out — the redactable fields (``terms.REDACTABLE``).
3. Terms — purpose, allowed use, marketing, retention, passing on; my name as sender.
4. Preview — every record field by field and every file, from ``Slice.preview()``.
5. Save — where, and whether to encrypt to the vendor's age recipient; the export runs off the
   UI thread with progress and Cancel.
6. Done — the file, its SHA-256 and my key's fingerprint to read to the vendor.

The pages expose their widgets and ``ShareWizard.start_export()`` so tests drive it without
``exec()``. Nothing is decided here: selection, preview and export are the core's.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTreeView,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from vrmdesk.errors import VrmError
from vrmdesk.share import choices as ch
from vrmdesk.share import export, terms
from vrmdesk.share import slice as sl
from vrmdesk.share.terms import (
    ALLOWED_USES,
    DEFAULT_RETENTION_DAYS,
    MAX_RETENTION_DAYS,
    PURPOSES,
    Terms,
)
from vrmdesk.ui.app.controller import VaultController
from vrmdesk.ui.app.errors import explain
from vrmdesk.ui.app.progress import run_with_progress
from vrmdesk.ui.app.tasks import Task
from vrmdesk.ui.widgets.elided_label import ElidedLabel
from vrmdesk.ui.widgets.icons import icon

KEY_ROLE = Qt.ItemDataRole.UserRole + 1


def _key_text(kind: str, record_id: int) -> str:
    return f"{kind}:{record_id}"


def _bold(item: QStandardItem) -> QStandardItem:
    font = QFont(item.font())
    font.setBold(True)
    item.setFont(font)
    return item


def _readonly(text: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    return item


class WhatPage(QWizardPage):
    """A checkable tree; a checked entry goes with its checked sub-entries."""

    def __init__(self, found: ch.Choices, checked: set[tuple[str, int]]) -> None:
        super().__init__()
        self.found = found
        self.setTitle(f"What to share with {found.vendor_name}")
        self.setSubTitle(
            "The vendor's record (name, website, my account numbers and its contacts) "
            "always goes. Tick what else to share; a file or a message can be left "
            "out on its own. My notes go only when ticked."
        )
        self.model = QStandardItemModel(0, 2, self)
        self.model.setHorizontalHeaderLabels(["Record", "Details"])
        self.items: dict[tuple[str, int], QStandardItem] = {}
        self.parents: dict[tuple[str, int], tuple[str, int] | None] = {}
        for group, entries in found.groups:
            if not entries:
                continue
            head = _bold(_readonly(f"{group} ({len(entries)})"))
            self.model.appendRow([head, _readonly("")])
            for entry in entries:
                row = self._item(entry, None, checked)
                head.appendRow(row)
                for child in entry.children:
                    row[0].appendRow(self._item(child, entry, checked))
                    self.items[child.key].setEnabled(entry.key in checked)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName("What to share")
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        for r in range(self.model.rowCount()):  # the groups, and what is ticked in them
            group = self.model.index(r, 0)
            self.tree.expand(group)
            for e in range(self.model.rowCount(group)):
                entry = self.model.itemFromIndex(self.model.index(e, 0, group))
                if entry.checkState() == Qt.CheckState.Checked and entry.hasChildren():
                    self.tree.expand(entry.index())
        self.empty = QLabel(
            "There is nothing recorded with this vendor yet besides its own record."
        )
        self.empty.setVisible(not self.items)
        self.model.itemChanged.connect(self._changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(self.empty)

    def _item(
        self, choice: ch.Choice, parent: ch.Choice | None, checked: set[tuple[str, int]]
    ) -> list[QStandardItem]:
        item = _readonly(choice.label)
        item.setCheckable(True)
        item.setCheckState(
            Qt.CheckState.Checked if choice.key in checked else Qt.CheckState.Unchecked
        )
        item.setData(_key_text(*choice.key), KEY_ROLE)
        self.items[choice.key] = item
        self.parents[choice.key] = parent.key if parent else None
        detail = _readonly(choice.detail)
        detail.setToolTip(choice.detail)
        return [item, detail]

    def _changed(self, item: QStandardItem) -> None:
        key = next((k for k, v in self.items.items() if v is item), None)
        if key is None or self.parents.get(key) is not None:
            self.completeChanged.emit()
            return
        on = item.checkState() == Qt.CheckState.Checked
        entry = self.found.find(*key)
        self.model.blockSignals(True)
        try:
            for child in entry.children if entry else []:
                child_item = self.items[child.key]
                child_item.setEnabled(on)
                if child.follows_parent:
                    child_item.setCheckState(
                        Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
                    )
        finally:
            self.model.blockSignals(False)
        self.tree.viewport().update()
        self.completeChanged.emit()

    def checked(self) -> set[tuple[str, int]]:
        return {k for k, item in self.items.items() if item.checkState() == Qt.CheckState.Checked}

    def set_checked(self, kind: str, record_id: int, on: bool) -> None:
        self.items[(kind, record_id)].setCheckState(
            Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        )


class RedactPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Leave out")
        self.setSubTitle(
            "Ticked fields are left out of every record: they are not in the bundle "
            "at all. Files go as they are; leave a file out on the first page."
        )
        self.boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        for row, (name, description) in enumerate(terms.REDACTABLE.items()):
            box = QCheckBox(description)
            box.setAccessibleName(f"Leave out {name}")
            box.setToolTip(f"Field name in the bundle's list of redactions: {name}")
            self.boxes[name] = box
            grid.addWidget(box, row, 0)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addStretch(1)

    def redact(self) -> frozenset[str]:
        return frozenset(name for name, box in self.boxes.items() if box.isChecked())


class TermsPage(QWizardPage):
    def __init__(self, purpose: str, sender_name: str) -> None:
        super().__init__()
        self.setTitle("Terms")
        self.setSubTitle(
            "What the vendor may do with what I share. The terms stand at the top "
            "of the bundle's page and in its signed manifest."
        )
        self.purpose = QComboBox()
        for value, label in PURPOSES.items():
            self.purpose.addItem(label, value)
        self.purpose.setCurrentIndex(list(PURPOSES).index(purpose))
        self.note = QLineEdit()
        self.note.setPlaceholderText("For example: error E24, repair under warranty")
        self.uses = QButtonGroup(self)
        uses_box = QVBoxLayout()
        self.use_buttons: dict[str, QRadioButton] = {}
        for value, label in ALLOWED_USES.items():
            button = QRadioButton(label)
            self.uses.addButton(button)
            self.use_buttons[value] = button
            uses_box.addWidget(button)
        self.use_buttons["this_request_only"].setChecked(True)
        self.marketing = QCheckBox("Allow &marketing use (offers, newsletters, advertising)")
        self.retention = QSpinBox()
        self.retention.setRange(0, MAX_RETENTION_DAYS)
        self.retention.setValue(DEFAULT_RETENTION_DAYS)
        self.retention.setSuffix(" days")
        self.retention.setSpecialValueText("until the request is handled")
        self.third_parties = QCheckBox(
            "May be passed to &third parties where this request needs it"
        )
        self.sender = QLineEdit(sender_name)
        self.sender.setAccessibleName("My name")
        form = QFormLayout(self)
        form.addRow("&Purpose:", self.purpose)
        form.addRow("&About:", self.note)
        form.addRow("Allowed use:", uses_box)
        form.addRow("Marketing:", self.marketing)
        form.addRow("&Keep it for at most:", self.retention)
        form.addRow("Passing on:", self.third_parties)
        form.addRow("&My name as sender:", self.sender)
        self.sender.textChanged.connect(self.completeChanged)

    def terms(self) -> Terms:
        use = next(v for v, b in self.use_buttons.items() if b.isChecked())
        return Terms(
            purpose=self.purpose.currentData(),
            purpose_note=self.note.text().strip(),
            allowed_use=use,
            marketing=self.marketing.isChecked(),
            retention_days=self.retention.value(),
            third_parties=self.third_parties.isChecked(),
        )

    def isComplete(self) -> bool:
        return bool(self.sender.text().strip())


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ShareWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Exactly what will leave")
        self.setSubTitle(
            "Every field of every record and every file that goes into the bundle. "
            "Go back to change it."
        )
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.model = QStandardItemModel(0, 2, self)
        self.model.setHorizontalHeaderLabels(["Field", "Value"])
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName("Preview")
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setWordWrap(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.header().resizeSection(0, 260)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c0392b")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.error)
        self.preview: sl.Preview | None = None

    def initializePage(self) -> None:
        self.error.setText("")
        self.model.removeRows(0, self.model.rowCount())
        try:
            self.preview = self.wizard_.make_preview()
        except VrmError as exc:
            self.preview = None
            self.summary.setText("")
            self.error.setText(f"The preview cannot be made: {exc}")
            self.completeChanged.emit()
            return
        p = self.preview
        from vrmdesk.store.attachments import format_size

        files = f"{len(p.files)} file{'s' if len(p.files) != 1 else ''}"
        if p.files:
            files += f" ({format_size(p.total_size)})"
        left_out = f" Left out: {', '.join(p.redacted)}." if p.redacted else ""
        self.summary.setText(
            f"<b>{len(p.records)} record{'s' if len(p.records) != 1 else ''} and {files}</b> "
            f"will go to {self.wizard_.found.vendor_name}.{left_out}"
        )
        terms = _bold(_readonly("Terms"))
        for label, value in self.wizard_.terms().describe():
            terms.appendRow([_readonly(label), _readonly(value)])
        self.model.appendRow([terms, _readonly("")])
        head = _bold(_readonly(f"Records ({len(p.records)})"))
        self.model.appendRow([head, _readonly("")])
        for label, fields in p.records:
            record = _readonly(label)
            for key, value in fields:
                shown = _readonly(value.replace("\n", " ⏎ "))
                shown.setToolTip(value)
                record.appendRow([_readonly(key), shown])
            head.appendRow([record, _readonly(f"{len(fields)} fields")])
        files_head = _bold(_readonly(f"Files ({len(p.files)})"))
        self.model.appendRow([files_head, _readonly("")])
        for f in p.files:
            files_head.appendRow(
                [_readonly(f.name), _readonly(f"{f.size_text}, {f.media_type} — with {f.about}")]
            )
        self.tree.expandAll()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.preview is not None


ERROR_COLOR = "#c0392b"


class SavePage(QWizardPage):
    def __init__(self, wizard: ShareWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Save the bundle")
        self.setSubTitle(
            "The bundle is signed with my key. Encrypted, only the vendor's age key "
            "opens it; otherwise anyone who gets the file can read it."
        )
        self.setButtonText(QWizard.WizardButton.NextButton, "&Export")
        self.path = QLineEdit(str(wizard.default_path()))
        self.path.setAccessibleName("Save as")
        self.path.textChanged.connect(self._update)
        browse = QPushButton(icon("open"), "&Browse…")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        recipient = wizard.found.age_recipient
        self.encrypt = QCheckBox("&Encrypt to the vendor's age key")
        self.encrypt.setChecked(bool(recipient))
        self.recipient = QLineEdit(recipient)
        self.recipient.setPlaceholderText("age1…")
        self.recipient.setAccessibleName("Age recipient")
        self.recipient_hint = QLabel(
            "From the vendor's record; a key entered here is used for this export only."
            if recipient
            else "No age key on the vendor's record: ask the vendor for one "
            "(age1…) or export unencrypted."
        )
        self.recipient_hint.setWordWrap(True)
        self.encrypt.toggled.connect(self._update)
        self.recipient.textChanged.connect(self._update)
        # under the name, one line kept whether shown or not (so nothing below moves as the name
        # is typed): the file that will be written, or what is wrong with the name
        self.final_name = ElidedLabel()
        self.error = QLabel()  # why an export failed
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOR}")
        form = QFormLayout(self)
        save_label = QLabel("&Save as:")
        save_label.setBuddy(self.path)
        form.addRow(save_label, row)
        form.addRow("", self.final_name)
        form.addRow("", self.encrypt)
        form.addRow("Age &key:", self.recipient)
        form.addRow("", self.recipient_hint)
        form.addRow("", self.error)
        self._update()

    def encrypt_to(self) -> str | None:
        return self.recipient.text().strip() if self.encrypt.isChecked() else None

    def out_path(self) -> Path:
        """Where the bundle goes; a :class:`VrmError` when the text names no file (``/``)."""
        return export.bundle_path(Path(self.path.text().strip()), self.encrypt_to())

    def browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the bundle", self.path.text(), "Share bundles (*.vrmshare *.vrmshare.age)"
        )
        if path:
            self.path.setText(path)

    def _update(self) -> None:
        """The final name and the problem, if any, in lines whose room is kept (no jumping)."""
        self.recipient.setEnabled(self.encrypt.isChecked())
        problem = self.problem()
        self.final_name.setText(problem or f"Will be written as {self.out_path()}")
        self.final_name.setStyleSheet(f"color: {ERROR_COLOR}" if problem else "")
        self.completeChanged.emit()

    def problem(self) -> str:
        text = self.path.text().strip()
        if not text:
            return "Choose where to save the bundle."
        if text.endswith(("/", os.sep)) or Path(text).expanduser().is_dir():
            return f"{text} is a folder: add a file name."
        try:
            out = self.out_path()
        except VrmError as exc:
            return str(exc)
        if out.is_dir():
            return f"{out} is a folder: add a file name."
        if not out.parent.is_dir():
            return f"The folder {out.parent} does not exist."
        recipient = self.encrypt_to()
        if recipient is not None and not recipient.startswith("age1"):
            return "An age key starts with age1…"
        return ""

    def isComplete(self) -> bool:
        return not self.wizard_.busy and not self.problem()

    def validatePage(self) -> bool:
        if self.wizard_.result is not None:
            return True
        self.wizard_.start_export()
        return False


class DonePage(QWizardPage):
    def __init__(self, wizard: ShareWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("The bundle is ready")
        self.setSubTitle(
            "Send the file to the vendor. To let them check it came from me, read "
            "them my key's fingerprint over the phone or send it another way."
        )
        self.labels: dict[str, QLabel] = {}
        form = QFormLayout(self)
        for key, title in (
            ("path", "File:"),
            ("encrypted", "Encrypted to:"),
            ("sha256", "SHA-256:"),
            ("bundle_id", "Bundle id:"),
            ("fingerprint", "My key's fingerprint:"),
            ("counts", "Contents:"),
        ):
            label = QLabel()
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAccessibleName(title.rstrip(":"))
            self.labels[key] = label
            form.addRow(title, label)
        self.labels["fingerprint"].setFont(QFont("monospace"))
        self.labels["sha256"].setFont(QFont("monospace"))

    def initializePage(self) -> None:
        r = self.wizard_.result
        if r is None:
            return
        self.labels["path"].setText(str(r.path))
        self.labels["encrypted"].setText(r.encrypted_to or "not encrypted")
        self.labels["sha256"].setText(r.sha256)
        self.labels["bundle_id"].setText(r.bundle_id)
        self.labels["fingerprint"].setText(r.fingerprint)
        self.labels["counts"].setText(
            f"{r.records} record{'s' if r.records != 1 else ''}, {r.files} "
            f"file{'s' if r.files != 1 else ''}; logged under “What I have told this vendor”."
        )


class ShareWizard(QWizard):
    """``exported(result)`` when the bundle is written; ``failed(message)`` when not."""

    exported = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        controller: VaultController,
        vendor_id: int,
        parent: QWidget | None = None,
        *,
        asset_id: int | None = None,
        ticket_id: int | None = None,
        interaction_ids: list[int] | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.vendor_id = vendor_id
        self.result: export.ExportResult | None = None
        self.busy = False
        with controller.session() as session:
            self.found = ch.choices(
                session, vendor_id, asset_ids=[asset_id] if asset_id is not None else []
            )
            checked = ch.default_checks(
                self.found,
                asset_id=asset_id,
                ticket_id=ticket_id,
                interaction_ids=interaction_ids or [],
                session=session,
            )
            sender = export.sender_name(session)
        purpose = (
            "support_case"
            if ticket_id is not None or interaction_ids
            else ("warranty_claim" if asset_id is not None else "other")
        )
        self.setWindowTitle(f"Share with {self.found.vendor_name}")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.what = WhatPage(self.found, checked)
        self.redaction = RedactPage()
        self.terms_page = TermsPage(purpose, sender)
        self.preview_page = PreviewPage(self)
        self.save_page = SavePage(self)
        self.done_page = DonePage(self)
        for page in (
            self.what,
            self.redaction,
            self.terms_page,
            self.preview_page,
            self.save_page,
            self.done_page,
        ):
            self.addPage(page)
        self.resize(760, 600)
        controller.locked.connect(self.reject)  # nothing of the vault stays on screen

    # -- what the pages add up to ---------------------------------------------------------------
    def selection(self) -> sl.Selection:
        return ch.selection_from_checks(
            self.found, self.what.checked(), redact=self.redaction.redact()
        )

    def terms(self) -> Terms:
        return self.terms_page.terms()

    def make_preview(self) -> sl.Preview:
        with self.controller.session() as session:
            return sl.collect(session, self.controller.vault, self.selection()).preview()

    def default_path(self) -> Path:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        base = Path(folder) if folder and Path(folder).is_dir() else Path.home()
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.found.vendor_name).strip("-").lower() or "vendor"
        return base / f"{slug}-{date.today():%Y-%m-%d}.vrmshare"

    # -- exporting ------------------------------------------------------------------------------
    def start_export(self) -> None:
        """Write the bundle off the UI thread; ``exported`` or ``failed`` follows."""
        if self.busy:
            return
        selection, terms = self.selection(), self.terms()
        out, encrypt_to = self.save_page.out_path(), self.save_page.encrypt_to()
        sender = self.terms_page.sender.text().strip()
        vault = self.controller.vault
        self.save_page.error.setText("")
        try:
            with self.controller.session() as session:
                if sender != export.sender_name(session):
                    export.set_sender_name(session, sender)
        except VrmError as exc:
            self._failed(exc)
            return

        shown = self.preview_page.preview  # what the person approved

        def work(task: Task) -> export.ExportResult:
            state = {"done": 0, "total": 0}

            def progress(done: int, total: int, text: str) -> None:
                task.check()
                if done >= 0:
                    state["done"], state["total"] = done // 1024, max(total // 1024, 1)
                task.progress(state["done"], state["total"], text)

            return export.export_bundle(
                vault,
                selection,
                terms,
                out,
                sender=sender,
                encrypt_to=encrypt_to,
                progress=progress,
                shown=shown,
            )

        def finish(result: export.ExportResult) -> None:
            dialog.deleteLater()  # reset() alone leaves a shown dialog (autoClose is off)
            self._done(result)

        def fail(exc: BaseException) -> None:
            dialog.deleteLater()
            self._failed(exc)

        self._set_busy(True)
        dialog = run_with_progress(
            self, self.controller, f"Writing {out.name}…", work, finish, fail
        )
        dialog.canceled.connect(self._cancelled)
        self.progress_dialog = dialog

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.button(QWizard.WizardButton.BackButton).setEnabled(not busy)
        self.save_page.completeChanged.emit()

    def _done(self, result: export.ExportResult) -> None:
        self.result = result
        self._set_busy(False)
        self.controller.notify(
            {"disclosure"}, f"Exported {result.path.name} for {self.found.vendor_name}."
        )
        self.next()
        self.exported.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        message = explain(exc)
        self.save_page.error.setText(f"Nothing was exported: {message}")
        self.failed.emit(message)

    def _cancelled(self) -> None:
        if not self.busy:  # the export had finished (or failed) already
            return
        self._set_busy(False)
        self.save_page.error.setText("Cancelled; nothing was exported.")
        self.failed.emit("cancelled")


def share_with_vendor(
    parent: QWidget | None, controller: VaultController, vendor_id: int, **preselect: Any
) -> export.ExportResult | None:
    """Show the wizard (modal); the export's result, or None when nothing was exported."""
    try:
        wizard = ShareWizard(controller, vendor_id, parent, **preselect)
    except VrmError as exc:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(parent, "Cannot share", str(exc))
        return None
    try:
        wizard.exec()
        return wizard.result
    finally:
        wizard.deleteLater()
