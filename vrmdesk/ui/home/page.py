"""The home dashboard: what needs attention now. Each row opens its record.

A section shows its first ``SHOWN`` items, its full count in its title, and a "Show all N"
button for the rest (the page stays quick to fill on a vault with thousands of them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.store.services import dashboard
from vrmdesk.store.services.dashboard import AttentionItem
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.pages import Page
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.widgets.dates import show_date
from vrmdesk.ui.widgets.icons import icon

KIND_ROLE = Qt.ItemDataRole.UserRole
ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: how many items a section shows until the person asks for all of them
SHOWN = 20


def _when(day: date | None) -> str:
    if day is None:
        return ""
    delta = (day - date.today()).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    return f"in {delta} days" if delta > 0 else f"{-delta} days ago"


#: how each section of the page words one of its items
LINES: dict[str, Callable[[AttentionItem], str]] = {
    "warranties": lambda w: (
        f"{w.whose}: {w.what or 'warranty'} ends {show_date(w.day)} ({_when(w.day)})"
    ),
    "follow_ups": lambda t: f"{t.whose}: {t.what} — follow up {_when(t.day)}",
    "waiting": lambda t: f"{t.whose}: {t.what} — open since {show_date(t.day)}",
    "notice": lambda a: (
        f"{a.whose}: {a.what} — give notice by {show_date(a.day)} ({_when(a.day)}), "
        f"renews {show_date(a.renews_on)}"
    ),
    "service": lambda e: f"{e.whose}: {e.what} — due {_when(e.day)}",
    "policy": lambda b: f"{b.whose}: {b.what}",
}


#: the page's section for each list of the dashboard service
BOARD_SECTIONS = {
    "warranties": "warranties",
    "follow_ups": "follow_ups",
    "waiting": "waiting",
    "notice": "notices",
    "service": "service",
    "policy": "over_policy",
}


class Section(QFrame):
    #: the person asked for every item (True) or for the first ``SHOWN`` again (False)
    show_all = Signal(bool)

    def __init__(
        self, title: str, icon_name: str, empty: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        self.title = QLabel(title)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        self.empty_text = empty
        self.list = QListWidget()
        self.list.setAccessibleName(title)
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        self.list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.icon_name = icon_name
        #: whether the list holds every item of the section
        self.whole = False
        self.more = QPushButton()
        self.more.setFlat(True)
        self.more.hide()
        self.more.clicked.connect(lambda: self.show_all.emit(not self.whole))
        layout.addWidget(self.title)
        layout.addWidget(self.list)
        layout.addWidget(self.more, 0, Qt.AlignmentFlag.AlignLeft)
        self._base_title = title

    def fill(self, rows: list[tuple[str, str, int]], count: int | None = None) -> None:
        """Show ``rows``: the section's items, or the first of its ``count`` (None: all there)."""
        count = len(rows) if count is None else count
        self.list.clear()
        self.title.setText(f"{self._base_title} ({count})" if count else self._base_title)
        self.whole = len(rows) == count
        self.more.setVisible(count > SHOWN)
        self.more.setText(f"Show the first {SHOWN}" if self.whole else f"Show all {count}")
        if not rows:
            item = QListWidgetItem(self.empty_text)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(item)
        glyph = icon(self.icon_name)
        for text, kind, record_id in rows:
            item = QListWidgetItem(glyph, text)
            item.setData(KIND_ROLE, kind)
            item.setData(ID_ROLE, record_id)
            self.list.addItem(item)
        height = sum(self.list.sizeHintForRow(i) for i in range(self.list.count()))
        self.list.setFixedHeight(height + 2 * self.list.frameWidth() + 4)


class HomePage(Page):
    def __init__(
        self, controller: VaultController, prefs: Preferences, parent: QWidget | None = None
    ) -> None:
        super().__init__(controller, prefs, parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        self.headline = QLabel()
        font = QFont(self.headline.font())
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.headline.setFont(font)
        layout.addWidget(self.headline)
        self.sections = {
            "warranties": Section("Warranties ending soon", "warranty", "No warranty ends soon."),
            "follow_ups": Section("Follow-ups due", "ticket", "No follow-up is due."),
            "waiting": Section(
                "Waiting on the vendor too long", "ticket", "No ticket waits too long."
            ),
            "notice": Section("Notice deadlines", "calendar", "No notice deadline is near."),
            "service": Section("Service due", "settings", "No service is due."),
            "policy": Section(
                "Vendors over my contact policy", "warning", "Every vendor keeps to my policy."
            ),
        }
        #: the sections the person asked to see in full (until the vault locks)
        self.whole: set[str] = set()
        for key, section in self.sections.items():
            section.list.itemActivated.connect(self._activate)
            section.list.itemClicked.connect(self._activate)
            section.show_all.connect(lambda whole, key=key: self._show_all(key, whole))
            layout.addWidget(section)
        layout.addStretch(1)

    def _show_all(self, key: str, whole: bool) -> None:
        (self.whole.add if whole else self.whole.discard)(key)
        self.refresh(set())

    def _activate(self, item: QListWidgetItem) -> None:
        kind = item.data(KIND_ROLE)
        if kind:
            self.open_record.emit(kind, int(item.data(ID_ROLE)))

    def refresh(self, kinds: set[str]) -> None:
        whole = {BOARD_SECTIONS[key] for key in self.whole}
        with self.controller.session() as session:
            board = dashboard.attention(session, self.prefs.lead(), limit=SHOWN, whole=whole)
        for key, name in BOARD_SECTIONS.items():
            line = LINES[key]
            items: tuple[AttentionItem, ...] = getattr(board, name)
            self.sections[key].fill(
                [(line(item), item.kind, item.id) for item in items], board.count(name)
            )
        total = board.total
        self.headline.setText(
            "Nothing needs your attention."
            if not total
            else f"{total} thing{'s' if total != 1 else ''} "
            f"need{'s' if total == 1 else ''} your attention"
        )

    def clear(self) -> None:
        self.whole.clear()
        for section in self.sections.values():
            section.list.clear()
            section.more.hide()
            section.title.setText(section._base_title)  # the counts are vault content too
        self.headline.setText("")
