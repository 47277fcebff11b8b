"""The Tickets page: every ticket with every vendor in one list, and the ticket chosen below it.

Filters by state (open or waiting by default), vendor, thing, tag and "follow-up overdue"; sorts
by any column (the follow-up date first, soonest at the top). The list reads a page at a time
and says how many tickets the filters let through, so a vault of 50,000 tickets opens it at
once. With no ticket in the vault, the page says what a ticket is and how to make one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray, QModelIndex, QSettings, Qt
from PySide6.QtGui import QFocusEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.store.services import tickets, views
from vrmdesk.store.services.tickets import TicketFilter
from vrmdesk.ui.core import preferences as settings
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.pages import Page
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.editors.record_actions import call_editor
from vrmdesk.ui.tickets.model import (
    COLUMNS,
    FOLLOW_UP_COLUMN,
    ID_ROLE,
    TicketsModel,
    install_fitting,
)
from vrmdesk.ui.tickets.ticket_view import SHOWS, TicketView
from vrmdesk.ui.widgets.icons import icon
from vrmdesk.ui.widgets.tables import record_table

#: what the page says when the vault holds no ticket at all
_STALE = object()
EXPLAINED = (
    "<p><b>No tickets yet.</b></p>"
    "<p>A ticket is a case you have open with a vendor: a repair, a complaint, a refund, a "
    "question that needs an answer. It keeps the vendor's case reference, its state (open, "
    "waiting on the vendor, waiting on you, resolved, closed), the thing it is about, when to "
    "follow it up, and every call and message about it.</p>"
    "<p>Make one with <b>New ticket…</b> here, on a vendor's Tickets tab, or with "
    "<b>Open a ticket from this message</b> on a message in a vendor's timeline.</p>"
)
STATES = (
    ("Open or waiting", tickets.UNRESOLVED),
    ("Any state", None),
    *((views.label(s), s) for s in ("open", "waiting_on_vendor", "waiting_on_me")),
    *((views.label(s), s) for s in ("resolved", "closed")),
)


#: changes to these kinds can change what the filters offer
CHOICES = {"*", "vendor", "asset", "ticket", "tag", "tagging"}


class LazyCombo(QComboBox):
    """A combo box that asks for its items only when a person comes to use it."""

    def __init__(self, load: Callable[[], None]) -> None:
        super().__init__()
        self.load = load

    def showPopup(self) -> None:
        self.load()
        super().showPopup()

    def focusInEvent(self, event: QFocusEvent) -> None:
        self.load()
        super().focusInEvent(event)


class TicketsPage(Page):
    #: the ticket chosen (made after the table, whose Enter opens its "Log a call")
    view: TicketView

    def __init__(
        self, controller: VaultController, prefs: Preferences, parent: QWidget | None = None
    ) -> None:
        super().__init__(controller, prefs, parent)
        self._stale = True  # read when the page is first shown
        self._loading = False
        self._any = False  # the vault holds at least one ticket

        self.state = self._combo("Filter by state", 10)
        for text, value in STATES:
            self.state.addItem(text, value)
        self.vendor = self._combo("Filter by vendor", 8)
        # the things with tickets can be thousands: read when the filter is used, for the vendor
        # chosen (a stale list has the vendor it was read for, or _STALE)
        self.thing = self._combo("Filter by thing", 8, LazyCombo(self._load_things))
        self._things_for: object = _STALE
        self.tag = self._combo("Filter by tag", 6)
        self._forget_choices()
        self.overdue = QCheckBox("Follow-up &overdue")
        self.overdue.setToolTip("Only open tickets whose follow-up date has come")
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Number of tickets")
        self.new_button = QPushButton(icon("plus"), "&New ticket…")
        self.new_button.setAccessibleName("New ticket")
        self.new_button.clicked.connect(self.new_ticket)
        bar = QHBoxLayout()
        # mnemonics: the menu bar has F, E, V, H; the ticket view uses L, I
        for text, combo in (
            ("S&tate:", self.state),
            ("Ven&dor:", self.vendor),
            ("Thin&g:", self.thing),
            ("T&ag:", self.tag),
        ):
            label = QLabel(text)
            label.setBuddy(combo)
            bar.addWidget(label)
            bar.addWidget(combo, 1)
        bar.addWidget(self.overdue)
        bar.addWidget(self.count_label)
        bar.addWidget(self.new_button)

        self.model = TicketsModel(controller, self)
        self.table = record_table(self.model, "Tickets", highlight_sections=False)
        # the indicator first: turning sorting on sorts by it
        self.table.horizontalHeader().setSortIndicator(
            FOLLOW_UP_COLUMN, Qt.SortOrder.AscendingOrder
        )
        self.table.setSortingEnabled(True)
        install_fitting(self.table)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.activated.connect(lambda _index: self.view.log_call())

        self.explained = QLabel(EXPLAINED)
        self.explained.setWordWrap(True)
        self.explained.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.explained.setAccessibleName("What a ticket is")
        self.explained.setFixedWidth(560)
        self.explained.setMinimumHeight(self.explained.heightForWidth(self.explained.width()))
        self.no_match = QLabel("No ticket matches these filters.")
        self.no_match.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.clear_button = QPushButton("Show all open tickets")
        self.clear_button.clicked.connect(self.clear_filters)
        self.empty = QWidget()
        empty_layout = QVBoxLayout(self.empty)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.explained, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addWidget(self.no_match)
        empty_layout.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignHCenter)
        empty_layout.addStretch(2)
        self.list_area = QStackedWidget()
        self.list_area.addWidget(self.table)
        self.list_area.addWidget(self.empty)

        self.view = TicketView(controller)
        self.view.open_record.connect(self.open_record)
        self.choose = QLabel("Choose a ticket to see its conversation and log a call.")
        self.choose.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.choose.setEnabled(False)
        self.right = QStackedWidget()
        self.right.addWidget(self.choose)
        self.right.addWidget(self.view)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("tickets-splitter")
        self.splitter.addWidget(self.list_area)
        self.splitter.addWidget(self.right)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([320, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)

        self.vendor.currentIndexChanged.connect(self._vendor_chosen)
        for combo in (self.state, self.thing, self.tag):
            combo.currentIndexChanged.connect(self._apply_filter)
        self.overdue.toggled.connect(self._apply_filter)
        self.model.modelReset.connect(self._update_count)
        self._restore_state(settings.qsettings())

    @staticmethod
    def _combo(name: str, length: int, combo: QComboBox | None = None) -> QComboBox:
        combo = combo or QComboBox()
        combo.setAccessibleName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(length)
        return combo

    # -- loading -------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale and self.controller.is_open:
            self.reload()

    def refresh(self, kinds: set[str]) -> None:
        if not kinds & SHOWS:
            return
        if not self.isVisible():
            self._stale = True
            return
        self.reload(choices=bool(kinds & CHOICES))

    def reload(self, *, choices: bool = True) -> None:
        """Read the filters' choices (unless told not to), the list (as many rows as were
        shown) and the ticket shown."""
        if not self.controller.is_open:
            return
        keep = self.current_ticket_id() or (self.view.ticket.id if self.view.ticket else None)
        offered = None
        if choices or self._stale:
            with self.controller.session() as session:
                offered = tickets.filter_choices(session, with_things=False)
                self._any = tickets.has_tickets(session)
        self._loading = True
        try:
            if offered is not None:
                self._fill(self.vendor, "All vendors", offered.vendors)
                self._fill(self.tag, "All tags", [(t, t) for t in offered.tags])
                self._things_for = _STALE
                if self.thing.currentData() is not None:  # the list keeps the thing chosen
                    self._load_things()
            self.model.filter = self._wanted()
            self.model.reload(at_least=self.model.rowCount())
            if keep is not None:
                self._select_loaded(keep)
        finally:
            self._loading = False
        self._stale = False
        if keep is not None and self.view.show_ticket(keep):
            self.right.setCurrentWidget(self.view)
        else:
            self._show_choose()
        self._update_count()

    def _load_things(self) -> None:
        """The things with tickets (with the vendor chosen) in the thing filter, if stale."""
        vendor_id = self.vendor.currentData()
        if self._things_for == vendor_id or not self.controller.is_open:
            return
        with self.controller.session() as session:
            things = tickets.thing_choices(session, vendor_id)
        self._things_for = vendor_id
        self._fill(self.thing, "All things", things)

    def _fill(self, combo: QComboBox, all_text: str, items: Sequence[tuple[object, str]]) -> None:
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(all_text, None)
        for value, text in items:
            combo.addItem(text, value)
        index = combo.findData(chosen) if chosen is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def _vendor_chosen(self) -> None:
        """Another vendor: the thing filter offers its things (a thing it has none of goes)."""
        if self._loading:
            return
        self._things_for = _STALE
        if self.thing.currentData() is not None:
            self._loading = True
            try:
                self._load_things()
            finally:
                self._loading = False
        self._apply_filter()

    def _wanted(self) -> TicketFilter:
        return TicketFilter(
            state=self.state.currentData(),
            vendor_id=self.vendor.currentData(),
            asset_id=self.thing.currentData(),
            tag=self.tag.currentData(),
            overdue=self.overdue.isChecked(),
        )

    def _apply_filter(self) -> None:
        if self._loading or not self.controller.is_open:
            return
        keep = self.view.ticket.id if self.view.ticket else None
        self.model.set_filter(self._wanted())
        self.table.scrollToTop()
        if keep is not None and not self._select_loaded(keep):
            self.table.clearSelection()
        self._update_count()

    def _update_count(self) -> None:
        if not self.controller.is_open or self._stale:
            self.count_label.setText("")
            return
        total = self.model.total
        self.count_label.setText(f"{total:,} ticket{'s' if total != 1 else ''}")
        nothing_at_all = not self._any
        self.right.setVisible(not nothing_at_all)  # the explanation takes the whole page
        if total:
            self.list_area.setCurrentWidget(self.table)
            return
        self.explained.setVisible(nothing_at_all)
        self.no_match.setVisible(not nothing_at_all)
        self.clear_button.setVisible(not nothing_at_all)
        self.list_area.setCurrentWidget(self.empty)

    def clear_filters(self) -> None:
        self._loading = True
        try:
            self.state.setCurrentIndex(0)
            for combo in (self.vendor, self.thing, self.tag):
                combo.setCurrentIndex(0)
            self.overdue.setChecked(False)
        finally:
            self._loading = False
        self._apply_filter()

    # -- selection -----------------------------------------------------------------------------
    def current_ticket_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isRowSelected(
            index.row(), QModelIndex()
        ):
            return None
        return int(index.data(ID_ROLE))

    def selected_ticket_id(self) -> int | None:
        """The ticket the person is looking at (in the list, or shown in the view)."""
        return self.current_ticket_id() or (self.view.ticket.id if self.view.ticket else None)

    def _select_loaded(self, ticket_id: int) -> bool:
        row = self.model.loaded_row_of(ticket_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.setCurrentIndex(index)
        self.table.selectRow(row)
        self.table.scrollTo(index)
        return True

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._loading or not current.isValid():
            return
        if self.view.show_ticket(int(current.data(ID_ROLE))):
            self.right.setCurrentWidget(self.view)
        else:
            self._show_choose()

    def _show_choose(self) -> None:
        self.view.clear()
        self.right.setCurrentWidget(self.choose)

    def show_ticket(self, ticket_id: int) -> bool:
        """Show a ticket opened elsewhere (Home, a vendor's Tickets tab, search): in the view,
        and selected in the list when the list holds it."""
        if not self.controller.is_open:
            return False
        if self._stale:
            self.reload()
        if not self.view.show_ticket(ticket_id):
            return False
        self.right.setCurrentWidget(self.view)
        self._loading = True
        try:
            if not self._select_loaded(ticket_id):
                self.table.clearSelection()
        finally:
            self._loading = False
        return True

    # -- commands ------------------------------------------------------------------------------
    def new_ticket(self) -> None:
        defaults = {
            key: combo.currentData()
            for key, combo in (("vendor_id", self.vendor), ("asset_id", self.thing))
            if combo.currentData() is not None
        }
        saved = call_editor(self.window(), self.controller, "ticket", defaults=defaults)
        if saved is not None:
            self.show_ticket(saved)

    def _forget_choices(self) -> None:
        """Each filter offers only its "All …" (no vendor's, thing's or tag's name stays)."""
        for combo, text in (
            (self.vendor, "All vendors"),
            (self.thing, "All things"),
            (self.tag, "All tags"),
        ):
            self._fill(combo, text, [])
        self._things_for = _STALE

    def clear(self) -> None:
        """The vault was locked: forget every ticket and the filters' choices."""
        self._loading = True
        try:
            self._forget_choices()
            self.model.clear()
        finally:
            self._loading = False
        self._stale = True
        self._any = False
        self._show_choose()
        self.count_label.setText("")
        self.list_area.setCurrentWidget(self.table)
        self.right.show()

    # -- window state --------------------------------------------------------------------------
    def save_state(self, store: QSettings) -> None:
        store.setValue("tickets/splitter", self.splitter.saveState())
        store.setValue("tickets/sort", f"{self.model.sort_key} {int(self.model.descending)}")

    def _restore_state(self, store: QSettings) -> None:
        splitter = store.value("tickets/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        key, _, down = str(store.value("tickets/sort", "") or "").partition(" ")
        column = next((n for n, c in enumerate(COLUMNS) if c.sort == key), None)
        if column is not None:
            self.model.sort_key, self.model.descending = key, down == "1"
            order = Qt.SortOrder.DescendingOrder if down == "1" else Qt.SortOrder.AscendingOrder
            self.table.horizontalHeader().setSortIndicator(column, order)
