"""The home dashboard: what needs attention now. Each row opens its record.

A section shows its first ``SHOWN`` items, its full count in its title, and a "Show all N"
button for the rest (the page stays quick to fill on a vault with thousands of them). Its title
folds it away or opens it again; a section longer than ``SHOWN`` starts folded, with its count.

An overdue item (a follow-up or a service whose day is past) is set apart by a word
("Overdue"), a warning icon and bold type, and comes first in its section.

Every item can be dealt with where it is (the right-click menu, or the keys on the selected
row): **Done** (Ctrl+D) — what it means depends on the item, see ``store/services/marks.py`` —
and **Snooze** (Ctrl+Shift+D for a week; the menu offers tomorrow, a month, or a day of one's
choice), which hides it until that day. Both are kept in the vault, and Undo (Ctrl+Z) takes
either back.

A vault with nothing in it yet says where to start instead: add a vendor, import a spreadsheet,
import mail (``start`` asks the window for the command).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QContextMenuEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import VrmError
from vrmdesk.store.services import dashboard, marks, summary
from vrmdesk.store.services.dashboard import AttentionItem
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.pages import Page
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.home.snooze_dialog import SnoozeDialog
from vrmdesk.ui.widgets.accents import accent
from vrmdesk.ui.widgets.dates import show_date
from vrmdesk.ui.widgets.icons import icon

KIND_ROLE = Qt.ItemDataRole.UserRole
ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: how many items a section shows until the person asks for all of them
SHOWN = 20
DONE_KEY = "Ctrl+D"
SNOOZE_KEY = "Ctrl+Shift+D"
OVERDUE = "Overdue"


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
    "policy": lambda b: f"{b.whose}: {b.what} — proffer my terms? (right-click)",
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

#: what Done does, as the menu says it, by section
DONE_TEXT = {
    "warranties": "&Done (hide until the warranty changes)",
    "follow_ups": "&Done: clear the follow-up date",
    "waiting": "&Done (hide until the vendor writes and it waits again)",
    "notice": "&Done (hide until the deadline changes)",
    "service": "&Done: record the service as done today",
    "policy": "&Done (hide until the vendor sends more)",
}


class RowList(QListWidget):
    """A section's list: its context menu is asked for at a row (``menu_at``, viewport
    coordinates), the row under the mouse or, from the keyboard (the Menu key), the current one."""

    menu_at = Signal(QPoint)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() == QContextMenuEvent.Reason.Keyboard:
            item = self.currentItem()
            if item is not None:
                self.menu_at.emit(self.visualItemRect(item).center())
        else:
            self.menu_at.emit(self.viewport().mapFromGlobal(event.globalPos()))
        event.accept()


class Section(QFrame):
    #: the person asked for every item (True) or for the first ``SHOWN`` again (False)
    show_all = Signal(bool)
    #: the person folded the section away (True) or opened it (False)
    folded = Signal(bool)

    def __init__(
        self, title: str, icon_name: str, empty: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.is_folded = False
        layout = QVBoxLayout(self)
        self.title = QToolButton()
        self.title.setText(title)
        self.title.setAutoRaise(True)
        self.title.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.title.setArrowType(Qt.ArrowType.DownArrow)
        self.title.setToolTip("Fold this section away, or open it")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title.setFont(font)
        self.title.clicked.connect(lambda: self.folded.emit(not self.is_folded))
        self.empty_text = empty
        self.list = RowList()
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
        #: a folded section's other way in: its first items
        self.peek = QPushButton(f"Show the first {SHOWN}")
        self.peek.setFlat(True)
        self.peek.hide()
        self.peek.clicked.connect(lambda: self.folded.emit(False))
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.peek)
        buttons.addWidget(self.more)
        buttons.addStretch(1)
        layout.addWidget(self.title, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self._base_title = title

    def fill(
        self, rows: list[tuple[str, str, int, bool]], count: int | None = None, folded: bool = False
    ) -> None:
        """Show ``rows`` (text, kind, id, overdue): the section's items, or the first of its
        ``count`` (None: all there); ``folded`` shows only the title and the count."""
        count = len(rows) if count is None else count
        current = self.list.currentRow()
        self.list.clear()
        self.title.setText(f"{self._base_title} ({count})" if count else self._base_title)
        self.whole = len(rows) == count
        self.is_folded = folded and count > 0
        self.title.setArrowType(
            Qt.ArrowType.RightArrow if self.is_folded else Qt.ArrowType.DownArrow
        )
        self.title.setAccessibleName(
            f"{self.title.text()}, {'folded' if self.is_folded else 'open'}"
        )
        self.list.setVisible(not self.is_folded)
        self.more.setVisible(count > SHOWN)
        self.peek.setVisible(self.is_folded and count > SHOWN)
        self.more.setText(
            f"Show all {count}" if self.is_folded or not self.whole else f"Show the first {SHOWN}"
        )
        if not rows:
            item = QListWidgetItem(self.empty_text)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(item)
        glyph = icon(self.icon_name)
        late = icon("warning")
        warn = accent("warn", self.palette())
        tip = f"Enter opens it; {DONE_KEY}: done; {SNOOZE_KEY}: snooze a week; right-click: more"
        for text, kind, record_id, overdue in rows:
            item = QListWidgetItem(
                late if overdue else glyph, f"{OVERDUE} · {text}" if overdue else text
            )
            item.setData(KIND_ROLE, kind)
            item.setData(ID_ROLE, record_id)
            item.setToolTip(tip)
            if overdue:
                bold = QFont(self.list.font())
                bold.setBold(True)
                item.setFont(bold)
                item.setForeground(warn)
            self.list.addItem(item)
        if rows and current >= 0:
            self.list.setCurrentRow(min(current, self.list.count() - 1))
        height = sum(self.list.sizeHintForRow(i) for i in range(self.list.count()))
        self.list.setFixedHeight(height + 2 * self.list.frameWidth() + 4)

    def reset(self) -> None:
        self.list.clear()
        self.more.hide()
        self.peek.hide()
        self.title.setText(self._base_title)  # the counts are vault content too
        self.title.setArrowType(Qt.ArrowType.DownArrow)
        self.list.show()
        self.is_folded = False


class StartHere(QFrame):
    """What a new vault's Home shows: where to begin, with a button for each way."""

    #: the command asked for: ``new_vendor``, ``import_data`` or ``import_mail``
    start = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Where to start")
        text = QLabel(
            "Your vault is empty. Start with the vendors you deal with and the things you own: "
            "add them one by one, bring them in from a spreadsheet (CSV, HomeBox, Warracker), "
            "or import your mail and sort it by vendor. Home then shows the warranties ending, "
            "the follow-ups due and the deadlines near."
        )
        text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for command, label, icon_name in (
            ("new_vendor", "Add a &vendor…", "vendor"),
            ("import_data", "Import a &spreadsheet…", "inbound"),
            ("import_mail", "Import &mail…", "mail"),
        ):
            button = QPushButton(icon(icon_name), label)
            button.clicked.connect(lambda checked=False, c=command: self.start.emit(c))
            buttons.addWidget(button)
            self.buttons[command] = button
        buttons.addStretch(1)
        layout.addLayout(buttons)


