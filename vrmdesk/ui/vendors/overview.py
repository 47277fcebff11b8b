"""The Overview tab of a vendor page: details, my contact policy, notes, relationship health,
and the vendor's contacts, channels and my account numbers with it."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.store.services import views
from vrmdesk.store.services.health import Health
from vrmdesk.store.services.views import VendorCard
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.vendors.health_chart import HealthWidget
from vrmdesk.ui.vendors.tabs import Column, RecordTab, RowsModel
from vrmdesk.ui.widgets import links
from vrmdesk.ui.widgets.dates import show_month
from vrmdesk.ui.widgets.tag_chips import TagChips


def _address_url(item: views.Item) -> QUrl | None:
    """A channel's address as a link: mailto:, tel: or a web address."""
    if item.email:
        return links.email_url(item.email)
    if item.phone:
        return links.phone_url(item.phone)
    return links.web_url(item.web) if item.web else None


#: kind, noun, heading, columns, what goes there when it is empty
LISTS: tuple[tuple[str, str, str, list[Column], str], ...] = (
    (
        "contact",
        "contact",
        "Contacts",
        [
            Column("Name", lambda i: i.title),
            Column("Role", lambda i: i.role),
            Column("E-mail", lambda i: i.email, link=lambda i: links.email_url(i.email)),
            Column("Phone", lambda i: i.phone, link=lambda i: links.phone_url(i.phone)),
        ],
        "No contacts yet: the people you deal with here. Add one with + (or Insert).",
    ),
    (
        "channel",
        "channel",
        "Channels",
        [
            Column("Name", lambda i: i.title),
            Column("Address", lambda i: i.detail, tip=lambda i: i.detail, link=_address_url),
        ],
        "No channels yet: the addresses and numbers that reach this vendor. Add one with +.",
    ),
    (
        "account",
        "account",
        "Account numbers",
        [Column("Number", lambda i: i.title), Column("Label", lambda i: i.detail)],
        "No account numbers yet: your customer numbers here. Add one with +.",
    ),
)


def _loader(kind: str) -> Any:
    return lambda session, vendor_id, offset, limit: views.vendor_items(
        session, vendor_id, kind, offset=offset, limit=limit
    )


class OverviewTab(QScrollArea):
    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.vendor_id: int | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.setWidget(body)
        layout = QVBoxLayout(body)

        details = QGroupBox("Details")
        form = QFormLayout(details)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QLabel] = {}
        for key, caption in (
            ("website", "Website:"),
            ("since", "Customer since:"),
            ("policy", "My contact policy:"),
            ("notes", "Notes:"),
        ):
            label = QLabel()
            label.setWordWrap(True)
            if key == "website":  # a link to follow, also by keyboard
                label.setTextFormat(Qt.TextFormat.RichText)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
                label.linkActivated.connect(lambda href: links.open_url(QUrl(href)))
            else:
                label.setTextFormat(Qt.TextFormat.PlainText)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAccessibleName(caption.rstrip(":"))
            form.addRow(caption, label)
            self.fields[key] = label
        self.tags = TagChips()
        self.tags_caption = QLabel("Tags:")
        form.addRow(self.tags_caption, self.tags)
        self.tags_caption.hide()
        layout.addWidget(details)

        health_box = QGroupBox("Relationship health")
        self.health = HealthWidget()
        QVBoxLayout(health_box).addWidget(self.health)
        layout.addWidget(health_box)

        grid = QGridLayout()
        self.lists: dict[str, RecordTab] = {}
        for column, (kind, noun, heading, columns, empty) in enumerate(LISTS):
            model = RowsModel(controller, columns, _loader(kind), self)
            tab = RecordTab(
                controller,
                kind,
                model,
                noun,
                self._defaults,
                title=heading,
                compact=True,
                empty=empty,
            )
            tab.table.setMinimumHeight(96)
            tab.table.setMaximumHeight(150)
            tab.activated.connect(lambda _id, tab=tab: tab.edit())
            self.lists[kind] = tab
            # contacts across the width, channels and account numbers side by side below
            grid.addWidget(
                tab,
                0 if kind == "contact" else 1,
                0 if column < 2 else 1,
                1,
                2 if kind == "contact" else 1,
            )
        layout.addLayout(grid)
        layout.addStretch(1)

    def _defaults(self) -> dict[str, Any]:
        return {"vendor_id": self.vendor_id}

    def show_vendor(self, card: VendorCard, health: Health) -> None:
        self.vendor_id = card.id
        site = card.website.strip()
        url = links.web_url(site) if site else None
        self.fields["website"].setText(
            f'<a href="{html.escape(url.toString(), quote=True)}">{html.escape(site)}</a>'
            if url is not None
            else html.escape(site) or "—"  # not a web address: shown, not followed
        )
        self.fields["since"].setText(show_month(card.since) if card.since else "—")
        self.fields["policy"].setText(card.policy)
        self.fields["notes"].setText(card.notes or "—")
        self.tags.set_tags(card.tags)
        self.tags_caption.setVisible(bool(card.tags))
        self.health.set_health(health)
        for tab in self.lists.values():
            tab.model.set_vendor(card.id)

    def reload_lists(self, kinds: set[str]) -> None:
        for kind, tab in self.lists.items():
            if kind in kinds or "*" in kinds:
                tab.model.reload()

    def select(self, kind: str, record_id: int) -> bool:
        tab = self.lists.get(kind)
        if tab is None or not tab.select_id(record_id):
            return False
        tab.table.setFocus()
        self.ensureWidgetVisible(tab)
        return True

    def clear(self) -> None:
        self.vendor_id = None
        for label in self.fields.values():
            label.setText("")
        self.tags.set_tags(())
        self.tags_caption.hide()
        self.health.clear()
        for tab in self.lists.values():
            tab.model.clear()
