"""The list of vendors: filtered as you type, sorted three ways, with badges.

``VendorListModel`` pages through ``views.vendor_rows`` (100 at a time); ``VendorDelegate``
draws each vendor on two lines with badges for open tickets and warranties ending soon, and a
mark on the left when something needs attention.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from vrmdesk.store.services import views
from vrmdesk.store.services.views import VendorRow
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.widgets.accents import accent, muted
from vrmdesk.ui.widgets.dates import show_month
from vrmdesk.ui.widgets.icons import icon
from vrmdesk.ui.widgets.modelindex import AnyIndex
from vrmdesk.ui.widgets.paged import PagedRows, reset_model

ID_ROLE = Qt.ItemDataRole.UserRole
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
OPEN_TICKETS_ROLE = Qt.ItemDataRole.UserRole + 2
EXPIRING_ROLE = Qt.ItemDataRole.UserRole + 3
ATTENTION_ROLE = Qt.ItemDataRole.UserRole + 4
SORT_LABELS = {"name": "Name", "last_contact": "Last contact", "attention": "Attention needed"}


def last_contact_text(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return "no contact yet"
    days = ((now or datetime.now()).date() - when.date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 45:
        return f"{days} days ago"
    return show_month(when)


def describe(row: VendorRow) -> str:
    """The whole row in words (screen readers, tooltips)."""
    parts = [
        row.name,
        views.label(row.vendor_kind),
        f"last contact {last_contact_text(row.last_contact)}",
    ]
    if row.status != "active":
        parts.append(views.label(row.status).lower())
    if row.open_tickets:
        parts.append(f"{row.open_tickets} open ticket{'s' if row.open_tickets != 1 else ''}")
    if row.expiring_warranties:
        n = row.expiring_warranties
        parts.append(f"{n} warrant{'ies' if n != 1 else 'y'} ending soon")
    if row.over_policy:
        parts.append("over my contact policy")
    if row.attention:
        parts.append(f"{row.attention} thing{'s' if row.attention != 1 else ''} need attention")
    return ", ".join(parts)


class VendorListModel(PagedRows, QAbstractListModel):
    PAGE = 100

    def __init__(self, controller: VaultController, prefs: Preferences, parent: Any = None) -> None:
        super().__init__(parent)
        self.controller, self.prefs = controller, prefs
        self.text, self.sort_key = "", "name"
        #: only vendors with this tag (None: all)
        self.tag: str | None = None
        self._rows: list[VendorRow] = []
        self._more = False
        self._busy = False  # no fetching more while rows go in or the model resets

    def set_query(self, text: str | None = None, sort: str | None = None) -> None:
        """Filter (name contains ``text``) and sort ("name", "last_contact", "attention")."""
        if text is not None:
            self.text = text
        if sort is not None:
            self.sort_key = sort
        self.reload()

    def set_tag(self, tag: str | None) -> None:
        self.tag = tag or None
        self.reload()

    def reload(self, at_least: int = 0) -> None:
        """Load again from the start (``at_least`` rows, to keep what was scrolled to)."""
        limit = max(self.PAGE, at_least)
        rows = self._load(0, limit) if self.controller.is_open else []
        reset_model(self, lambda: self._set(rows, len(rows) == limit))

    def _set(self, rows: list[VendorRow], more: bool) -> None:
        self._rows, self._more = rows, more

    def clear(self) -> None:
        reset_model(self, lambda: self._set([], False))

    def _load(self, offset: int, limit: int) -> list[VendorRow]:
        with self.controller.session() as session:
            return views.vendor_rows(
                session,
                self.text,
                self.sort_key,
                offset=offset,
                limit=limit,
                lead=self.prefs.lead(),
                tag=self.tag,
            )

    def _page(self, offset: int) -> list[Any]:
        return self._load(offset, self.PAGE)

    def vendor(self, row: int) -> VendorRow:
        return self._rows[row]

    def loaded_row(self, vendor_id: int) -> int | None:
        """The row of ``vendor_id`` among the rows fetched so far (no query), or None."""
        return next((i for i, r in enumerate(self._rows) if r.id == vendor_id), None)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.name
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return describe(row)
        return {
            ID_ROLE: row.id,
            ROW_ROLE: row,
            OPEN_TICKETS_ROLE: row.open_tickets,
            EXPIRING_ROLE: row.expiring_warranties,
            ATTENTION_ROLE: row.attention,
        }.get(role)


class VendorDelegate(QStyledItemDelegate):
    PAD, MARK = 6, 3

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._pixmaps: dict[tuple[str, str], Any] = {}

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return QSize(0, QFontMetrics(option.font).lineSpacing() * 2 + self.PAD * 2 + 2)

    def _pixmap(self, name: str, colour: str, size: int) -> Any:
        key = (name, colour)
        if key not in self._pixmaps:
            self._pixmaps[key] = icon(name, colour).pixmap(size, size)
        return self._pixmaps[key]

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        row: VendorRow | None = index.data(ROW_ROLE)
        if row is None:
            return
        painter.save()
        opt = QStyleOptionViewItem(option)
        opt.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, option.widget)
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        soft = text if selected else muted(palette)
        r = option.rect.adjusted(self.PAD + self.MARK + 3, self.PAD, -self.PAD, -self.PAD)
        if row.attention:
            painter.fillRect(
                QRect(option.rect.left() + 2, r.top(), self.MARK, r.height()),
                accent("soon", palette),
            )
        fm = QFontMetrics(option.font)
        line = fm.lineSpacing()
        # badges, right to left on the first line
        right = r.right()
        badges = []
        if row.expiring_warranties:
            badges.append(("warranty", row.expiring_warranties, accent("soon", palette)))
        if row.open_tickets:
            badges.append(("ticket", row.open_tickets, accent("inbound", palette)))
        if row.over_policy:
            badges.append(("warning", 0, accent("warn", palette)))
        small = QFont(option.font)
        small.setBold(True)
        sfm = QFontMetrics(small)
        painter.setFont(small)
        size = max(12, line - 4)
        for name, count, colour in badges:
            label = str(count) if count else ""
            width = size + (sfm.horizontalAdvance(label) + 4 if label else 0) + 8
            pill = QRectF(right - width, r.top() + 1, width, line - 2)
            painter.setPen(Qt.PenStyle.NoPen)
            fill = colour if not selected else text
            fill_soft = QColor(fill)
            fill_soft.setAlpha(40)
            painter.setBrush(fill_soft)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.drawRoundedRect(pill, (line - 2) / 2, (line - 2) / 2)
            painter.drawPixmap(
                int(pill.left() + 4),
                int(pill.center().y() - size / 2),
                self._pixmap(name, fill.name(), size),
            )
            if label:
                painter.setPen(fill)
                painter.drawText(
                    QRectF(pill.left() + 4 + size + 2, pill.top(), width - size - 6, pill.height()),
                    Qt.AlignmentFlag.AlignVCenter,
                    label,
                )
            right -= width + 4
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text)
        name_rect = QRect(r.left(), r.top(), max(10, right - r.left() - 2), line)
        painter.drawText(
            name_rect,
            Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(bold).elidedText(row.name, Qt.TextElideMode.ElideRight, name_rect.width()),
        )
        painter.setFont(option.font)
        painter.setPen(soft)
        second = f"{views.label(row.vendor_kind)} · {last_contact_text(row.last_contact)}"
        if row.status != "active":
            second += f" · {views.label(row.status).lower()}"
        painter.drawText(
            QRect(r.left(), r.top() + line, r.width(), line),
            Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(second, Qt.TextElideMode.ElideRight, r.width()),
        )
        painter.restore()
