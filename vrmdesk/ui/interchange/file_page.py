"""The import wizard's first page: the file, what it holds, a preset, its encoding.

A glance at the file's start (a moment's work) tells at once what it looks like, or why it
cannot be imported; Next reads the whole file off the UI thread before the mapping page."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWizardPage,
)

from vrmdesk.interchange import presets
from vrmdesk.ui.core.errors import explain
from vrmdesk.ui.interchange.state import (
    ENCODING_NAMES,
    ENCODINGS,
    KINDS,
    MAPPING_PAGE,
    PREVIEW_PAGE,
    VCARD,
    Choice,
    ImportState,
    Inspection,
    inspect,
    quick_look,
)
from vrmdesk.ui.share.items import ERROR_COLOR
from vrmdesk.ui.widgets.icons import icon

VCARD_SUFFIXES = (".vcf", ".vcard")
FILTER = "Spreadsheets and address books (*.csv *.tsv *.txt *.vcf *.vcard);;All files (*)"


def _combo(items: tuple[tuple[str, str], ...], name: str) -> QComboBox:
    box = QComboBox()
    box.setAccessibleName(name)
    for key, label in items:
        box.addItem(label, key)
    return box


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportState, path: Path | None = None) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Import a file")
        self.setSubTitle(
            "A spreadsheet saved as CSV (from HomeBox, Warracker or any other program) or an "
            "address book. Nothing is written before the last page."
        )
        self.path = QLineEdit(str(path) if path else "")
        self.path.setAccessibleName("File to import")
        self.path.setPlaceholderText("the file's name, or Browse")
        browse = QPushButton(icon("folder"), "&Browse…")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.kind = _combo(KINDS, "What the file holds")
        self.preset = _combo(
            (("", "None"), *((p.name, p.label) for p in presets.PRESETS.values())), "Preset"
        )
        self.encoding = _combo(ENCODINGS, "Encoding")
        # what the file was found to be, or why it cannot be imported: room for three lines is
        # kept, so the page does not jump as a name is typed
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setMinimumHeight(self.note.fontMetrics().lineSpacing() * 4)
        self.note.setAccessibleName("What the file holds")
        form = QFormLayout(self)
        label = QLabel("&File:")
        label.setBuddy(self.path)
        form.addRow(label, row)
        form.addRow("&Holds:", self.kind)
        form.addRow("&Preset:", self.preset)
        form.addRow("&Encoding:", self.encoding)
        form.addRow("", self.note)
        self.problem = "Choose the file to import."
        self.headers: list[str] = []
        self._inspected: Inspection | None = None
        self._pending = False
        self.timer = QTimer(self)  # look at the file once the typing stops
        self.timer.setSingleShot(True)
        self.timer.setInterval(250)
        self.timer.timeout.connect(self.look)
        self.path.textChanged.connect(self._path_changed)
        for box in (self.kind, self.preset, self.encoding):
            box.currentIndexChanged.connect(self.look)
        self.look()

    # -- the choices ------------------------------------------------------------------------------
    def choice(self) -> Choice | None:
        text = self.path.text().strip()
        if not text:
            return None
        return Choice(
            Path(text).expanduser(),
            self.kind.currentData(),
            "" if self.kind.currentData() == VCARD else self.preset.currentData(),
            self.encoding.currentData(),
        )

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a file", self.path.text(), FILTER)
        if path:
            self.path.setText(path)

    def _path_changed(self) -> None:
        self.problem = "Looking at the file…"
        self.completeChanged.emit()
        self.timer.start()

    # -- a first look, on the UI thread (the first 64 KiB) ---------------------------------------
    def look(self) -> None:
        choice = self.choice()
        is_vcard = choice is not None and choice.path.suffix.lower() in VCARD_SUFFIXES
        if is_vcard and self.kind.currentData() != VCARD:
            self._set(self.kind, VCARD)
            choice = self.choice()
        self.preset.setEnabled(self.kind.currentData() != VCARD)
        self.encoding.setEnabled(self.kind.currentData() != VCARD)
        self.problem, text = self._describe(choice)
        self.note.setText(text)
        self.note.setStyleSheet(f"color: {ERROR_COLOR}" if self.problem else "")
        self.completeChanged.emit()

    def _describe(self, choice: Choice | None) -> tuple[str, str]:
        """(the problem, or "", and the text to show)."""
        if choice is None:
            return "Choose the file to import.", ""
        if not choice.path.is_file():
            return "no file", f"There is no file {choice.path}."
        if choice.is_vcard:
            return "", "An address book: every card with an organisation becomes a vendor."
        try:
            file = quick_look(choice)
        except Exception as exc:  # told in one line, never a traceback
            return "unreadable", explain(exc)
        if file.headers != self.headers:  # a new file: pick its preset
            self.headers = file.headers
            found = presets.detect(file.headers)
            self._set(self.preset, found.name if found else "")
            if found is not None:
                self._set(self.kind, found.kind)
        lines = []
        chosen = presets.PRESETS.get(self.preset.currentData())
        if chosen is not None and presets.detect(file.headers) is chosen:
            lines.append(
                f"This is an export of {chosen.label}: its columns are read as it writes them."
            )
        delimiter = {",": "commas", ";": "semicolons", "\t": "tabs"}.get(file.delimiter, "")
        encoding = ENCODING_NAMES.get(file.encoding, file.encoding)
        how = "detected" if not choice.encoding else "as chosen"
        lines.append(
            f"{len(file.headers)} columns separated by {delimiter}; text in {encoding} ({how})."
        )
        lines.extend(file.notes)
        return "", "\n".join(lines)

    @staticmethod
    def _set(box: QComboBox, key: str) -> None:
        """Choose ``key`` for the person (without looking at the file once more for it)."""
        index = box.findData(key)
        if index >= 0 and index != box.currentIndex():
            box.blockSignals(True)
            box.setCurrentIndex(index)
            box.blockSignals(False)

    def isComplete(self) -> bool:
        return not self.problem and not self._pending

    # -- Next: the whole file, off the UI thread --------------------------------------------------
    def validatePage(self) -> bool:
        choice = self.choice()
        if choice is None:
            return False
        if self._inspected is not None and self._inspected.choice == choice:
            self.wizard_.inspection = self._inspected
            self.wizard_.choice = choice
            return True
        controller = self.wizard_.controller
        self._pending = True
        self.completeChanged.emit()
        self.note.setText("Reading the whole file…")
        self.note.setStyleSheet("")

        def done(found: Inspection) -> None:
            self._pending = False
            self._inspected = found
            self.completeChanged.emit()
            if self.choice() == found.choice:
                self.wizard_.next()

        def failed(exc: BaseException) -> None:
            self._pending = False
            self.problem = "unreadable"
            self.note.setText(explain(exc))
            self.note.setStyleSheet(f"color: {ERROR_COLOR}")
            self.completeChanged.emit()

        self.wizard_.start(lambda task: inspect(controller, choice, task), done, failed)
        return False

    def nextId(self) -> int:
        choice = self.choice()
        if choice is not None and choice.is_vcard:
            return PREVIEW_PAGE  # no columns to map: straight to the preview
        return MAPPING_PAGE
