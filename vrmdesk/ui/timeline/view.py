"""A vendor's conversation over time: a lazily fetched model and a list that reads at a glance.

The model (``timeline/model.py``) fetches it page by page; ``TimelineView`` adds filters
(channel, ticket, direction) and a delegate that sets what the vendor sent me (inbound) apart
from what I sent (outbound) by colour, arrow and indent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QSignalBlocker,
    Qt,
)
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.store.services import editing, views
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.editors.record_actions import call_editor, confirm_delete
from vrmdesk.ui.mail import message_actions
from vrmdesk.ui.timeline.delegate import TimelineDelegate
from vrmdesk.ui.timeline.model import ID_ROLE, Entry, TimelineModel
from vrmdesk.ui.widgets import words
from vrmdesk.ui.widgets.icons import icon


class TimelineView(QWidget):
    """The timeline tab: filters, the list, and New / Edit / Delete for interactions."""

    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = TimelineModel(controller, self)
        self.channel = QComboBox()
        self.channel.addItem("All channels", None)
        for channel in editing.choices("interaction", "channel"):
            self.channel.addItem(views.label(channel), channel)
        self.ticket = QComboBox()
        self.ticket.setMinimumContentsLength(16)
        self.ticket.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.direction = QComboBox()
        for text, value, name in (
            ("Both ways", None, None),
            (words.DIRECTION["inbound"], "inbound", "inbound"),
            (words.DIRECTION["outbound"], "outbound", "outbound"),
        ):
            self.direction.addItem(icon(name) if name else QIcon(), text, value)
        filters = QHBoxLayout()
        for text, combo, name in (
            ("&Channel:", self.channel, "Filter by channel"),
            ("Tic&ket:", self.ticket, "Filter by ticket"),
            ("Di&rection:", self.direction, "Filter by direction"),
        ):
            label = QLabel(text)
            label.setBuddy(combo)
            combo.setAccessibleName(name)
            combo.currentIndexChanged.connect(self._filter)
            filters.addWidget(label)
            filters.addWidget(combo, 1 if combo is self.ticket else 0)
        filters.addStretch(0)
        self.list = QListView()
        self.list.setAccessibleName("Timeline")
        self.list.setAccessibleDescription("The conversation with this vendor, newest first")
        self.list.setModel(self.model)
        self.list.setItemDelegate(TimelineDelegate(self.model.ticket_titles, self.list))
        self.list.setUniformItemSizes(True)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.activated.connect(lambda index: self.edit())
        self.empty = QLabel("No interactions yet.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, icon_name, slot in (
            ("new", "&New interaction…", "plus", self.new),
            ("edit", "Ed&it…", "edit", self.edit),
            ("delete", "&Delete…", "trash", self.delete),
            ("write", message_actions.WRITE, "mail", self.write_email),
            ("ticket", message_actions.OPEN_TICKET, "ticket", self.open_ticket),
            ("offer", message_actions.OFFER, "bell", self.to_offer),
        ):
            button = QPushButton(icon(icon_name), text)
            plain = text.replace("&", "").rstrip("…")
            button.setAccessibleName(plain + (" interaction" if key in ("edit", "delete") else ""))
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.buttons[key] = button
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addLayout(filters)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        for keys, slot in (
            (Qt.Key.Key_Insert, self.new),
            (QKeySequence.StandardKey.Delete, self.delete),
        ):
            action = QAction(self.list)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(slot)
            self.list.addAction(action)
        self.list.selectionModel().selectionChanged.connect(self._update)
        self.model.modelReset.connect(self._update)
        self.model.rowsInserted.connect(self._update)
        self._update()

    # -- what to show -----------------------------------------------------------------------
    def set_vendor(self, vendor_id: int | None, tickets: Sequence[tuple[int, str]] = ()) -> None:
        """Show a vendor's timeline, unfiltered; ``tickets`` fill the ticket filter."""
        self._fill_tickets(tickets)
        self._reset_combos()
        self.model.set_vendor(vendor_id, dict(tickets))
        self._sync_titles()

    def update_tickets(self, tickets: Sequence[tuple[int, str]]) -> None:
        """The vendor's tickets changed: refill the ticket filter (keeping the choice while the
        ticket exists) and reload."""
        chosen = self.ticket.currentData()
        self._fill_tickets(tickets)
        index = self.ticket.findData(chosen)
        with QSignalBlocker(self.ticket):
            self.ticket.setCurrentIndex(max(index, 0))
        self.model.ticket_titles = dict(tickets)
        self._sync_titles()
        if chosen is not None and index < 0:
            self._filter()
        else:
            self.reload()

    def _sync_titles(self) -> None:
        delegate = self.list.itemDelegate()
        if isinstance(delegate, TimelineDelegate):
            delegate.ticket_titles = self.model.ticket_titles

    def _fill_tickets(self, tickets: Sequence[tuple[int, str]]) -> None:
        with QSignalBlocker(self.ticket):
            self.ticket.clear()
            self.ticket.addItem("All tickets", None)
            for ticket_id, title in tickets:
                self.ticket.addItem(title, ticket_id)

    def _reset_combos(self) -> None:
        for combo in (self.channel, self.ticket, self.direction):
            with QSignalBlocker(combo):
                combo.setCurrentIndex(0)

    def _filter(self) -> None:
        self.model.set_filters(
            channel=self.channel.currentData(),
            ticket_id=self.ticket.currentData(),
            direction=self.direction.currentData(),
        )

    def show_ticket(self, ticket_id: int) -> None:
        """Only the conversation on one ticket."""
        self._reset_combos()
        with QSignalBlocker(self.ticket):
            self.ticket.setCurrentIndex(max(self.ticket.findData(ticket_id), 0))
        self._filter()

    def select_interaction(self, interaction_id: int) -> bool:
        row = self.model.row_of(interaction_id)
        if row is None and any(self.model.filters.values()):
            self._reset_combos()
            self._filter()
            row = self.model.row_of(interaction_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.list.setCurrentIndex(index)
        self.list.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def reload(self) -> None:
        """After a change: the same rows again, the same one selected if it is still there."""
        keep = self.current_id()
        self.model.reload(keep_loaded=True)
        if keep is not None:
            for row in range(self.model.rowCount()):
                if self.model.entry(row).id == keep:
                    self.list.setCurrentIndex(self.model.index(row, 0))
                    break

    def clear(self) -> None:
        self.model.clear()
        self._fill_tickets([])
        self._reset_combos()

    def _update(self) -> None:
        has_vendor = self.model.vendor_id is not None
        self.buttons["new"].setEnabled(has_vendor)
        selected = self.current_id() is not None
        self.buttons["edit"].setEnabled(selected)
        self.buttons["delete"].setEnabled(selected)
        entry = self.current_entry()
        self.buttons["write"].setEnabled(entry is not None)
        # a ticket from a message not on one yet; an offer is what a vendor sent me
        self.buttons["ticket"].setEnabled(entry is not None and entry.ticket_id is None)
        self.buttons["offer"].setEnabled(entry is not None and entry.inbound)
        self.empty.setVisible(has_vendor and self.model.rowCount() == 0)
        if any(self.model.filters.values()):
            self.empty.setText("No interactions match these filters.")
        else:
            self.empty.setText("No interactions yet. Record one with New interaction.")

    def current_id(self) -> int | None:
        rows = self.list.selectionModel().selectedIndexes()
        return rows[0].data(ID_ROLE) if rows else None

    def current_entry(self) -> Entry | None:
        rows = self.list.selectionModel().selectedIndexes()
        return self.model.entry(rows[0].row()) if rows else None

    # -- mail -------------------------------------------------------------------------------
    def write_email(self) -> None:
        record_id = self.current_id()
        if record_id is not None:
            message_actions.write_email(self, self.controller, "interaction", record_id)

    def open_ticket(self) -> None:
        record_id = self.current_id()
        if record_id is not None and message_actions.open_ticket(self, self.controller, record_id):
            self.select_interaction(record_id)

    def to_offer(self) -> None:
        record_id = self.current_id()
        if record_id is not None:
            message_actions.reclassify(self, self.controller, "interaction", record_id, offer=True)

    # -- editing ----------------------------------------------------------------------------
    def new(self) -> None:
        if self.model.vendor_id is None:
            return
        defaults: dict[str, Any] = {"vendor_id": self.model.vendor_id}
        if self.model.filters["ticket_id"] is not None:
            defaults["ticket_id"] = self.model.filters["ticket_id"]
        saved = call_editor(self, self.controller, "interaction", defaults=defaults)
        if saved is not None:
            self.select_interaction(saved)

    def edit(self) -> None:
        record_id = self.current_id()
        if record_id is not None:
            call_editor(self, self.controller, "interaction", record_id=record_id)
            self.select_interaction(record_id)

    def delete(self) -> None:
        record_id = self.current_id()
        if record_id is None:
            return
        row = self.model.row_of(record_id)
        title = self.model.entry(row).subject if row is not None else ""
        confirm_delete(self, self.controller, "interaction", record_id, title or "interaction")
