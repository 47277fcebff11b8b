"""The share wizard's fifth page: where to save the bundle, and whether to encrypt it."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWizard,
    QWizardPage,
)

from vrmdesk.errors import VrmError
from vrmdesk.share import export
from vrmdesk.store.services import rules
from vrmdesk.ui.share.items import ERROR_COLOR
from vrmdesk.ui.share.wizard_state import WizardState
from vrmdesk.ui.widgets.elided_label import ElidedLabel
from vrmdesk.ui.widgets.icons import icon


class SavePage(QWizardPage):
    def __init__(self, wizard: WizardState) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Save the bundle")
        self.setSubTitle(
            "The bundle is signed with my key. Encrypted, only the vendor can open it (with "
            "their encryption key); otherwise anyone who gets the file can read it."
        )
        self.setButtonText(QWizard.WizardButton.NextButton, "&Export")
        self.path = QLineEdit(str(wizard.default_path()))
        self.path.setAccessibleName("Save as")
        self.path.textChanged.connect(self._update)
        browse = QPushButton(icon("folder"), "&Browse…")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        recipient = wizard.found.age_recipient
        self.encrypt = QCheckBox("&Encrypt it with the vendor's encryption key")
        self.encrypt.setChecked(bool(recipient))
        self.recipient = QLineEdit(recipient)
        self.recipient.setPlaceholderText("age1…")
        self.recipient.setAccessibleName("The vendor's encryption key")
        self.recipient_hint = QLabel(
            "From the vendor's record; a key entered here is used for this export only."
            if recipient
            else "No encryption key on the vendor's record: ask the vendor for their age public "
            "key (it starts with age1…) or export unencrypted."
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
        form.addRow("Encryption &key:", self.recipient)
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
        if recipient is not None and not rules.is_age_recipient(recipient):
            return rules.AGE_RECIPIENT_FORM
        return ""

    def isComplete(self) -> bool:
        return not self.wizard_.busy and not self.problem()

    def validatePage(self) -> bool:
        if self.wizard_.written is not None:
            return True
        self.wizard_.start_export()
        return False
