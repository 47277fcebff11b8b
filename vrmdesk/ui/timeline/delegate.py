"""How one entry of a timeline is drawn: inbound and outbound told apart at a glance.

What the vendor sent me (inbound) hugs the left with its colour bar and arrow; what I sent
(outbound) is indented like the other side of a conversation, in another colour.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from vrmdesk.store.services import views
from vrmdesk.store.services.timeline import Entry
from vrmdesk.ui.widgets import words
from vrmdesk.ui.widgets.accents import accent, muted
from vrmdesk.ui.widgets.dates import show_datetime
from vrmdesk.ui.widgets.icons import icon
from vrmdesk.ui.widgets.modelindex import AnyIndex

#: the model's role for the whole entry (``timeline.Entry``)
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1


class TimelineDelegate(QStyledItemDelegate):
    """Three lines per entry: who and how and when; the subject; the start of the text."""

    PAD, BAR, INDENT, ICON = 8, 4, 28, 16

    def __init__(self, ticket_titles: dict[int, str], parent: Any = None) -> None:
        super().__init__(parent)
        self.ticket_titles = ticket_titles
        self._icons: dict[tuple[str, str], Any] = {}

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        line = QFontMetrics(option.font).lineSpacing()
        return QSize(320, line * 4 + self.PAD * 2 + 2)

    def _icon(self, name: str, colour: str) -> Any:
        key = (name, colour)
        if key not in self._icons:
            self._icons[key] = icon(name, colour).pixmap(self.ICON, self.ICON)
        return self._icons[key]

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        entry: Entry | None = index.data(ENTRY_ROLE)
        if entry is None:
            return
        painter.save()
        style = option.widget.style() if option.widget else None
        opt = QStyleOptionViewItem(option)
        opt.text, opt.icon = "", opt.icon.__class__()
        if style is not None:  # selection and focus backgrounds as the style draws them
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, option.widget)
        palette: QPalette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        colour = accent("inbound" if entry.inbound else "outbound", palette)
        text_colour = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        soft = text_colour if selected else muted(palette)
        r = option.rect.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)
        # inbound hugs the left, outbound is indented like the other side of a conversation
        r = r.adjusted(0, 0, -self.INDENT, 0) if entry.inbound else r.adjusted(self.INDENT, 0, 0, 0)
        painter.fillRect(QRect(r.left(), r.top(), self.BAR, r.height()), colour)
        x = r.left() + self.BAR + self.PAD
        width = r.right() - x
        fm = QFontMetrics(option.font)
        line = fm.lineSpacing()
        painter.drawPixmap(
            x,
            r.top() + (line - self.ICON) // 2,
            self._icon(
                "inbound" if entry.inbound else "outbound",
                (text_colour if selected else colour).name(),
            ),
        )
        head = (
            f"{words.direction(entry.inbound)} · {views.label(entry.channel)} · "
            f"{show_datetime(entry.occurred_at)}"
        )
        ticket = self.ticket_titles.get(entry.ticket_id or 0)
        if ticket:
            head += f" · ticket: {ticket}"
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text_colour if selected else colour)
        tx = x + self.ICON + 6
        painter.drawText(
            QRect(tx, r.top(), width - self.ICON - 6, line),
            Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(bold).elidedText(head, Qt.TextElideMode.ElideRight, width - self.ICON - 6),
        )
        painter.setPen(text_colour)
        subject = entry.subject or "(no subject)"
        painter.drawText(
            QRect(x, r.top() + line, width, line),
            Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(bold).elidedText(subject, Qt.TextElideMode.ElideRight, width),
        )
        painter.setFont(option.font)
        painter.setPen(soft)
        for n, text in enumerate(_two_lines(fm, entry.excerpt, width), 2):
            painter.drawText(
                QRect(x, r.top() + n * line, width, line), Qt.AlignmentFlag.AlignVCenter, text
            )
        painter.restore()


def _two_lines(fm: QFontMetrics, text: str, width: int) -> tuple[str, str]:
    """The text as two lines that fit ``width``, the second elided if there is more."""
    words, first = text.split(" "), ""
    while words and fm.horizontalAdvance(f"{first} {words[0]}".strip()) <= width:
        first = f"{first} {words.pop(0)}".strip()
    if not first:  # one word longer than the line
        return fm.elidedText(text, Qt.TextElideMode.ElideRight, width), ""
    return first, fm.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width)
