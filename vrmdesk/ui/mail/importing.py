"""File → Import mail…, and mail files dropped on a vendor: the import off the UI thread.

A small dialog asks what (.eml files, an mbox file, a mail folder) and, optionally, for which
vendor; the import runs on a worker with progress and Cancel. The core commits a batch at a time,
so Cancel stops after the batch it is in and says so ("Stopped: 400 messages imported, the rest
not"); importing the same files again goes on where it stopped (nothing is stored twice). Then
a summary: to the timeline, offers, unsorted, already stored, and what was refused.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import ValidationError
from vrmdesk.mail import capture, sources
from vrmdesk.store.services import editing
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.core.progress import run_with_progress
from vrmdesk.ui.core.tasks import Task
from vrmdesk.ui.editors.fields import PickerField
from vrmdesk.ui.share.items import ERROR_COLOR
from vrmdesk.ui.widgets.elided_label import ElidedLabel
from vrmdesk.ui.widgets.icons import icon

#: messages per transaction (the core's; tests make it small to cancel between batches)
BATCH = capture.BATCH
#: how often the progress dialog hears of it (every message would flood the UI thread)
PROGRESS_EVERY = 10
SEPARATOR = "; "

SOURCES = (
    ("eml", "&E-mail files (.eml)"),
    ("mbox", "An &mbox file (Thunderbird, Google Takeout)"),
    ("folder", "A mail &folder (Maildir, or Thunderbird's Local Folders)"),
)


def source_problem(kind: str, paths: list[Path]) -> str:
    """Why these paths cannot be imported as ``kind`` (""), shown under them."""
    if not paths:
        return {
            "eml": "Choose the .eml files to import.",
            "mbox": "Choose the mbox file to import.",
        }.get(kind, "Choose the mail folder to import.")
    for path in paths:
        if not path.exists():
            return f"{path} does not exist."
        if kind == "folder" and not path.is_dir():
            return f"{path} is a file: choose a folder (or an mbox file above)."
        if kind != "folder" and path.is_dir():
            return f"{path} is a folder: choose “A mail folder” above."
    if kind == "mbox" and len(paths) > 1:
        return "Choose one mbox file (or several .eml files above)."
    return ""


class MailImportDialog(QDialog):
    """What to import and for whom; ``paths()`` and ``vendor_id()`` once accepted."""

    def __init__(
        self,
        controller: VaultController,
        parent: QWidget | None = None,
        *,
        vendor_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import mail")
        self.kinds = QButtonGroup(self)
        kinds = QVBoxLayout()
        for index, (key, label) in enumerate(SOURCES):
            button = QRadioButton(label)
            button.setProperty("source", key)
            button.setChecked(index == 0)
            self.kinds.addButton(button)
            kinds.addWidget(button)
        self.path = QLineEdit()
        self.path.setAccessibleName("Files or folder to import")
        self.path.setPlaceholderText("type or paste a path; several files separated by ;")
        self.browse_button = QPushButton(icon("folder"), "&Browse…")
        self.browse_button.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse_button)
        self.problem_label = ElidedLabel()
        self.problem_label.setStyleSheet(f"color: {ERROR_COLOR}")
        self.vendor = PickerField("vendor_id", "vendor", optional=True)
        self.vendor.set_accessible("For vendor")
        with controller.session() as session:
            self.vendor.set_choices(editing.vendor_choices(session))
        if vendor_id is not None:
            self.vendor.set_value(vendor_id)
        hint = QLabel(
            "Without a vendor, each message goes to the vendor whose e-mail address or domain it "
            "comes from; mailing-list mail becomes that vendor's offers, and mail from nobody "
            "known waits on the Unsorted page. Nothing is stored twice, and nothing is changed "
            "in the files or folders read."
        )
        hint.setWordWrap(True)
        hint.setEnabled(False)
        form = QFormLayout(self)
        form.addRow("Import:", kinds)
        from_label = QLabel("&From:")
        from_label.setBuddy(self.path)
        form.addRow(from_label, row)
        form.addRow("", self.problem_label)
        vendor_label = QLabel("For &vendor:")
        vendor_label.setBuddy(self.vendor.focus_target())
        form.addRow(vendor_label, self.vendor)
        form.addRow(hint)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("&Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.path.textChanged.connect(self._update)
        self.kinds.buttonToggled.connect(lambda *_: self._update())
        self.vendor.changed.connect(self._update)
        self._update()
        self.resize(620, self.sizeHint().height())

    def kind(self) -> str:
        checked = self.kinds.checkedButton()
        return str(checked.property("source")) if checked is not None else "eml"

    def paths(self) -> list[Path]:
        return [
            Path(part.strip()).expanduser()
            for part in self.path.text().split(SEPARATOR.strip())
            if part.strip()
        ]

    def vendor_id(self) -> int | None:
        value = self.vendor.value()
        return int(value) if value is not None else None

    def problem(self) -> str:
        problem = source_problem(self.kind(), self.paths())
        if problem:
            return problem
        try:
            self.vendor.value()
        except ValidationError as exc:  # the text names no vendor, or several
            return str(exc)
        return ""

    def _update(self) -> None:
        problem = self.problem()
        self.problem_label.setText(problem if self.path.text().strip() else "")
        self.import_button.setEnabled(not problem)

    def browse(self) -> None:
        from vrmdesk.ui.interchange.exports import documents  # the exports' writers: on asking

        start = str(self.paths()[0] if self.paths() else documents())
        kind = self.kind()
        chosen: list[str]
        if kind == "eml":
            chosen, _ = QFileDialog.getOpenFileNames(
                self, "Import e-mail files", start, "E-mail (*.eml);;All files (*)"
            )
        elif kind == "mbox":
            name, _ = QFileDialog.getOpenFileName(self, "Import an mbox file", start)
            chosen = [name] if name else []
        else:
            name = QFileDialog.getExistingDirectory(self, "Import a mail folder", start)
            chosen = [name] if name else []
        if chosen:
            self.path.setText(SEPARATOR.join(chosen))


# -- the import itself ---------------------------------------------------------------------------
def import_work(
    controller: VaultController, paths: list[Path], vendor_id: int | None, max_file_size: int
) -> Callable[[Task], capture.Outcome]:
    """The work of importing ``paths`` (run on a worker): an Outcome, ``stopped`` on Cancel."""

    def work(task: Task) -> capture.Outcome:
        outcome = capture.Outcome()
        before = 0

        def told(done: int) -> None:
            if done == 1 or done % PROGRESS_EVERY == 0:
                read = before + done
                task.progress(read, 0, f"Importing mail: {read:,} messages read…")

        # mail in a Sent folder is mine, going out; the rest comes in
        incoming, outgoing = sources.by_direction(paths)
        for group, outbound in ((incoming, False), (outgoing, True)):
            if not group:
                continue
            if outcome.stopped or task.cancelled:
                outcome.stopped = True
                break
            messages = (message for path in group for message in sources.messages_of(path))
            capture.import_messages(
                controller.vault,
                messages,
                vendor_id=vendor_id,
                batch=BATCH,
                outbound=outbound,
                max_file_size=max_file_size,
                on_message=told,
                cancelled=lambda: task.cancelled,
                outcome=outcome,
            )
            before = outcome.stored + outcome.duplicates + len(outcome.problems)
        return outcome

    return work


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def describe(outcome: capture.Outcome) -> tuple[str, str]:
    """The summary of an import: (the headline, the figures one a line)."""
    if outcome.stopped:
        head = (
            f"Stopped: {plural(outcome.stored, 'message')} imported, the rest not. "
            "Importing the same mail again goes on where it stopped."
        )
    elif outcome.stored:
        head = f"Imported {plural(outcome.stored, 'message')}."
    else:
        head = "No new messages were imported."
    lines = [
        f"On the timeline: {outcome.imported:,}",
        f"Offers (mailing lists, newsletters): {outcome.offers:,}",
        f"Unsorted (no vendor found): {outcome.unsorted:,}"
        + (" — see the Unsorted page" if outcome.unsorted else ""),
        f"Already stored: {outcome.duplicates:,}",
    ]
    if outcome.problems:
        lines.append(f"Refused: {len(outcome.problems):,} (see the details)")
    return head, "\n".join(lines)


def start_import(
    parent: QWidget,
    controller: VaultController,
    paths: list[Path],
    *,
    vendor_id: int | None = None,
    max_file_size: int = capture.MAX_FILE_SIZE,
) -> None:
    """Import ``paths`` off the UI thread with progress and Cancel, then tell what it did in a
    message box (``mail-import-summary``)."""
    label = "Importing mail…"

    def show(icon_: QMessageBox.Icon, title: str, text: str, details: str = "") -> None:
        box = QMessageBox(icon_, title, text, QMessageBox.StandardButton.Ok, parent)
        box.setObjectName("mail-import-summary")
        if details:
            box.setDetailedText(details)
        box.finished.connect(box.deleteLater)
        box.open()

    def done(outcome: capture.Outcome) -> None:
        head, figures = describe(outcome)
        controller.notify({"*"}, head)
        problems = "\n".join(str(p) for p in outcome.problems)
        title = "Mail import stopped" if outcome.stopped else "Mail imported"
        show(QMessageBox.Icon.Information, title, f"{head}\n\n{figures}", problems)

    def failed(exc: BaseException) -> None:
        controller.notify({"*"})  # whole batches before the failure are kept
        show(QMessageBox.Icon.Warning, "Mail not imported", f"The import stopped: {explain(exc)}")

    work = import_work(controller, paths, vendor_id, max_file_size)
    run_with_progress(parent, controller, label, work, done, failed)


def import_mail(
    parent: QWidget,
    controller: VaultController,
    max_file_size: int,
    *,
    vendor_id: int | None = None,
) -> MailImportDialog:
    """File → Import mail…: the dialog (opened and returned); on Import, the import."""
    dialog = MailImportDialog(controller, parent, vendor_id=vendor_id)

    def start() -> None:
        start_import(
            parent,
            controller,
            dialog.paths(),
            vendor_id=dialog.vendor_id(),
            max_file_size=max_file_size,
        )

    dialog.accepted.connect(start)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


# -- dropped files -------------------------------------------------------------------------------
def mail_paths(mime: QMimeData | None) -> list[Path]:
    """The mail files among dropped ones: .eml files and mbox files (local files only)."""
    if mime is None or not mime.hasUrls():
        return []
    found: list[Path] = []
    for url in mime.urls():
        if not url.isLocalFile():
            continue
        path = Path(url.toLocalFile())
        if sources.is_mail_file(path):
            found.append(path)
    return found
