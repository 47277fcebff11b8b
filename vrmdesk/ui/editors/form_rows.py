"""A form of labelled fields with a message under each: what the editors and quick capture share.

``FormRows`` lays out the fields, marks required ones, gives every label a keyboard mnemonic, runs
the light checks as the user types (required, and a field's own format check), and shows the
core's :class:`ValidationError` under the field it names. The rules are the core's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from vrmdesk.errors import ValidationError, VrmError
from vrmdesk.ui.editors.fields import CheckField, Field


@dataclass
class Row:
    field: Field
    label: QLabel | None
    title: str
    required: bool
    error: ErrorLabel
    #: the user changed it (or tried to save): its own problems are shown from now on
    touched: bool = False
    #: the core's message, kept until the field changes
    core_message: str = ""
    names: tuple[str, ...] = ()


def with_mnemonic(text: str, used: set[str]) -> str:
    """``text`` with an ``&`` before a letter not in ``used`` (word starts preferred)."""
    if "&" in text:
        used.add(text[text.index("&") + 1].lower())
        return text
    candidates = [i for i, ch in enumerate(text) if ch.isalpha() and (i == 0 or text[i - 1] == " ")]
    candidates += [i for i, ch in enumerate(text) if ch.isalpha() and i not in candidates]
    for i in candidates:
        if text[i].lower() not in used:
            used.add(text[i].lower())
            return text[:i] + "&" + text[i:]
    return text


class FormRows:
    def __init__(self, form: QFormLayout, reserved: str = "") -> None:
        self.form = form
        self.rows: list[Row] = []
        self.used = set(reserved.lower())
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

    def add(self, title: str, widget: Field, *, required: bool = False, hint: str = "") -> Row:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            note.setEnabled(False)  # drawn in the palette's muted colour
            column.addWidget(note)
        error = ErrorLabel()
        column.addWidget(error)
        plain = title.replace("&", "")
        accessible = f"{plain} (required)" if required else plain
        if isinstance(widget, CheckField):
            widget.box.setText(with_mnemonic(title, self.used))
            widget.set_accessible(accessible)
            label = None
            self.form.addRow("", holder)
        else:
            label = QLabel(with_mnemonic(title, self.used) + (" *" if required else ""))
            label.setBuddy(widget.focus_target())
            widget.set_accessible(accessible)
            self.form.addRow(label, holder)
        error.label.setAccessibleName(f"{plain}: problem")
        row = Row(widget, label, plain, required, error, names=widget.names)
        widget.changed.connect(lambda row=row: self._on_changed(row))
        self.rows.append(row)
        return row

    # -- checks ------------------------------------------------------------------------------
    def _on_changed(self, row: Row) -> None:
        row.touched = True
        row.core_message = ""
        self._show(row)

    def problem(self, row: Row) -> str:
        """What the light check finds wrong with a field now ("" when nothing)."""
        if row.required and row.field.is_empty():
            return f"{row.title} is required."
        try:
            row.field.values()
        except ValidationError as exc:
            return str(exc)
        return ""

    def _show(self, row: Row) -> None:
        message = row.core_message or (self.problem(row) if row.touched else "")
        row.error.set_text(message)
        target = row.field.focus_target()
        target.setAccessibleDescription(message)

    def check_all(self) -> Row | None:
        """Show every field's problem; the first row with one (or None when all are fine)."""
        first = None
        for row in self.rows:
            row.touched = True
            self._show(row)
            if first is None and row.error.text():
                first = row
        return first

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for row in self.rows:
            out.update(row.field.values())
        return out

    def row_for(self, name: str | None) -> Row | None:
        return next((row for row in self.rows if name in row.names), None) if name else None

    def show_core_error(self, error: ValidationError) -> Row | None:
        """Put the core's message under the field it names; the row, or None if no field."""
        row = self.row_for(error.field)
        if row is None:
            return None
        row.core_message = str(error)
        self._show(row)
        return row

    def clear_messages(self) -> None:
        for row in self.rows:
            row.touched = False
            row.core_message = ""
            self._show(row)

    def focus(self, row: Row) -> None:
        row.field.focus_target().setFocus()


def checked_values(rows: FormRows, general: ErrorLabel) -> dict[str, Any] | None:
    """The form's values when every field passes its own checks; else None, the first bad field
    focused."""
    general.set_text("")
    bad = rows.check_all()
    if bad is not None:
        rows.focus(bad)
        return None
    return rows.values()


def report_save_error(rows: FormRows, general: ErrorLabel, exc: VrmError) -> None:
    """A refused save: the core's message under its field (focused), else above the buttons."""
    row = rows.show_core_error(exc) if isinstance(exc, ValidationError) else None
    if row is None:
        general.set_text(str(exc))
    else:
        rows.focus(row)


class ErrorLabel(QWidget):
    """The red message under a field (hidden when there is none)."""

    COLOR = "#d0342c"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setStyleSheet(f"color: {self.COLOR};")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label)
        self.hide()

    def text(self) -> str:
        return self.label.text() if not self.isHidden() else ""

    def set_text(self, text: str) -> None:
        self.label.setText(text)
        self.setHidden(not text)


class _CtrlEnter(QObject):
    """Calls ``slot`` when Ctrl+Enter (or Ctrl+Return) is pressed in the watched widget."""

    def __init__(self, widget: QWidget, slot: Any) -> None:
        super().__init__(widget)
        self.slot = slot
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.slot()
            return True
        return False


def on_ctrl_enter(widget: QWidget, slot: Any) -> None:
    _CtrlEnter(widget, slot)
