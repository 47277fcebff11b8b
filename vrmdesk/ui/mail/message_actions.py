"""What can be done with captured mail from a vendor's tabs: offer or conversation (remembered for
the sender), a ticket opened from a message, and "Write e-mail" in the person's own mail program.

Each function does one thing through the controller, tells every view (``notify``) and returns
what it made; a refusal of the core is told in a message box, never raised.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from vrmdesk.errors import VrmError
from vrmdesk.mail import outgoing, sorting
from vrmdesk.ui.core.controller import VaultController

CONVERSATION = "This is &conversation, not an offer"
OFFER = "This is an o&ffer"
OPEN_TICKET = "Open a tic&ket from this message"
WRITE = "&Write e-mail…"


def reclassify(
    parent: QWidget, controller: VaultController, kind: str, record_id: int, *, offer: bool
) -> int | None:
    """An interaction becomes an offer (``offer``) or an offer conversation; the new record's id.
    Mail from the same sender is sorted the same way from now on."""
    try:
        with controller.session() as session:
            record = sorting.reclassify(session, kind, record_id, offer=offer)
            new_id, sender = record.id, record.correspondent
    except VrmError as exc:
        QMessageBox.warning(parent, "Not moved", str(exc))
        return None
    where = "the offers" if offer else "the timeline"
    message = f"Moved to {where}."
    if sender:
        message += f" Mail from {sender} goes to {where} from now on."
    controller.notify({"interaction", "offer"}, message)
    return new_id


def open_ticket(parent: QWidget, controller: VaultController, interaction_id: int) -> int | None:
    """A ticket from a message: its subject as the title, the case reference found in it, and
    the message's thread on it. The ticket's id."""
    try:
        with controller.session() as session:
            ticket = sorting.open_ticket(session, interaction_id)
            ticket_id, title, reference = ticket.id, ticket.title, ticket.reference
    except VrmError as exc:
        QMessageBox.warning(parent, "No ticket opened", str(exc))
        return None
    found = f" with the reference {reference}" if reference else " (no case reference found)"
    controller.notify({"ticket", "interaction"}, f"Opened the ticket “{title}”{found}.")
    return ticket_id


def write_email(parent: QWidget, controller: VaultController, kind: str, record_id: int) -> str:
    """Open the person's mail program on a new message to the vendor (``mailto:``); the URL."""
    try:
        with controller.session() as session:
            draft = outgoing.draft_for(session, kind, record_id)
    except VrmError as exc:
        QMessageBox.warning(parent, "Write e-mail", str(exc))
        return ""
    url = draft.url
    if not QDesktopServices.openUrl(QUrl.fromEncoded(url.encode("ascii"))):
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Write e-mail",
            "No mail program opened for mailto: links. Write to "
            f"{draft.to or draft.vendor} with the subject:\n\n{draft.subject or '(none)'}",
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.finished.connect(box.deleteLater)
        box.open()
        return url
    if draft.to:
        controller.status.emit(f"Writing to {draft.to} in your mail program.")
    else:
        controller.status.emit(
            f"No e-mail address is known for {draft.vendor}: add one as an e-mail channel on "
            "its Overview tab."
        )
    return url
