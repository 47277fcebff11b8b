"""The search dialog (Ctrl+K, Ctrl+F): results as you type, grouped by kind, with snippets.

Typing restarts a short timer; when it fires the query runs off the UI thread through the core's
search service, and only the answer to the latest text is shown. Up and Down in the field move
through the results (skipping the section headers), Enter opens the selected one, Escape closes.
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
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.store.services import search
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.tasks import Cancelled, Task
from vrmdesk.ui.search.model import (
    CONTEXT_ROLE,
    ICON_NAME_ROLE,
    ID_ROLE,
    IS_HEADER_ROLE,
    KIND_ROLE,
    SNIPPET_HTML_ROLE,
    TITLE_HTML_ROLE,
    Result,
    SearchResultsModel,
    describe,
)
from vrmdesk.ui.widgets.icons import icon
from vrmdesk.ui.widgets.modelindex import AnyIndex

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
        html = f"<div>{title}"
        if context:
            html += f"<span style='color:{dim}'>&nbsp;&nbsp;·&nbsp;&nbsp;{escape(context)}</span>"
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
        self.resize(680, 520)

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
        hint = QLabel("↑ ↓ choose   ·   Enter open   ·   Esc close")
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        top = QHBoxLayout()
        top.addWidget(label)
        top.addWidget(self.field, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(hint)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
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
        self.field.textChanged.connect(self._text_changed)
        self.field.returnPressed.connect(self.open_selected)
        self.field.installEventFilter(self)
        controller.locked.connect(self.reject)
        self._show_status()

    # -- querying ------------------------------------------------------------------------------
    def _text_changed(self, _text: str) -> None:
        self._pending = True
        self._timer.start()

    def _query(self) -> None:
        text = self.field.text()
        self._serial += 1
        serial = self._serial
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if search.fts_query(text) is None:
            self._show([], text=text)
            return

        vault = self.controller.vault  # the worker touches no widget

        def work(task: Task) -> tuple[list[Result], str]:
            with vault.session() as session:
                # typing on cancels the task, and that stops the statement running
                found = search.run(session, text, limit=LIMIT, cancelled=lambda: task.cancelled)
                if found.cancelled:
                    raise Cancelled()
                return describe(session, found.hits, task.check), found.note

        def done(answer: tuple[list[Result], str]) -> None:
            if serial == self._serial:
                self._task = None
                self._show(*answer, text=text)

        def failed(exc: BaseException) -> None:
            if serial == self._serial:
                self._task = None
                self._pending = self._open_when_ready = False
                self.model.clear()
                self.status.setText(f"The search failed: {explain(exc)}")

        self._task = self.controller.run(work, on_done=done, on_error=failed, receiver=self)

    def _show(self, results: list[Result], note: str = "", *, text: str) -> None:
        self._pending = False
        self.model.set_results(results, text)
        self._show_status(text, note)
        first = self._step(-1, 1)
        if first is not None:
            self._select(first)
        if self._open_when_ready:
            self._open_when_ready = False
            self.open_selected()

    def _show_status(self, text: str = "", note: str = "") -> None:
        count = self.model.result_count()
        if not text.strip():
            self.status.setText("Type to search every vendor, thing, ticket and message.")
            return
        if not count:
            told = f"No matches for “{text.strip()[:80].rstrip()}”."
        elif count >= LIMIT:
            told = f"The best {count} matches."
        else:
            told = f"{count} match{'es' if count != 1 else ''}."
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
