"""Ask for the day an item of the home page is snoozed until, and snooze it (the caller's
``apply``, which calls the core: a day it refuses is told under the field, the dialog stays)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import ValidationError
from vrmdesk.ui.editors.dates import DateInput
from vrmdesk.ui.editors.form_rows import ErrorLabel


class SnoozeDialog(QDialog):
    """``day`` holds the day chosen once it is accepted."""

    def __init__(
        self, what: str, apply: Callable[[date], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.apply = apply
        self.setWindowTitle("Snooze until")
        self.day: date | None = None
        question = QLabel(f"Hide “{what}” from Home until which day?")
        question.setWordWrap(True)
        self.input = DateInput()
        self.input.set_date(date.today() + timedelta(days=7))
        self.input.edit.selectAll()
        self.error = ErrorLabel()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Snooze")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        row = QHBoxLayout()
        row.addWidget(self.input)
        row.addWidget(self.input.understood)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.input.setFocus()

    def _accept(self) -> None:
        try:
            day = self.input.checked_date("until", required=True)
            assert day is not None  # required
            self.apply(day)
        except ValidationError as exc:
            self.error.set_text(str(exc))
            return
        self.day = day
        self.accept()
