"""Requests for quotes: "Request quotes…" (one request, a signed bundle per vendor) and "Quotes"
(each request's quotes side by side, Accept…).

Every rule is the core's: :mod:`vrmdesk.store.services.quotes` checks, lists, compares and
decides; :mod:`vrmdesk.share.rfq` writes the bundles (off the UI thread). Imported quotes (the
File menu's "Import reply…") appear in the Quotes window, which follows the vault's changes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import ValidationError, VrmError
from vrmdesk.share.rfq import SentRequest, send_request, terms_for
from vrmdesk.store.services import quotes
from vrmdesk.store.services.editing import vendor_choices
from vrmdesk.store.services.things import asset_choices
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.tasks import Task
from vrmdesk.ui.widgets.dates import show_date

CHECKED = Qt.CheckState.Checked


def _checked_ids(widget: QListWidget) -> list[int]:
    return [
        int(widget.item(i).data(Qt.ItemDataRole.UserRole))
        for i in range(widget.count())
        if widget.item(i).checkState() == CHECKED
    ]


def _check_list(name: str, rows: list[tuple[int, str]], checked: set[int]) -> QListWidget:
    widget = QListWidget()
    widget.setAccessibleName(name)
    for row_id, label in rows:
        item = QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, row_id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(CHECKED if row_id in checked else Qt.CheckState.Unchecked)
        widget.addItem(item)
    return widget


def _buddy(text: str, field: QWidget) -> QLabel:
    """A form label whose mnemonic reaches ``field`` (a row holding a layout has none)."""
    label = QLabel(text)
    label.setBuddy(field)
    return label


class RequestQuotesDialog(QDialog):
    """Write one request for quotes and send it as a signed bundle to each vendor chosen."""

    def __init__(
        self,
        controller: VaultController,
        vendor_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.sent: SentRequest | None = None
        self.setWindowTitle("Request quotes")
        with controller.session() as session:
            vendors = vendor_choices(session)
            things = asset_choices(session)
        self.vendors = _check_list(
            "Vendors to ask", vendors, {vendor_id} if vendor_id is not None else set()
        )
        self.things = _check_list("Things to include", things, set())
        self.subject = QLineEdit()
        self.subject.setAccessibleName("Subject")
        self.subject.setPlaceholderText("What you want a quote for")
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("What I want")
        self.text.setPlaceholderText("In your words: what, how much, where")
        self.constraints = QPlainTextEdit()
        self.constraints.setAccessibleName("Constraints")
        self.constraints.setPlaceholderText("One per line, e.g. Installed before winter")
        for box in (self.text, self.constraints):
            box.setTabChangesFocus(True)
        self.text.setMinimumHeight(80)
        self.constraints.setMaximumHeight(70)
        self.budget = QLineEdit()
        self.budget.setAccessibleName("Budget")
        self.budget.setPlaceholderText("optional, e.g. 4000")
        self.currency = QLineEdit()
        self.currency.setAccessibleName("Currency")
        self.currency.setPlaceholderText("EUR")
        self.currency.setMaxLength(3)
        self.currency.setMaximumWidth(60)
        self.wanted_by = QLineEdit()
        self.wanted_by.setAccessibleName("Wanted by")
        self.wanted_by.setPlaceholderText("optional, YYYY-MM-DD")
        self.retention = QSpinBox()
        self.retention.setAccessibleName("Retention in days")
        self.retention.setRange(0, 36500)
        self.retention.setValue(quotes.DEFAULT_RETENTION_DAYS)
        self.retention.setSuffix(" days")
        self.retention.valueChanged.connect(self._show_terms)
        self.folder = QLineEdit()
        self.folder.setAccessibleName("Output folder")
        self.folder.setPlaceholderText("the folder to write the bundles into")
        choose = QPushButton("C&hoose…")
        choose.clicked.connect(self.choose_folder)
        self.terms = QLabel()
        self.terms.setAccessibleName("Terms preview")
        self.terms.setWordWrap(True)
        self.terms.setTextFormat(Qt.TextFormat.PlainText)
        self.error = QLabel()
        self.error.setAccessibleName("Error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        self.written = QLabel()
        self.written.setAccessibleName("Bundles written")
        self.written.setWordWrap(True)
        self.written.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        money = QHBoxLayout()
        money.addWidget(self.budget, 1)
        money.addWidget(QLabel("Currency:"))
        money.addWidget(self.currency)
        folder = QHBoxLayout()
        folder.addWidget(self.folder, 1)
        folder.addWidget(choose)
        form = QFormLayout()
        form.addRow("&Subject:", self.subject)
        form.addRow("&What I want:", self.text)
        form.addRow("&Constraints:", self.constraints)
        form.addRow(_buddy("&Budget:", self.budget), money)
        form.addRow("Wanted b&y:", self.wanted_by)
        form.addRow("&Keep it:", self.retention)
        form.addRow(_buddy("&Folder:", self.folder), folder)

        vendors_box = QGroupBox("Ask these &vendors")
        QVBoxLayout(vendors_box).addWidget(self.vendors)
        things_box = QGroupBox("Include these &things (nothing else is shared)")
        QVBoxLayout(things_box).addWidget(self.things)
        terms_box = QGroupBox("Terms the vendors receive")
        QVBoxLayout(terms_box).addWidget(self.terms)

        self.write_button = QPushButton("W&rite bundles")
        self.write_button.setDefault(True)
        self.write_button.clicked.connect(self.write)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.error, 1)
        buttons.addWidget(self.write_button)
        buttons.addWidget(close)

        grid = QGridLayout()
        grid.addLayout(form, 0, 0, 2, 1)
        grid.addWidget(vendors_box, 0, 1)
        grid.addWidget(things_box, 1, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(grid, 1)
        layout.addWidget(terms_box)
        layout.addWidget(self.written)
        layout.addLayout(buttons)
        self.subject.textChanged.connect(self._show_terms)
        self._show_terms()
        self.resize(900, 640)

    def _show_terms(self) -> None:
        terms = terms_for(self.retention.value(), self.subject.text().strip())
        self.terms.setText("\n".join(f"{k}: {v}" for k, v in terms.describe()))

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "Write the bundles into", self.folder.text()
        )
        if chosen:
            self.folder.setText(chosen)

    def draft(self) -> quotes.RequestDraft:
        """What the person wrote; a malformed date raises a ValidationError."""
        wanted = self.wanted_by.text().strip()
        try:
            wanted_by = date.fromisoformat(wanted) if wanted else None
        except ValueError:
            raise ValidationError(
                f"{wanted!r} is not a date as YYYY-MM-DD.", field="wanted_by"
            ) from None
        return quotes.RequestDraft(
            subject=self.subject.text(),
            body=self.text.toPlainText(),
            vendors=_checked_ids(self.vendors),
            constraints=self.constraints.toPlainText().splitlines(),
            budget=self.budget.text().strip() or None,
            currency=self.currency.text().strip() or None,
            wanted_by=wanted_by,
            asset_ids=_checked_ids(self.things),
            retention_days=self.retention.value(),
        )

    def write(self) -> None:
        self.error.setText("")
        folder = self.folder.text().strip()
        if not folder:
            self.error.setText("Choose the folder to write the bundles into.")
            return
        try:
            draft = self.draft()
        except VrmError as exc:
            self.error.setText(str(exc))
            return
        vault = self.controller.vault
        self.write_button.setEnabled(False)
        self.written.setText("Writing the bundles…")

        def work(task: Task) -> SentRequest:
            return send_request(
                vault,
                draft,
                Path(folder).expanduser(),
                progress=lambda name, done, total: task.progress(done, total, name),
            )

        self.controller.run(
            work, on_done=self._done, on_error=self._failed, receiver=self, label="Writing bundles"
        )

    def _done(self, sent: SentRequest) -> None:
        self.sent = sent
        self.write_button.setEnabled(True)
        lines = [f"{b.vendor}: {b.path}" for b in sent.bundles]
        self.written.setText(
            f"Quote request {sent.request_id} written, one bundle per vendor (send each to its "
            "vendor):\n" + "\n".join(lines)
        )
        self.controller.notify(
            {"disclosure", "interaction", "quote"},
            f"Quote request written for {len(sent.bundles)} vendor(s).",
        )

    def _failed(self, exc: BaseException) -> None:
        self.write_button.setEnabled(True)
        self.error.setText(f"Nothing was sent: {explain(exc)}")


def _response_text(row: quotes.QuoteRow) -> str:
    """How long the vendor took to quote: hours under a day, else days."""
    if row.response is None or row.response_days is None:
        return ""
    hours = row.response.total_seconds() / 3600
    if hours < 24:
        return "under an hour" if hours < 1 else f"{round(hours)} h"
    return f"{row.response_days:g} days"


def _health_text(row: quotes.QuoteRow) -> str:
    return row.health.describe()


class QuotesDialog(QDialog):
    """The requests for quotes, and per request its quotes side by side; Accept…"""

    COLUMNS = ("Vendor", "Price", "Valid until", "Response", "Relationship", "")

    def __init__(self, controller: VaultController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.view: quotes.RequestView | None = None
        self.setWindowTitle("Quotes")
        self.requests = QTableWidget(0, 4)
        self.requests.setAccessibleName("Quote requests")
        self.requests.setHorizontalHeaderLabels(["Request", "State", "Sent to", "Quotes"])
        self.quotes = QTableWidget(0, len(self.COLUMNS))
        self.quotes.setAccessibleName("Quotes side by side")
        self.quotes.setHorizontalHeaderLabels(list(self.COLUMNS))
        for table in (self.requests, self.quotes):
            table.verticalHeader().setVisible(False)
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            header = table.horizontalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            header.setStretchLastSection(True)
            table.setWordWrap(False)
        self.requests.horizontalHeader().setStretchLastSection(False)
        self.requests.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.quotes.horizontalHeader().setStretchLastSection(False)
        self.quotes.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.requests.itemSelectionChanged.connect(self.show_request)
        self.quotes.itemSelectionChanged.connect(self._enable)
        self.about = QLabel()
        self.about.setAccessibleName("The request")
        self.about.setWordWrap(True)
        self.about.setTextFormat(Qt.TextFormat.PlainText)
        self.accept_button = QPushButton("&Accept…")
        self.accept_button.setToolTip(
            "Accept the chosen quote: the decision goes on every vendor's timeline, and a "
            "thank-you/decline is drafted for the others"
        )
        self.accept_button.clicked.connect(self.accept_chosen)
        self.letters = QPlainTextEdit()
        self.letters.setAccessibleName("Drafted thank-you and decline messages")
        self.letters.setReadOnly(True)
        self.letters.setPlaceholderText(
            "Once a quote is accepted, the thank-you/decline for each other vendor is here "
            "to copy into your mail."
        )
        self.copy_button = QPushButton("&Copy drafts")
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.letters.toPlainText())
        )
        close = QPushButton("Close")
        close.clicked.connect(self.reject)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.about)
        right_layout.addWidget(self.quotes, 2)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.accept_button)
        right_layout.addLayout(row)
        right_layout.addWidget(QLabel("Drafted for the other vendors (vrmdesk sends nothing):"))
        right_layout.addWidget(self.letters, 1)
        drafts_row = QHBoxLayout()
        drafts_row.addStretch(1)
        drafts_row.addWidget(self.copy_button)
        drafts_row.addWidget(close)
        right_layout.addLayout(drafts_row)
        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.requests)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([320, 680])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        controller.changed.connect(self._changed)
        self.resize(1000, 600)
        self.reload()

    def _changed(self, kinds: set[str]) -> None:
        if self.controller.is_open and (
            "*" in kinds or kinds & {"quote", "interaction", "disclosure"}
        ):
            self.reload()

    def reload(self) -> None:
        keep = self.current_request()
        with self.controller.session() as session:
            rows = quotes.list_requests(session)
        self.requests.blockSignals(True)
        self.requests.setRowCount(len(rows))
        for i, r in enumerate(rows):
            cells = [r.subject, r.state, str(r.vendors), str(r.quotes)]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, r.id)
                self.requests.setItem(i, col, item)
        self.requests.blockSignals(False)
        ids = [r.id for r in rows]
        if ids:
            self.requests.selectRow(ids.index(keep) if keep in ids else 0)
        self.show_request()

    def current_request(self) -> int | None:
        items = self.requests.selectedItems()
        return int(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def current_quote(self) -> quotes.QuoteRow | None:
        items = self.quotes.selectedItems()
        if self.view is None or not items:
            return None
        return self.view.quotes[items[0].row()]

    def show_request(self) -> None:
        request_id = self.current_request()
        self.view = None
        if request_id is not None:
            with self.controller.session() as session:
                self.view = quotes.show(session, request_id)
                letters = quotes.letters(session, request_id)
        view = self.view
        if view is None:
            self.about.setText("No request for quotes yet: use Request quotes… on the vendors.")
            self.quotes.setRowCount(0)
            self.letters.setPlainText("")
            self._enable()
            return
        parts = [f"{view.subject} ({view.state})"]
        if view.budget:
            parts.append(f"budget {view.budget}")
        if view.wanted_by:
            parts.append(f"wanted by {show_date(view.wanted_by)}")
        waiting = [r.vendor for r in view.recipients if not r.quoted]
        sent_to = ", ".join(r.vendor for r in view.recipients)
        about = " · ".join(parts) + f"\nSent to {sent_to}."
        if waiting:
            about += f" No quote yet from {', '.join(waiting)}."
        self.about.setText(about)
        self.quotes.setRowCount(len(view.quotes))
        for i, q in enumerate(view.quotes):
            cells = [
                q.vendor,
                q.price,
                show_date(q.valid_until) + (" (expired)" if q.expired else ""),
                _response_text(q),
                _health_text(q),
                "accepted" if q.accepted else "",
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if q.message:
                    item.setToolTip(q.message)
                if col == 1:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.quotes.setItem(i, col, item)
        if view.quotes:
            self.quotes.selectRow(0)
        self.letters.setPlainText(
            "\n\n".join(f"To {x.vendor}\nSubject: {x.subject}\n\n{x.body}" for x in letters)
        )
        self._enable()

    def _enable(self) -> None:
        quote = self.current_quote()
        open_request = self.view is not None and self.view.state == "open"
        self.accept_button.setEnabled(quote is not None and open_request and not quote.expired)
        self.copy_button.setEnabled(bool(self.letters.toPlainText()))

    def accept_chosen(self, *, confirm: bool = True) -> bool:
        quote, view = self.current_quote(), self.view
        if quote is None or view is None:
            return False
        if confirm:
            answer = QMessageBox.question(
                self,
                "Accept this quote?",
                f"Accept {quote.vendor}'s quote of {quote.price} for {view.subject!r}?\n\n"
                "The decision goes on the timeline of every vendor asked; the others get a "
                "drafted thank-you/decline to send.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        try:
            with self.controller.session() as session:
                decision = quotes.accept(session, view.id, quote.vendor_id)
        except VrmError as exc:
            QMessageBox.warning(self, "Not accepted", str(exc))
            return False
        self.controller.notify(
            {"interaction", "quote"}, f"Accepted the quote of {decision.accepted.vendor}."
        )
        return True


D = TypeVar("D", bound=QDialog)


def _open(dialog: D) -> D:
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def open_request_dialog(
    parent: QWidget, controller: VaultController, vendor_id: int | None = None
) -> RequestQuotesDialog:
    return _open(RequestQuotesDialog(controller, vendor_id, parent))


def open_quotes_dialog(parent: QWidget, controller: VaultController) -> QuotesDialog:
    return _open(QuotesDialog(controller, parent))
