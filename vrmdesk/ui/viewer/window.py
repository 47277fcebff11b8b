"""A read-only window on one share bundle: verified first (off the UI thread), then shown.

The bundle's own text (names, records, reasons) is shown as plain text, never as markup.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from vrmshare.text import printable
from vrmshare.verify import (
    VerifiedBundle,
    is_encrypted,
    load_identities,
    save_listed_file,
    verify_bundle,
)

from vrmdesk.errors import VrmError
from vrmdesk.share.reading import record_groups, terms_in_words
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.tasks import Task, TaskRunner
from vrmdesk.ui.share.items import ERROR_COLOR, reading_lines

OK_COLOR = "#1e7d4f"
FILTER = "vrmdesk share bundles (*.vrmshare *.vrmshare.age);;All files (*)"
IDENTITY_FILTER = "age identity (*.txt *.key);;All files (*)"
#: called with (path, identities) to import a reply into my vault (where a vault is at hand)
ImportReply = Callable[[Path, list[Any] | None], None]


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


class Banner(QLabel):
    """The verdict at the top: green when everything held, red with the reason when not."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setMargin(10)
        self.state = "checking"

    def show_state(self, state: str, text: str) -> None:
        self.state = state
        colors = {"ok": OK_COLOR, "failed": ERROR_COLOR, "checking": "#5a6b7a", "ask": "#8a6d1f"}
        self.setStyleSheet(
            f"QLabel {{ background: {colors[state]}; color: white; font-weight: bold;"
            " border-radius: 4px; }"
        )
        self.setText(text)


