"""The parts every tab of a vendor page shares: a lazily fetched table, New/Edit/Delete buttons.

``RowsModel`` shows rows from a core view function (``vendor_tables.vendor_tickets`` …) a page
at a time; ``RecordTab`` puts it in a table with buttons that open the record editor or delete
with a confirmation (``record_actions``; undo stays possible through the controller).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.editors.record_actions import call_editor, confirm_delete
from vrmdesk.ui.widgets import links
from vrmdesk.ui.widgets.empty_hint import EmptyHint
from vrmdesk.ui.widgets.icons import icon
from vrmdesk.ui.widgets.modelindex import NO_PARENT, AnyIndex
from vrmdesk.ui.widgets.paged import PagedRows, reset_model
from vrmdesk.ui.widgets.tables import record_table

ID_ROLE = Qt.ItemDataRole.UserRole
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
LINK_ROLE = Qt.ItemDataRole.UserRole + 2
Loader = Callable[[Session, int, int, int], list[Any]]  # (session, vendor id, offset, limit)


@dataclass(frozen=True)
class Column:
    title: str
    text: Callable[[Any], str]
    icon: Callable[[Any], QIcon | None] | None = None
    colour: Callable[[Any, QPalette], QColor | None] | None = None
    tip: Callable[[Any], str] | None = None
    #: this column takes the width the others leave (its text elided to fit)
    stretch: bool = False
    #: the cell is a link (mailto:, tel:, http…) opened by a click or Ctrl+Enter on the row
    link: Callable[[Any], QUrl | None] | None = None


class RowsModel(PagedRows, QAbstractTableModel):
    """Rows of one vendor from ``loader``, fetched ``PAGE`` at a time as the view scrolls."""

    PAGE = 100

    def __init__(
        self, controller: VaultController, columns: list[Column], loader: Loader, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.controller, self.columns, self.loader = controller, columns, loader
        self.vendor_id: int | None = None
        self._rows: list[Any] = []
        self._more = False
        self._busy = False  # no fetching more while rows go in or the model resets

    def set_vendor(self, vendor_id: int | None) -> None:
        self.vendor_id = vendor_id
        self.reload()

    def reload(self) -> None:
        rows = self._load(0) if self.vendor_id is not None and self.controller.is_open else []
        reset_model(self, lambda: self._set(rows, len(rows) == self.PAGE))

    def _set(self, rows: list[Any], more: bool) -> None:
        self._rows, self._more = rows, more

    def clear(self) -> None:
        self.vendor_id = None
        reset_model(self, lambda: self._set([], False))

    def _load(self, offset: int) -> list[Any]:
        assert self.vendor_id is not None
        with self.controller.session() as session:
            return self.loader(session, self.vendor_id, offset, self.PAGE)

    def _page(self, offset: int) -> list[Any]:
        return self._load(offset)

    def item(self, row: int) -> Any:
        return self._rows[row]

    def columnCount(self, parent: AnyIndex = NO_PARENT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section].title
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item, column = self._rows[index.row()], self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(item)
        if role == Qt.ItemDataRole.DecorationRole and column.icon is not None:
            return column.icon(item)
        url = column.link(item) if column.link is not None else None
        if role == Qt.ItemDataRole.ForegroundRole and column.colour is not None:
            return column.colour(item, QApplication.palette())
        if role == Qt.ItemDataRole.ForegroundRole and url is not None:
            return QApplication.palette().color(QPalette.ColorRole.Link)
        if role == Qt.ItemDataRole.FontRole and url is not None:
            font = QFont(QApplication.font())
            font.setUnderline(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column.tip is not None:
            return column.tip(item) or None
        if role == Qt.ItemDataRole.ToolTipRole and url is not None:
            return f"Open {url.toDisplayString()} (click, or Ctrl+Enter)"
        if role == LINK_ROLE:
            return url
        if role == ID_ROLE:
            return item.id
        if role == ROW_ROLE:
            return item
        return None


class RecordTab(QWidget):
    """A table of one kind of record with New, Edit and Delete (buttons, Insert, Enter, Delete)."""

    #: a row was activated (Enter, double click): the record's id
    activated = Signal(int)

    def __init__(
        self,
        controller: VaultController,
        kind: str,
        model: RowsModel,
        noun: str,
        defaults: Callable[[], dict[str, Any]],
        *,
        title: str = "",
        compact: bool = False,
        empty: str = "",
        editable: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller, self.kind, self.model, self.noun, self.defaults = (
            controller,
            kind,
            model,
            noun,
            defaults,
        )
        layout = QVBoxLayout(self)
        if compact:
            layout.setContentsMargins(0, 0, 0, 0)
        self.table = record_table(model, title or f"{noun.capitalize()}s")
        self._stretch = next(
            (i for i, c in enumerate(model.columns) if c.stretch), len(model.columns) - 1
        )
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(self._stretch, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        #: what goes in the list and how to add one, shown while it is empty
        self.hint = EmptyHint(self.table, empty, lambda: self.model.vendor_id is not None)
        self.table.activated.connect(self._activate)
        self.table.clicked.connect(self._clicked)
        open_link = QAction("Open link", self.table)
        open_link.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        open_link.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        open_link.triggered.connect(self.open_link)
        self.table.addAction(open_link)
        self.buttons: dict[str, QPushButton | QToolButton] = {}
        bar = QHBoxLayout()
        if title:
            heading = QLabel(f"<b>{title}</b>")
            heading.setBuddy(self.table)
            bar.addWidget(heading)
        if compact:
            bar.addStretch(1)
        if editable:
            for key, text, icon_name, slot in (
                ("new", f"&New {noun}…", "plus", self.new),
                ("edit", "Ed&it…", "edit", self.edit),
                ("delete", "&Delete…", "trash", self.delete),
            ):
                button: QPushButton | QToolButton
                if compact:
                    button = QToolButton()
                    button.setIcon(icon(icon_name))
                    button.setAutoRaise(True)
                    button.setToolTip(text.replace("&", ""))
                else:
                    button = QPushButton(icon(icon_name), text)
                button.setAccessibleName(
                    f"{text.replace('&', '').rstrip('…')}" + ("" if key == "new" else f" {noun}")
                )
                button.clicked.connect(slot)
                bar.addWidget(button)
                self.buttons[key] = button
            self._key_actions()
        if not compact:
            bar.addStretch(1)
        self.bar = bar
        #: buttons (by key) that act on the selected record
        self.on_selection: set[str] = {"edit", "delete"}
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        model.modelReset.connect(self._update_buttons)
        model.modelReset.connect(self._fit_columns)
        self._update_buttons()

    MAX_COLUMN = 240

    def _fit_columns(self) -> None:
        """Columns as wide as what the first page shows, within reason; the stretching column
        (the title, or an offer's text) takes the rest, so the table fits its width."""
        if not self.model.rowCount():
            return
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            if column != self._stretch:
                self.table.resizeColumnToContents(column)
                header.resizeSection(column, min(header.sectionSize(column) + 12, self.MAX_COLUMN))

    def _key_actions(self) -> None:
        for keys, slot in (
            ([QKeySequence(Qt.Key.Key_Insert)], self.new),
            ([QKeySequence(QKeySequence.StandardKey.Delete)], self.delete),
        ):
            action = QAction(self.table)
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(slot)
            self.table.addAction(action)

    def add_button(
        self, key: str, text: str, icon_name: str, slot: Callable[[int], object]
    ) -> QPushButton:
        """One more button after New/Edit/Delete, acting on the selected record (its id)."""
        button = QPushButton(icon(icon_name), text)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))

        def clicked() -> None:
            record_id = self.current_id()
            if record_id is not None:
                slot(record_id)

        button.clicked.connect(clicked)
        self.bar.insertWidget(max(self.bar.count() - 1, 0), button)
        self.buttons[key] = button
        self.on_selection.add(key)
        self._update_buttons()
        return button

    def _update_buttons(self) -> None:
        has = self.current_id() is not None
        for key in self.on_selection:
            if key in self.buttons:
                self.buttons[key].setEnabled(has)
        if "new" in self.buttons:
            self.buttons["new"].setEnabled(self.model.vendor_id is not None)

    def current_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(ID_ROLE) if rows else None

    def select_id(self, record_id: int) -> bool:
        row = self.model.row_of(record_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _clicked(self, index: QModelIndex) -> None:
        url = index.data(LINK_ROLE) if index.isValid() else None
        if isinstance(url, QUrl):
            links.open_url(url)

    def open_link(self) -> bool:
        """The current row's link: the current cell's, else the row's first."""
        current = self.table.currentIndex()
        if not current.isValid():
            return False
        cells = [current] + [
            self.model.index(current.row(), c) for c in range(self.model.columnCount())
        ]
        for cell in cells:
            url = cell.data(LINK_ROLE)
            if isinstance(url, QUrl):
                return links.open_url(url)
        return False

    def _activate(self, index: QModelIndex) -> None:
        if index.isValid():
            self.activated.emit(index.data(ID_ROLE))

    def new(self) -> None:
        if self.model.vendor_id is None:
            return
        saved = call_editor(self, self.controller, self.kind, defaults=self.defaults())
        if saved is not None:
            self.select_id(saved)

    def edit(self) -> None:
        record_id = self.current_id()
        if record_id is not None:
            call_editor(self, self.controller, self.kind, record_id=record_id)
            self.select_id(record_id)

    def delete(self) -> None:
        record_id = self.current_id()
        if record_id is None:
            return
        row = self.model.row_of(record_id)
        title = self.model.data(self.model.index(row, 0)) if row is not None else str(record_id)
        confirm_delete(self, self.controller, self.kind, record_id, str(title))
