"""Importing a vendor's signed reply: choose the file, verify off the UI thread, confirm a new
vendor key on the UI thread, import off the UI thread, and say what happened.

``import_reply_dialog(parent, controller, path=None)`` starts it and returns the
:class:`ReplyImport` driving it (None if the person cancelled the file chooser). The steps are
methods, and every question is a window-modal box opened with ``open()`` (never ``exec()``),
so tests drive them directly.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget
from vrmshare.identity import safety_number
from vrmshare.verify import VerifiedBundle, is_encrypted, load_identities, verify_bundle

from vrmdesk.errors import VrmError
from vrmdesk.share.importer import ImportResult, ReplyCheck, import_reply
from vrmdesk.share.reply_preview import preview_reply
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.progress import run_with_progress
from vrmdesk.ui.core.tasks import Task
from vrmdesk.ui.share.items import reading_lines

FILTER = "vrmdesk share bundles (*.vrmshare *.vrmshare.age);;All files (*)"
STEPS = 1000


class ReplyImport(QObject):
    """One import, step by step. ``finished`` carries the ImportResult, or the refusal."""

    finished = Signal(object)

    def __init__(
        self,
        parent: QWidget | None,
        controller: VaultController,
        path: Path,
        identities: list[Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.controller = controller
        self.path = Path(path)
        self.identities = identities
        self.verified: VerifiedBundle | None = None
        self.check: ReplyCheck | None = None
        self.key_box: QMessageBox | None = None
        self.message_box: QMessageBox | None = None
        self.last_message = ""

    # -- step 1: verify (worker) -------------------------------------------------------------
    def start(self) -> None:
        run_with_progress(
            self.parent_widget,
            self.controller,
            f"Checking {self.path.name}…",
            self.verify_job,
            self.verified_done,
            self.failed,
        )

    def verify_job(self, task: Task) -> tuple[VerifiedBundle, ReplyCheck]:
        def progress(done: int, total: int, _text: str) -> None:
            task.check()
            task.progress(done * STEPS // max(total, 1), STEPS, "Checking the files…")

        verified = verify_bundle(self.path, identities=self.identities, progress=progress)
        with self.controller.session() as session:
            check = preview_reply(session, verified)  # checking writes nothing
        return verified, check

    # -- step 2: the person confirms a new key (UI thread) ------------------------------------
    def verified_done(self, result: tuple[VerifiedBundle, ReplyCheck]) -> None:
        self.verified, self.check = result
        if self.check.already_imported:
            self.show_message(
                QMessageBox.Icon.Information,
                f"This reply from {self.check.vendor_name} was imported before; nothing changed.",
            )
            self.finished.emit(None)
            return
        if not self.check.first_contact:
            self.start_import()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Trust this vendor's key?",
            f"This is the first signed reply from {html.escape(self.check.vendor_name)}.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self.parent_widget,
        )
        groups = self.check.fingerprint.split(" ")
        lines = "<br>".join(" ".join(groups[i : i + 6]) for i in range(0, len(groups), 6))
        number = reading_lines(safety_number(self.check.thumbprint), sep="<br>")
        box.setTextFormat(Qt.TextFormat.RichText)  # the vendor's name is escaped
        box.setInformativeText(  # digits and base64url only below
            "<p>Its signing key's safety number is:</p>"
            f"<p style='font-family: monospace; font-size: large'>{number}</p>"
            f"<p>and its fingerprint:</p><p style='font-family: monospace'>{lines}</p>"
            "<p>Compare them with what the vendor gave you (by phone, on its website). "
            "If you trust it, replies from this vendor must be signed with this key from now "
            "on.</p>"
        )
        box.button(QMessageBox.StandardButton.Yes).setText("&Trust the key and import")
        box.button(QMessageBox.StandardButton.No).setText("Cancel")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.finished.connect(self.key_answered)
        self.key_box = box
        box.open()

    def key_answered(self, answer: int) -> None:
        assert self.check is not None
        if answer != QMessageBox.StandardButton.Yes:
            self.show_message(
                QMessageBox.Icon.Information,
                f"Nothing imported: the key of {self.check.vendor_name} was not accepted.",
            )
            self.finished.emit(None)
            return
        self.start_import()

    # -- step 3: import (worker) ------------------------------------------------------------
    def start_import(self) -> None:
        run_with_progress(
            self.parent_widget,
            self.controller,
            f"Importing the reply from {self.check.vendor_name if self.check else ''}…",
            self.import_job,
            self.imported,
            self.failed,
        )

    def import_job(self, task: Task) -> ImportResult:
        assert self.verified is not None and self.check is not None
        accepted = self.check.fingerprint
        with self.controller.session() as session:
            # the key confirmed on the UI thread, and only that one
            return import_reply(
                session,
                self.verified,
                confirm_key=lambda _name, fingerprint: fingerprint == accepted,
            )

    def imported(self, result: ImportResult) -> None:
        self.controller.notify({"interaction", "ticket", "vendor"}, result.message())
        self.show_message(QMessageBox.Icon.Information, result.message())
        self.finished.emit(result)

    # -- refusals ---------------------------------------------------------------------------
    def failed(self, exc: BaseException) -> None:
        text = f"Nothing was imported.\n\n{explain(exc)}"
        self.show_message(QMessageBox.Icon.Warning, text)
        self.finished.emit(exc)

    def show_message(self, icon: QMessageBox.Icon, text: str) -> None:
        self.last_message = text
        box = QMessageBox(
            icon, "Import a reply", text, QMessageBox.StandardButton.Ok, self.parent_widget
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # names and reasons come from the bundle
        self.message_box = box
        box.open()


def import_reply_dialog(
    parent: QWidget | None,
    controller: VaultController,
    path: Path | str | None = None,
    identities: list[Any] | None = None,
) -> ReplyImport | None:
    """Choose a reply (unless ``path`` is given) and import it, asking what must be asked."""
    if path is None:
        chosen, _ = QFileDialog.getOpenFileName(parent, "Import a vendor's reply", "", FILTER)
        if not chosen:
            return None
        path = chosen
    path = Path(path)
    if identities is None and is_encrypted(path):
        key_file, _ = QFileDialog.getOpenFileName(
            parent,
            "The reply is encrypted: choose your age identity file",
            "",
            "age identity (*.txt *.key);;All files (*)",
        )
        if not key_file:
            return None
        try:
            identities = load_identities(Path(key_file))
        except VrmError as exc:
            QMessageBox.warning(parent, "Import a reply", str(exc))
            return None
    flow = ReplyImport(parent, controller, path, identities)
    flow.start()
    return flow