class BundleViewer(QMainWindow):
    """One bundle. ``verified`` is set once it verified; ``failure`` holds the reason if not."""

    def __init__(
        self,
        path: Path,
        *,
        identities: list[Any] | None = None,
        import_reply: ImportReply | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.identities = identities
        self.import_reply = import_reply
        self.verified: VerifiedBundle | None = None
        self.failure = ""
        self.tasks = TaskRunner(self)
        self._temp: tempfile.TemporaryDirectory[str] | None = None
        self.reply_dialog: QWidget | None = None
        self.setWindowTitle(f"{self.path.name} — vrmdesk bundle viewer")
        self.resize(1100, 760)
        self._build()
        if self.identities is None and is_encrypted(self.path):
            self.ask_identity_state()
        else:
            self.start_verify()

    # -- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        body = QWidget()
        outer = QVBoxLayout(body)
        self.banner = Banner()
        self.banner.setAccessibleName("Verification")
        outer.addWidget(self.banner)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(6)
        outer.addWidget(self.busy)
        ask = QHBoxLayout()
        self.identity_button = QPushButton("Choose the age &identity file…")
        self.identity_button.clicked.connect(lambda: self.choose_identity())
        ask.addWidget(self.identity_button)
        ask.addStretch(1)
        outer.addLayout(ask)

        self.details = QWidget()
        self.form = QFormLayout(self.details)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.labels: dict[str, QLabel] = {}
        outer.addWidget(self.details)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.records = QTreeWidget()
        self.records.setAccessibleName("Records")
        self.records.setHeaderLabels(["Record", "Value"])
        self.records.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.records.setUniformRowHeights(True)
        split.addWidget(self.records)
        files_box = QWidget()
        files_layout = QVBoxLayout(files_box)
        files_layout.setContentsMargins(0, 0, 0, 0)
        self.files = QTreeWidget()
        self.files.setAccessibleName("Files")
        self.files.setRootIsDecorated(False)
        self.files.setHeaderLabels(["File", "Type", "Size"])
        self.files.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.files.itemDoubleClicked.connect(lambda *_: self.open_file())
        self.files.itemSelectionChanged.connect(self._file_chosen)
        files_layout.addWidget(self.files)
        buttons = QHBoxLayout()
        self.open_button = QPushButton("&Open")
        self.open_button.clicked.connect(self.open_file)
        self.save_button = QPushButton("&Save as…")
        self.save_button.clicked.connect(lambda: self.save_file())
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        files_layout.addLayout(buttons)
        split.addWidget(files_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.split = split
        outer.addWidget(split, 1)
        self.spacer = QWidget()  # keeps the banner compact while there is nothing to show
        outer.addWidget(self.spacer, 1)

        actions = QHBoxLayout()
        self.file_note = QLabel()
        self.file_note.setWordWrap(True)
        self.file_note.setTextFormat(Qt.TextFormat.PlainText)
        actions.addWidget(self.file_note, 1)
        self.import_button = QPushButton("&Import into my vault…")
        self.import_button.clicked.connect(self._import)
        self.reply_button = QPushButton("&Reply…")
        self.reply_button.setToolTip("Write a signed reply to the sender (a vendor's answer)")
        self.reply_button.clicked.connect(self.open_reply_form)
        close = QPushButton("&Close")
        close.clicked.connect(self.close)
        for button in (self.import_button, self.reply_button, close):
            button.setAutoDefault(False)
            actions.addWidget(button)
        outer.addLayout(actions)
        self.setCentralWidget(body)
        self._show_content(False)

    def _show_content(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.split.setVisible(shown)
        self.spacer.setVisible(not shown)
        self.reply_button.setEnabled(shown)
        self.import_button.setVisible(False)
        self.identity_button.setVisible(False)
        self.open_button.setEnabled(False)
        self.save_button.setEnabled(False)

    # -- verifying -----------------------------------------------------------------------------
    def ask_identity_state(self) -> None:
        self.busy.hide()
        self.banner.show_state(
            "ask",
            f"{self.path.name} is encrypted with age. Choose the age identity file "
            "(AGE-SECRET-KEY-1…) it was encrypted to.",
        )
        self.identity_button.setVisible(True)

    def choose_identity(self, path: str | None = None) -> None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self,
                "The bundle is encrypted: choose your age identity file",
                "",
                IDENTITY_FILTER,
            )
            if not path:
                return
        try:
            self.identities = load_identities(Path(path))
        except VrmError as exc:
            self.banner.show_state("ask", f"{exc}\n\nChoose another identity file.")
            return
        self.identity_button.setVisible(False)
        self.start_verify()

    def start_verify(self) -> None:
        self.busy.show()
        self.banner.show_state("checking", f"Checking {self.path.name}…")
        path, identities = self.path, self.identities

        def job(task: Task) -> VerifiedBundle:
            def progress(done: int, total: int, _name: str) -> None:
                task.check()
                task.progress(done, total, "Checking the files…")

            return verify_bundle(path, identities=identities, progress=progress)

        self.tasks.start(job, on_done=self.show_verified, on_error=self.show_failed, receiver=self)

    def show_failed(self, exc: BaseException) -> None:
        self.busy.hide()
        self.verified = None
        self.failure = explain(exc)
        self._show_content(False)
        self.banner.show_state(
            "failed",
            f"✗ Not verified: do not trust anything in {self.path.name}.\n\n{self.failure}"
            "\n\nNothing of it is shown. Ask the sender to send it again.",
        )
        if self.identities is not None and is_encrypted(self.path):
            self.identity_button.setVisible(True)

    def show_verified(self, verified: VerifiedBundle) -> None:
        self.busy.hide()
        self.verified = verified
        self.failure = ""
        self._show_content(True)
        encrypted = " It was encrypted to you (age)." if verified.encrypted else ""
        self.banner.show_state(
            "ok",
            f"✓ Verified: signed by the key below; the manifest and every file are as "
            f"signed.{encrypted}",
        )
        self._fill_details(verified)
        self._fill_records(verified)
        self._fill_files(verified)
        is_reply = verified.purpose == "reply"
        self.reply_button.setEnabled(not is_reply)
        self.import_button.setVisible(is_reply and self.import_reply is not None)
        if is_reply:
            self.reply_button.setToolTip("This bundle is itself a reply: it is not answered")
            self.file_note.setText(
                "This is a vendor's reply"
                + (
                    ": import it into your vault to take what it says."
                    if self.import_reply is not None
                    else "."
                )
            )

    def _row(self, key: str, label: str, text: str, *, mono: bool = False) -> None:
        value = self.labels.get(key)
        if value is None:
            value = QLabel()
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(label)
            self.labels[key] = value
            self.form.addRow(f"{label}:", value)
        if mono:
            value.setStyleSheet("font-family: monospace;")
        value.setText(text)

    def _fill_details(self, verified: VerifiedBundle) -> None:
        m = verified.manifest
        self._row("sender", "From", printable(verified.sender_name))
        self._row("fingerprint", "Fingerprint", verified.fingerprint, mono=True)
        self._row(
            "safety", "Safety number", reading_lines(verified.safety_number, 6, "   "), mono=True
        )
        self._row("recipient", "To", printable(str(m["recipient"]["name"])))
        self._row("created", "Created", f"{m['created']} (bundle {verified.bundle_id})")
        for n, (label, text) in enumerate(terms_in_words(m)):
            self._row(f"terms{n}", label, text)
        if verified.in_reply_to:
            self._row("in_reply_to", "In reply to", verified.in_reply_to)
        if m.get("redacted"):
            self._row("redacted", "Left out", printable(", ".join(m["redacted"])))

    def _fill_records(self, verified: VerifiedBundle) -> None:
        """Kinds, then records (their titles across both columns), then each field and value."""
        self.records.clear()
        metrics = self.records.fontMetrics()
        widest = 0
        for group in record_groups(verified.records):
            top = QTreeWidgetItem([f"{group.name} ({len(group.records)})", ""])
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            self.records.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)
            for record in group.records:
                item = QTreeWidgetItem([record.title, ""])
                item.setToolTip(0, record.uid)
                top.addChild(item)
                item.setFirstColumnSpanned(True)
                for label, text in record.fields:
                    child = QTreeWidgetItem([label, text])
                    child.setToolTip(1, text)
                    item.addChild(child)
                    widest = max(widest, metrics.horizontalAdvance(label))
            top.setExpanded(True)
        indent = self.records.indentation() * 3 + 24
        self.records.setColumnWidth(0, min(widest + indent, 360))

    def _fill_files(self, verified: VerifiedBundle) -> None:
        self.files.clear()
        for entry in verified.files:
            shown = printable(str(entry.get("name") or entry["path"].rsplit("/", 1)[-1]))
            item = QTreeWidgetItem([shown, str(entry["media_type"]), _size(int(entry["size"]))])
            item.setData(0, Qt.ItemDataRole.UserRole, entry["path"])
            item.setToolTip(0, entry["path"])
            self.files.addTopLevelItem(item)
        first = self.files.topLevelItem(0)
        if first is not None:
            self.files.setCurrentItem(first)

    # -- files ---------------------------------------------------------------------------------
    def _file_chosen(self) -> None:
        chosen = self.chosen_file() is not None
        self.open_button.setEnabled(chosen)
        self.save_button.setEnabled(chosen)

    def chosen_file(self) -> str | None:
        item = self.files.currentItem()
        return None if item is None else str(item.data(0, Qt.ItemDataRole.UserRole))

    def save_file(self, target: str | None = None) -> Path | None:
        """Save the chosen file (checked against its hash again) where the person says."""
        name = self.chosen_file()
        if name is None or self.verified is None:
            return None
        if target is None:
            target, _ = QFileDialog.getSaveFileName(
                self, "Save the file", str(Path.home() / Path(name).name.split("-", 1)[-1])
            )
            if not target:
                return None
        try:
            out = save_listed_file(self.verified, name, Path(target), identities=self.identities)
        except Exception as exc:
            self.file_note.setText(f"Not saved: {explain(exc)}")
            return None
        self.file_note.setText(f"Saved {out}.")
        return out

    def open_file(self) -> Path | None:
        """Open the chosen file with the desktop's program for it (a copy in a folder of this
        window's own, deleted when it closes)."""
        name = self.chosen_file()
        if name is None or self.verified is None:
            return None
        if self._temp is None:
            self._temp = tempfile.TemporaryDirectory(prefix="vrmdesk-viewer-")
        target = Path(self._temp.name) / Path(name).name
        if not target.exists():
            try:
                save_listed_file(self.verified, name, target, identities=self.identities)
            except Exception as exc:
                self.file_note.setText(f"Not opened: {explain(exc)}")
                return None
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(target))):
            self.file_note.setText(f"No program opens {target.name}; use Save as… instead.")
        return target

    # -- replying, importing -------------------------------------------------------------------
    def open_reply_form(self) -> None:
        if self.verified is None:
            return
        from vrmdesk.ui.viewer.reply_form import ReplyDialog

        dialog = ReplyDialog(self.verified, self)
        self.reply_dialog = dialog
        dialog.open()

    def _import(self) -> None:
        if self.import_reply is not None:
            self.import_reply(self.path, self.identities)
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.tasks.cancel_all()
        if self._temp is not None:
            self._temp.cleanup()
            self._temp = None
        super().closeEvent(event)


def open_viewer(path: Path, import_reply: ImportReply | None = None) -> BundleViewer:
    """A viewer window on ``path``, shown in front, deleted when closed."""
    viewer = BundleViewer(path, import_reply=import_reply)
    viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    viewer.show()
    viewer.raise_()
    viewer.activateWindow()
    return viewer


def choose_bundle(parent: QWidget | None) -> Path | None:
    chosen, _ = QFileDialog.getOpenFileName(parent, "Open a share bundle", "", FILTER)
    return Path(chosen) if chosen else None
