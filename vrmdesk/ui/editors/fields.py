"""The input widgets of the record editors, one class per kind of field.

Every field offers the same small interface: ``values()`` (column name -> value for the core,
raising :class:`ValidationError` when the text is not in a usable form yet), ``set_values``,
``is_empty()``, a ``changed`` signal and ``focus_target()``. The rules themselves stay in the
core: an amount is checked with ``rules.parse_amount``, everything else on save. Dates are in
``date_fields``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    QStringListModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from vrmdesk.errors import ValidationError
from vrmdesk.store.services import rules, tags
from vrmdesk.ui.widgets import words


def human(value: str) -> str:
    """An enum value as a person reads it: ``waiting_on_vendor`` -> ``Waiting on vendor``
    (``inbound`` -> ``From them``: the interface's words for a direction)."""
    return words.DIRECTION.get(value) or value.replace("_", " ").capitalize()


def line_edit(combo: QComboBox) -> QLineEdit:
    """An editable combo box's line edit (Qt makes one when the box turns editable)."""
    line = combo.lineEdit()
    if line is None:
        raise ValueError("the combo box is not editable")
    return line


class Field(QWidget):
    """Base of every editor field (see the module docstring)."""

    changed = Signal()

    def __init__(self, names: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.names = names
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)

    def values(self) -> dict[str, Any]:
        return {self.names[0]: self.value()}

    def set_values(self, values: Mapping[str, Any]) -> None:
        if self.names[0] in values:
            self.set_value(values[self.names[0]])

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def is_empty(self) -> bool:
        return self.value() in (None, "", [])

    def focus_target(self) -> QWidget:
        return self

    def set_accessible(self, name: str) -> None:
        self.focus_target().setAccessibleName(name)


class LineField(Field):
    def __init__(
        self,
        name: str,
        max_length: int | None = None,
        suggestions: list[str] | None = None,
        placeholder: str = "",
    ) -> None:
        super().__init__((name,))
        self.edit = QLineEdit()
        if max_length:
            self.edit.setMaxLength(max_length)
        if placeholder:
            self.edit.setPlaceholderText(placeholder)
        if suggestions:
            completer = QCompleter(suggestions, self.edit)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            self.edit.setCompleter(completer)
        self.edit.textChanged.connect(self.changed)
        self.layout_.addWidget(self.edit)
        self.setFocusProxy(self.edit)

    def value(self) -> str:
        return self.edit.text().strip()

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))

    def focus_target(self) -> QWidget:
        return self.edit


class TextField(Field):
    """Several lines; Tab moves on (the field does not swallow it)."""

    def __init__(self, name: str, lines: int = 4) -> None:
        super().__init__((name,))
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * lines + 12)
        self.edit.textChanged.connect(self.changed)
        self.layout_.addWidget(self.edit)
        self.setFocusProxy(self.edit)

    def value(self) -> str:
        return self.edit.toPlainText().strip()

    def set_value(self, value: Any) -> None:
        self.edit.setPlainText("" if value is None else str(value))

    def focus_target(self) -> QWidget:
        return self.edit


class EnumField(Field):
    """One of the values the core gives for the field (``editing.choices``)."""

    def __init__(self, name: str, values: Sequence[str]) -> None:
        super().__init__((name,))
        self.combo = QComboBox()
        for value in values:
            self.combo.addItem(human(value), value)
        self.combo.currentIndexChanged.connect(self.changed)
        self.layout_.addWidget(self.combo)
        self.setFocusProxy(self.combo)

    def value(self) -> str | None:
        data = self.combo.currentData()
        return None if data is None else str(data)

    def set_value(self, value: Any) -> None:
        if value is None:
            return
        index = self.combo.findData(getattr(value, "value", value))
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def focus_target(self) -> QWidget:
        return self.combo


