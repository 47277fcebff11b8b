"""How one entry of a timeline is drawn: inbound and outbound told apart at a glance.

What the vendor sent me (inbound) hugs the left with its colour bar and arrow; what I sent
(outbound) is indented like the other side of a conversation, in another colour. An entry with
files shows them on its last line (a paper clip, each name and size); a click on one emits
:attr:`TimelineDelegate.file_clicked` with the entry's and the file's ids.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from vrmdesk.store.attachments import format_size
from vrmdesk.store.services import views
from vrmdesk.store.services.files import AttachedFile
from vrmdesk.store.services.timeline import Entry
from vrmdesk.ui.widgets import words
from vrmdesk.ui.widgets.accents import accent, muted
from vrmdesk.ui.widgets.dates import show_datetime
from vrmdesk.ui.widgets.icons import icon
from vrmdesk.ui.widgets.modelindex import AnyIndex

#: the model's role for the whole entry (``timeline.Entry``)
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1


def file_label(f: AttachedFile) -> str:
    return f"{f.name} ({format_size(f.size)})"


class TimelineDelegate(QStyledItemDelegate):
    """Four lines per entry: who and how and when; the subject; the start of the text (two
    lines, or one and the files)."""

    PAD, BAR, INDENT, ICON, GAP = 8, 4, 28, 16, 14
    #: (entry id, attachment id) of a file clicked on an entry
    file_clicked = Signal(int, int)

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

    def _content(self, rect: QRect, entry: Entry) -> QRect:
        """Where an entry's bar and text go inside its row."""
        r = rect.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)
        # inbound hugs the left, outbound is indented like the other side of a conversation
        return (
            r.adjusted(0, 0, -self.INDENT, 0) if entry.inbound else r.adjusted(self.INDENT, 0, 0, 0)
        )

    def file_rects(
        self, rect: QRect, entry: Entry, fm: QFontMetrics
    ) -> list[tuple[AttachedFile, QRect]]:
        """Each file's name on the entry's last line, as far as they fit."""
        r = self._content(rect, entry)
        line = fm.lineSpacing()
        x = r.left() + self.BAR + self.PAD + self.ICON + 4
        # room kept for "+N" when not every file fits
        right = r.right() - (fm.horizontalAdvance("+99") + 6 if len(entry.files) > 1 else 0)
        top = r.top() + 3 * line
        out: list[tuple[AttachedFile, QRect]] = []
        for f in entry.files:
            width = fm.horizontalAdvance(file_label(f))
            if x + width > right:
                width = right - x
                if width < fm.horizontalAdvance("M…") * 2:
                    break
            out.append((f, QRect(x, top, width, line)))
            x += width + self.GAP
        return out

    def editorEvent(
        self, event: QEvent, model: Any, option: QStyleOptionViewItem, index: Any
    ) -> bool:
        entry: Entry | None = index.data(ENTRY_ROLE)
        if (
            entry is not None
            and entry.files
            and event.type() in (QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick)
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
        ):
            at = self.file_at(
                option.rect, entry, QFontMetrics(option.font), event.position().toPoint()
            )
            if at is not None:
                # a release opens the file; a double click on it is no edit of the message
                if event.type() == QEvent.Type.MouseButtonRelease:
                    self.file_clicked.emit(entry.id, at.id)
                return True
        return super().editorEvent(event, model, option, index)

    def file_at(
        self, rect: QRect, entry: Entry, fm: QFontMetrics, point: QPoint
    ) -> AttachedFile | None:
        return next((f for f, r in self.file_rects(rect, entry, fm) if r.contains(point)), None)

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
        r = self._content(option.rect, entry)
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
        lines: tuple[str, ...] = _two_lines(fm, entry.excerpt, width)
        if entry.files:  # one line of text, then the files
            lines = (fm.elidedText(entry.excerpt, Qt.TextElideMode.ElideRight, width),)
        for n, text in enumerate(lines, 2):
            painter.drawText(
                QRect(x, r.top() + n * line, width, line), Qt.AlignmentFlag.AlignVCenter, text
            )
        if entry.files:
            self._paint_files(painter, option, entry, fm, x, r.top() + 3 * line, selected)
        painter.restore()

    def _paint_files(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        entry: Entry,
        fm: QFontMetrics,
        x: int,
        top: int,
        selected: bool,
    ) -> None:
        palette: QPalette = option.palette
        link = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Link
        )
        line = fm.lineSpacing()
        painter.drawPixmap(x, top + (line - self.ICON) // 2, self._icon("attach", link.name()))
        painter.setPen(link)
        shown = self.file_rects(option.rect, entry, fm)
        for f, rect in shown:
            painter.drawText(
                rect,
                Qt.AlignmentFlag.AlignVCenter,
                fm.elidedText(file_label(f), Qt.TextElideMode.ElideMiddle, rect.width()),
            )
        if len(shown) < len(entry.files) and shown:
            more = f"+{len(entry.files) - len(shown)}"
            last = shown[-1][1]
            painter.drawText(
                QRect(last.right() + 4, top, fm.horizontalAdvance(more) + 2, line),
                Qt.AlignmentFlag.AlignVCenter,
                more,
            )


def _two_lines(fm: QFontMetrics, text: str, width: int) -> tuple[str, str]:
    """The text as two lines that fit ``width``, the second elided if there is more."""
    words, first = text.split(" "), ""
    while words and fm.horizontalAdvance(f"{first} {words[0]}".strip()) <= width:
        first = f"{first} {words.pop(0)}".strip()
    if not first:  # one word longer than the line
        return fm.elidedText(text, Qt.TextElideMode.ElideRight, width), ""
    return first, fm.elidedText(" ".join(words), Qt.TextElideMode.ElideRight, width)
