"""The vendor page's "Data-rights request…": the letter previewed as it is chosen, sent, followed.

Right, law, the day sent (or, for a posted letter, the day received), and the letter as it will
be: Save as PDF…, Copy text, Write e-mail… (the letter in the person's mail program) and Record
as sent, which makes the ticket. A request for rectification can send the corrected records
with it: a signed bundle written, when recorded, to the file the letter names
(:mod:`vrmdesk.share.corrections`). Below, this vendor's requests with their deadlines: Extend (the
vendor claimed more time), Answered, and once a deadline passed unanswered a drafted reminder
or complaint in the preview. Every rule is the core's (:mod:`vrmdesk.store.services.rights`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import VrmError
from vrmdesk.mail.outgoing import mailto_url
from vrmdesk.share import corrections, export
from vrmdesk.store.services import records, rights
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.editors.dates import DateInput
from vrmdesk.ui.widgets.dates import show_date

LAW_TITLES = {"gdpr": "GDPR (EU)", "uk-gdpr": "UK GDPR", "ccpa": "CCPA/CPRA (California)"}


class RightsDialog(QDialog):
    """A data-rights request to one vendor, and the requests made to it before."""

    def __init__(
        self,
        controller: VaultController,
        vendor_id: int,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller, self.vendor_id = controller, vendor_id
        self.today = today or date.today()
        self.letter: rights.Draft | None = None
        self.setWindowTitle("Data-rights request")

        self.right = QComboBox()
        self.right.setAccessibleName("Right")
        for key in rights.RIGHTS:
            self.right.addItem(rights.RIGHT_TITLES[key].capitalize(), key)
        self.law = QComboBox()
        self.law.setAccessibleName("Law")
        for key in rights.laws():
            self.law.addItem(LAW_TITLES.get(key, key), key)
        self.law.setCurrentIndex(max(0, self.law.findData("gdpr")))
        self.sent = DateInput()
        self.sent.set_date(self.today)
        self.sent.edit.setAccessibleName("Date sent")
        self.posted = QCheckBox("Posted: count the deadline from the day it was received")
        self.received = DateInput()
        self.received.set_date(self.today)
        self.received.edit.setAccessibleName("Date received")
        self.received.setEnabled(False)
        for field in (self.sent, self.received):
            field.extra.addWidget(field.understood)
            field.extra.addStretch(1)
        form = QFormLayout()
        form.addRow("&Right:", self.right)
        form.addRow("&Law:", self.law)
        form.addRow("Date &sent:", self.sent)
        form.addRow("", self.posted)
        form.addRow("Date r&eceived:", self.received)
        self.corrections = QCheckBox("Enclose my corrected records, signed:")
        self.corrections.setToolTip(
            "The vendor's record (my accounts with it) and the things registered with it, as "
            "they are correct in this vault now; no files, prices or notes"
        )
        self.corrections_path = QLineEdit()
        self.corrections_path.setAccessibleName("Corrections bundle file")
        self.corrections_path.setEnabled(False)
        choose = QPushButton("C&hoose…")
        choose.clicked.connect(self.choose_corrections_path)
        self.corrections_row = QWidget()
        row = QHBoxLayout(self.corrections_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.corrections)
        row.addWidget(self.corrections_path, 1)
        row.addWidget(choose)
        form.addRow("", self.corrections_row)

        self.deadline = QLabel()
        self.deadline.setAccessibleName("Deadline")
        self.deadline.setWordWrap(True)
        self.preview = QPlainTextEdit()
        self.preview.setAccessibleName("Letter preview")
        self.preview.setReadOnly(True)
        self.preview.setMinimumHeight(220)

        self.pdf_button = QPushButton("Save as &PDF…")
        self.pdf_button.clicked.connect(self.save_pdf)
        self.copy_button = QPushButton("&Copy text")
        self.copy_button.clicked.connect(self.copy_text)
        self.mail_button = QPushButton("&Write e-mail…")
        self.mail_button.clicked.connect(self.write_email)
        self.record_button = QPushButton("Record as se&nt")
        self.record_button.setDefault(True)
        self.record_button.clicked.connect(self.record_sent)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        letter_buttons = QHBoxLayout()
        for button in (self.pdf_button, self.copy_button, self.mail_button):
            letter_buttons.addWidget(button)
        letter_buttons.addStretch(1)
        letter_buttons.addWidget(self.record_button)

        self.requests = QTableWidget(0, 6)
        self.requests.setAccessibleName("Requests to this vendor")
        self.requests.setHorizontalHeaderLabels(
            ["Right", "Law", "Sent", "Due", "Extended to", "State"]
        )
        self.requests.verticalHeader().setVisible(False)
        self.requests.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.requests.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.requests.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.requests.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.requests.setMaximumHeight(150)
        self.requests.itemSelectionChanged.connect(self._update_actions)
        self.extend_button = QPushButton("E&xtend")
        self.extend_button.setToolTip("The vendor claimed more time (within the first period)")
        self.extend_button.clicked.connect(self.extend)
        self.answered_button = QPushButton("&Answered")
        self.answered_button.clicked.connect(self.answered)
        self.reminder_button = QPushButton("Draft re&minder")
        self.reminder_button.clicked.connect(lambda: self.draft_follow_up("reminder"))
        self.complaint_button = QPushButton("Draft compla&int")
        self.complaint_button.setToolTip("To the supervisory authority")
        self.complaint_button.clicked.connect(lambda: self.draft_follow_up("complaint"))
        request_buttons = QHBoxLayout()
        for button in (
            self.extend_button,
            self.answered_button,
            self.reminder_button,
            self.complaint_button,
        ):
            request_buttons.addWidget(button)
        request_buttons.addStretch(1)
        request_buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.deadline)
        layout.addWidget(self.preview, 1)
        layout.addLayout(letter_buttons)
        layout.addWidget(QLabel("Requests to this vendor:"))
        layout.addWidget(self.requests)
        layout.addLayout(request_buttons)
        self.resize(760, 720)

        self.right.currentIndexChanged.connect(self.update_preview)
        self.law.currentIndexChanged.connect(self.update_preview)
        self.sent.changed.connect(self.update_preview)
        self.received.changed.connect(self.update_preview)
        self.posted.toggled.connect(self.received.setEnabled)
        self.posted.toggled.connect(self.update_preview)
        self.corrections.toggled.connect(self.corrections_path.setEnabled)
        self.corrections.toggled.connect(self.update_preview)
        self.corrections_path.textChanged.connect(self.update_preview)
        self.right.currentIndexChanged.connect(self._show_corrections)
        self._show_corrections()
        self.update_preview()
        self.load_requests()

    # -- the letter ---------------------------------------------------------------------------
    def _show_corrections(self) -> None:
        rectification = self.right.currentData() == "rectification"
        self.corrections_row.setVisible(rectification)
        if rectification and not self.corrections_path.text():
            with self.controller.session() as session:
                name = records.find_vendor(session, self.vendor_id).name
            slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
            day = self.today.isoformat()
            self.corrections_path.setText(str(Path.home() / f"corrections-{slug}-{day}.vrmshare"))

    def choose_corrections_path(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Corrected records", self.corrections_path.text(), "Share bundle (*.vrmshare)"
        )
        if path:
            self.corrections_path.setText(path)
            self.corrections.setChecked(True)
            self.update_preview()

    def corrections_file(self) -> Path | None:
        """Where the corrections bundle goes, when it goes with this letter."""
        if not (self.corrections.isChecked() and self.corrections_row.isVisibleTo(self)):
            return None
        return export.bundle_path(Path(self.corrections_path.text().strip()).expanduser(), None)

    def _draft(self) -> rights.Draft:
        with self.controller.session() as session:
            bundle = self.corrections_file()
            return rights.draft(
                session,
                self.vendor_id,
                str(self.right.currentData()),
                str(self.law.currentData()),
                sent=self.sent.checked_date("sent", True),
                received=self.received.checked_date("received", True)
                if self.posted.isChecked()
                else None,
                today=self.today,
                enclosure=corrections.enclosure(session, str(self.law.currentData()), bundle.name)
                if bundle is not None
                else "",
            )

    def update_preview(self) -> None:
        try:
            self.letter = self._draft()
        except VrmError as exc:
            self.letter = None
            self.preview.setPlainText(str(exc))
            self.deadline.setText("No letter: see below.")
        else:
            letter = self.letter
            confirm = (
                f" · confirmation of receipt by {show_date(letter.confirm_by)}"
                if letter.confirm_by
                else ""
            )
            self.deadline.setText(f"Legal deadline: {show_date(letter.due_on)}{confirm}")
            self.preview.setPlainText(letter.text)
        has_letter = self.letter is not None
        for button in (self.pdf_button, self.copy_button):
            button.setEnabled(has_letter)
        self.mail_button.setEnabled(has_letter and bool(self.letter and self.letter.email))
        self.record_button.setEnabled(bool(self.letter and self.letter.sendable))

    def copy_text(self) -> None:
        QGuiApplication.clipboard().setText(self.preview.toPlainText())
        self.controller.status.emit("The letter is on the clipboard.")

    def save_pdf(self, path: str | None = None) -> Path | None:
        if self.letter is None:
            return None
        if not path:
            name = f"rights-request-{self.letter.right}-{self.letter.sent_on}.pdf"
            path, _ = QFileDialog.getSaveFileName(self, "Save as PDF", name, "PDF (*.pdf)")
            if not path:
                return None
        target = Path(path)
        try:
            rights.letter_pdf(self.letter.text, target)
        except OSError as exc:
            QMessageBox.warning(self, "Not saved", f"The PDF could not be written: {exc}")
            return None
        self.controller.status.emit(f"Saved the letter as {target.name}.")
        return target

    def mail_url(self) -> str:
        letter = self.letter
        return mailto_url(letter.email, letter.subject, letter.body) if letter else ""

    def write_email(self) -> None:
        url = self.mail_url()
        if url and not QDesktopServices.openUrl(QUrl.fromEncoded(url.encode("ascii"))):
            QMessageBox.information(
                self,
                "Write e-mail",
                "No mail program opened for mailto: links. Copy the text and send it to "
                f"{self.letter.email if self.letter else ''}.",
            )

    def record_sent(self) -> int | None:
        """Record the letter as sent; with the corrections, write their bundle first (a letter
        naming a file never written would be worse than no letter)."""
        try:
            letter, bundle = self._draft(), self.corrections_file()
            enclosed = ""
            if bundle is not None and letter.sendable:
                if bundle.exists():
                    raise VrmError(f"{bundle} exists already: choose another file.")
                enclosed = corrections.write(self.controller.vault, letter, bundle).bundle_id
            with self.controller.session() as session:
                request = rights.record_sent(session, letter, enclosed_bundle=enclosed)
                request_id, due = request.id, request.due_on
        except VrmError as exc:
            QMessageBox.warning(self, "Not recorded", str(exc))
            return None
        sent = f" and wrote the corrected records to {bundle.name}" if enclosed and bundle else ""
        self.controller.notify(
            {"ticket", "interaction", "disclosure"},
            f"Recorded the data-rights request, due {show_date(due)}{sent}.",
        )
        self.load_requests()
        return request_id

    # -- the requests made ----------------------------------------------------------------------
    def load_requests(self) -> None:
        with self.controller.session() as session:
            self.rows = rights.list_requests(session, vendor_id=self.vendor_id, on=self.today)
        self.requests.setRowCount(len(self.rows))
        for n, row in enumerate(self.rows):
            cells = [
                rights.RIGHT_TITLES[row.right],
                LAW_TITLES.get(row.law, row.law),
                show_date(row.sent),
                show_date(row.due),
                show_date(row.extended_due),
                row.state,
            ]
            for column, cell in enumerate(cells):
                item = QTableWidgetItem(cell)
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                self.requests.setItem(n, column, item)
        if self.rows:
            self.requests.selectRow(0)
        self._update_actions()

    def current_row(self) -> rights.RequestRow | None:
        selected = self.requests.selectionModel().selectedRows()
        return self.rows[selected[0].row()] if selected else None

    def _update_actions(self) -> None:
        row = self.current_row()
        open_ = row is not None and row.state != "answered"
        self.extend_button.setEnabled(open_ and row is not None and row.extended_due is None)
        self.answered_button.setEnabled(open_)
        overdue = row is not None and row.state == "overdue"
        self.reminder_button.setEnabled(overdue)
        self.complaint_button.setEnabled(overdue)

    def _act(self, what: str, done: str) -> bool:
        row = self.current_row()
        if row is None:
            return False
        try:
            with self.controller.session() as session:
                if what == "extend":
                    rights.extend(session, row.id, on=self.today)
                else:
                    rights.answered(session, row.id, on=self.today)
        except VrmError as exc:
            QMessageBox.warning(self, "Refused", str(exc))
            return False
        self.controller.notify({"ticket"}, done)
        self.load_requests()
        return True

    def extend(self) -> bool:
        return self._act("extend", "The request's deadline is extended.")

    def answered(self) -> bool:
        return self._act("answered", "The request is answered.")

    def draft_follow_up(self, part: str) -> None:
        row = self.current_row()
        if row is None:
            return
        try:
            with self.controller.session() as session:
                subject, body = rights.follow_up_letter(session, row.id, part, on=self.today)
        except VrmError as exc:
            QMessageBox.warning(self, "Not drafted", str(exc))
            return
        self.letter = None
        self.record_button.setEnabled(False)
        self.mail_button.setEnabled(False)
        self.pdf_button.setEnabled(False)
        self.copy_button.setEnabled(True)
        self.deadline.setText(f"The drafted {part}:")
        self.preview.setPlainText(f"Subject: {subject}\n\n{body}")


def open_rights_dialog(
    parent: QWidget, controller: VaultController, vendor_id: int
) -> RightsDialog:
    dialog = RightsDialog(controller, vendor_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
