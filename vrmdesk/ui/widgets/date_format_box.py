"""The date style part of Settings: how every date in the program is shown (and typed back)."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QDialog, QGroupBox, QLabel, QRadioButton, QVBoxLayout

from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.widgets import dates


class DateFormatBox(QGroupBox):
    """One radio button per style, each showing a date as it would be shown. When ``dialog`` is
    accepted the style chosen goes into ``prefs`` and is used from then on (the dialog's owner
    saves the preferences and refreshes the pages)."""

    def __init__(self, prefs: Preferences, dialog: QDialog) -> None:
        super().__init__("Dates")
        self.prefs = prefs
        self.buttons: dict[str, QRadioButton] = {}
        sample = date(date.today().year, 12, 17)
        layout = QVBoxLayout(self)
        current = prefs.date_format if prefs.date_format in dates.STYLES else dates.DEFAULT_STYLE
        for key, name in dates.STYLES.items():
            button = QRadioButton(f"{name}: {dates.show_date(sample, key)}")
            button.setChecked(key == current)
            self.buttons[key] = button
            layout.addWidget(button)
        hint = QLabel(
            "Every list, page and editor shows dates this way; an editor reads a date typed "
            "the same way, or as 2026-12-17."
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        dialog.accepted.connect(self.apply)

    def chosen(self) -> str:
        return next(k for k, b in self.buttons.items() if b.isChecked())

    def apply(self) -> None:
        self.prefs.date_format = self.chosen()
        dates.set_style(self.prefs.date_format)
