"""The share wizard's last page: the file written, its SHA-256 and my key's fingerprint."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFormLayout, QLabel, QWizardPage
from vrmshare.identity import safety_number

from vrmdesk.ui.share.items import reading_lines
from vrmdesk.ui.share.wizard_state import WizardState


class DonePage(QWizardPage):
    def __init__(self, wizard: WizardState) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("The bundle is ready")
        self.setSubTitle(
            "Send the file to the vendor. To let them check it came from me, read "
            "them my key's safety number over the phone, or send its fingerprint another way."
        )
        self.labels: dict[str, QLabel] = {}
        form = QFormLayout(self)
        for key, title in (
            ("path", "File:"),
            ("encrypted", "Encrypted to:"),
            ("sha256", "SHA-256:"),
            ("bundle_id", "Bundle id:"),
            ("safety_number", "My key's safety number:"),
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
        self.labels["safety_number"].setFont(QFont("monospace"))

    def initializePage(self) -> None:
        r = self.wizard_.written
        if r is None:
            return
        self.labels["path"].setText(str(r.path))
        self.labels["encrypted"].setText(
            f"the vendor's encryption key {r.encrypted_to}" if r.encrypted_to else "not encrypted"
        )
        self.labels["sha256"].setText(r.sha256)
        self.labels["bundle_id"].setText(r.bundle_id)
        self.labels["fingerprint"].setText(r.fingerprint)
        number = safety_number(r.fingerprint.replace(" ", ""))  # the thumbprint, grouped
        self.labels["safety_number"].setText(reading_lines(number, per_line=6))
        self.labels["counts"].setText(
            f"{r.records} record{'s' if r.records != 1 else ''}, {r.files} "
            f"file{'s' if r.files != 1 else ''}; logged under “What I have told this vendor”."
        )
