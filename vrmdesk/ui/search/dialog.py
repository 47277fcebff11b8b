"""The search dialog (Ctrl+K, Ctrl+F): results as you type, grouped by kind, with snippets.

Typing restarts a short timer; when it fires the query runs off the UI thread through the core's
search service, and only the answer to the latest text is shown. Up and Down in the field move
through the results (skipping the section headers), Enter opens the selected one, Escape closes.

Below the field, filters narrow the search (the core's ``search.Scope``): a kind of record
(Alt+K), a vendor (Alt+V, typed with completion), and a range of days (Alt+F from, Alt+T to);
Alt+L clears them all. A search gives its best :data:`LIMIT` hits; "More results" (Alt+M, or
Down past the last result) asks the core for the next page of the same ranking and adds it.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QModelIndex, QObject, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QIcon,
    QKeyEvent,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import ValidationError
from vrmdesk.store.services import editing, search
from vrmdesk.store.services.search import Scope
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.tasks import Cancelled, Task
from vrmdesk.ui.editors.dates import DateInput
from vrmdesk.ui.editors.fields import PickerField, line_edit
from vrmdesk.ui.search.model import (
    CONTEXT_ROLE,
    ICON_NAME_ROLE,
    ID_ROLE,
    IS_HEADER_ROLE,
    KIND_ROLE,
    SECTIONS,
    SNIPPET_HTML_ROLE,
    TAGS_ROLE,
    TITLE_HTML_ROLE,
    Result,
    SearchResultsModel,
    describe,
)
from vrmdesk.ui.widgets.icons import icon
from vrmdesk.ui.widgets.modelindex import AnyIndex
from vrmdesk.ui.widgets.tag_chips import chips_html

DEBOUNCE_MS = 150
LIMIT = 50
PAD = 6
ICON_SIZE = 20


def _dim(palette: QPalette, selected: bool) -> str:
    if selected:
        return palette.color(QPalette.ColorRole.HighlightedText).name()
    return palette.color(QPalette.ColorRole.PlaceholderText).name()


class ResultDelegate(QStyledItemDelegate):
    """Draws a section header, or a result: icon, title, where it lives, and the snippet."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._icons: dict[str, QIcon] = {}

    def _document(self, option: QStyleOptionViewItem, index: AnyIndex, width: int) -> QTextDocument:
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        dim = _dim(option.palette, selected)
        title = index.data(TITLE_HTML_ROLE) or ""
        context = index.data(CONTEXT_ROLE) or ""
        snippet = index.data(SNIPPET_HTML_ROLE) or ""
        tags = index.data(TAGS_ROLE) or ()
        html = f"<div>{title}"
        if context:
            html += f"<span style='color:{dim}'>&nbsp;&nbsp;·&nbsp;&nbsp;{escape(context)}</span>"
        if tags:
            html += "&nbsp;&nbsp; " + chips_html(tags, option.palette)
        html += "</div>"
        if snippet:
            html += f"<div style='color:{dim}'>{snippet}</div>"
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(option.font)
        doc.setHtml(html)
        doc.setTextWidth(max(width, 50))
        return doc

    @staticmethod
    def _row_width(option: QStyleOptionViewItem) -> int:
        view = option.widget
        if isinstance(view, QListView):
            return view.viewport().width()
        return option.rect.width()

    def _text_width(self, option: QStyleOptionViewItem) -> int:
        return self._row_width(option) - ICON_SIZE - 3 * PAD

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        if index.data(IS_HEADER_ROLE):
            return QSize(self._row_width(opt), opt.fontMetrics.height() + 2 * PAD + 4)
        doc = self._document(opt, index, self._text_width(opt))
        height = max(int(doc.size().height() + 0.99), ICON_SIZE)
        return QSize(self._row_width(opt), height + 2 * PAD)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        painter.save()
        if index.data(IS_HEADER_ROLE):
            font = opt.font
            font.setBold(True)
            font.setPointSizeF(font.pointSizeF() * 0.9)
            painter.setFont(font)
            painter.setPen(opt.palette.color(QPalette.ColorRole.PlaceholderText))
            rect = opt.rect.adjusted(PAD, PAD + 4, -PAD, 0)
            painter.drawText(
                rect,
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                str(index.data()).upper(),
            )
            painter.restore()
            return
        opt.text = ""
        opt.icon = type(opt.icon)()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        icon_name = index.data(ICON_NAME_ROLE) or "file"
        if icon_name not in self._icons:
            self._icons[icon_name] = icon(icon_name)
        icon_rect = QRect(opt.rect.left() + PAD, opt.rect.top() + PAD, ICON_SIZE, ICON_SIZE)
        self._icons[icon_name].paint(painter, icon_rect)
        doc = self._document(opt, index, self._text_width(opt))
        painter.translate(opt.rect.left() + ICON_SIZE + 2 * PAD, opt.rect.top() + PAD)
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(role))
        doc.documentLayout().draw(painter, context)
        painter.restore()


