"""The lists on a thing's page (warranties, registrations, service, tickets), each with its
buttons, and the columns each one shows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.store.services import rules
from vrmdesk.ui.editors.fields import human
from vrmdesk.ui.things.models import (
    ROW_PADDING,
    Column,
    RowsModel,
    day,
    selected_id,
    state_icon,
    state_text,
)
from vrmdesk.ui.widgets.empty_hint import EmptyHint
from vrmdesk.ui.widgets.icons import icon
from vrmdesk.ui.widgets.tables import record_table


def overdue(d: date | None) -> bool:
    return d is not None and d < rules.today()


WARRANTY_COLUMNS = (
    Column("Title", lambda w: w.title or "Warranty", tooltip=lambda w: w.how_to_claim),
    Column("Provider", lambda w: w.provider),
    Column("State", lambda w: state_text(w.state), icon=lambda w: state_icon(w.state)),
    Column("Starts", lambda w: day(w.starts_on)),
    Column("Ends", lambda w: day(w.ends_on)),
    Column("Coverage", lambda w: human(w.coverage.value)),
)
REGISTRATION_COLUMNS = (
    Column("Vendor", lambda r: r.vendor),
    Column("Registered", lambda r: day(r.registered_on)),
    Column("Reference", lambda r: r.registration_ref),
    Column("Marketing", lambda r: "allowed" if r.marketing_consent else "no"),
    Column(
        "Data given",
        lambda r: r.data_given.splitlines()[0] if r.data_given else "",
        tooltip=lambda r: r.data_given,
    ),
)
SERVICE_COLUMNS = (
    Column("Done on", lambda s: day(s.performed_on)),
    Column(
        "What",
        lambda s: s.description.splitlines()[0] if s.description else "",
        tooltip=lambda s: s.description,
    ),
    Column("By", lambda s: s.performed_by or s.vendor),
    Column("Cost", lambda s: s.cost, align_right=True),
    Column(
        "Next due",
        lambda s: "" if s.superseded else day(s.next_due),
        tooltip=lambda s: (
            "A later service of this kind was done."
            if s.superseded and s.next_due
            else ("Overdue" if overdue(s.next_due) else "")
        ),
        color=lambda s: "#c62828" if not s.superseded and overdue(s.next_due) else None,
    ),
)
TICKET_COLUMNS = (
    Column("Title", lambda t: t.title),
    Column("Vendor", lambda t: t.vendor),
    Column("Status", lambda t: human(t.status.value)),
    Column("Opened", lambda t: day(t.opened_on)),
    Column("Reference", lambda t: t.reference),
)


#: what each list of a thing holds and how to add to it, shown while it is empty
EMPTY = {
    "warranty": "No warranties recorded for this thing. Add the maker's warranty, or one you "
    "bought, with Add warranty…: its end is watched for you.",
    "registration": "No registrations. When you register this thing with a vendor, note what "
    "you gave it with Add registration…",
    "service_event": "No service history. Repairs, maintenance and inspections go here, with "
    "when the next one is due; add one with Add service…",
    "ticket": "No tickets about this thing. Open one with Add ticket… when it needs a vendor's "
    "help.",
}


class Section(QWidget):
    """A list of one kind of sub-record with its buttons."""

    new_clicked = Signal()
    edit_clicked = Signal(int)
    delete_clicked = Signal(int)
    open_clicked = Signal(int)

    def __init__(
        self, noun: str, columns: Sequence[Column], *, can_open: bool = False, empty: str = ""
    ) -> None:
        super().__init__()
        self.noun = noun
        self.model = RowsModel(columns, self)
        self.table = record_table(
            self.model,
            f"{noun.capitalize()}s",
            row_padding=ROW_PADDING,
            highlight_sections=False,
        )
        self.table.activated.connect(self._activated)
        #: what goes in the list and how to add one, shown while it is empty (a thing is shown)
        self.showing = False
        self.hint = EmptyHint(self.table, empty, lambda: self.showing)
        self.can_open = can_open
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(self._delete)

        self.new_button = QPushButton(icon("plus"), f"&Add {noun}…")
        # Enter on a row edits too (E is the Edit menu's; see ThingsPage for the letters taken)
        self.edit_button = QPushButton(icon("edit"), "Edit…")
        self.delete_button = QPushButton(icon("trash"), "&Remove")
        self.new_button.setAccessibleName(f"Add a {noun}")
        self.edit_button.setAccessibleName(f"Edit the {noun}")
        self.delete_button.setAccessibleName(f"Delete the {noun}")
        self.new_button.clicked.connect(self.new_clicked)
        self.edit_button.clicked.connect(lambda: self._with_current(self.edit_clicked))
        self.delete_button.clicked.connect(self._delete)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.delete_button)
        if can_open:
            self.open_button = QPushButton("&Open on the vendor's page")
            self.open_button.clicked.connect(lambda: self._with_current(self.open_clicked))
            buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self._update_buttons()

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.showing = True
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()

    def clear(self) -> None:
        self.showing = False
        self.model.clear()

    def current_id(self) -> int | None:
        return selected_id(self.table)

    def select(self, record_id: int) -> bool:
        row = self.model.row_of(record_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _with_current(self, signal: Any) -> None:
        record_id = self.current_id()
        if record_id is not None:
            signal.emit(record_id)

    def _activated(self) -> None:
        self._with_current(self.open_clicked if self.can_open else self.edit_clicked)

    def _delete(self) -> None:
        self._with_current(self.delete_clicked)

    def _update_buttons(self) -> None:
        has = self.current_id() is not None
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)
        if self.can_open:
            self.open_button.setEnabled(has)
