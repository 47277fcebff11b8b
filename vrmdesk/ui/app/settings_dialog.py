"""Settings: auto-lock time and how far ahead reminders look."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QSpinBox, QWidget

from vrmdesk.ui.core.preferences import Preferences


def _spin(value: int, maximum: int, suffix: str, special: str | None = None) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, maximum)
    box.setValue(value)
    box.setSuffix(suffix)
    if special:
        box.setSpecialValueText(special)
    return box


class SettingsDialog(QDialog):
    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.prefs = prefs
        self.auto_lock = _spin(prefs.auto_lock_minutes, 240, " min", "never")
        self.auto_lock.setAccessibleName("Lock after idle minutes")
        self.warranty = _spin(prefs.warranty_lead_days, 365, " days")
        self.warranty.setAccessibleName("Warranty reminder lead days")
        self.notice = _spin(prefs.notice_lead_days, 365, " days")
        self.notice.setAccessibleName("Notice deadline reminder lead days")
        self.service = _spin(prefs.service_lead_days, 365, " days")
        self.service.setAccessibleName("Service reminder lead days")
        self.waiting = _spin(prefs.waiting_days, 365, " days")
        self.waiting.setAccessibleName("Days waiting on a vendor before it is too long")
        self.reminders = QCheckBox("Show &reminders in the system tray")
        self.reminders.setChecked(prefs.reminders_enabled)
        form = QFormLayout(self)
        form.addRow("&Lock after idle:", self.auto_lock)
        form.addRow("Remind of &warranties ending within:", self.warranty)
        form.addRow("Remind of &notice deadlines within:", self.notice)
        form.addRow("Remind of &service due within:", self.service)
        form.addRow("A ticket waits on the vendor too long after:", self.waiting)
        form.addRow("", self.reminders)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        p = self.prefs
        p.auto_lock_minutes = self.auto_lock.value()
        p.warranty_lead_days = self.warranty.value()
        p.notice_lead_days = self.notice.value()
        p.service_lead_days = self.service.value()
        p.waiting_days = self.waiting.value()
        p.reminders_enabled = self.reminders.isChecked()
        super().accept()