class SearchDialog(QDialog):
    #: the user chose a result: (kind, id)
    open_record = Signal(str, int)

    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Search")
        self.setAccessibleName("Search everything")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(860, 560)

        self.field = QLineEdit()
        self.field.setAccessibleName("Search text")
        self.field.setPlaceholderText("Vendors, things, tickets, conversation, files…")
        self.field.setClearButtonEnabled(True)
        self.field.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        font = self.field.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.field.setFont(font)
        label = QLabel("&Search:")
        label.setBuddy(self.field)

        self.model = SearchResultsModel(self)
        self.view = QListView()
        self.view.setAccessibleName("Search results")
        self.view.setModel(self.model)
        self.view.setItemDelegate(ResultDelegate(self.view))
        self.view.setUniformItemSizes(False)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setWordWrap(True)
        self.view.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.view.activated.connect(self._open_index)

        self.status = QLabel()
        self.status.setAccessibleName("Search status")
        self.status.setWordWrap(True)
        hint = QLabel("↑ ↓ choose   ·   Enter open   ·   Esc close")
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.more_button = QPushButton("&More results")
        self.more_button.setToolTip("The next results of the same search (or Down at the end)")
        self.more_button.clicked.connect(self.load_more)
        self.more_button.hide()

        top = QHBoxLayout()
        top.addWidget(label)
        top.addWidget(self.field, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.more_button)
        bottom.addWidget(hint)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(self._filter_bar())
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._query)
        self._serial = 0
        self._task: Task | None = None
        self._pending = False  # a query for the current text is waiting or running
        self._open_when_ready = False
        #: what is shown: the search it answers, its results so far, whether more would come
        self._shown_for: tuple[str, Scope] | None = None
        self._results: list[Result] = []
        self._note = ""
        self._more = False
        self._capped = False
        self._select_after: tuple[str, int] | None = None
        self._paging = False  # the next page is being read (Enter still opens the one chosen)
        self.field.textChanged.connect(self._text_changed)
        self.field.returnPressed.connect(self.open_selected)
        self.field.installEventFilter(self)
        controller.locked.connect(self.reject)
        self._show_status()

    # -- filters -------------------------------------------------------------------------------
    def _filter_bar(self) -> QHBoxLayout:
        """Kind, vendor, from, to and Clear: each with its Alt letter, each a change to search."""
        self.kind_filter = QComboBox()
        self.kind_filter.setAccessibleName("Kind of record")
        self.kind_filter.addItem("Any kind", None)
        for kind, (heading, _) in SECTIONS.items():
            self.kind_filter.addItem(heading, kind)
        self.kind_filter.currentIndexChanged.connect(self._filters_changed)
        self.vendor_filter = PickerField("vendor_id", "vendor", optional=True)
        self.vendor_filter.set_accessible("Vendor")
        line_edit(self.vendor_filter.combo).setPlaceholderText("any vendor")
        self.vendor_filter.combo.setMinimumContentsLength(16)
        with self.controller.session() as session:
            self.vendor_filter.set_choices(editing.vendor_choices(session))
        self.vendor_filter.changed.connect(self._filters_changed)
        self.since_filter = DateInput("any day")
        self.until_filter = DateInput("any day")
        for name, box in (("From", self.since_filter), ("To", self.until_filter)):
            box.edit.setAccessibleName(f"{name} (a day, included)")
            box.changed.connect(self._filters_changed)
        self.clear_filters_button = QPushButton("C&lear filters")
        self.clear_filters_button.setToolTip("Search every kind, vendor and day again")
        self.clear_filters_button.clicked.connect(self.clear_filters)
        self.clear_filters_button.setEnabled(False)
        row = QHBoxLayout()
        for caption, widget in (
            ("&Kind:", self.kind_filter),
            ("&Vendor:", self.vendor_filter),
            ("&From:", self.since_filter),
            ("&To:", self.until_filter),
        ):
            label = QLabel(caption)
            label.setBuddy(widget.focusProxy() or widget)
            row.addWidget(label)
            row.addWidget(widget, 2 if widget is self.vendor_filter else 0)
        row.addStretch(1)
        row.addWidget(self.clear_filters_button)
        return row

    def scope(self) -> Scope:
        """The filters as the core takes them; a ValidationError when one cannot be read."""
        kind = self.kind_filter.currentData()
        try:
            vendor = self.vendor_filter.value()
        except ValidationError as exc:
            raise ValidationError(f"Vendor: {exc}", field="vendor_id") from None
        since = self.since_filter.checked_date("since", required=False)
        until = self.until_filter.checked_date("until", required=False)
        if since is not None and until is not None and since > until:
            raise ValidationError("The day in From comes after the day in To.", field="until")
        return Scope(kinds=(kind,) if kind else (), vendor_id=vendor, since=since, until=until)

    def _filters_set(self) -> bool:
        return bool(
            self.kind_filter.currentData() is not None
            or self.vendor_filter.combo.currentText().strip()
            or self.since_filter.edit.text().strip()
            or self.until_filter.edit.text().strip()
        )

    def _filters_changed(self) -> None:
        self.clear_filters_button.setEnabled(self._filters_set())
        self._text_changed(self.field.text())

    def clear_filters(self) -> None:
        """Every kind, vendor and day again; the text stays, and the field has the focus."""
        for widget in (self.kind_filter, self.vendor_filter, self.since_filter, self.until_filter):
            widget.blockSignals(True)
        self.kind_filter.setCurrentIndex(0)
        self.vendor_filter.set_value(None)
        self.since_filter.set_date(None)
        self.until_filter.set_date(None)
        for widget in (self.kind_filter, self.vendor_filter, self.since_filter, self.until_filter):
            widget.blockSignals(False)
        self.since_filter.understood.clear()
        self.until_filter.understood.clear()
        self._filters_changed()
        self.field.setFocus()

    # -- querying ------------------------------------------------------------------------------
    def _text_changed(self, _text: str) -> None:
        self._pending = True
        self._timer.start()

    def _query(self) -> None:
        self._run_search(offset=0)

    def load_more(self) -> None:
        """The next page of the search shown, added to the results (the first new one chosen)."""
        if not self._more or self._shown_for is None or self._pending or self._paging:
            return
        self._run_search(offset=len(self._results))

    def _run_search(self, *, offset: int) -> None:
        text = self.field.text()
        self._serial += 1
        serial = self._serial
        if self._task is not None:
            self._task.cancel()
            self._task = None
        try:
            scope = self.scope()
        except ValidationError as exc:
            self._pending = self._open_when_ready = self._paging = False
            self._shown_for = None
            self._results, self._more = [], False
            self.model.clear()
            self.more_button.hide()
            self.status.setText(str(exc))
            return
        if offset and self._shown_for != (text, scope):
            offset = 0  # the search changed meanwhile: start it again
        if search.fts_query(text) is None:
            self._show([], text=text, scope=scope)
            return
        if offset:
            self._paging = True

        vault = self.controller.vault  # the worker touches no widget

        def work(task: Task) -> tuple[list[Result], str, bool, bool]:
            with vault.session() as session:
                # typing on cancels the task, and that stops the statement running
                found = search.run(
                    session,
                    text,
                    limit=LIMIT,
                    offset=offset,
                    scope=scope,
                    cancelled=lambda: task.cancelled,
                )
                if found.cancelled:
                    raise Cancelled()
                results = describe(session, found.hits, task.check)
                return results, found.note, found.more, found.capped

        def done(answer: tuple[list[Result], str, bool, bool]) -> None:
            if serial == self._serial:
                self._task = None
                results, note, more, capped = answer
                if offset:
                    self._select_after = (results[0].kind, results[0].id) if results else None
                    results = self._results + results
                self._show(results, note, text=text, scope=scope, more=more, capped=capped)

        def failed(exc: BaseException) -> None:
            if serial == self._serial:
                self._task = None
                self._pending = self._open_when_ready = self._paging = False
                self._shown_for = None
                self._results, self._more = [], False
                self.model.clear()
                self.more_button.hide()
                self.status.setText(f"The search failed: {explain(exc)}")

        self._task = self.controller.run(work, on_done=done, on_error=failed, receiver=self)

    def _show(
        self,
        results: list[Result],
        note: str = "",
        *,
        text: str,
        scope: Scope,
        more: bool = False,
        capped: bool = False,
    ) -> None:
        self._pending = self._paging = False
        self._shown_for = (text, scope)
        self._results, self._note, self._more, self._capped = results, note, more, capped
        self.model.set_results(results, text)
        self.more_button.setVisible(more)
        self._show_status(text, note)
        chosen, self._select_after = self._select_after, None
        row = self.model.row_of(*chosen) if chosen else None
        if row is None:
            row = self._step(-1, 1)
        if row is not None:
            self._select(row)
        if self._open_when_ready:
            self._open_when_ready = False
            self.open_selected()

    def _show_status(self, text: str = "", note: str = "") -> None:
        count = self.model.result_count()
        if not text.strip():
            self.status.setText("Type to search every vendor, thing, ticket and message.")
            return
        narrowed = " (filtered)" if self._filters_set() else ""
        if not count:
            told = f"No matches for “{text.strip()[:80].rstrip()}”{narrowed}."
        elif self._more:
            told = f"The best {count} matches{narrowed}; more with Alt+M."
        elif self._capped:
            told = (
                f"{count} matches{narrowed}, the best among the newest: "
                "narrow the search to reach older ones."
            )
        else:
            told = f"{count} match{'es' if count != 1 else ''}{narrowed}."
        self.status.setText(f"{told} {note}" if note else told)

    # -- choosing ------------------------------------------------------------------------------
    def _step(self, row: int, delta: int) -> int | None:
        """The next result row from ``row`` in direction ``delta`` (headers skipped)."""
        count = self.model.rowCount()
        row += delta
        while 0 <= row < count:
            if not self.model.is_header(row):
                return row
            row += delta
        return None

    def _select(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index, self.view.selectionModel().SelectionFlag.ClearAndSelect
        )
        self.view.scrollTo(index)

    def move_selection(self, delta: int) -> None:
        """Move the selection ``delta`` results down (negative: up), staying on results."""
        row = self.view.currentIndex().row() if self.view.currentIndex().isValid() else -1
        target = row
        for _ in range(abs(delta)):
            nxt = self._step(target, 1 if delta > 0 else -1)
            if nxt is None:
                break
            target = nxt
        if target != row and target >= 0:
            self._select(target)
        elif delta > 0 and self._more:  # down past the last result: the next page
            self.load_more()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            steps: dict[int, int] = {
                Qt.Key.Key_Down: 1,
                Qt.Key.Key_Up: -1,
                Qt.Key.Key_PageDown: 8,
                Qt.Key.Key_PageUp: -8,
            }
            if key in steps:
                self.move_selection(steps[key])
                return True
        return super().eventFilter(watched, event)

    def selected(self) -> tuple[str, int] | None:
        index = self.view.currentIndex()
        if not index.isValid() or index.data(IS_HEADER_ROLE):
            return None
        return index.data(KIND_ROLE), int(index.data(ID_ROLE))

    def open_selected(self) -> None:
        if self._pending:  # Enter typed before the answer came: open it when it comes
            self._open_when_ready = True
            if not self._timer.isActive() and self._task is None:
                self._query()
            return
        self._open_index(self.view.currentIndex())

    def _open_index(self, index: QModelIndex) -> None:
        if not index.isValid() or index.data(IS_HEADER_ROLE):
            return
        kind, record_id = index.data(KIND_ROLE), int(index.data(ID_ROLE))
        self.open_record.emit(kind, record_id)
        self.accept()

    def done(self, result: int) -> None:
        self._timer.stop()
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.model.clear()
        super().done(result)
