"""The import wizard's mapping page: the file's first rows under a field chooser per column, and
how its dates and amounts read (highlighted when the file leaves it open: 03/04/2025)."""

from __future__ import annotations

from collections import Counter

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWizardPage,
)

from vrmdesk.interchange.csv_import import Prepared
from vrmdesk.interchange.fields import KIND_NOUNS, TARGETS
from vrmdesk.interchange.values import DateOrder, Reading
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.interchange.state import ImportState, Mapping, prepare
from vrmdesk.ui.share.items import ERROR_COLOR, readonly

NOT_IMPORTED = "— not imported —"
DATE_ORDERS: tuple[tuple[str, str], ...] = (
    ("", "Automatic (from the file's own dates)"),
    ("dmy", "Day-month-year (31/12/2025)"),
    ("mdy", "Month-day-year (12/31/2025)"),
    ("ymd", "Year-month-day (2025-12-31)"),
)
DECIMALS: tuple[tuple[str, str], ...] = (
    (".", "Point (1,299.50)"),
    (",", "Comma (1.299,50)"),
)
HIGHLIGHT = "background: #fff3cd; color: #5c4400"


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportState) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Which column is what")
        self.setSubTitle(
            "The first rows of the file. Under each column's name, choose the field it goes "
            "into, or leave it out."
        )
        self.model = QStandardItemModel(0, 0, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("The file's first rows")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.choosers: dict[str, QComboBox] = {}
        self.date_order = QComboBox()
        self.date_order.setAccessibleName("Date order")
        for key, label in DATE_ORDERS:
            self.date_order.addItem(label, key)
        self.decimals = QComboBox()
        self.decimals.setAccessibleName("Decimal separator")
        for key, label in DECIMALS:
            self.decimals.addItem(label, key)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        # the question the file leaves open, or why the mapping cannot be used; its room is kept
        self.attention = QLabel()
        self.attention.setWordWrap(True)
        self.attention.setMinimumHeight(self.attention.fontMetrics().lineSpacing() * 2 + 8)
        self.attention.setAccessibleName("What needs a choice")
        reading = QFormLayout()
        order_label = QLabel("&Dates are written:")
        order_label.setBuddy(self.date_order)
        reading.addRow(order_label, self.date_order)
        decimals_label = QLabel("Decimal &separator:")
        decimals_label.setBuddy(self.decimals)
        reading.addRow(decimals_label, self.decimals)
        row = QHBoxLayout()
        row.addLayout(reading)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notes)
        layout.addLayout(row)
        layout.addWidget(self.attention)
        self._prepared: tuple[Mapping, Prepared] | None = None
        self._undecided: list[str] = []
        self._pending = False
        self.date_order.currentIndexChanged.connect(self._changed)
        self.decimals.currentIndexChanged.connect(self._changed)

    # -- filling it from what was found ----------------------------------------------------------
    def initializePage(self) -> None:
        found = self.wizard_.inspection
        if found is None:
            return
        kind = found.choice.csv_kind
        self.setSubTitle(
            f"The first rows of the file. Under each column's name, choose the field of a "
            f"{KIND_NOUNS[kind][0]} it goes into, or leave it out."
        )
        self.model.clear()
        self.model.setColumnCount(len(found.headers))
        self.model.setHorizontalHeaderLabels(found.headers)
        self.model.appendRow([readonly("") for _ in found.headers])  # the choosers' row
        for cells in found.sample:
            self.model.appendRow(
                [readonly(cells[i] if i < len(cells) else "") for i in range(len(found.headers))]
            )
        self.choosers.clear()
        for column, header in enumerate(found.headers):
            box = QComboBox()
            box.setAccessibleName(f"Field for the column {header}")
            box.addItem(NOT_IMPORTED, "")
            for target in TARGETS[kind]:
                box.addItem(target.label + (" (needed)" if target.required else ""), target.key)
            box.setCurrentIndex(max(box.findData(found.columns.get(header, "")), 0))
            box.currentIndexChanged.connect(self._changed)
            self.table.setIndexWidget(self.model.index(0, column), box)
            self.choosers[header] = box
        self.table.verticalHeader().setVisible(False)
        self.table.resizeColumnsToContents()
        self.table.resizeRowToContents(0)
        self._set(self.date_order, found.reading.date_order or "")
        self._set(self.decimals, found.reading.decimals)
        if found.undecided:
            self._set(self.date_order, "")  # the file did not tell: the person chooses
        notes = list(found.notes)
        if found.remembered:
            notes.insert(
                0, "The columns are mapped as the last time a file like this was imported."
            )
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))
        self._prepared = None
        self._undecided = list(found.undecided)
        self._show_attention(self.problems() + self._undecided)

    @staticmethod
    def _set(box: QComboBox, key: str) -> None:
        box.blockSignals(True)
        box.setCurrentIndex(max(box.findData(key), 0))
        box.blockSignals(False)

    def _show_attention(self, items: list[str]) -> None:
        self.attention.setText("\n".join(items))
        date_question = any("date" in item for item in items)
        self.date_order.setStyleSheet(HIGHLIGHT if date_question else "")
        self.attention.setStyleSheet(f"color: {ERROR_COLOR}" if items else "")

    def _changed(self) -> None:
        open_question = self._undecided if not self.date_order.currentData() else []
        self._show_attention(self.problems() + open_question)
        self.completeChanged.emit()

    # -- what the person chose --------------------------------------------------------------------
    def mapping(self) -> Mapping:
        columns = {header: box.currentData() for header, box in self.choosers.items()}
        order: DateOrder | None = None
        for key in ("dmy", "mdy", "ymd"):
            if self.date_order.currentData() == key:
                order = key
        decimals = self.decimals.currentData()
        reading = (
            Reading(date_order=order, decimals="," if decimals == "," else ".")
            if order is not None or decimals == ","
            else None
        )
        return Mapping(columns, reading)

    def problems(self) -> list[str]:
        """What is wrong with the mapping as chosen (seen before anything is read again)."""
        found = self.wizard_.inspection
        if found is None:
            return []
        kind = found.choice.csv_kind
        chosen = Counter(key for key in self.mapping().columns.values() if key)
        labels = {t.key: t.label for t in TARGETS[kind]}
        out = [
            f"{labels[key]} is chosen for {count} columns: choose it for one."
            for key, count in chosen.items()
            if count > 1
        ]
        out += [
            f"Choose the column that holds the {t.label.lower()} (every "
            f"{KIND_NOUNS[kind][0]} needs one)."
            for t in TARGETS[kind]
            if t.required and t.key not in chosen
        ]
        return out

    def isComplete(self) -> bool:
        open_question = self._undecided and not self.date_order.currentData()
        return not self._pending and not open_question and not self.problems()

    def validatePage(self) -> bool:
        choice = self.wizard_.choice
        if choice is None:
            return False
        mapping = self.mapping()
        if self._prepared is not None and self._prepared[0] == mapping:
            self.wizard_.prepared = self._prepared[1]
            return True
        self._pending = True
        self.completeChanged.emit()
        self.attention.setText("Reading the file with these choices…")
        self.attention.setStyleSheet("")

        def done(prepared: Prepared) -> None:
            self._pending = False
            self.completeChanged.emit()
            if prepared.undecided:
                self._undecided = list(prepared.undecided)
                self._show_attention(prepared.undecided)
                self.date_order.setFocus()
                return
            self._prepared = (mapping, prepared)
            self._show_attention([])
            if self.mapping() == mapping:
                self.wizard_.next()

        def failed(exc: BaseException) -> None:
            self._pending = False
            self._show_attention([explain(exc)])
            self.completeChanged.emit()

        self.wizard_.start(lambda task: prepare(choice, mapping), done, failed)
        return False
