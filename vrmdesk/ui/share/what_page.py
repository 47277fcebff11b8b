"""The share wizard's first page: what to share, as a checkable tree of the vendor's records.

Which entries follow a ticked one, and which can be ticked at all, are the core's rules
(:func:`vrmdesk.share.choices.ticked` and :func:`~vrmdesk.share.choices.available`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTreeView,
    QVBoxLayout,
    QWizardPage,
)

from vrmdesk.share import choices as ch
from vrmdesk.ui.share.items import KEY_ROLE, bold, key_text, readonly
from vrmdesk.ui.widgets.dates import show_date


class WhatPage(QWizardPage):
    """A checkable tree; a checked entry goes with its checked sub-entries."""

    def __init__(self, found: ch.Choices, checked: set[tuple[str, int]]) -> None:
        super().__init__()
        self.found = found
        self.setTitle(f"What to share with {found.vendor_name}")
        self.setSubTitle(
            "The vendor's record (name, website, my account numbers and its contacts) "
            "always goes. Tick what else to share; a file or a message can be left "
            "out on its own. My notes go only when ticked."
        )
        self.model = QStandardItemModel(0, 2, self)
        self.model.setHorizontalHeaderLabels(["Record", "Details"])
        self.items: dict[tuple[str, int], QStandardItem] = {}
        self.parents: dict[tuple[str, int], tuple[str, int] | None] = {}
        for group, entries in found.groups:
            if not entries:
                continue
            head = bold(readonly(f"{group} ({len(entries)})"))
            self.model.appendRow([head, readonly("")])
            for entry in entries:
                row = self._item(entry, None, checked)
                head.appendRow(row)
                for child in entry.children:
                    row[0].appendRow(self._item(child, entry, checked))
        open_ = ch.available(found, checked)
        for key, entry_item in self.items.items():
            entry_item.setEnabled(key in open_)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName("What to share")
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        for r in range(self.model.rowCount()):  # the groups, and what is ticked in them
            group_index = self.model.index(r, 0)
            self.tree.expand(group_index)
            for e in range(self.model.rowCount(group_index)):
                shown = self.model.itemFromIndex(self.model.index(e, 0, group_index))
                if shown.checkState() == Qt.CheckState.Checked and shown.hasChildren():
                    self.tree.expand(shown.index())
        self.empty = QLabel(
            "There is nothing recorded with this vendor yet besides its own record."
        )
        self.empty.setVisible(not self.items)
        self.model.itemChanged.connect(self._changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(self.empty)

    def _item(
        self, choice: ch.Choice, parent: ch.Choice | None, checked: set[tuple[str, int]]
    ) -> list[QStandardItem]:
        item = readonly(choice.label)
        item.setCheckable(True)
        item.setCheckState(
            Qt.CheckState.Checked if choice.key in checked else Qt.CheckState.Unchecked
        )
        item.setData(key_text(*choice.key), KEY_ROLE)
        self.items[choice.key] = item
        self.parents[choice.key] = parent.key if parent else None
        detail = readonly(choice.describe(show_date))
        detail.setToolTip(detail.text())
        return [item, detail]

    def _changed(self, item: QStandardItem) -> None:
        key = next((k for k, v in self.items.items() if v is item), None)
        if key is None or self.parents.get(key) is not None:
            self.completeChanged.emit()
            return
        on = item.checkState() == Qt.CheckState.Checked
        self._show(ch.ticked(self.found, self.checked(), key, on))
        self.completeChanged.emit()

    def _show(self, checked: set[tuple[str, int]]) -> None:
        """Ticks and availability as the core's selection rules give them."""
        open_ = ch.available(self.found, checked)
        self.model.blockSignals(True)
        try:
            for key, entry in self.items.items():
                entry.setEnabled(key in open_)
                entry.setCheckState(
                    Qt.CheckState.Checked if key in checked else Qt.CheckState.Unchecked
                )
        finally:
            self.model.blockSignals(False)
        self.tree.viewport().update()

    def checked(self) -> set[tuple[str, int]]:
        return {k for k, item in self.items.items() if item.checkState() == Qt.CheckState.Checked}

    def set_checked(self, kind: str, record_id: int, on: bool) -> None:
        self.items[(kind, record_id)].setCheckState(
            Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        )
