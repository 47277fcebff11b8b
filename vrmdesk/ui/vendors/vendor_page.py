"""One vendor: a header (name, kind, status) and tabs for everything that belongs to it.

Overview · Things · Tickets · Timeline · Offers · Agreements · Files · Shared, in words only so
that the bar fits a 1200-pixel window beside the list (it never scrolls; its width is the page's
least). Each tab reads through the core's view functions; New / Edit / Delete go through the
record editor and the controller.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent, QFont, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from vrmdesk.errors import NotFound
from vrmdesk.store.services import health, vendor_tables, views
from vrmdesk.store.services.rules import today
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.editors.record_actions import call_editor, confirm_delete
from vrmdesk.ui.files.panel import AttachmentsPanel
from vrmdesk.ui.mail import message_actions
from vrmdesk.ui.mail.importing import mail_paths, start_import
from vrmdesk.ui.timeline.view import TimelineView
from vrmdesk.ui.vendors.overview import OverviewTab
from vrmdesk.ui.vendors.tabs import Column, RecordTab, RowsModel
from vrmdesk.ui.widgets.accents import accent, muted
from vrmdesk.ui.widgets.dates import show_date, show_month
from vrmdesk.ui.widgets.icons import icon

#: which tab shows a kind of record
TAB_OF = {
    "contact": "overview",
    "channel": "overview",
    "account": "overview",
    "vendor": "overview",
    "asset": "things",
    "ticket": "tickets",
    "interaction": "timeline",
    "offer": "offers",
    "agreement": "agreements",
    "attachment": "files",
}
#: which parts of the page show records of a kind ("*": all)
SHOWS = {
    "header": {"vendor", "interaction", "ticket", "offer", "contact", "channel", "account"},
    "things": {"asset", "warranty", "vendor"},
    "tickets": {"ticket", "interaction", "asset"},
    "timeline": {"interaction", "ticket"},
    "offers": {"offer", "vendor"},
    "agreements": {"agreement"},
}
WARRANTY_COLOUR = {"expiring": "soon", "active": "ok"}
TAB_TEXTS = {
    "overview": "Overview",
    "things": "Things",
    "tickets": "Tickets",
    "timeline": "Timeline",
    "offers": "Offers",
    "agreements": "Agreements",
    "files": "Files",
    "shared": "Shared",
}

#: what an empty tab is for and how to add to it
EMPTY = {
    "things": "No things from this vendor yet. What you bought from it or it made goes here; "
    "add one with New thing… (Insert), choosing this vendor as maker or seller.",
    "tickets": "No tickets with this vendor. A ticket follows one problem or request from the "
    "first message to its answer; open one with New ticket… (Insert).",
    "offers": "No offers from this vendor. Offers are the marketing it sends you (newsletters, "
    "calls, discounts), counted against your contact policy; record one with New offer… "
    "(Insert).",
    "agreements": "No agreements with this vendor. Contracts and subscriptions go here, with "
    "their cost, renewal date and notice deadline; add one with New agreement… (Insert).",
}


def _wrapped(row: Any) -> str:
    """An offer's whole text as a tooltip, wrapped to lines a person reads."""
    return "\n".join(textwrap.wrap(row.content, 80))


def _date(d: date | None) -> str:
    return show_date(d)


def _state_colour(row: Any, palette: QPalette) -> QColor | None:
    name = WARRANTY_COLOUR.get(row.warranty_state or "")
    return accent(name, palette) if name else muted(palette)


def _follow_up_colour(row: Any, palette: QPalette) -> QColor | None:
    return accent("warn", palette) if row.follow_up_due() else None


def _notice_colour(row: Any, palette: QPalette) -> QColor | None:
    if row.notice_deadline and 0 <= (row.notice_deadline - today()).days <= 30:
        return accent("soon", palette)
    return None


def _warranty_text(row: Any) -> str:
    if row.warranty_state is None:
        return "no warranty"
    verb = {"expired": "ended", "void": "void since", "not_started": "from"}.get(
        row.warranty_state, "until"
    )
    text = f"{views.label(row.warranty_state)}, {verb} {_date(row.warranty_ends)}"
    if row.warranty_state == "active" and row.expiring:
        text += f" ({row.expiring} other ending soon)"
    return text


