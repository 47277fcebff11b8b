"""A vendor's signed reply to the bundle shown: the options of ``vrmdesk share reply`` as a form.

The key is loaded and the reply built, signed and written off the UI thread (the form is busy
meanwhile); a refusal (an empty reply, a bad date, a key that is not one) is shown on the form
and writes nothing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
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
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)
from vrmshare.format import WrittenBundle
from vrmshare.identity import display_fingerprint, safety_number
from vrmshare.reply import (
    CHANNELS,
    TICKET_STATUSES,
    ReplyContent,
    ReplyError,
    keygen,
    load_signing_key,
    write_reply,
)
from vrmshare.verify import VerifiedBundle

from vrmdesk.share.reading import record_groups
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.tasks import Task, TaskRunner
from vrmdesk.ui.share.items import ERROR_COLOR, reading_lines

KEY_FILTER = "Signing key (*.jwk *.json);;All files (*)"


def _path_row(edit: QLineEdit, *buttons: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    for button in buttons:
        button.setAutoDefault(False)
        layout.addWidget(button)
    return row


class ReplyDialog(QDialog):
    """``written`` is the reply once it was written; ``error`` shows a refusal."""

    def __init__(self, original: VerifiedBundle, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.original = original
        self.written: WrittenBundle | None = None
        self.tasks = TaskRunner(self)
        self.setWindowTitle(f"Reply to {original.sender_name}")
        self.resize(760, 720)
        self._titles: dict[str, str] = {}
        for group in record_groups(original.records):
            for record in group.records:
                self._titles[record.uid] = f"{record.title} ({group.name.lower()})"
        self._build()

    def _records_of(self, kind: str) -> list[str]:
        return [r["@id"] for r in self.original.records if r.get("@type") == kind]

    def _combo(self, none: str, uids: list[str]) -> QComboBox:
        box = QComboBox()
        box.addItem(none, None)
        for uid in uids:
            box.addItem(self._titles.get(uid, uid), uid)
        return box

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        inner = QWidget()
        form = QFormLayout(inner)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.key_path = QLineEdit()
        self.key_path.setPlaceholderText("the vendor's private signing key (JWK)")
        choose_key = QPushButton("Choose…")
        choose_key.clicked.connect(self.choose_key)
        make_key = QPushButton("&Make a key…")
        make_key.clicked.connect(lambda: self.make_key())
        form.addRow("Signing &key:", _path_row(self.key_path, choose_key, make_key))
        self.sender_name = QLineEdit(str(self.original.manifest["recipient"]["name"]))
        form.addRow("Sent &by:", self.sender_name)

        self.subject = QLineEdit()
        form.addRow("S&ubject:", self.subject)
        self.message = QPlainTextEdit()
        self.message.setPlaceholderText(
            "Your answer. Separate several messages with a line holding only ---"
        )
        self.message.setTabChangesFocus(True)
        self.message.setMinimumHeight(110)
        form.addRow("&Message:", self.message)
        self.channel = QComboBox()
        for channel in CHANNELS:
            self.channel.addItem(channel.replace("_", " "), channel)
        self.channel.setCurrentIndex(max(0, CHANNELS.index("email")))
        form.addRow("C&hannel:", self.channel)

        tickets = self._records_of("vrm:SupportTicket")
        self.ticket = self._combo("(no ticket)", tickets)
        if len(tickets) == 1:
            self.ticket.setCurrentIndex(1)
        form.addRow("&Ticket:", self.ticket)
        self.case_reference = QLineEdit()
        self.case_reference.setPlaceholderText("your case number for the ticket")
        form.addRow("&Case reference:", self.case_reference)
        self.status = QComboBox()
        self.status.addItem("(unchanged)", None)
        for status in TICKET_STATUSES:
            self.status.addItem(status.replace("_", " "), status)
        form.addRow("Ticket &status:", self.status)

        self.warranty = self._combo("(no confirmation)", self._records_of("WarrantyPromise"))
        form.addRow("Confirm &warranty:", self.warranty)
        self.valid_through = QLineEdit()
        self.valid_through.setPlaceholderText("YYYY-MM-DD (optional)")
        form.addRow("Warranty &valid until:", self.valid_through)

        self.corrections = QTableWidget(0, 3)
        self.corrections.setAccessibleName("Corrections")
        self.corrections.setHorizontalHeaderLabels(["Record", "Field", "Correct value"])
        self.corrections.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.corrections.verticalHeader().hide()
        self.corrections.setMinimumHeight(110)
        add = QPushButton("&Add a correction")
        add.setAutoDefault(False)
        add.clicked.connect(lambda: self.add_correction())
        box = QWidget()
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.addWidget(self.corrections)
        box_layout.addWidget(add, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow("Corrections:", box)

        self.encrypt_to = QLineEdit()
        self.encrypt_to.setPlaceholderText("age1… (optional: the customer's age recipient)")
        form.addRow("&Encrypt to:", self.encrypt_to)
        stem = self.original.path.name.split(".", 1)[0]
        self.out_path = QLineEdit(str(self.original.path.with_name(f"{stem}-reply.vrmshare")))
        save_as = QPushButton("Save &as…")
        save_as.clicked.connect(self.choose_out)
        form.addRow("Save t&o:", _path_row(self.out_path, save_as))
        scroll.setWidget(inner)
        outer.addWidget(scroll, 1)

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet(f"color: {ERROR_COLOR};")
        self.error.setAccessibleName("Problem")
        outer.addWidget(self.error)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(6)
        self.busy.hide()
        outer.addWidget(self.busy)
        buttons = QHBoxLayout()
        self.done_note = QLabel()
        self.done_note.setWordWrap(True)
        self.done_note.setTextFormat(Qt.TextFormat.PlainText)
        buttons.addWidget(self.done_note, 1)
        self.write_button = QPushButton("Sign and &write the reply")
        self.write_button.setDefault(True)
        self.write_button.clicked.connect(self.write)
        self.close_button = QPushButton("Close")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.write_button)
        buttons.addWidget(self.close_button)
        outer.addLayout(buttons)

    # -- the key and the file ------------------------------------------------------------------
    def choose_key(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Your signing key", "", KEY_FILTER)
        if path:
            self.key_path.setText(path)

    def make_key(self, path: str | None = None) -> bool:
        """A new signing key (never over a file); its fingerprint to give the customer."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Save a new signing key",
                str(Path.home() / "vendor-signing.jwk"),
                KEY_FILTER,
            )
            if not path:
                return False
        try:
            public = keygen(Path(path))
        except Exception as exc:
            self.error.setText(explain(exc))
            return False
        self.key_path.setText(path)
        self.error.clear()
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "A new signing key",
            f"Wrote the private key to {path} (keep it secret).\n\n"
            f"Give your customers its safety number:\n{reading_lines(safety_number(public['kid']))}"
            f"\n\nFingerprint: {display_fingerprint(public['kid'])}",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        self.key_box = box
        box.open()
        return True

    def choose_out(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the reply", self.out_path.text(), "vrmdesk share bundle (*.vrmshare)"
        )
        if path:
            self.out_path.setText(path)

    def add_correction(self, target: str | None = None, field: str = "", value: str = "") -> int:
        row = self.corrections.rowCount()
        self.corrections.insertRow(row)
        records = QComboBox()
        for uid, title in self._titles.items():
            records.addItem(title, uid)
        if target is not None:
            records.setCurrentIndex(max(0, records.findData(target)))
        self.corrections.setCellWidget(row, 0, records)
        for column, text in ((1, field), (2, value)):
            edit = QLineEdit(text)
            self.corrections.setCellWidget(row, column, edit)
        return row

    # -- writing -------------------------------------------------------------------------------
    def content(self) -> ReplyContent:
        text = self.message.toPlainText()
        messages = [
            part.strip()
            for part in "\n".join(
                "\x00" if line.strip() == "---" else line for line in text.splitlines()
            ).split("\x00")
            if part.strip()
        ]
        corrections: list[tuple[str, str, str]] = []
        for row in range(self.corrections.rowCount()):
            records = self.corrections.cellWidget(row, 0)
            field = self.corrections.cellWidget(row, 1)
            value = self.corrections.cellWidget(row, 2)
            assert isinstance(records, QComboBox)
            assert isinstance(field, QLineEdit) and isinstance(value, QLineEdit)
            if not field.text().strip() and not value.text().strip():
                continue
            if not field.text().strip():
                raise ReplyError(f"Correction {row + 1}: say which field is wrong.")
            corrections.append((str(records.currentData()), field.text().strip(), value.text()))
        return ReplyContent(
            messages=messages,
            subject=self.subject.text().strip(),
            channel=str(self.channel.currentData()),
            case_reference=self.case_reference.text().strip() or None,
            ticket=self.ticket.currentData(),
            status=self.status.currentData(),
            confirm_warranty=self.warranty.currentData(),
            valid_through=self.valid_through.text().strip() or None,
            corrections=corrections,
            sender_name=self.sender_name.text().strip() or None,
        )

    def write(self) -> None:
        self.error.clear()
        try:
            content = self.content()
            key_path = self.key_path.text().strip()
            if not key_path:
                raise ReplyError("Choose your signing key (or make one with Make a key…).")
            out_text = self.out_path.text().strip()
            if not out_text:
                raise ReplyError("Say where to save the reply.")
        except ReplyError as exc:
            self.error.setText(str(exc))
            return
        original, encrypt_to = self.original, self.encrypt_to.text().strip() or None
        out = Path(out_text).expanduser()

        def job(_task: Task) -> WrittenBundle:
            key = load_signing_key(Path(key_path).expanduser())
            return write_reply(original, key, content, out, encrypt_to=encrypt_to)

        self._busy(True)
        self.tasks.start(
            job,
            on_done=self.written_done,
            on_error=self.failed,
            receiver=self,
            label=f"Writing {out.name}…",
        )

    def _busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.write_button.setEnabled(not busy)
        self.done_note.setText("Signing and writing the reply…" if busy else "")

    def written_done(self, written: WrittenBundle) -> None:
        self._busy(False)
        self.written = written
        self.done_note.setText(
            f"Wrote the signed reply to {written.path}. Send it to the customer."
        )
        self.write_button.setEnabled(False)
        self.close_button.setText("Close")
        self.close_button.setDefault(True)

    def failed(self, exc: BaseException) -> None:
        self._busy(False)
        self.error.setText(f"No reply was written. {explain(exc)}")
