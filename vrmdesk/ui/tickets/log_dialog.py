"""Log a call or a message on a ticket, and move the ticket on in the same step.

The upper part is the exchange (channel, direction, when, subject, text); the lower part is the
ticket after it: its state and when to follow it up, filled in with what they are now. Saving is
one unit of work (``services.tickets.log_on_ticket``): either both are kept or neither. The core
checks everything; its problems show under the field they name.
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import VrmError
from vrmdesk.store.services import editing, tickets
from vrmdesk.store.services.tickets import TicketDetail
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.editors.dates import DateField, DateTimeField
from vrmdesk.ui.editors.fields import EnumField, LineField, TextField, human
from vrmdesk.ui.editors.form_rows import (
    ErrorLabel,
    FormRows,
    checked_values,
    on_ctrl_enter,
    report_save_error,
)
from vrmdesk.ui.editors.quick_capture import DirectionField
from vrmdesk.ui.widgets import buttons

#: the fields of the lower part, which change the ticket rather than make the interaction
TICKET_FIELDS = ("status", "follow_up_on")


class LogDialog(QDialog):
    """Record an interaction on ``ticket`` and set its state and follow-up date."""

    def __init__(
        self, controller: VaultController, ticket: TicketDetail, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.ticket = ticket
        self.logged: tickets.Logged | None = None
        self.setWindowTitle(f"Log a call or message — {ticket.title}")
        self.setAccessibleName(f"Log a call or message on the ticket {ticket.title}")

        about = QLabel(
            f"On the ticket <b>{escape(ticket.title)}</b> with {escape(ticket.vendor)}"
            + (f" (case {escape(ticket.reference)})" if ticket.reference else "")
        )
        about.setWordWrap(True)
        form = QFormLayout()
        self.rows = FormRows(form, reserved="sc")
        self.channel = EnumField("channel", editing.choices("interaction", "channel"))
        self.channel.set_value("phone")
        self.direction = DirectionField("direction", self.rows.used)
        self.direction.set_value("outbound")
        self.when = DateTimeField("occurred_at")
        self.subject = LineField("subject", 500, placeholder="what it was about")
        self.body = TextField("body", lines=5)
        self.rows.add("Channel", self.channel)
        self.rows.add("Direction", self.direction)
        self.rows.add("When", self.when)
        self.rows.add("Subject", self.subject)
        self.rows.add("Text", self.body, hint="Ctrl+Enter saves from here.")

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        form.addRow(line)
        form.addRow(QLabel("<b>The ticket after this</b>"))
        self.status = EnumField("status", editing.choices("ticket", "status"))
        self.status.set_value(ticket.status)
        self.follow_up = DateField("follow_up_on", nullable=True, null_text="no follow-up")
        self.follow_up.set_value(ticket.follow_up_on)
        self.rows.add("State", self.status)
        self.rows.add(
            "Follow up on", self.follow_up, hint="When to chase the vendor if nothing happens."
        )
        self.rows.clear_messages()
        on_ctrl_enter(self.body.edit, self.save)

        self.general_error = ErrorLabel()
        self.general_error.label.setAccessibleName("Problem")
        self.buttons = buttons.save_cancel(self, self.save)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addLayout(bottom)
        self.resize(580, self.sizeHint().height())
        self.subject.focus_target().setFocus()
        controller.locked.connect(self.reject)  # nothing of the vault stays on screen

    def save(self) -> bool:
        """Record the exchange and change the ticket; False (the problem shown) if refused."""
        values = checked_values(self.rows, self.general_error)
        if values is None:
            return False
        changes = {name: values.pop(name) for name in TICKET_FIELDS}
        try:
            with self.controller.session() as session:
                logged = tickets.log_on_ticket(session, self.ticket.id, values, changes)
        except VrmError as exc:
            report_save_error(self.rows, self.general_error, exc)
            return False
        self.logged = logged
        channel = human(values["channel"]).lower()
        state = human(logged.status).lower()
        self.controller.notify(
            {"interaction", "ticket"},
            f"Logged the {channel} on “{logged.ticket}”; it is {state} now.",
        )
        self.accept()
        return True
