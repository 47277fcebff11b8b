"""A vendor's conversation over time: a lazily fetched model and a list that reads at a glance.

The model (``timeline/model.py``) fetches it page by page; ``TimelineView`` adds filters
(channel, ticket, direction), a find that narrows it to matching entries (run off the UI thread
as one types), a jump to a date, and a delegate that sets what the vendor sent me (inbound) apart
from what I sent (outbound) by colour, arrow and indent and shows each entry's files. Under the
list, the files panel of the selected entry adds, previews, opens, saves and removes its files.
A newly shown vendor's timeline starts at its newest entry, unfiltered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QObject,
    QSignalBlocker,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QAction,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QKeySequence,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.store.services import editing, search, views
from vrmdesk.store.services import timeline as tl
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.tasks import Task
from vrmdesk.ui.editors.dates import DateInput, example_text
from vrmdesk.ui.editors.record_actions import call_editor, confirm_delete
from vrmdesk.ui.files.panel import AttachmentsPanel
from vrmdesk.ui.files.preview import preview_kind
from vrmdesk.ui.mail import message_actions
from vrmdesk.ui.mail.importing import mail_paths
from vrmdesk.ui.timeline.delegate import TimelineDelegate
from vrmdesk.ui.timeline.model import ID_ROLE, Entry, TimelineModel, found_page
from vrmdesk.ui.widgets import words
from vrmdesk.ui.widgets.dates import show_date
from vrmdesk.ui.widgets.icons import icon

#: how long typing pauses before the find runs
FIND_DELAY_MS = 250


class TimelineView(QWidget):
    """The timeline tab: filters, the list, and New / Edit / Delete for interactions."""

    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = TimelineModel(controller, self)
        self._keeping = False
        self.channel = QComboBox()
        self.channel.addItem("All channels", None)
        for channel in editing.choices("interaction", "channel"):
            self.channel.addItem(views.label(channel), channel)
        self.ticket = QComboBox()
        self.ticket.setMinimumContentsLength(16)
        self.ticket.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.direction = QComboBox()
        for text, value, name in (
            ("Both ways", None, None),
            (words.DIRECTION["inbound"], "inbound", "inbound"),
            (words.DIRECTION["outbound"], "outbound", "outbound"),
        ):
            self.direction.addItem(icon(name) if name else QIcon(), text, value)
        filters = QHBoxLayout()
        for text, combo, name in (
            ("&Channel:", self.channel, "Filter by channel"),
            ("Tic&ket:", self.ticket, "Filter by ticket"),
            ("Di&rection:", self.direction, "Filter by direction"),
        ):
            label = QLabel(text)
            label.setBuddy(combo)
            combo.setAccessibleName(name)
            combo.currentIndexChanged.connect(self._filter)
            filters.addWidget(label)
            filters.addWidget(combo, 1 if combo is self.ticket else 0)
        filters.addStretch(0)
        self._build_find_row()
        self.list = QListView()
        self.list.setAccessibleName("Timeline")
        self.list.setAccessibleDescription("The conversation with this vendor, newest first")
        self.list.setModel(self.model)
        self.delegate = TimelineDelegate(self.model.ticket_titles, self.list)
        self.delegate.file_clicked.connect(self.open_file)
        self.list.setItemDelegate(self.delegate)
        self.list.setUniformItemSizes(True)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.activated.connect(lambda index: self.edit())
        self.list.verticalScrollBar().valueChanged.connect(self._scrolled)
        # files dropped on an entry are attached to it (mail files still go to the page's import)
        self.list.viewport().setAcceptDrops(True)
        self.list.viewport().installEventFilter(self)
        self.empty = QLabel("No interactions yet.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._build_files()
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, icon_name, slot in (
            ("new", "&New interaction…", "plus", self.new),
            ("edit", "Ed&it…", "edit", self.edit),
            ("delete", "&Delete…", "trash", self.delete),
            ("write", message_actions.WRITE, "mail", self.write_email),
            ("ticket", message_actions.OPEN_TICKET, "ticket", self.open_ticket),
            ("offer", message_actions.OFFER, "bell", self.to_offer),
        ):
            button = QPushButton(icon(icon_name), text)
            plain = text.replace("&", "").rstrip("…")
            button.setAccessibleName(plain + (" interaction" if key in ("edit", "delete") else ""))
            button.clicked.connect(slot)
            buttons.addWidget(button)
            self.buttons[key] = button
        buttons.addStretch(1)
        top = QWidget()
        column = QVBoxLayout(top)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.list, 1)
        column.addWidget(self.empty)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.files_box)
        self.splitter.setStretchFactor(0, 5)  # the conversation first; its files below
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addLayout(filters)
        layout.addLayout(self.find_row)
        layout.addWidget(self.status)
        layout.addWidget(self.splitter, 1)
        for keys, slot in (
            (Qt.Key.Key_Insert, self.new),
            (QKeySequence.StandardKey.Delete, self.delete),
        ):
            action = QAction(self.list)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(slot)
            self.list.addAction(action)
        self.list.selectionModel().selectionChanged.connect(self._update)
        self.list.selectionModel().selectionChanged.connect(self._show_files)
        self.model.modelReset.connect(self._update)
        self.model.modelReset.connect(self._show_files)
        self.model.rowsInserted.connect(self._update)
        controller.changed.connect(self._changed)
        self._update()
        self._show_files()

    def _build_find_row(self) -> None:
        """Find in this timeline, and go to a date."""
        self.find_edit = QLineEdit()
        self.find_edit.setPlaceholderText("Words in the subject or text")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.setAccessibleName("Find in timeline")
        self.find_edit.setToolTip("Show only the entries whose subject or text have these words")
        self.find_edit.setMaxLength(search.MAX_QUERY_CHARS)
        find_label = QLabel("Find in time&line:")
        find_label.setBuddy(self.find_edit)
        self._find_timer = QTimer(self)
        self._find_timer.setSingleShot(True)
        self._find_timer.setInterval(FIND_DELAY_MS)
        self._find_timer.timeout.connect(self._run_find)
        self._find_serial = 0
        self._find_task: Task | None = None
        self.find_edit.textChanged.connect(lambda _text: self._find_timer.start())
        self.find_edit.returnPressed.connect(self._run_find)
        self.date = DateInput(show_date(date(date.today().year, 11, 30)))  # as dates are shown
        self.date.setAccessibleName("Go to date")
        self.date.edit.setAccessibleName("Go to date")
        self.date.edit.returnPressed.connect(self.go_to_date)
        self.date.picked.connect(self.go_to_date)
        date_label = QLabel("&Go to date:")
        date_label.setBuddy(self.date.edit)
        self.go_button = QPushButton(icon("calendar"), "Show")
        self.go_button.setAccessibleName("Show the entries around this date")
        self.go_button.setToolTip("Show the entries around this date")
        self.go_button.clicked.connect(self.go_to_date)
        self.newest_button = QPushButton(icon("chart"), "&Back to newest")
        self.newest_button.setAccessibleName("Back to the newest entry")
        self.newest_button.clicked.connect(self.back_to_newest)
        self.find_row = QHBoxLayout()
        self.find_row.addWidget(find_label)
        self.find_row.addWidget(self.find_edit, 1)
        self.find_row.addSpacing(12)
        self.find_row.addWidget(date_label)
        self.find_row.addWidget(self.date)
        self.find_row.addWidget(self.go_button)
        self.find_row.addWidget(self.newest_button)
        self.status = QLabel()
        self.status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.status.setAccessibleName("Timeline status")
        self.status.setWordWrap(True)
        self.status.hide()

    def _build_files(self) -> None:
        """The files of the selected entry, under the list."""
        self.files = AttachmentsPanel(self.controller, self)
        self.files.setAccessibleName("Files of the selected message")
        # the filters above own C and R: the panel's Save a copy and Remove take other letters
        self.files.save_button.setText("Save a cop&y…")
        self.files.remove_button.setText("Remo&ve")
        self.files_title = QLabel()
        self.files_box = QWidget()
        box = QVBoxLayout(self.files_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.files_title)
        box.addWidget(self.files, 1)

    # -- what to show -----------------------------------------------------------------------
    def set_vendor(self, vendor_id: int | None, tickets: Sequence[tuple[int, str]] = ()) -> None:
        """Show a vendor's timeline, unfiltered, from its newest entry (a vendor never opens where
        the last one was scrolled to); ``tickets`` fill the ticket filter."""
        self._fill_tickets(tickets)
        self._reset_combos()
        self._forget_find()
        self.date.set_date(None)
        self.model.set_vendor(vendor_id, dict(tickets))
        self._sync_titles()
        self.list.scrollToTop()

    def update_tickets(self, tickets: Sequence[tuple[int, str]]) -> None:
        """The vendor's tickets changed: refill the ticket filter (keeping the choice while the
        ticket exists) and reload."""
        chosen = self.ticket.currentData()
        self._fill_tickets(tickets)
        index = self.ticket.findData(chosen)
        with QSignalBlocker(self.ticket):
            self.ticket.setCurrentIndex(max(index, 0))
        self.model.ticket_titles = dict(tickets)
        self._sync_titles()
        if chosen is not None and index < 0:
            self._filter()
        else:
            self.reload()

    def _sync_titles(self) -> None:
        delegate = self.list.itemDelegate()
        if isinstance(delegate, TimelineDelegate):
            delegate.ticket_titles = self.model.ticket_titles

    def _fill_tickets(self, tickets: Sequence[tuple[int, str]]) -> None:
        with QSignalBlocker(self.ticket):
            self.ticket.clear()
            self.ticket.addItem("All tickets", None)
            for ticket_id, title in tickets:
                self.ticket.addItem(title, ticket_id)

    def _reset_combos(self) -> None:
        for combo in (self.channel, self.ticket, self.direction):
            with QSignalBlocker(combo):
                combo.setCurrentIndex(0)

    def _filter(self) -> None:
        self.model.set_filters(
            channel=self.channel.currentData(),
            ticket_id=self.ticket.currentData(),
            direction=self.direction.currentData(),
        )

    def show_ticket(self, ticket_id: int) -> None:
        """Only the conversation on one ticket."""
        self._reset_combos()
        with QSignalBlocker(self.ticket):
            self.ticket.setCurrentIndex(max(self.ticket.findData(ticket_id), 0))
        self._filter()

    def select_interaction(self, interaction_id: int) -> bool:
        row = self.model.row_of(interaction_id)
        if row is None and (self.model.matching is not None or not self.model.at_newest):
            self._forget_find()  # not among the found or around the date: the whole timeline
            self.model.show_found(None)
            row = self.model.row_of(interaction_id)
        if row is None and any(self.model.filters.values()):
            self._reset_combos()
            self._filter()
            row = self.model.row_of(interaction_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.list.setCurrentIndex(index)
        self.list.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def reload(self) -> None:
        """After a change: the same rows again, the same one selected if it is still there."""
        keep = self.current_id()
        self._keeping = True  # the files panel stays on the entry while it is selected again
        try:
            self.model.reload(keep_loaded=True)
            if keep is not None:
                for row in range(self.model.rowCount()):
                    if self.model.entry(row).id == keep:
                        self.list.setCurrentIndex(self.model.index(row, 0))
                        break
        finally:
            self._keeping = False
        self._show_files()

    def clear(self) -> None:
        self._forget_find()
        self.date.set_date(None)
        self.model.clear()
        self._fill_tickets([])
        self._reset_combos()

    # -- find, and go to a date --------------------------------------------------------------
    def _forget_find(self) -> None:
        self._find_timer.stop()
        self._find_serial += 1
        if self._find_task is not None:
            self._find_task.cancel()
            self._find_task = None
        with QSignalBlocker(self.find_edit):
            self.find_edit.clear()

    def _run_find(self) -> None:
        """Narrow the timeline to the entries the find's words match: the first page is read
        off the UI thread (typing on cancels it), further pages as the list scrolls."""
        self._find_timer.stop()
        self._find_serial += 1
        serial = self._find_serial
        if self._find_task is not None:
            self._find_task.cancel()
            self._find_task = None
        text = self.find_edit.text()
        vendor_id = self.model.vendor_id
        if vendor_id is None or not self.controller.is_open:
            return
        if not text.strip():
            self.model.show_found(None)
            self.list.scrollToTop()
            return
        query = {**self.model.filters, "matching": text}
        work = found_page(self.controller.vault, vendor_id, query, None, self.model.PAGE)

        def done(page: tl.EntryPage) -> None:
            if (
                serial != self._find_serial
                or self.model.vendor_id != vendor_id
                or not self.controller.is_open  # locked meanwhile: nothing of it is shown
            ):
                return
            self._find_task = None
            self.model.show_found(text, page)
            self.list.scrollToTop()

        def failed(exc: BaseException) -> None:
            if serial == self._find_serial:
                self._find_task = None
                self.status.setText(f"The find failed: {explain(exc)}")
                self.status.show()

        self._find_task = self.controller.run(work, on_done=done, on_error=failed, receiver=self)

    @property
    def finding(self) -> bool:
        """A find is waiting or running (its entries are not shown yet)."""
        return self._find_timer.isActive() or self._find_task is not None

    def go_to_date(self) -> bool:
        """Show the entries around the date typed (with the filters and the find), the first
        entry on or before it selected; False (and a message) when there is no such date."""
        if self.model.vendor_id is None:
            return False
        try:
            day = self.date.date()
        except ValueError:
            self.status.setText(
                f"“{self.date.edit.text().strip()}” is not a date: type it as {example_text()}."
            )
            self.status.show()
            return False
        if day is None:
            return self.back_to_newest()
        row = self.model.jump_to(tl.day_cursor(day))
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.list.setCurrentIndex(index)
        self.list.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop)
        self.list.setFocus()
        self._update()
        return True

    def back_to_newest(self) -> bool:
        self.date.set_date(None)
        self.model.reload()
        self.list.scrollToTop()
        return True

    def _scrolled(self, value: int) -> None:
        """At the top of a timeline opened at a date: the newer entries above come in."""
        bar = self.list.verticalScrollBar()
        if value != bar.minimum() or self.model.at_newest:
            return
        came = self.model.fetch_newer()
        if came:
            self.list.scrollTo(
                self.model.index(came, 0), QAbstractItemView.ScrollHint.PositionAtTop
            )
        self._update()

    # -- files -------------------------------------------------------------------------------
    def _dropped_files(self, event: QDragMoveEvent | QDropEvent) -> list[Path]:
        """Local files (none of them mail) dropped on an entry; [] for anything else."""
        mime = event.mimeData()
        if not mime.hasUrls() or mail_paths(mime):
            return []
        urls = mime.urls()
        if not urls or not all(url.isLocalFile() for url in urls):
            return []
        if not self.list.indexAt(event.position().toPoint()).isValid():
            return []
        return [Path(url.toLocalFile()) for url in urls]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list.viewport() and isinstance(event, QDragMoveEvent | QDropEvent):
            # QDragEnterEvent is a QDragMoveEvent: enter and move are decided alike
            paths = self._dropped_files(event)
            if not paths:
                # mail or anything else: ignored, Qt offers the drag to the widgets around
                # (the page imports mail), and they get its moves and drop from then on
                event.ignore()
                return True
            event.acceptProposedAction()
            if event.type() == QEvent.Type.Drop:
                self.list.setCurrentIndex(self.list.indexAt(event.position().toPoint()))
                self.files.add_files(paths)
            return True
        return super().eventFilter(watched, event)

    def _show_files(self) -> None:
        if self._keeping:
            return
        entry = self.current_entry()
        if entry is None:
            self.files.clear()
            self.files.empty.setText("Select a message to see its files or attach some.")
            self.files_title.setText("Files of the selected message")
            return
        if self.files.owner != ("interaction", entry.id):
            self.files.set_owner("interaction", entry.id)
        subject = entry.subject or "(no subject)"
        self.files_title.setText(f"Files of “{subject}”")

    def _changed(self, kinds: set[str]) -> None:
        # a file attached or removed: the entries show their files (other kinds reach the
        # timeline through the vendor page)
        if "attachment" in kinds and "*" not in kinds and self.model.vendor_id is not None:
            self.reload()

    def open_file(self, interaction_id: int, attachment_id: int) -> None:
        """A file clicked on an entry: that entry selected, and the file shown in vrmdesk's
        preview (or opened in its usual program when vrmdesk cannot show it)."""
        row = self.model.row_of(interaction_id)
        if row is None:
            return
        self.list.setCurrentIndex(self.model.index(row, 0))
        self.files.select(attachment_id)
        chosen = self.files.selected()
        if chosen is None or chosen.id != attachment_id:
            return
        if preview_kind(chosen.media_type) is not None:
            self.files.preview()
        else:
            self.files.open_external()

    def _update(self) -> None:
        has_vendor = self.model.vendor_id is not None
        self.buttons["new"].setEnabled(has_vendor)
        selected = self.current_id() is not None
        self.buttons["edit"].setEnabled(selected)
        self.buttons["delete"].setEnabled(selected)
        entry = self.current_entry()
        self.buttons["write"].setEnabled(entry is not None)
        # a ticket from a message not on one yet; an offer is what a vendor sent me
        self.buttons["ticket"].setEnabled(entry is not None and entry.ticket_id is None)
        self.buttons["offer"].setEnabled(entry is not None and entry.inbound)
        self.empty.setVisible(has_vendor and self.model.rowCount() == 0)
        if self.model.matching is not None:
            self.empty.setText(f"No entries match “{self.model.matching.strip()}”.")
        elif any(self.model.filters.values()):
            self.empty.setText("No interactions match these filters.")
        else:
            self.empty.setText("No interactions yet. Record one with New interaction.")
        self.newest_button.setEnabled(has_vendor and not self.model.at_newest)
        for widget in (self.find_edit, self.date, self.go_button):
            widget.setEnabled(has_vendor)
        said = []
        if self.model.matching is not None and self.model.rowCount():
            said.append(f"Entries matching “{self.model.matching.strip()}”, newest first.")
        if self.model.note:
            said.append(self.model.note)
        if not self.model.at_newest:
            said.append("Opened at a date: scroll up for newer entries, or Back to newest.")
        self.status.setText(" ".join(said))
        self.status.setVisible(bool(said))

    def current_id(self) -> int | None:
        rows = self.list.selectionModel().selectedIndexes()
        return rows[0].data(ID_ROLE) if rows else None

    def current_entry(self) -> Entry | None:
        rows = self.list.selectionModel().selectedIndexes()
        return self.model.entry(rows[0].row()) if rows else None

    # -- mail -------------------------------------------------------------------------------
    def write_email(self) -> None:
        record_id = self.current_id()
        if record_id is not None:
            message_actions.write_email(self, self.controller, "interaction", record_id)

    def open_ticket(self) -> None:
        record_id = self.current_id()
        if record_id is not None and message_actions.open_ticket(self, self.controller, record_id):
            self.select_interaction(record_id)

    def to_offer(self) -> None:
        record_id = self.current_id()
        if record_id is not None:
            message_actions.reclassify(self, self.controller, "interaction", record_id, offer=True)

    # -- editing ----------------------------------------------------------------------------
    def new(self) -> None:
        if self.model.vendor_id is None:
            return
        defaults: dict[str, Any] = {"vendor_id": self.model.vendor_id}
        if self.model.filters["ticket_id"] is not None:
            defaults["ticket_id"] = self.model.filters["ticket_id"]
        saved = call_editor(self, self.controller, "interaction", defaults=defaults)
        if saved is not None:
            self.select_interaction(saved)

    def edit(self) -> None:
        record_id = self.current_id()
        if record_id is not None:
            call_editor(self, self.controller, "interaction", record_id=record_id)
            self.select_interaction(record_id)

    def delete(self) -> None:
        record_id = self.current_id()
        if record_id is None:
            return
        row = self.model.row_of(record_id)
        title = self.model.entry(row).subject if row is not None else ""
        confirm_delete(self, self.controller, "interaction", record_id, title or "interaction")
