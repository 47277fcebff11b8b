"""Share with a vendor: a wizard that chooses the slice, what to leave out, the terms, shows
exactly what will leave, and writes the signed bundle.

1. What to share — a checkable tree of the vendor's things (with warranties, registrations,
   service and files), tickets (with their timeline), single messages, agreements and notes,
   preselected from where the wizard was opened (``vrmdesk.share.slice.choices``).
2. Leave out — the redactable fields (``terms.REDACTABLE``).
3. Terms — purpose, allowed use, marketing, retention, passing on; my name as sender.
4. Preview — every record field by field and every file, from ``Slice.preview()``.
5. Save — where, and whether to encrypt it with the vendor's encryption key; the export runs off the
   UI thread with progress and Cancel.
6. Done — the file, its SHA-256 and my key's fingerprint to read to the vendor.

Each page is a module of its own here (``what_page``, ``redact_page``, ``terms_page``,
``preview_page``, ``save_page``, ``done_page``); the pages expose their widgets and
``ShareWizard.start_export()`` so tests drive it without ``exec()``. Nothing is decided here:
selection, preview and export are the core's.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtWidgets import QMessageBox, QWidget, QWizard
from vrmshare.terms import Terms

from vrmdesk.errors import VrmError
from vrmdesk.share import choices as ch
from vrmdesk.share import export
from vrmdesk.share import slice as sl
from vrmdesk.share.in_force import with_agreement
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.progress import run_with_progress
from vrmdesk.ui.core.tasks import Task
from vrmdesk.ui.share.done_page import DonePage
from vrmdesk.ui.share.preview_page import PreviewPage
from vrmdesk.ui.share.redact_page import RedactPage
from vrmdesk.ui.share.save_page import SavePage
from vrmdesk.ui.share.terms_page import TermsPage
from vrmdesk.ui.share.what_page import WhatPage


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
        self.written: export.ExportResult | None = None
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
        """The terms chosen, with the MyTerms agreement in force with the vendor (if any)."""
        with self.controller.session() as session:
            return with_agreement(session, self.vendor_id, self.terms_page.terms())

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
        sender = self.terms_page.sender_name.text().strip()
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
        self.written = result
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
        QMessageBox.warning(parent, "Cannot share", str(exc))
        return None
    try:
        wizard.exec()
        return wizard.written
    finally:
        wizard.deleteLater()
