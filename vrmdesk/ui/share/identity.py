"""My signing key: its fingerprint to read to a vendor, and the public key to give them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from vrmshare.fileutil import atomic_write_bytes
from vrmshare.identity import public_jwk_text

from vrmdesk.share.identity import ensure_identity
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.share.items import reading_lines


class IdentityDialog(QDialog):
    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("My signing key")
        with controller.session() as session:
            identity = ensure_identity(session)
        self.fingerprint = identity.fingerprint
        self.safety_number = identity.safety_number
        self.jwk_text = public_jwk_text(identity)
        intro = QLabel(
            "Every bundle you share is signed with this key. A vendor can check that a bundle "
            "is yours by comparing its safety number, read to them over the phone, or its "
            "fingerprint, sent another way, with the one their tools show."
        )
        intro.setWordWrap(True)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.number = QLabel(reading_lines(self.safety_number, per_line=6))
        self.number.setFont(font)
        self.number.setAccessibleName("Safety number")
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label = QLabel(self.fingerprint)
        self.label.setFont(font)
        self.label.setAccessibleName("Fingerprint")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        keys = QVBoxLayout()
        for caption, value in (
            ("Safety number, to read aloud:", self.number),
            ("Fingerprint, to send in writing:", self.label),
        ):
            keys.addWidget(QLabel(caption))
            keys.addWidget(value)
        copy = QPushButton("&Copy fingerprint")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.fingerprint))
        save = QPushButton("&Save public key (JWK)…")
        save.clicked.connect(lambda: self.save_public_key())
        self.saved = QLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(save, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(keys)
        for widget in (self.saved, buttons):
            layout.addWidget(widget)
        controller.locked.connect(self.reject)
        self.setMinimumWidth(560)

    def save_public_key(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Save my public key",
                str(Path.home() / "vrmdesk-public-key.jwk"),
                "JWK files (*.jwk *.json)",
            )
        if not path:
            return
        try:
            atomic_write_bytes(Path(path), self.jwk_text.encode())
        except OSError as exc:
            self.saved.setText(f"Could not save: {exc.strerror}")
            return
        self.saved.setText(f"Saved to {path}")
