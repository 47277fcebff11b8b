"""The open conflicts: for each, the record (its label and kind), the field, and every competing
value with the device that wrote it and when. A concurrent edit is resolved by "Keep this" on
one version; an edit made after another device deleted the record by "Keep deleted" or
"Restore". The list reads again after each resolution and after each sync."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import VrmError
from vrmdesk.sync import engine
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.editors.form_rows import ErrorLabel
from vrmdesk.ui.sync.words import counted, value_text, when
from vrmdesk.ui.widgets.words import noun

CONCURRENT = "concurrent edit"
AFTER_DELETE = "edited after delete"


def record_title(conflict: Any) -> str:
    """ "Bosch (vendor)"; a deleted record as the engine names it, in the interface's words
    ("Coffee machine (a deleted thing)")."""
    kind, label = conflict.record_kind, conflict.record_label
    engine_words = f"a deleted {kind.replace('_', ' ')}"
    if label == engine_words or label.endswith(f"({engine_words})"):
        return str(label).replace(engine_words, f"a deleted {noun(kind)}")
    return f"{label} ({noun(kind)})"


def field_text(field: str) -> str:
    return field.replace("_", " ") if field else "the whole record"


class ConflictCard(QGroupBox):
    """One conflict: its versions, each with who and when, and the buttons that resolve it."""

    def __init__(self, conflict: Any, act: Callable[[str, Any, int | None], None]) -> None:
        super().__init__(f"{record_title(conflict)} · {field_text(conflict.field)}")
        self.conflict = conflict
        self.setAccessibleName(f"Conflict: {conflict.record_label}, {field_text(conflict.field)}")
        self.keep_buttons: list[QPushButton] = []
        layout = QVBoxLayout(self)
        if conflict.kind == AFTER_DELETE:
            said = (
                f"One device deleted it while another changed {field_text(conflict.field)}. "
                "It stays deleted until you restore it."
            )
        else:
            said = (
                f"{field_text(conflict.field).capitalize()} was changed on two devices without "
                "either seeing the other's change. The newest value is in force until you choose."
            )
        what = QLabel(said)
        what.setWordWrap(True)
        layout.addWidget(what)
        grid = QGridLayout()
        grid.setColumnStretch(0, 1)
        bold = QFont(self.font())
        bold.setBold(True)
        for row, version in enumerate(conflict.versions):
            value = QLabel(value_text(version.value))
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(f"Value from {version.device_name}")
            in_force = row == conflict.winner and conflict.kind != AFTER_DELETE
            if in_force:
                value.setFont(bold)
            who = QLabel(
                f"{version.device_name}, {when(version.when)}" + (" · in force" if in_force else "")
            )
            grid.addWidget(value, row, 0)
            grid.addWidget(who, row, 1)
            if conflict.kind != AFTER_DELETE:
                keep = QPushButton("&Keep this" if row == 0 else "Keep this")
                keep.setAccessibleName(f"Keep the value from {version.device_name}")
                keep.setAutoDefault(False)
                keep.clicked.connect(lambda _=False, i=row: act("resolve", conflict, i))
                grid.addWidget(keep, row, 2)
                self.keep_buttons.append(keep)
        layout.addLayout(grid)
        self.keep_deleted: QPushButton | None = None
        self.restore: QPushButton | None = None
        if conflict.kind == AFTER_DELETE:
            buttons = QHBoxLayout()
            buttons.addStretch(1)
            self.keep_deleted = QPushButton("Keep &deleted")
            self.keep_deleted.clicked.connect(lambda: act("keep_deleted", conflict, None))
            self.restore = QPushButton("&Restore")
            self.restore.clicked.connect(lambda: act("restore", conflict, None))
            for button in (self.keep_deleted, self.restore):
                button.setAutoDefault(False)
                buttons.addWidget(button)
            layout.addLayout(buttons)


class ConflictsDialog(QDialog):
    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Sync conflicts")
        self.setAccessibleName("Sync conflicts")
        self.cards: list[ConflictCard] = []
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.error = ErrorLabel()
        self.list = QWidget()
        self.list_layout = QVBoxLayout(self.list)
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("C&lose")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.area, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        controller.changed.connect(self._data_changed)
        self.resize(780, 520)
        self.reload()

    def _data_changed(self, kinds: object) -> None:
        if self.controller.is_open and self.isVisible():
            self.reload()

    def reload(self) -> None:
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []
        while self.list_layout.count():
            self.list_layout.takeAt(0)
        conflicts = engine.conflicts(self.controller.vault)
        if conflicts:
            self.heading.setText(
                f"{counted(len(conflicts), 'conflict')} between this device and others. Choose "
                "the value to keep; the choice travels to every device with the next sync."
            )
        else:
            self.heading.setText("No conflicts: the devices agree on everything.")
        for conflict in conflicts:
            card = ConflictCard(conflict, self._act)
            self.cards.append(card)
            self.list_layout.addWidget(card)
        self.list_layout.addStretch(1)

    def _act(self, what: str, conflict: Any, choice: int | None) -> None:
        vault = self.controller.vault
        try:
            if what == "resolve":
                engine.resolve(vault, conflict.id, choice)
                said = f"Kept {value_text(conflict.versions[choice or 0].value)!r} for"
            elif what == "keep_deleted":
                engine.keep_deleted(vault, conflict.id)
                said = "Kept deleted:"
            else:
                engine.restore(vault, conflict.id)
                said = "Restored"
        except VrmError as exc:
            self.error.set_text(str(exc))
            return
        self.error.set_text("")
        self.controller.notify(
            {"*"}, f"{said} {conflict.record_label} ({field_text(conflict.field)})."
        )
        self.reload()
