"""Settings: auto-lock time, how far ahead reminders look, the calendar file kept up to date, and
mail (my own addresses, the attachment cap, how often mail is fetched)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.interchange.exports import DETAILS, PathRow, documents
from vrmdesk.ui.mail.settings_box import MailSettingsBox
from vrmdesk.ui.widgets.date_format_box import DateFormatBox


def _spin(value: int, maximum: int, suffix: str, special: str | None = None) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, maximum)
    box.setValue(value)
    box.setSuffix(suffix)
    if special:
        box.setSpecialValueText(special)
    return box


class CalendarBox(QGroupBox):
    """ "Keep a calendar file up to date": where, and how much each event says."""

    def __init__(self, prefs: Preferences) -> None:
        super().__init__("Calendar file")
        self.keep = QCheckBox("&Keep a calendar file (.ics) up to date")
        self.keep.setChecked(bool(prefs.calendar_path))
        default = prefs.calendar_path or str(documents() / "vrmdesk-deadlines.ics")
        self.target = PathRow(
            "The calendar file", "Calendars (*.ics)", Path(default), "the calendar"
        )
        self.target.edit.setAccessibleName("Calendar file")
        self.details = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        hint = QLabel(
            "Rewritten after every change, when the vault is unlocked and every midnight, so a "
            "calendar that subscribes to the file has the deadlines, with reminders at the times "
            "above. It is not encrypted: it holds what is chosen here and nothing else."
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.keep)
        layout.addWidget(self.target)
        for key, label in DETAILS:
            button = QRadioButton(label)
            button.setChecked(key == (prefs.calendar_detail or "titles"))
            self.details.addButton(button)
            self.buttons[key] = button
            layout.addWidget(button)
        layout.addWidget(hint)
        self.keep.toggled.connect(self._update)
        self._update()

    def _update(self) -> None:
        on = self.keep.isChecked()
        for widget in (self.target, *self.buttons.values()):
            widget.setEnabled(on)
        self.target.problem_label.setVisible(True)  # its room stays either way
        self.target.problem_label.setText(self.target.problem() if on else "")

    def problem(self) -> str:
        return self.target.problem() if self.keep.isChecked() else ""

    def apply(self, prefs: Preferences) -> None:
        prefs.calendar_path = str(self.target.path()) if self.keep.isChecked() else ""
        prefs.calendar_detail = "full" if self.buttons["full"].isChecked() else "titles"


class SettingsDialog(QDialog):
    def __init__(
        self,
        prefs: Preferences,
        parent: QWidget | None = None,
        *,
        controller: VaultController | None = None,
    ) -> None:
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
        self.calendar = CalendarBox(prefs)
        form = QFormLayout(self)
        form.addRow("&Lock after idle:", self.auto_lock)
        form.addRow("Remind of &warranties ending within:", self.warranty)
        form.addRow("Remind of &notice deadlines within:", self.notice)
        form.addRow("Remind of &service due within:", self.service)
        form.addRow("A ticket waits on the vendor too long after:", self.waiting)
        form.addRow("", self.reminders)
        form.addRow(self.calendar)
        form.addRow(DateFormatBox(prefs, self))
        self.mail = MailSettingsBox(prefs, controller)
        form.addRow(self.mail)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        form.addRow(self.button_box)
        self.ok = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        self.calendar.keep.toggled.connect(self._update)
        self.calendar.target.edit.textChanged.connect(self._update)
        self._update()
        self.resize(620, self.sizeHint().height())

    def _update(self) -> None:
        self.calendar._update()
        self.ok.setEnabled(not self.calendar.problem())

    def accept(self) -> None:
        p = self.prefs
        if not self.mail.apply(p):  # an own address refused: said under it, nothing else kept
            return
        p.auto_lock_minutes = self.auto_lock.value()
        p.warranty_lead_days = self.warranty.value()
        p.notice_lead_days = self.notice.value()
        p.service_lead_days = self.service.value()
        p.waiting_days = self.waiting.value()
        p.reminders_enabled = self.reminders.isChecked()
        self.calendar.apply(p)
        super().accept()