class VendorPage(QWidget):
    open_record = Signal(str, int)

    def __init__(
        self, controller: VaultController, prefs: Preferences, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.controller, self.prefs = controller, prefs
        self.vendor_id: int | None = None
        self.card: views.VendorCard | None = None

        self.title = QLabel()
        self.vendor_name = ""
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setAccessibleName("Vendor name")
        self.subtitle = QLabel()
        self.subtitle.setAccessibleName("Vendor kind and status")
        # the header's buttons keep their size and the name gives way (its whole text is in
        # the tooltip and the vendor list), so the page fits a 1200-pixel window
        for label in (self.title, self.subtitle):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # short labels (the page fits 1200 px with My terms… too); the whole names in tooltips
        self.edit_button = QPushButton(icon("edit"), "Edi&t…")
        self.edit_button.setAccessibleName("Edit vendor")
        self.edit_button.setToolTip("Edit this vendor's details and contact policy")
        self.edit_button.clicked.connect(self.edit_vendor)
        self.delete_button = QPushButton(icon("trash"), "Delete…")
        self.delete_button.setAccessibleName("Delete vendor")
        self.delete_button.setToolTip("Delete this vendor and what is recorded with it")
        self.delete_button.clicked.connect(self.delete_vendor)
        self.share_button = QPushButton(icon("outbound"), "Share…")
        self.share_button.setAccessibleName("Share with this vendor")
        self.share_button.setToolTip("Export a signed bundle of what you choose, on your terms")
        self.share_button.clicked.connect(self.share)
        self.write_button = QPushButton(icon("mail"), message_actions.WRITE)
        self.write_button.setAccessibleName("Write e-mail to this vendor")
        self.write_button.setToolTip("A new message in your mail program, to the vendor's address")
        self.write_button.clicked.connect(self.write_email)
        # shown while the vendor sends more offers than my contact policy allows
        self.terms_proposal = QLabel()
        self.terms_proposal.setAccessibleName("Terms proposal")
        self.terms_proposal.setWordWrap(True)
        self.terms_proposal.setVisible(False)
        self.terms_propose_button = QPushButton("Proffer #NoStalking…")
        self.terms_propose_button.setAccessibleName("Proffer my terms (proposed)")
        self.terms_propose_button.setToolTip(
            "Opens My terms on P2B1 (#NoStalking), with the message for the vendor drafted"
        )
        self.terms_propose_button.clicked.connect(lambda: self.my_terms("P2B1"))
        self.terms_propose_button.setVisible(False)
        # what I ask of the vendor, on my terms: one menu keeps the vendor's name in view
        self.requests_button = QPushButton(icon("ticket"), "Re&quests")
        self.requests_button.setAccessibleName("Requests to this vendor")
        self.requests_button.setToolTip(
            "A data-rights request, my terms (MyTerms), a request for quotes, the insurer's "
            "inventory"
        )
        menu = QMenu(self.requests_button)
        self.rights_action = menu.addAction("Data-rights &request…")
        self.rights_action.setToolTip(
            "A letter asking for access, erasure … under GDPR, UK GDPR or CCPA, with its deadline"
        )
        self.rights_action.triggered.connect(self.rights_request)
        self.terms_action = menu.addAction("My &terms (MyTerms)…")
        self.terms_action.setToolTip(
            "MyTerms (IEEE 7012): proffer an agreement such as SD-BASE or P2B1 (#NoStalking) "
            "to this vendor, and follow its answer"
        )
        self.terms_action.triggered.connect(lambda: self.my_terms())
        self.quotes_action = menu.addAction("Request &quotes…")
        self.quotes_action.setToolTip(
            "One signed request to this vendor and others you choose, on your terms (quote "
            "only, no marketing)"
        )
        self.quotes_action.triggered.connect(self.request_quotes)
        self.inventory_action = menu.addAction("&Insurer's inventory…")
        self.inventory_action.setToolTip(
            "For an insurer or loss adjuster: the inventory as a PDF, and the things with their "
            "receipts as a bundle signed for this vendor"
        )
        self.inventory_action.triggered.connect(self.insurer_inventory)
        menu.setToolTipsVisible(True)
        self.requests_button.setMenu(menu)
        header = QHBoxLayout()
        names = QVBoxLayout()
        names.addWidget(self.title)
        names.addWidget(self.subtitle)
        header.addLayout(names, 1)
        header.addWidget(self.write_button)
        header.addWidget(self.requests_button)
        header.addWidget(self.share_button)
        header.addWidget(self.edit_button)
        header.addWidget(self.delete_button)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Vendor sections")
        self.tabs.setDocumentMode(True)
        # eight tabs in words only: they fit a 1200-pixel window with the list beside them, and
        # the bar never scrolls or elides (its width is the page's least, which the splitter keeps)
        self.tabs.tabBar().setUsesScrollButtons(False)
        self.tabs.tabBar().setElideMode(Qt.TextElideMode.ElideNone)
        self.tabs.tabBar().setExpanding(False)
        self.overview = OverviewTab(controller)
        self.things = self._table(
            "asset",
            "thing",
            vendor_tables.vendor_things,
            [
                Column("Thing", lambda r: r.name, icon=lambda r: icon("thing"), stretch=True),
                Column("Role", lambda r: views.label(r.role)),
                Column("Bought", lambda r: _date(r.purchase_date)),
                Column(
                    "Warranty",
                    _warranty_text,
                    colour=_state_colour,
                    tip=lambda r: "\n".join(r.warranties),
                ),
                Column("Category", lambda r: r.category),
            ],
            self._thing_defaults,
            lead=True,
            empty=EMPTY["things"],
        )
        self.tickets = self._table(
            "ticket",
            "ticket",
            vendor_tables.vendor_tickets,
            [
                Column("Ticket", lambda r: r.title, icon=lambda r: icon("ticket"), stretch=True),
                Column("Status", lambda r: views.label(r.status)),
                Column("Opened", lambda r: _date(r.opened_on)),
                Column(
                    "Follow up",
                    lambda r: _date(r.follow_up_on) if r.is_open else "",
                    colour=_follow_up_colour,
                ),
                Column("Messages", lambda r: str(r.messages)),
                Column("Thing", lambda r: r.thing),
                Column("Reference", lambda r: r.reference),
            ],
            self._vendor_defaults,
            empty=EMPTY["tickets"],
        )
        self.timeline = TimelineView(controller)
        self.offers = self._table(
            "offer",
            "offer",
            vendor_tables.vendor_offers,
            [
                Column("Received", lambda r: show_date(r.received_at)),
                Column(
                    "Channel",
                    lambda r: views.label(r.channel),
                    icon=lambda r: None if r.allowed_channel else icon("warning"),
                    colour=lambda r, p: None if r.allowed_channel else accent("warn", p),
                    tip=lambda r: (
                        "" if r.allowed_channel else "A channel my contact policy does not allow"
                    ),
                ),
                Column("Offer", lambda r: r.content, tip=_wrapped, stretch=True),
            ],
            self._vendor_defaults,
            empty=EMPTY["offers"],
        )
        self.agreements = self._table(
            "agreement",
            "agreement",
            vendor_tables.vendor_agreements,
            [
                Column(
                    "Agreement", lambda r: r.title, icon=lambda r: icon("calendar"), stretch=True
                ),
                Column(
                    "Cost", lambda r: f"{r.cost} / {r.period.replace('_', ' ')}" if r.cost else ""
                ),
                Column("Started", lambda r: _date(r.started_on)),
                Column("Renews", lambda r: _date(r.renews_on)),
                Column("Notice by", lambda r: _date(r.notice_deadline), colour=_notice_colour),
            ],
            self._vendor_defaults,
            empty=EMPTY["agreements"],
        )
        self.files = self.attachments = AttachmentsPanel(controller, self)
        from vrmdesk.ui.share.disclosures import DisclosuresView

        self.shared = DisclosuresView(controller, self)
        self.record_tabs: dict[str, RecordTab] = {
            "things": self.things,
            "tickets": self.tickets,
            "offers": self.offers,
            "agreements": self.agreements,
        }
        self.pages: dict[str, QWidget] = {
            "overview": self.overview,
            "things": self.things,
            "tickets": self.tickets,
            "timeline": self.timeline,
            "offers": self.offers,
            "agreements": self.agreements,
            "files": self.files,
            "shared": self.shared,
        }
        for key, text in TAB_TEXTS.items():
            self.tabs.addTab(self.pages[key], text)
        self.tickets.add_button(
            "open",
            "&Open ticket",
            "ticket",
            lambda ticket_id: self.open_record.emit("ticket", ticket_id),
        ).setToolTip("The ticket on the Tickets page: its conversation, and Log a call")
        self.tickets.add_button(
            "write",
            message_actions.WRITE,
            "mail",
            lambda ticket_id: message_actions.write_email(self, controller, "ticket", ticket_id),
        )
        self.offers.add_button(
            "conversation",
            message_actions.CONVERSATION,
            "chart",
            lambda offer_id: message_actions.reclassify(
                self, controller, "offer", offer_id, offer=False
            ),
        )
        self.setAcceptDrops(True)  # mail files dropped here are imported for this vendor
        self.things.activated.connect(lambda asset_id: self.open_record.emit("asset", asset_id))
        self.tickets.activated.connect(self.show_ticket_conversation)
        self.offers.activated.connect(lambda _id: self.offers.edit())
        self.agreements.activated.connect(lambda _id: self.agreements.edit())

        proposal = QHBoxLayout()
        proposal.addWidget(self.terms_proposal, 1)
        proposal.addWidget(self.terms_propose_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(proposal)
        layout.addWidget(self.tabs, 1)
        self.clear()

    # -- building ---------------------------------------------------------------------------
    def _table(
        self,
        kind: str,
        noun: str,
        view: Callable[..., list[Any]],
        columns: list[Column],
        defaults: Callable[[], dict[str, Any]],
        lead: bool = False,
        empty: str = "",
    ) -> RecordTab:
        def load(session: Session, vendor_id: int, offset: int, limit: int) -> list[Any]:
            extra = {"lead": self.prefs.lead()} if lead else {}
            return view(session, vendor_id, offset=offset, limit=limit, **extra)

        model = RowsModel(self.controller, columns, load, self)
        return RecordTab(self.controller, kind, model, noun, defaults, empty=empty)

    def _vendor_defaults(self) -> dict[str, Any]:
        return {"vendor_id": self.vendor_id}

    def _thing_defaults(self) -> dict[str, Any]:
        if self.card is None:
            return {"seller_id": self.vendor_id}
        return dict(views.new_thing_defaults(self.card))

    # -- showing a vendor -------------------------------------------------------------------
    def set_vendor(self, vendor_id: int | None) -> None:
        if vendor_id is None:
            self.clear()
            return
        self.vendor_id = vendor_id
        if not self._load_header():
            return
        for tab in (self.things, self.tickets, self.offers, self.agreements):
            tab.model.set_vendor(vendor_id)
        self.timeline.set_vendor(vendor_id, self._ticket_titles())
        self.attachments.set_owner("vendor", vendor_id)
        self.shared.set_vendor(vendor_id)
        self.edit_button.setEnabled(True)
        self.write_button.setEnabled(True)
        self.requests_button.setEnabled(True)
        self.delete_button.setEnabled(True)
        self.share_button.setEnabled(True)

    def _load_header(self) -> bool:
        """Header, overview and health; False (and the page emptied) if the vendor is gone."""
        assert self.vendor_id is not None
        # here, not at the top: share.myterms writes bundles (jwcrypto), which showing a vendor
        # does not need until a proffer is written (tests/ui/test_startup_imports.py)
        from vrmdesk.share import myterms

        try:
            with self.controller.session() as session:
                self.card = views.vendor_card(session, self.vendor_id)
                figures = health.vendor_health(session, self.vendor_id)
                proposals = [p for p in myterms.propose(session) if p.vendor_id == self.vendor_id]
        except NotFound:
            self.clear()
            return False
        card = self.card
        self.title.setText(card.name)
        self.title.setToolTip(card.name)
        self.vendor_name = card.name
        since = f" · customer since {show_month(card.since)}" if card.since else ""
        self.subtitle.setText(
            f"{views.label(card.vendor_kind)} · {views.label(card.status)}{since}"
        )
        self.overview.show_vendor(card, figures)
        if proposals:
            self.terms_proposal.setText(
                f"{card.name} is over your contact policy ({proposals[0].reason}). "
                f"Proffer your terms: {proposals[0].agreement.label} asks them to stop."
            )
            self.terms_proposal.setToolTip(proposals[0].message)
        self.terms_proposal.setVisible(bool(proposals))
        self.terms_propose_button.setVisible(bool(proposals))
        self.tabs.setTabText(
            2, f"Tickets ({figures.open_tickets} open)" if figures.open_tickets else "Tickets"
        )
        return True

    def _ticket_titles(self) -> list[tuple[int, str]]:
        if self.vendor_id is None:
            return []
        with self.controller.session() as session:
            tickets = vendor_tables.vendor_tickets(session, self.vendor_id)
        return [(t.id, t.title) for t in tickets]

    def refresh(self, kinds: set[str]) -> None:
        if self.vendor_id is None or not self.controller.is_open:
            return
        every = "*" in kinds
        if (every or kinds & SHOWS["header"]) and not self._load_header():
            return
        self.overview.reload_lists(kinds)
        for key, tab in self.record_tabs.items():
            if every or kinds & SHOWS[key]:
                keep = tab.current_id()
                tab.model.reload()
                if keep is not None:
                    tab.select_id(keep)
        if every or "ticket" in kinds:
            self.timeline.update_tickets(self._ticket_titles())
        elif "interaction" in kinds:
            self.timeline.reload()

    def select(self, kind: str, record_id: int | None) -> bool:
        """Switch to the tab that shows ``kind`` and select that record."""
        key = TAB_OF.get(kind)
        if key is None:
            return False
        self.tabs.setCurrentWidget(self.pages[key])
        if record_id is None or kind == "vendor":
            return True
        if key == "overview":
            return self.overview.select(kind, record_id)
        if key == "timeline":
            return self.timeline.select_interaction(record_id)
        if key == "files":
            return True
        tab = self.record_tabs[key]
        found = tab.select_id(record_id)
        tab.table.setFocus()
        return found

    def show_ticket_conversation(self, ticket_id: int) -> None:
        self.timeline.show_ticket(ticket_id)
        self.tabs.setCurrentWidget(self.timeline)
        self.timeline.list.setFocus()

    def clear(self) -> None:
        self.vendor_id, self.card = None, None
        self.title.setText("No vendor selected")
        self.subtitle.setText("Choose a vendor from the list, or add one.")
        self.overview.clear()
        for tab in (self.things, self.tickets, self.offers, self.agreements):
            tab.model.clear()
        self.timeline.clear()
        self.attachments.clear()
        self.shared.clear()
        self.tabs.setTabText(2, "Tickets")
        self.tabs.setCurrentIndex(0)
        self.edit_button.setEnabled(False)
        self.write_button.setEnabled(False)
        self.requests_button.setEnabled(False)
        self.terms_proposal.setVisible(False)
        self.terms_propose_button.setVisible(False)
        self.delete_button.setEnabled(False)
        self.share_button.setEnabled(False)

    # -- mail --------------------------------------------------------------------------------
    def write_email(self) -> None:
        if self.vendor_id is not None:
            message_actions.write_email(self, self.controller, "vendor", self.vendor_id)

    def rights_request(self) -> QWidget | None:
        """The data-rights request dialog for this vendor (the letter, its deadline)."""
        if self.vendor_id is None:
            return None
        from vrmdesk.ui.vendors.rights_dialog import open_rights_dialog

        return open_rights_dialog(self, self.controller, self.vendor_id)

    def my_terms(self, agreement_id: str | None = None) -> QWidget | None:
        """The MyTerms dialog for this vendor (preselected on ``agreement_id`` if given)."""
        if self.vendor_id is None:
            return None
        from vrmdesk.ui.vendors.terms_dialog import open_terms_dialog

        return open_terms_dialog(self, self.controller, self.vendor_id, agreement_id)

    def insurer_inventory(self) -> QWidget | None:
        """The insurer's inventory with this vendor as the insurer the bundle goes to."""
        if self.vendor_id is None:
            return None
        from vrmdesk.ui.things.inventory_dialog import InventoryDialog

        dialog = InventoryDialog(self.controller, self, insurer=self.vendor_name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def request_quotes(self) -> QWidget | None:
        """The request-for-quotes dialog with this vendor chosen."""
        if self.vendor_id is None:
            return None
        from vrmdesk.ui.vendors.quotes_dialog import open_request_dialog

        return open_request_dialog(self, self.controller, self.vendor_id)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.vendor_id is not None and mail_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self.vendor_id is not None and mail_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """.eml and mbox files dropped on the page (or its timeline): imported for this vendor."""
        paths = mail_paths(event.mimeData())
        if self.vendor_id is None or not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        start_import(
            self,
            self.controller,
            paths,
            vendor_id=self.vendor_id,
            max_file_size=self.prefs.mail_max_file_size,
        )

    # -- the vendor itself ------------------------------------------------------------------
    def share(self) -> None:
        """The share wizard for this vendor, with what is selected here ticked: the ticket on the
        Tickets tab, the message on the Timeline, or the thing on the Things tab."""
        if self.vendor_id is None:
            return
        from vrmdesk.ui.share.wizard import share_with_vendor

        current = self.tabs.currentWidget()
        preselect: dict[str, Any] = {}
        if current is self.tickets and self.tickets.current_id() is not None:
            preselect["ticket_id"] = self.tickets.current_id()
        elif current is self.timeline and self.timeline.current_id() is not None:
            preselect["interaction_ids"] = [self.timeline.current_id()]
        elif current is self.things and self.things.current_id() is not None:
            preselect["asset_id"] = self.things.current_id()
        share_with_vendor(self, self.controller, self.vendor_id, **preselect)

    def edit_vendor(self) -> None:
        if self.vendor_id is not None:
            call_editor(self, self.controller, "vendor", record_id=self.vendor_id)

    def delete_vendor(self) -> None:
        if self.vendor_id is not None and self.card is not None:
            confirm_delete(self, self.controller, "vendor", self.vendor_id, self.card.name)