class PickerField(Field):
    """A searchable choice of a record (vendor, thing, ticket): type part of a name."""

    def __init__(self, name: str, noun: str, optional: bool) -> None:
        super().__init__((name,))
        self.noun = noun
        self.optional = optional
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.setMaxVisibleItems(15)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(24)
        completer = QCompleter(self.combo.model(), self.combo)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.combo.setCompleter(completer)
        line = line_edit(self.combo)
        line.setPlaceholderText(
            f"none — type to search {noun}s" if optional else f"type to search {noun}s"
        )
        line.setClearButtonEnabled(optional)
        self.combo.currentTextChanged.connect(self.changed)
        line.editingFinished.connect(self._complete)
        self.layout_.addWidget(self.combo)
        self.setFocusProxy(self.combo)

    def set_choices(self, choices: list[tuple[int, str]]) -> None:
        """(id, label) pairs; labels that repeat get their number so each names one record."""
        current = self._current_id()
        seen: dict[str, int] = {}
        for _, label in choices:
            seen[label.casefold()] = seen.get(label.casefold(), 0) + 1
        self.combo.blockSignals(True)
        self.combo.clear()
        if self.optional:
            self.combo.addItem("", None)
        for record_id, label in choices:
            shown = f"{label} (#{record_id})" if seen[label.casefold()] > 1 else label
            self.combo.addItem(shown, record_id)
        self.combo.blockSignals(False)
        self.set_value(current)
        self.changed.emit()

    def _current_id(self) -> int | None:
        try:
            return self.value()
        except ValidationError:
            return None

    def _match(self) -> int:
        """The item the typed text names: exactly, or as the start of one label only (-1: none).

        Raises ValidationError when the text names nothing or several records.
        """
        text = self.combo.currentText().strip()
        index = self.combo.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0 and self.combo.itemData(index) is not None:
            return index
        starts = [
            i
            for i in range(self.combo.count())
            if self.combo.itemData(i) is not None
            and self.combo.itemText(i).casefold().startswith(text.casefold())
        ]
        if len(starts) == 1:
            return starts[0]
        if starts:
            raise ValidationError(
                f"“{text}” could be several {self.noun}s: choose one from the list.",
                field=self.names[0],
            )
        raise ValidationError(f"There is no {self.noun} called “{text}”.", field=self.names[0])

    def value(self) -> int | None:
        if not self.combo.currentText().strip():
            return None
        return int(self.combo.itemData(self._match()))

    def _complete(self) -> None:
        """Leaving the field: a name typed in part becomes the one it stands for."""
        if not self.combo.currentText().strip():
            return
        try:
            index = self._match()
        except ValidationError:
            return
        if self.combo.itemText(index) != self.combo.currentText():
            self.combo.setCurrentIndex(index)

    def set_value(self, value: Any) -> None:
        index = self.combo.findData(value) if value is not None else -1
        self.combo.setCurrentIndex(index)
        if index < 0:
            self.combo.setEditText("")

    def is_empty(self) -> bool:
        return not self.combo.currentText().strip()

    def focus_target(self) -> QWidget:
        return self.combo


class AmountField(Field):
    """An amount and its currency; the amount is checked as it is typed (by the core's parser)."""

    def __init__(self, amount_name: str, currency_name: str, currencies: list[str]) -> None:
        super().__init__((amount_name, currency_name))
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("for example 1299.00")
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.currency = QComboBox()
        self.currency.setEditable(True)
        self.currency.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.currency.addItems(currencies)
        line_edit(self.currency).setValidator(
            QRegularExpressionValidator(QRegularExpression("[A-Za-z]{0,3}"), self.currency)
        )
        self.currency.setAccessibleName("Currency")
        self.currency.setMinimumContentsLength(4)
        self.amount.textChanged.connect(self.changed)
        self.currency.currentTextChanged.connect(self.changed)
        self.layout_.addWidget(self.amount, 1)
        self.layout_.addWidget(self.currency)
        self.setFocusProxy(self.amount)

    def values(self) -> dict[str, Any]:
        amount_name, currency_name = self.names
        minor = rules.parse_amount(self.amount.text(), field=amount_name)
        code = self.currency.currentText().strip().upper()
        return {amount_name: minor, currency_name: (code or None) if minor is not None else None}

    def set_values(self, values: Mapping[str, Any]) -> None:
        amount_name, currency_name = self.names
        if amount_name in values:
            minor = values[amount_name]
            self.amount.setText(
                "" if minor is None else rules.format_amount(minor, None).replace(",", "")
            )
        if values.get(currency_name):
            self.currency.setEditText(str(values[currency_name]))

    def value(self) -> Any:
        return self.values()[self.names[0]]

    def is_empty(self) -> bool:
        return not self.amount.text().strip()

    def focus_target(self) -> QWidget:
        return self.amount


