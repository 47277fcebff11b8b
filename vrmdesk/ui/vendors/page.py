"""The Vendors page: the vendor list on the left, the chosen vendor's page on the right."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, QItemSelection, QSettings, QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.store.services import tags
from vrmdesk.ui.core import preferences as settings
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.pages import Page
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.editors.record_actions import call_editor
from vrmdesk.ui.vendors.list import ID_ROLE, SORT_LABELS, VendorDelegate, VendorListModel
from vrmdesk.ui.vendors.vendor_page import VendorPage

#: changes to these kinds can change a vendor's row (last contact, badges, attention)
LIST_KINDS = {"*", "vendor", "ticket", "interaction", "warranty", "offer", "agreement", "tag"}
#: the list is filtered once the keystrokes already typed are handled (one query for a burst)
FILTER_DELAY_MS = 0
#: the first match's page (header, health, every tab: a tenth of a second and more for a vendor
#: with years of mail) is loaded once typing pauses this long, not on every keystroke
SHOW_DELAY_MS = 300


class SortBox(QComboBox):
    """A combo box whose arrow keys and wheel open its list instead of changing the sort unseen."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        keys = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)
        if event.key() in keys and not event.modifiers() & Qt.KeyboardModifier.AltModifier:
            self.showPopup()
            return
        super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()  # scrolling the page past it must not re-sort the list


class FilterField(QLineEdit):
    """The filter: Down (or Page Down) moves into the list below, to its current vendor."""

    def __init__(self, into: Callable[[], None]) -> None:
        super().__init__()
        self._into = into

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and not event.modifiers():
            self._into()
            return
        super().keyPressEvent(event)


