"""The page of one thing: its details, receipts and files, warranties (with their state),
registrations, service history (with the next service due) and the tickets about it.

Every list has New, Edit and Delete; saving goes through the record editor, deleting through the
controller (with undo) after the user confirms.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import VrmError
from vrmdesk.store.services import things
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.editors.fields import human
from vrmdesk.ui.files.panel import AttachmentsPanel
from vrmdesk.ui.things.models import day
from vrmdesk.ui.things.sections import (
    EMPTY,
    REGISTRATION_COLUMNS,
    SERVICE_COLUMNS,
    TICKET_COLUMNS,
    WARRANTY_COLUMNS,
    Section,
    overdue,
)
from vrmdesk.ui.widgets import buttons
from vrmdesk.ui.widgets.icons import icon
from vrmdesk.ui.widgets.tag_chips import TagChips


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """Ask before deleting, the button named as the title says (“Delete thing”)."""
    return buttons.ask_action(parent, title, text, f"&{title}")


class AssetPanel(QWidget):
    """Shows one thing. ``show_asset(id)`` loads it; ``clear()`` empties every list."""

    open_record = Signal(str, int)
    #: after a save here: show (asset id, kind, record id)
    saved = Signal(int, str, int)

    TABS = (
        ("warranty", "&Warranties"),
        ("registration", "Regi&strations"),
        ("service_event", "Service histor&y"),
        ("ticket", "Tic&kets"),
        ("attachment", "Recei&pts && files"),
    )

    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.detail: things.AssetDetail | None = None

        self.title = QLabel()
        self.title.setAccessibleName("Thing")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.edit_button = QPushButton(icon("edit"), "Edit th&ing…")
        self.delete_button = QPushButton(icon("trash"), "&Delete thing")
        self.edit_button.clicked.connect(self.edit_asset)
        self.delete_button.clicked.connect(self.delete_asset)
        self.share_button = QPushButton(icon("outbound"), "Share…")
        self.share_button.setToolTip("Share this thing with one of its vendors (a signed bundle)")
        self.share_button.clicked.connect(self.share_asset)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.share_button)
        header.addWidget(self.edit_button)
        header.addWidget(self.delete_button)

        self.facts: dict[str, QLabel] = {}
        facts = QGridLayout()
        facts.setHorizontalSpacing(12)
        names = (
            "Category",
            "Location",
            "Status",
            "Maker",
            "Seller",
            "Purchased",
            "Model",
            "Serial number",
            "Price",
            "Order number",
            "Next service",
        )
        for i, name in enumerate(names):
            caption = QLabel(f"{name}:")
            caption.setEnabled(False)
            value = QLabel()
            value.setTextFormat(Qt.TextFormat.RichText)  # every value is escaped
            value.setAccessibleName(name)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
            value.linkActivated.connect(self._link)
            caption.setBuddy(value)
            facts.addWidget(caption, i // 3, (i % 3) * 2)
            facts.addWidget(value, i // 3, (i % 3) * 2 + 1)
            self.facts[name] = value
        for column in (1, 3, 5):
            facts.setColumnStretch(column, 1)
        self.tags = TagChips()
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.PlainText)
        self.notes.setAccessibleName("Notes")
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.sections: dict[str, Section] = {
            "warranty": Section("warranty", WARRANTY_COLUMNS, empty=EMPTY["warranty"]),
            "registration": Section(
                "registration", REGISTRATION_COLUMNS, empty=EMPTY["registration"]
            ),
            "service_event": Section("service", SERVICE_COLUMNS, empty=EMPTY["service_event"]),
            "ticket": Section("ticket", TICKET_COLUMNS, can_open=True, empty=EMPTY["ticket"]),
        }
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("About this thing")
        for kind, section in self.sections.items():
            section.new_clicked.connect(lambda kind=kind: self.new_sub(kind))
            section.edit_clicked.connect(lambda rid, kind=kind: self.edit_sub(kind, rid))
            section.delete_clicked.connect(lambda rid, kind=kind: self.delete_sub(kind, rid))
            section.open_clicked.connect(lambda rid, kind=kind: self.open_record.emit(kind, rid))
        self.attachments = AttachmentsPanel(self.controller, self)
        for kind, title in self.TABS:
            self.tabs.addTab(self.sections.get(kind, self.attachments), title)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.tags)
        layout.addLayout(facts)
        layout.addWidget(self.notes)
        layout.addWidget(line)
        layout.addWidget(self.tabs, 1)

    # -- showing -----------------------------------------------------------------------------
    def share_asset(self) -> None:
        """Choose the vendor (maker first) and open the share wizard with this thing ticked."""
        if self.detail is None:
            return
        from PySide6.QtWidgets import QInputDialog, QMessageBox

        from vrmdesk.share.choices import vendors_for_asset
        from vrmdesk.ui.share.wizard import share_with_vendor

        with self.controller.session() as session:
            vendors = vendors_for_asset(session, self.detail.id)
        if not vendors:
            QMessageBox.information(
                self, "Share", "This thing has no vendor yet: set its maker or seller."
            )
            return
        vendor_id = vendors[0][0]
        if len(vendors) > 1:
            names = [name for _, name in vendors]
            name, ok = QInputDialog.getItem(self, "Share with", "Vendor:", names, 0, False)
            if not ok:
                return
            vendor_id = vendors[names.index(name)][0]
        share_with_vendor(self, self.controller, vendor_id, asset_id=self.detail.id)

    @property
    def asset_id(self) -> int | None:
        return self.detail.id if self.detail else None

    def show_asset(self, asset_id: int) -> bool:
        """Load a thing; False (and an empty panel) if it no longer exists."""
        try:
            with self.controller.session() as session:
                detail = things.asset_detail(session, asset_id)
        except VrmError:
            self.clear()
            return False
        self.detail = detail
        self.title.setText(detail.name)
        f = self.facts
        f["Category"].setText(escape(detail.category))
        f["Location"].setText(escape(detail.location))
        f["Maker"].setText(self._vendor_link(detail.maker_id, detail.maker))
        f["Seller"].setText(self._vendor_link(detail.seller_id, detail.seller))
        f["Model"].setText(escape(detail.model))
        f["Serial number"].setText(escape(detail.serial_number))
        f["Purchased"].setText(day(detail.purchase_date))
        f["Price"].setText(escape(detail.price))
        f["Order number"].setText(escape(detail.order_number))
        f["Status"].setText(human(detail.status.value))
        due = detail.next_service_due
        f["Next service"].setText(
            f'<span style="color:#c62828">{day(due)} (overdue)</span>' if overdue(due) else day(due)
        )
        for label in f.values():
            if not label.text():
                label.setText("—")
        self.tags.set_tags(detail.tags)
        self.notes.setText(detail.notes)
        self.notes.setVisible(bool(detail.notes))
        lists: dict[str, Sequence[Any]] = {
            "warranty": detail.warranties,
            "registration": detail.registrations,
            "service_event": detail.service,
            "ticket": detail.tickets,
        }
        for i, (kind, title) in enumerate(self.TABS):
            if kind in lists:
                self.sections[kind].set_rows(lists[kind])
                count = len(lists[kind])
                self.tabs.setTabText(i, f"{title} ({count})" if count else title)
        self.attachments.set_owner("asset", asset_id)
        self.edit_button.setEnabled(True)
        self.delete_button.setEnabled(True)
        self.share_button.setEnabled(True)
        return True

    @staticmethod
    def _vendor_link(vendor_id: int | None, name: str) -> str:
        return f'<a href="vendor:{vendor_id}">{escape(name)}</a>' if vendor_id else ""

    def _link(self, href: str) -> None:
        kind, _, record_id = href.partition(":")
        if record_id.isdigit():
            self.open_record.emit(kind, int(record_id))

    def select(self, kind: str | None, record_id: int | None) -> bool:
        """Show the tab of a sub-record and select it."""
        keys = [k for k, _ in self.TABS]
        if kind not in keys:
            return False
        self.tabs.setCurrentIndex(keys.index(kind))
        if kind in self.sections and record_id is not None:
            return self.sections[kind].select(record_id)
        if record_id is not None:
            self.attachments.select(record_id)
        return True

    def clear(self) -> None:
        self.detail = None
        self.title.setText("")
        for label in self.facts.values():
            label.setText("")
        self.tags.set_tags(())
        self.notes.setText("")
        for section in self.sections.values():
            section.clear()
        for i, (_, title) in enumerate(self.TABS):
            self.tabs.setTabText(i, title)
        self.attachments.clear()
        self.edit_button.setEnabled(False)
        self.delete_button.setEnabled(False)
        self.share_button.setEnabled(False)

    # -- commands ----------------------------------------------------------------------------
    def edit_asset(self) -> None:
        if self.detail is None:
            return
        from vrmdesk.ui.editors.record_editor import edit_record

        asset_id = self.detail.id
        if edit_record(self.window(), self.controller, "asset", asset_id) is not None:
            self.saved.emit(asset_id, "asset", asset_id)

    def delete_asset(self) -> None:
        if self.detail is None:
            return
        text = (
            f"Delete “{self.detail.name}” with its warranties, registrations and service "
            "history? Tickets about it stay with their vendor. You can undo this."
        )
        if confirm(self, "Delete thing", text):
            self._delete("asset", self.detail.id)

    def new_sub(self, kind: str) -> None:
        if self.detail is None:
            return
        from vrmdesk.ui.editors.record_editor import edit_record

        defaults: dict[str, Any] = {"asset_id": self.detail.id}
        vendor_id = self.detail.maker_id or self.detail.seller_id
        if kind in ("registration", "ticket") and vendor_id:
            defaults["vendor_id"] = vendor_id
        asset_id = self.detail.id
        new_id = edit_record(self.window(), self.controller, kind, defaults=defaults)
        if new_id is not None:
            self.saved.emit(asset_id, kind, new_id)

    def edit_sub(self, kind: str, record_id: int) -> None:
        from vrmdesk.ui.editors.record_editor import edit_record

        asset_id = self.asset_id
        saved = edit_record(self.window(), self.controller, kind, record_id)
        if saved is not None and asset_id is not None:
            self.saved.emit(asset_id, kind, record_id)

    def delete_sub(self, kind: str, record_id: int) -> None:
        section = self.sections[kind]
        row = section.model.rows[section.model.row_of(record_id)]
        name = (
            getattr(row, "title", "")
            or getattr(row, "description", "")
            or getattr(row, "vendor", "")
        )
        text = f"Delete the {section.noun} “{name}”? You can undo this."
        if kind == "ticket":
            text = (
                f"Delete the ticket “{name}”? Its conversation stays with the vendor. "
                "You can undo this."
            )
        if confirm(self, f"Delete {section.noun}", text):
            self._delete(kind, record_id)

    def _delete(self, kind: str, record_id: int) -> None:
        try:
            self.controller.delete_record(kind, record_id)
        except VrmError as exc:
            QMessageBox.warning(self, "Not deleted", str(exc))
