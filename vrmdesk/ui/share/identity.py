"""My signing key: its fingerprint to read to a vendor, and the public key to give them."""

from __future__ import annotations

from pathlib import Path

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

from vrmdesk.fileutil import atomic_write_bytes
from vrmdesk.share.identity import ensure_identity, public_jwk_text
from vrmdesk.ui.core.controller import VaultController


class IdentityDialog(QDialog):
    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("My signing key")
        with controller.session() as session:
            identity = ensure_identity(session)
        self.fingerprint = identity.fingerprint
        self.jwk_text = public_jwk_text(identity)
        intro = QLabel(
            "Every bundle you share is signed with this key. A vendor can check that a bundle "
            "is yours by comparing this fingerprint, read to them over the phone or sent another "
            "way, with the one their tools show."
        )
        intro.setWordWrap(True)
        self.label = QLabel(self.fingerprint)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.label.setFont(font)
        self.label.setAccessibleName("Fingerprint")
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
        for widget in (intro, self.label, self.saved, buttons):
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