class VendorsPage(Page):
    #: the chosen vendor's page (made after the list, whose shortcuts reach it)
    page: VendorPage

    def __init__(
        self, controller: VaultController, prefs: Preferences, parent: QWidget | None = None
    ) -> None:
        super().__init__(controller, prefs, parent)
        self.model = VendorListModel(controller, prefs, self)
        self._deferred = False  # selecting in the list from the filter: the page follows later
        self.new_action: QAction | None = None

        self.filter = FilterField(self._into_list)
        self.filter.setPlaceholderText("Filter by name")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName("Filter vendors")
        self.filter_timer = QTimer(self)
        self.filter_timer.setSingleShot(True)
        self.filter_timer.setInterval(FILTER_DELAY_MS)
        self.filter_timer.timeout.connect(self._apply_filter)
        self.filter.textChanged.connect(lambda _text: self.filter_timer.start())
        self.show_timer = QTimer(self)
        self.show_timer.setSingleShot(True)
        self.show_timer.setInterval(SHOW_DELAY_MS)
        self.show_timer.timeout.connect(self._show_selected)
        self.sort = SortBox()
        self.sort.setToolTip("How the list is sorted (Alt+S, then Down to choose)")
        self.tag = SortBox()
        self.tag.setAccessibleName("Only vendors with the tag")
        self.tag.setToolTip("Only vendors with this tag (Alt+G, then Down to choose)")
        self.tag.addItem("All vendors", None)
        self.sort.setAccessibleName("Sort vendors by")
        for key, text in SORT_LABELS.items():
            self.sort.addItem(text, key)
        self.list = QListView()
        self.list.setAccessibleName("Vendors")
        self.list.setModel(self.model)
        self.list.setItemDelegate(VendorDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.selectionModel().selectionChanged.connect(self._selected)
        self.list.activated.connect(self._open_selected)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.hide()
        for keys, slot in (
            (QKeySequence.StandardKey.Delete, lambda: self.page.delete_vendor()),
            (Qt.Key.Key_F2, lambda: self.page.edit_vendor()),
            (Qt.Key.Key_Insert, self.new_vendor),
        ):
            action = QAction(self.list)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(slot)
            self.list.addAction(action)

        left = QWidget()
        left.setMinimumWidth(220)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 4, 0)
        self.tag_row = QWidget()
        for text, widget in (("Fi&lter:", self.filter), ("&Sort:", self.sort), ("Ta&g:", self.tag)):
            row = QHBoxLayout(self.tag_row) if widget is self.tag else QHBoxLayout()
            label = QLabel(text)
            label.setBuddy(widget)
            label.setMinimumWidth(40)
            row.addWidget(label)
            row.addWidget(widget, 1)
            if widget is self.tag:
                row.setContentsMargins(0, 0, 0, 0)
                left_layout.addWidget(self.tag_row)
            else:
                left_layout.addLayout(row)
        self.tag_row.hide()  # shown once some vendor has a tag
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(self.empty)
        self.request_quotes_button = QPushButton("Request quotes…")
        self.request_quotes_button.setToolTip(
            "One request for quotes, sent as a signed bundle to each vendor you choose"
        )
        self.request_quotes_button.clicked.connect(self.request_quotes)
        self.quotes_button = QPushButton("Quotes…")
        self.quotes_button.setToolTip("Your requests for quotes and the quotes side by side")
        self.quotes_button.clicked.connect(self.show_quotes)
        quote_row = QHBoxLayout()
        quote_row.addWidget(self.request_quotes_button, 1)
        quote_row.addWidget(self.quotes_button)
        left_layout.addLayout(quote_row)
        # Tab from the filter goes to the list it filters; the sort box comes after the list
        QWidget.setTabOrder(self.filter, self.list)
        QWidget.setTabOrder(self.list, self.sort)
        QWidget.setTabOrder(self.sort, self.tag)

        self.page = VendorPage(controller, prefs)
        self.page.open_record.connect(self.open_record)
        self.splitter = QSplitter()
        self.splitter.setObjectName("vendors-splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.page)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([290, 740])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._restore_state(settings.qsettings())
        self.sort.currentIndexChanged.connect(self._apply_sort)
        self.tag.currentIndexChanged.connect(self._apply_tag)

    # -- the list ---------------------------------------------------------------------------
    def _apply_filter(self) -> None:
        self._requery(text=self.filter.text())

    def _apply_sort(self) -> None:
        self._requery(sort=self.sort.currentData())

    def _apply_tag(self) -> None:
        self.model.tag = self.tag.currentData()
        self._requery()

    def _reload_tags(self) -> None:
        """The tags on vendors, for the tag filter (hidden while no vendor has one)."""
        with self.controller.session() as session:
            names = tags.all_tags(session, "vendor")
        chosen = self.tag.currentData()
        with QSignalBlocker(self.tag):
            while self.tag.count() > 1:
                self.tag.removeItem(1)
            for name in names:
                self.tag.addItem(name, name)
            index = self.tag.findData(chosen) if chosen is not None else 0
            self.tag.setCurrentIndex(max(index, 0))
        self.tag_row.setVisible(bool(names))
        self.model.tag = self.tag.currentData()  # None if the chosen tag is gone

    def _requery(self, text: str | None = None, sort: str | None = None) -> None:
        """Filter or sort the list. One query: the vendor shown stays selected if the first page
        of the new list has it, else the first match is selected and its page follows once
        typing pauses (``SHOW_DELAY_MS``)."""
        if not self.controller.is_open:
            return
        keep = self._listed_id()
        with QSignalBlocker(self.list.selectionModel()):
            self.model.set_query(text, sort)
        self.list.scrollToTop()
        self._deferred = True
        try:
            self._reselect(keep, search_all=False)
        finally:
            self._deferred = False

    def _listed_id(self) -> int | None:
        """The vendor selected in the list (its page may follow a moment later)."""
        index = self.list.currentIndex()
        if index.isValid() and self.list.selectionModel().isSelected(index):
            return int(index.data(ID_ROLE))
        return self.page.vendor_id

    def _reselect(
        self, vendor_id: int | None, fallback_row: int = 0, *, search_all: bool = True
    ) -> bool:
        """Select ``vendor_id`` if the list shows it (``search_all``: fetching pages until it is
        found; else among the rows loaded), else the vendor now at ``fallback_row`` (or the last
        one, or none). True if the vendor page now shows another vendor."""
        before = self.page.vendor_id
        row = None
        if vendor_id is not None:
            row = self.model.row_of(vendor_id) if search_all else self.model.loaded_row(vendor_id)
        if row is None and self.model.rowCount():
            row = min(max(fallback_row, 0), self.model.rowCount() - 1)
        if row is None:
            self.show_timer.stop()
            self.list.clearSelection()
            self.page.clear()
        else:
            index = self.model.index(row, 0)
            self.list.setCurrentIndex(index)  # selecting shows the vendor (see _selected)
            self.list.scrollTo(index)
            if not self._deferred and self.page.vendor_id != self.model.vendor(row).id:
                self.page.set_vendor(self.model.vendor(row).id)
        self._update_empty()
        return self.page.vendor_id != before

    def _show_selected(self) -> None:
        """The page of the vendor selected in the list (after a pause in typing)."""
        vendor_id = self._listed_id()
        if vendor_id is not None and vendor_id != self.page.vendor_id:
            self.page.set_vendor(vendor_id)

    def _open_selected(self) -> None:
        """Enter on a vendor: its page now (not after the filter's pause), and into its tabs."""
        self.show_timer.stop()
        self._show_selected()
        self.page.tabs.setFocus()

    def _into_list(self) -> None:
        """Down in the filter: into the list, on its selected vendor (or the first)."""
        if not self.model.rowCount():
            return
        self.list.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.list.currentIndex().isValid():
            self.list.setCurrentIndex(self.model.index(0, 0))

    def _update_empty(self) -> None:
        if self.model.rowCount():
            self.empty.hide()
            return
        keys = self.new_action.shortcut() if self.new_action is not None else QKeySequence()
        shortcut = keys.toString(QKeySequence.SequenceFormat.NativeText)
        text, tag = self.model.text, self.model.tag
        if text and tag:
            message = f"No vendor tagged “{tag}” has “{text}” in its name."
        elif text:
            message = f"No vendor’s name contains “{text}”."
        elif tag:
            message = f"No vendor has the tag “{tag}”."
        else:
            message = f"No vendors yet. Add one with New vendor… ({shortcut or 'Insert'})."
        self.empty.setText(message)
        self.empty.show()

    def set_new_action(self, action: QAction) -> None:
        """The window's New vendor… action, whose shortcut the empty list names."""
        self.new_action = action

    def _selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        if self._deferred:  # chosen by the filter: the page follows when typing pauses
            self.show_timer.start()
            return
        self.show_timer.stop()
        vendor_id = indexes[0].data(ID_ROLE)
        if vendor_id != self.page.vendor_id:
            self.page.set_vendor(vendor_id)

    def request_quotes(self) -> QWidget:
        """The request-for-quotes dialog (no vendor chosen yet)."""
        from vrmdesk.ui.vendors.quotes_dialog import open_request_dialog

        return open_request_dialog(self, self.controller)

    def show_quotes(self) -> QWidget:
        """The requests for quotes and their quotes side by side."""
        from vrmdesk.ui.vendors.quotes_dialog import open_quotes_dialog

        return open_quotes_dialog(self, self.controller)

    def new_vendor(self) -> None:
        saved = call_editor(self, self.controller, "vendor")
        if saved is not None:
            self.show_vendor(saved)

    # -- what the window asks ---------------------------------------------------------------
    def show_vendor(
        self, vendor_id: int, kind: str | None = None, record_id: int | None = None
    ) -> None:
        """Select the vendor (clearing a filter that hides it) and, given ``kind``, show that
        record."""
        if not self.controller.is_open:
            return
        self.show_timer.stop()
        row = self.model.row_of(vendor_id)
        if row is None and self.model.text:
            self.filter_timer.stop()
            with QSignalBlocker(self.filter):
                self.filter.clear()
            self._requery(text="")
            row = self.model.row_of(vendor_id)
        if row is None:  # a vendor added since the list was read
            with QSignalBlocker(self.list.selectionModel()):
                self.model.reload()
            row = self.model.row_of(vendor_id)
        if row is None:
            return
        index = self.model.index(row, 0)
        self.list.setCurrentIndex(index)
        self.list.scrollTo(index)
        if self.page.vendor_id != vendor_id:
            self.page.set_vendor(vendor_id)
        if kind is not None:
            self.page.select(kind, record_id)

    def current_vendor_id(self) -> int | None:
        return self.page.vendor_id

    def refresh(self, kinds: set[str]) -> None:
        if kinds & {"*", "tag", "vendor"} and self.controller.is_open:
            self._reload_tags()
        if kinds & LIST_KINDS:
            keep, scrolled = self._listed_id(), self.list.verticalScrollBar().value()
            row = self.list.currentIndex().row()
            with QSignalBlocker(self.list.selectionModel()):
                self.model.reload(at_least=self.model.rowCount())
            self.list.verticalScrollBar().setValue(scrolled)
            if self._reselect(keep, row):
                return
        self.page.refresh(kinds)

    def clear(self) -> None:
        self.filter_timer.stop()
        self.show_timer.stop()
        with QSignalBlocker(self.filter):
            self.filter.clear()
        self.model.text = ""
        with QSignalBlocker(self.tag):
            while self.tag.count() > 1:
                self.tag.removeItem(1)
            self.tag.setCurrentIndex(0)
        self.model.tag = None
        self.tag_row.hide()
        self.model.clear()
        self.page.clear()
        self.empty.hide()

    # -- window state -----------------------------------------------------------------------
    def _restore_state(self, store: QSettings) -> None:
        state = store.value("vendors/splitter")
        if isinstance(state, QByteArray):
            self.splitter.restoreState(state)
        index = self.sort.findData(store.value("vendors/sort", "name"))
        self.sort.setCurrentIndex(max(index, 0))
        self.model.sort_key = self.sort.currentData()

    def save_state(self, store: QSettings) -> None:
        store.setValue("vendors/splitter", self.splitter.saveState())
        store.setValue("vendors/sort", self.sort.currentData())
