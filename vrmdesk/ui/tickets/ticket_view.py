"""One ticket: its state, case reference, follow-up date, vendor and thing, and its conversation.

The conversation is the interactions linked to the ticket, drawn as the vendor's timeline draws
them, oldest at the top and the newest last (the newest ``CONVERSATION_LIMIT`` of a very long
one, with a note). "Log a call / message…" records an exchange on the ticket and moves it on
(its state, its follow-up date) in the same step; Enter on a message opens it on the vendor's
timeline; the vendor and the thing are links to their pages.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import NotFound
from vrmdesk.store.services import tickets, views
from vrmdesk.store.services.tickets import TicketDetail
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.editors.record_actions import call_editor
from vrmdesk.ui.mail import message_actions
from vrmdesk.ui.tickets.log_dialog import LogDialog
from vrmdesk.ui.tickets.model import day_text
from vrmdesk.ui.timeline.delegate import ENTRY_ROLE, TimelineDelegate
from vrmdesk.ui.timeline.model import describe
from vrmdesk.ui.widgets.accents import accent
from vrmdesk.ui.widgets.icons import icon

ID_ROLE = Qt.ItemDataRole.UserRole
#: what a change to these kinds can change in the view
SHOWS = {"*", "ticket", "interaction", "vendor", "asset", "tag", "tagging"}


def _link(kind: str, record_id: int | None, text: str) -> str:
    if record_id is None or not text:
        return "—"
    return f'<a href="{kind}:{record_id}">{escape(text)}</a>'


class TicketView(QWidget):
    """Shows the ticket ``show_ticket(id)`` names; empties itself with ``clear()``."""

    #: ask the window to show a record: (kind, id)
    open_record = Signal(str, int)

    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.ticket: TicketDetail | None = None
        self.log_dialog: LogDialog | None = None
        self.setAccessibleName("Ticket")

        self.title = QLabel()
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.title.setAccessibleName("Ticket title")
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.log_button = QPushButton(icon("capture"), "&Log a call / message…")
        self.log_button.setAccessibleName("Log a call or message on this ticket")
        self.log_button.setToolTip(
            "Record what was said, and change the ticket's state and follow-up date with it"
        )
        self.log_button.clicked.connect(self.log_call)
        self.edit_button = QPushButton(icon("edit"), "Ed&it ticket…")
        self.edit_button.setAccessibleName("Edit ticket")
        self.edit_button.clicked.connect(self.edit)
        self.write_button = QPushButton(icon("mail"), message_actions.WRITE)
        self.write_button.setAccessibleName("Write e-mail about this ticket")
        self.write_button.clicked.connect(self.write_email)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        for button in (self.log_button, self.edit_button, self.write_button):
            head.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)

        self.fields: dict[str, QLabel] = {}
        details = QWidget()
        details.setMinimumWidth(220)
        details.setMaximumWidth(340)
        form = QFormLayout(details)
        form.setContentsMargins(0, 0, 8, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        for key, text in (
            ("status", "State"),
            ("reference", "Case reference"),
            ("follow_up", "Follow up"),
            ("vendor", "Vendor"),
            ("thing", "Thing"),
            ("opened", "Opened"),
            ("tags", "Tags"),
            ("notes", "Notes"),
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setAccessibleName(text)
            value.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
                | Qt.TextInteractionFlag.LinksAccessibleByMouse
                | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
            )
            value.linkActivated.connect(self._link_activated)
            self.fields[key] = value
            form.addRow(f"{text}:", value)
        self.fields["notes"].setMaximumHeight(self.fontMetrics().lineSpacing() * 6)

        self.heading = QLabel()
        self.heading.setAccessibleName("Conversation")
        self.conversation = QListWidget()
        self.conversation.setAccessibleName("Conversation of this ticket")
        self.conversation.setAccessibleDescription("The calls and messages, newest last")
        self.conversation.setItemDelegate(TimelineDelegate({}, self.conversation))
        self.conversation.setUniformItemSizes(True)
        self.conversation.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.conversation.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.conversation.itemActivated.connect(self._open_message)
        self.nothing = QLabel(
            "Nothing is logged on this ticket yet.\n"
            "Log a call or a message (Alt+L) to start its conversation."
        )
        self.nothing.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.nothing.setWordWrap(True)
        self.nothing.setEnabled(False)
        self.talk = QStackedWidget()
        self.talk.addWidget(self.conversation)
        self.talk.addWidget(self.nothing)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.heading)
        right.addWidget(self.talk, 1)
        body = QHBoxLayout()
        body.addWidget(details, 0, Qt.AlignmentFlag.AlignTop)
        body.addLayout(right, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(head)
        layout.addLayout(body, 1)
        self.clear()

    # -- showing a ticket ----------------------------------------------------------------------
    def show_ticket(self, ticket_id: int) -> bool:
        """Show this ticket; False (and the view emptied) if it is gone."""
        try:
            with self.controller.session() as session:
                detail = tickets.ticket_detail(session, ticket_id)
                talk = tickets.conversation(session, ticket_id)
        except NotFound:
            self.clear()
            return False
        self.ticket = detail
        self.title.setText(detail.title)
        self.fields["status"].setText(escape(views.label(detail.status)))
        self.fields["reference"].setText(escape(detail.reference) or "—")
        self._show_follow_up(detail)
        self.fields["vendor"].setText(_link("vendor", detail.vendor_id, detail.vendor))
        self.fields["thing"].setText(_link("asset", detail.asset_id, detail.thing))
        opened = day_text(detail.opened_on)
        if detail.closed_on:
            opened += f", closed {day_text(detail.closed_on)}"
        self.fields["opened"].setText(opened)
        self.fields["tags"].setText(escape(", ".join(detail.tags)) or "—")
        self.fields["notes"].setText(escape(detail.notes).replace("\n", "<br>") or "—")
        self._show_conversation(talk)
        for button in (self.log_button, self.edit_button, self.write_button):
            button.setEnabled(True)
        return True

    def _show_follow_up(self, detail: TicketDetail) -> None:
        label = self.fields["follow_up"]
        if not detail.is_open:
            label.setText("— (the ticket is " + views.label(detail.status).lower() + ")")
        elif detail.follow_up_on is None:
            label.setText("not set")
        elif detail.follow_up_due():
            colour = accent("warn", self.palette()).name()
            label.setText(
                f'<span style="color:{colour}"><b>{day_text(detail.follow_up_on)}</b>'
                " — overdue, time to chase</span>"
            )
        else:
            label.setText(day_text(detail.follow_up_on))

    def _show_conversation(self, talk: tickets.Conversation) -> None:
        self.conversation.clear()
        for entry in talk.entries:
            item = QListWidgetItem()
            item.setData(ENTRY_ROLE, entry)
            item.setData(ID_ROLE, entry.id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, describe(entry))
            self.conversation.addItem(item)
        shown = len(talk.entries)
        if talk.total > shown:
            self.heading.setText(
                f"<b>Conversation</b> — the newest {shown} of {talk.total:,}; the vendor's "
                "Timeline has all of them"
            )
        else:
            self.heading.setText(f"<b>Conversation</b> ({talk.total})" if talk.total else "")
        self.talk.setCurrentWidget(self.conversation if shown else self.nothing)
        if shown:  # the newest in sight, once the list has its size
            QTimer.singleShot(0, self.conversation, self.conversation.scrollToBottom)

    def refresh(self, kinds: set[str]) -> None:
        if self.ticket is not None and kinds & SHOWS and self.controller.is_open:
            self.show_ticket(self.ticket.id)

    def clear(self) -> None:
        self.ticket = None
        self.title.setText("")
        for label in self.fields.values():
            label.setText("")
        self.heading.setText("")
        self.conversation.clear()
        self.talk.setCurrentWidget(self.conversation)
        for button in (self.log_button, self.edit_button, self.write_button):
            button.setEnabled(False)
        if self.log_dialog is not None:
            self.log_dialog.reject()

    # -- commands ------------------------------------------------------------------------------
    def log_call(self) -> LogDialog | None:
        """Open "Log a call / message" on this ticket (window-modal); the dialog."""
        if self.ticket is None:
            return None
        dialog = LogDialog(self.controller, self.ticket, self)
        self.log_dialog = dialog

        def finished() -> None:
            if self.log_dialog is dialog:
                self.log_dialog = None
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    def edit(self) -> None:
        if self.ticket is not None:
            call_editor(self, self.controller, "ticket", record_id=self.ticket.id)

    def write_email(self) -> None:
        if self.ticket is not None:
            message_actions.write_email(self, self.controller, "ticket", self.ticket.id)

    def _link_activated(self, link: str) -> None:
        kind, _, record_id = link.partition(":")
        if record_id.isdigit():
            self.open_record.emit(kind, int(record_id))

    def _open_message(self, item: QListWidgetItem) -> None:
        self.open_record.emit("interaction", int(item.data(ID_ROLE)))