class HomePage(Page):
    #: a command of the window the page asks for (see :class:`StartHere`)
    start = Signal(str)

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
        self.hint = QLabel(
            f"Right-click an item for Done or Snooze, or select it and press {DONE_KEY} (done) "
            f"or {SNOOZE_KEY} (snooze a week)."
        )
        self.hint.setEnabled(False)  # the palette's muted colour
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.start_here = StartHere()
        self.start_here.start.connect(self.start)
        self.start_here.hide()
        layout.addWidget(self.start_here)
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
        #: the sections the person folded (True) or opened (False) by hand (until the lock)
        self.folds: dict[str, bool] = {}
        for key, section in self.sections.items():
            section.list.itemActivated.connect(self._activate)
            section.list.itemClicked.connect(self._activate)
            section.list.menu_at.connect(lambda pos, key=key: self._menu(key, pos))
            section.show_all.connect(lambda whole, key=key: self._show_all(key, whole))
            section.folded.connect(lambda folded, key=key: self._fold(key, folded))
            for shortcut, slot in (
                (DONE_KEY, self._done),
                (SNOOZE_KEY, self._snooze_a_week),
                ("Shift+F10", self._menu_here),
            ):
                action = QAction(section.list)
                action.setShortcut(QKeySequence(shortcut))
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
                action.triggered.connect(lambda checked=False, key=key, slot=slot: slot(key))
                section.list.addAction(action)
            layout.addWidget(section)
        layout.addStretch(1)

    # -- showing -----------------------------------------------------------------------------
    def _show_all(self, key: str, whole: bool) -> None:
        (self.whole.add if whole else self.whole.discard)(key)
        self.folds[key] = False
        self.refresh(set())

    def _fold(self, key: str, folded: bool) -> None:
        self.folds[key] = folded
        self.refresh(set())

    def _activate(self, item: QListWidgetItem) -> None:
        kind = item.data(KIND_ROLE)
        if kind:
            self.open_record.emit(kind, int(item.data(ID_ROLE)))

    def refresh(self, kinds: set[str]) -> None:
        whole = {BOARD_SECTIONS[key] for key in self.whole}
        with self.controller.session() as session:
            board = dashboard.attention(session, self.prefs.lead(), limit=SHOWN, whole=whole)
            new = not board.total and summary.is_new(session)
        overdue = 0
        for key, name in BOARD_SECTIONS.items():
            line = LINES[key]
            items: tuple[AttentionItem, ...] = getattr(board, name)
            count = board.count(name)
            overdue += sum(item.overdue for item in items)
            self.sections[key].fill(
                [(line(item), item.kind, item.id, item.overdue) for item in items],
                count,
                folded=self.folds.get(key, count > SHOWN),
            )
            self.sections[key].setHidden(new)
        self.start_here.setVisible(new)
        self.hint.setVisible(bool(board.total))
        total = board.total
        if new:
            self.headline.setText("Welcome to your vault")
        elif not total:
            self.headline.setText("Nothing needs your attention.")
        else:
            late = f", {overdue} overdue" if overdue else ""
            # "item", not "thing": a thing is what the program calls something you own
            self.headline.setText(
                f"{total} item{'s' if total != 1 else ''} "
                f"need{'s' if total == 1 else ''} your attention{late}"
            )

    def clear(self) -> None:
        self.whole.clear()
        self.folds.clear()
        for section in self.sections.values():
            section.reset()
        self.headline.setText("")

    # -- acting on an item -------------------------------------------------------------------
    def _selected(self, key: str) -> QListWidgetItem | None:
        item = self.sections[key].list.currentItem()
        return item if item is not None and item.data(KIND_ROLE) else None

    def _act(self, key: str, action: Callable[..., marks.Outcome], *args: object) -> bool:
        item = self._selected(key)
        if item is None:
            return False
        try:
            with self.controller.session() as session:
                outcome = action(session, BOARD_SECTIONS[key], int(item.data(ID_ROLE)), *args)
        except VrmError as exc:  # gone meanwhile, a vendor back within policy …
            self.controller.notify({"*"}, str(exc))
            return False
        self._tell(outcome)
        return True

    def _tell(self, outcome: marks.Outcome) -> None:
        self.controller.remember(outcome.step)
        self.controller.notify(outcome.kinds, f"{outcome.message} Undo with Ctrl+Z.")

    def _done(self, key: str) -> None:
        self._act(key, marks.done)

    def snooze(self, key: str, until: date) -> bool:
        """Snooze the selected item of a section until a day (False: refused, and told)."""
        return self._act(key, marks.snooze, until)

    def _snooze_a_week(self, key: str) -> None:
        self.snooze(key, marks.snooze_days()[1][1])

    def _snooze_until(self, key: str) -> None:
        item = self._selected(key)
        if item is None:
            return

        def apply(day: date) -> None:
            with self.controller.session() as session:
                outcome = marks.snooze(session, BOARD_SECTIONS[key], int(item.data(ID_ROLE)), day)
            self._tell(outcome)

        dialog = SnoozeDialog(item.text(), apply, self)
        dialog.exec()
        dialog.deleteLater()

    def row_menu(self, key: str) -> QMenu | None:
        """The menu of the selected item of a section (None if none is selected)."""
        item = self._selected(key)
        if item is None:
            return None
        menu = QMenu(self)
        menu.addAction(icon("open"), "&Open", lambda: self._activate(item))
        done = menu.addAction(DONE_TEXT[key], lambda: self._done(key))
        done.setShortcut(QKeySequence(DONE_KEY))
        menu.addSeparator()
        for n, (label, day) in enumerate(marks.snooze_days()):
            snooze = menu.addAction(
                f"Snooze until {label} ({day:%a} {show_date(day)})",
                partial(self.snooze, key, day),
            )
            if n == 1:
                snooze.setShortcut(QKeySequence(SNOOZE_KEY))
        menu.addAction("Snooze &until a day…", lambda: self._snooze_until(key))
        if key == "policy":
            menu.addSeparator()
            menu.addAction(
                "&Proffer my terms (P2B1, #NoStalking)…",
                lambda: self.proffer_terms(int(item.data(ID_ROLE))),
            )
        return menu

    def proffer_terms(self, vendor_id: int) -> QWidget | None:
        """The MyTerms dialog for a vendor over my contact policy, on the agreement proposed
        (P2B1) with the message for the vendor drafted."""
        from vrmdesk.ui.vendors.terms_dialog import open_terms_dialog

        return open_terms_dialog(self, self.controller, vendor_id, "P2B1")

    def _menu(self, key: str, pos: QPoint) -> None:
        section = self.sections[key]
        item = section.list.itemAt(pos)
        if item is None or not item.data(KIND_ROLE):
            return
        section.list.setCurrentItem(item)
        menu = self.row_menu(key)
        if menu is not None:
            menu.exec(section.list.viewport().mapToGlobal(pos))
            menu.deleteLater()

    def _menu_here(self, key: str) -> None:
        section = self.sections[key]
        item = self._selected(key)
        if item is not None:
            self._menu(key, section.list.visualItemRect(item).center())
