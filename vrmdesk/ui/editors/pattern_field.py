"""A vendor's case reference pattern, with a live test: type a subject, see the reference found.

The pattern is a regular expression (its first group is the reference); left empty, the usual
forms are looked for (``Case #12345``, ``[Ticket: 12345]``, ``SR 1-234567``). What is found is
what mail capture finds (``vrmdesk.mail.references``), so the test tells the truth.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from vrmdesk.errors import ValidationError
from vrmdesk.mail import references
from vrmdesk.ui.editors.fields import Field
from vrmdesk.ui.editors.form_rows import ErrorLabel

SAMPLE = "Re: Your request [Case #12345]"


class PatternField(Field):
    def __init__(self, name: str, max_length: int | None = None) -> None:
        super().__init__((name,))
        self.edit = QLineEdit()
        if max_length:
            self.edit.setMaxLength(max_length)
        self.edit.setPlaceholderText("the usual forms: Case #12345, [Ticket: 12345], SR 1-234567")
        self.sample = QLineEdit(SAMPLE)
        self.sample.setAccessibleName("A subject to test the pattern on")
        self.result = QLabel()
        self.result.setAccessibleName("What the pattern finds")
        self.result.setWordWrap(True)
        test = QFormLayout()
        test.setContentsMargins(0, 0, 0, 0)
        sample_label = QLabel("Test on a subject:")
        sample_label.setBuddy(self.sample)
        test.addRow(sample_label, self.sample)
        test.addRow("", self.result)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addWidget(self.edit)
        column.addLayout(test)
        self.layout_.addWidget(holder)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self.changed)
        self.edit.textChanged.connect(self._test)
        self.sample.textChanged.connect(self._test)
        self._test()

    def _test(self) -> None:
        self.result.setText(self.found())
        failed = self.result.text().startswith("The case reference pattern")
        self.result.setStyleSheet(f"color: {ErrorLabel.COLOR}" if failed else "")

    def found(self) -> str:
        """What the pattern finds in the sample subject, as the field shows it."""
        try:
            found = references.references_in(self.sample.text(), self.edit.text())
        except ValidationError as exc:
            return str(exc)
        if not found:
            return "No reference found."
        shown = ", ".join(f"“{reference}”" for reference in dict.fromkeys(r for r, _ in found))
        return f"Reference found: {shown}"

    def value(self) -> str:
        text = self.edit.text().strip()
        references.compile_pattern(text)  # a ValidationError shown under the field
        return text

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))

    def is_empty(self) -> bool:
        return not self.edit.text().strip()

    def focus_target(self) -> QWidget:
        return self.edit