class IntField(Field):
    """A whole number; a nullable one has a "not set" value just below its minimum."""

    def __init__(
        self,
        name: str,
        nullable: bool,
        null_text: str = "not set",
        minimum: int = 0,
        maximum: int = 100_000,
        suffix: str = "",
    ) -> None:
        super().__init__((name,))
        self.nullable = nullable
        self.spin = QSpinBox()
        self.spin.setRange(minimum - 1 if nullable else minimum, maximum)
        if nullable:
            self.spin.setSpecialValueText(null_text)
        if suffix:
            self.spin.setSuffix(suffix)
        self.spin.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.UpDownArrows)
        self.spin.setValue(self.spin.minimum())
        self.spin.valueChanged.connect(self.changed)
        self.layout_.addWidget(self.spin)
        self.layout_.addStretch(1)
        self.setFocusProxy(self.spin)

    def value(self) -> int | None:
        if self.nullable and self.spin.value() == self.spin.minimum():
            return None
        return self.spin.value()

    def set_value(self, value: Any) -> None:
        self.spin.setValue(self.spin.minimum() if value is None else int(value))

    def focus_target(self) -> QWidget:
        return self.spin


class CheckField(Field):
    def __init__(self, name: str, text: str) -> None:
        super().__init__((name,))
        self.box = QCheckBox(text)
        self.box.toggled.connect(self.changed)
        self.layout_.addWidget(self.box)
        self.setFocusProxy(self.box)

    def value(self) -> bool:
        return self.box.isChecked()

    def set_value(self, value: Any) -> None:
        self.box.setChecked(bool(value))

    def is_empty(self) -> bool:
        return False

    def focus_target(self) -> QWidget:
        return self.box


class ChannelsField(Field):
    """A set of channels, one tick box each (none ticked: any channel)."""

    def __init__(self, name: str, channels: list[str], columns: int = 4) -> None:
        super().__init__((name,))
        grid_holder = QWidget()
        grid = QGridLayout(grid_holder)
        grid.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for i, channel in enumerate(channels):
            box = QCheckBox(human(channel))
            box.setAccessibleName(f"Allow {human(channel).lower()}")
            box.toggled.connect(self.changed)
            grid.addWidget(box, i // columns, i % columns)
            self.boxes[channel] = box
        self.layout_.addWidget(grid_holder)
        self.setFocusProxy(next(iter(self.boxes.values())))

    def value(self) -> list[str]:
        return [channel for channel, box in self.boxes.items() if box.isChecked()]

    def set_value(self, value: Any) -> None:
        chosen = set(value or [])
        for channel, box in self.boxes.items():
            box.setChecked(channel in chosen)

    def is_empty(self) -> bool:
        return False

    def focus_target(self) -> QWidget:
        return next(iter(self.boxes.values()))


class _TagCompleter(QCompleter):
    """Completes the tag being typed (after the last comma), keeping the ones before it, and
    offers only the tags in use that the line does not hold yet."""

    def __init__(self, names: list[str], edit: QLineEdit) -> None:
        self.names = list(names)
        self.offered = QStringListModel(self.names)
        super().__init__(self.offered, edit)
        self.edit = edit
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchStartsWith)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        # the line edit would keep what was typed: the choice (with the tags before it) goes in
        self.activated.connect(self._chosen)
        edit.textEdited.connect(self._offer)

    def _offer(self, text: str) -> None:
        given = {t.strip().lower() for t in text.split(tags.SEPARATOR)[:-1]}
        wanted = [name for name in self.names if name.lower() not in given]
        if wanted != self.offered.stringList():
            self.offered.setStringList(wanted)

    def _chosen(self, text: object) -> None:
        if isinstance(text, str):
            self.edit.setText(text)

    def splitPath(self, path: str) -> list[str]:
        return [path.rsplit(tags.SEPARATOR, 1)[-1].lstrip()]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        done = self.edit.text().rsplit(tags.SEPARATOR, 1)[:-1]
        chosen = str(index.data())
        return f"{done[0]}{tags.SEPARATOR} {chosen}" if done else chosen


class TagsField(Field):
    """A record's tags as one line, separated by commas, completing from the tags in use."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__((name,))
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("none — separate tags with commas")
        self.edit.setClearButtonEnabled(True)
        self.completer = _TagCompleter(known, self.edit)
        self.edit.setCompleter(self.completer)
        self.edit.textChanged.connect(self.changed)
        self.layout_.addWidget(self.edit)
        self.setFocusProxy(self.edit)

    def value(self) -> list[str]:
        return tags.parse(self.edit.text())

    def set_value(self, value: Any) -> None:
        self.edit.setText(tags.joined(value or []))

    def is_empty(self) -> bool:
        return not self.edit.text().strip(f" {tags.SEPARATOR}")

    def focus_target(self) -> QWidget:
        return self.edit
