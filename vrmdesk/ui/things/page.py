"""The Things page: everything the person owns, across vendors, and the page of one thing.

Households think in appliances first: the list shows every thing with its category, maker,
seller, location, best warranty state and purchase date, filtered by category, location and
words; the thing chosen shows on the right (``AssetPanel``).
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QModelIndex, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence, QPalette, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.store.services import tags, things
from vrmdesk.ui.core import preferences as settings
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.pages import Page
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.things.inventory_dialog import InventoryDialog
from vrmdesk.ui.things.models import (
    ID_ROLE,
    ROW_PADDING,
    AssetFilterProxy,
    AssetTableModel,
    selected_id,
)
from vrmdesk.ui.things.thing_panel import AssetPanel
from vrmdesk.ui.widgets.empty_hint import EmptyHint
from vrmdesk.ui.widgets.icons import icon
from vrmdesk.ui.widgets.tables import record_table

#: changes to these kinds can change what the page shows
RELEVANT = {
    "*",
    "asset",
    "warranty",
    "registration",
    "service_event",
    "ticket",
    "vendor",
    "attachment",
    "interaction",
    "tag",
}


class ThingsPage(Page):
    #: the chosen thing (made after the table, whose shortcuts reach it)
    panel: AssetPanel

    def __init__(
        self, controller: VaultController, prefs: Preferences, parent: QWidget | None = None
    ) -> None:
        super().__init__(controller, prefs, parent)
        self._stale = True  # the list is loaded when the page is first shown
        self._loading = False

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("name, maker, model, serial number…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter things")
        self.category_combo = self._filter_combo("All categories", "Category filter")
        self.location_combo = self._filter_combo("All locations", "Location filter")
        self.tag_combo = self._filter_combo("All tags", "Tag filter")
        self.tag_combo.setMinimumContentsLength(8)  # tags are short; the words filter is wider
        self.tag_combo.setToolTip("Only the things with this tag")
        self.tag_label = QLabel("Tag:")
        self.tag_label.setBuddy(self.tag_combo)
        #: the ids of the things with the chosen tag (None: no tag chosen)
        self._tag_ids: frozenset[int] | None = None
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Number of things shown")
        self.new_button = QPushButton(icon("plus"), "&New thing…")
        self.new_button.clicked.connect(self.new_asset)
        self.inventory_button = QPushButton("Ins&urer's inventory…")  # short: the filter keeps room
        self.inventory_button.setToolTip(
            "The inventory for an insurer: a PDF of your things with totals, and the same as a "
            "signed bundle with the receipts"
        )
        self.inventory_button.clicked.connect(self.open_inventory)
        bar = QHBoxLayout()
        # mnemonics: the menu bar has F, E, V, H; the files tab uses A, C, O, R, V
        for text, widget in (
            ("Fi&lter:", self.filter_edit),
            ("Cate&gory:", self.category_combo),
            ("Loca&tion:", self.location_combo),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            bar.addWidget(label)
            bar.addWidget(widget, 2 if widget is self.filter_edit else 1)
        bar.addWidget(self.tag_label)
        bar.addWidget(self.tag_combo)
        bar.addWidget(self.count_label)
        bar.addStretch(0)
        bar.addWidget(self.inventory_button)
        bar.addWidget(self.new_button)

        self.model = AssetTableModel(self)
        self.proxy = AssetFilterProxy(self.model, self)
        self.table = record_table(
            self.proxy, "Things", row_padding=ROW_PADDING, highlight_sections=False
        )
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(lambda _index: self.panel.edit_asset())
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(lambda: self.panel.delete_asset())

        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the name takes the rest
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        #: no things yet, or none matching: said inside the list
        self.empty = EmptyHint(self.table, "")

        self.panel = AssetPanel(controller)
        self.panel.open_record.connect(self.open_record)
        self.panel.saved.connect(self.show_asset)
        self.right = QStackedWidget()
        self.right.addWidget(self.panel)
        #: while no thing is chosen the list has the page's whole height, with this line below it
        self.choose = QLabel("Choose a thing to see its warranties, service and tickets.")
        self.choose.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.choose.setAlignment(Qt.AlignmentFlag.AlignCenter)
        #: the action that adds a thing (the window's New thing…), named with its real shortcut
        self.new_action: QAction | None = None

        # the list above the thing: seven columns need the page's whole width
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("things-splitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([380, 460])
        #: the split while a thing is shown (the panel is hidden while none is)
        self._panel_sizes = [380, 460]

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.choose)

        self.filter_edit.textChanged.connect(self._apply_filter)
        self.category_combo.currentIndexChanged.connect(self._apply_filter)
        self.location_combo.currentIndexChanged.connect(self._apply_filter)
        self.tag_combo.currentIndexChanged.connect(self._tag_chosen)
        self._header_restored = False
        self.restore_state(settings.qsettings())
        self._show_empty()

    @staticmethod
    def _filter_combo(all_text: str, accessible: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(accessible)
        combo.addItem(all_text, None)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(14)
        return combo

    # -- loading -----------------------------------------------------------------------------
    def refresh(self, kinds: set[str]) -> None:
        if not (set(kinds) & RELEVANT):
            return
        if not self.isVisible():  # loaded when shown: a hidden page costs nothing
            self._stale = True
            return
        self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale and self.controller.is_open:
            self.reload()

    def reload(self) -> None:
        """Read the list (and the thing shown) again from the vault."""
        current = self.current_asset_id()
        with self.controller.session() as session:
            rows = things.asset_rows(session)
            categories = things.categories(session)
            locations = things.locations(session)
            in_use = tags.all_tags(session, "asset")
            chosen = self.tag_combo.currentData()
            self._tag_ids = (
                frozenset(tags.owners_tagged(session, "asset", [chosen])) if chosen else None
            )
        self._loading = True
        try:
            self._fill_combo(self.category_combo, categories)
            self._fill_combo(self.location_combo, locations)
            self._fill_combo(self.tag_combo, in_use)
            if self.tag_combo.currentData() is None:  # the chosen tag is gone
                self._tag_ids = None
            self._show_tags()
            self.model.set_rows(rows)
            self._apply_filter()
            if not self._header_restored and rows:
                self._fit_columns()
                self._header_restored = True
            still_there = current is not None and self._select(current)
        finally:
            self._loading = False
        self._stale = False
        if still_there and current is not None and self.panel.show_asset(current):
            self._show_panel()
        else:
            self._show_empty()
        self._update_count()

    MAX_COLUMN = 220

    def _fit_columns(self) -> None:
        """Every column but the name as wide as its contents (the first rows' of it), within
        reason; the name takes the width they leave, so the table fits without scrolling."""
        header = self.table.horizontalHeader()
        header.setResizeContentsPrecision(200)
        for column in range(1, self.model.columnCount()):
            self.table.resizeColumnToContents(column)
            header.resizeSection(column, min(header.sectionSize(column) + 8, self.MAX_COLUMN))

    def _fill_combo(self, combo: QComboBox, values: list[str]) -> None:
        chosen = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for value in values:
            combo.addItem(value, value)
        index = combo.findData(chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _show_tags(self) -> None:
        """The tag filter, only while some thing has a tag."""
        shown = self.tag_combo.count() > 1
        self.tag_label.setVisible(shown)
        self.tag_combo.setVisible(shown)

    def _tag_chosen(self) -> None:
        tag = self.tag_combo.currentData()
        if tag is None:
            self._tag_ids = None
        else:
            with self.controller.session() as session:
                self._tag_ids = frozenset(tags.owners_tagged(session, "asset", [tag]))
        self._apply_filter()

    def _apply_filter(self) -> None:
        self.proxy.set_filter(
            category=self.category_combo.currentData(),
            location=self.location_combo.currentData(),
            text=self.filter_edit.text(),
            ids=self._tag_ids,
        )
        self._update_count()
        if self.current_asset_id() is None and not self._loading:
            self._show_empty()

    def _update_count(self) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        if not self.controller.is_open or (total == 0 and self._stale):
            self.count_label.setText("")
        elif shown == total:
            self.count_label.setText(f"{total} thing{'s' if total != 1 else ''}")
        else:
            self.count_label.setText(f"{shown} of {total}")

    # -- selection ---------------------------------------------------------------------------
    def current_asset_id(self) -> int | None:
        return selected_id(self.table)

    def _select(self, asset_id: int) -> bool:
        source_row = self.model.row_of(asset_id)
        if source_row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(source_row, 0))
        if not index.isValid():
            return False
        self.table.setCurrentIndex(index)
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._loading:
            return
        if not current.isValid():
            self._show_empty()
            return
        if self.panel.show_asset(int(current.data(ID_ROLE))):
            self._show_panel()
        else:
            self._show_empty()

    def set_new_action(self, action: QAction) -> None:
        """The window's New thing… action, whose shortcut the empty list names."""
        self.new_action = action
        if not self.right.isVisibleTo(self):
            self._show_empty()

    def _new_thing_words(self) -> str:
        keys = self.new_action.shortcut() if self.new_action is not None else QKeySequence()
        shortcut = keys.toString(QKeySequence.SequenceFormat.NativeText)
        return f"New thing… ({shortcut})" if shortcut else "New thing…"

    def _show_panel(self) -> None:
        self.right.setCurrentWidget(self.panel)
        if self.right.isHidden():
            self.right.show()
            self.splitter.setSizes(self._panel_sizes)
        self.choose.hide()

    def _split_sizes(self) -> list[int]:
        """The list's and the panel's heights while a thing is shown."""
        if not self.right.isHidden() and all(self.splitter.sizes()):
            self._panel_sizes = self.splitter.sizes()
        return self._panel_sizes

    def _show_empty(self) -> None:
        """No thing chosen: the list takes the page's height; an empty list says why."""
        self.panel.clear()
        self._split_sizes()
        self.right.hide()
        if not self.controller.is_open:
            text = ""
        elif self.model.rowCount() == 0:
            text = (
                "No things yet. The things you own go here, with their warranties, receipts "
                f"and service. Add the first with {self._new_thing_words()}"
            )
        elif self.proxy.rowCount() == 0:
            text = "No thing matches the filter."
        else:
            text = ""
        self.empty.set_text(text)
        self.choose.setVisible(self.proxy.rowCount() > 0)

    def show_asset(
        self, asset_id: int, kind: str | None = None, record_id: int | None = None
    ) -> None:
        """Select a thing (clearing filters that hide it) and, if given, one of its records."""
        if self._stale or self.model.row_of(asset_id) < 0:
            self.reload()
        if self.model.row_of(asset_id) < 0:
            return
        if not self._select(asset_id):
            self.filter_edit.clear()
            self.category_combo.setCurrentIndex(0)
            self.location_combo.setCurrentIndex(0)
            self.tag_combo.setCurrentIndex(0)
            self._select(asset_id)
        if self.panel.asset_id != asset_id:
            self.panel.show_asset(asset_id)
        self._show_panel()
        if kind and kind != "asset":
            self.panel.select(kind, record_id)

    # -- commands ----------------------------------------------------------------------------
    def open_inventory(self) -> InventoryDialog:
        """Inventory for the insurer… (modeless), starting from the page's filters."""
        location, category = (
            combo.currentText() if combo.currentIndex() > 0 else ""
            for combo in (self.location_combo, self.category_combo)
        )
        dialog = InventoryDialog(self.controller, self, location=location, category=category)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def new_asset(self) -> None:
        from vrmdesk.ui.editors.record_editor import edit_record

        defaults = {
            key: combo.currentData()
            for key, combo in (("category", self.category_combo), ("location", self.location_combo))
            if combo.currentData()
        }
        new_id = edit_record(self.window(), self.controller, "asset", defaults=defaults)
        if new_id is not None:
            self.show_asset(new_id)

    def clear(self) -> None:
        """The vault was locked: forget every thing shown, and what was typed in the filter."""
        self._loading = True
        try:
            self.model.clear()
            self._fill_combo(self.category_combo, [])
            self._fill_combo(self.location_combo, [])
            self._fill_combo(self.tag_combo, [])
            self._tag_ids = None
            self._show_tags()
            self.filter_edit.clear()
        finally:
            self._loading = False
        self._stale = True
        self._show_empty()
        self.empty.set_text("")
        self.choose.hide()
        self.count_label.setText("")

    # -- window state ------------------------------------------------------------------------
    def save_state(self, store: QSettings) -> None:
        store.setValue("things/split", self._split_sizes())
        store.setValue("things/columns", self.table.horizontalHeader().saveState())

    def restore_state(self, store: QSettings) -> None:
        sizes = store.value("things/split")  # "things/splitter": before the panel hid
        if isinstance(sizes, list) and len(sizes) == 2 and all(str(n).isdigit() for n in sizes):
            self._panel_sizes = [int(n) for n in sizes]
            self.splitter.setSizes(self._panel_sizes)
        header = store.value("things/columns")  # "things/header": before the name stretched
        if isinstance(header, QByteArray) and self.table.horizontalHeader().restoreState(header):
            self._header_restored = True
