"""The share wizard's fourth page: exactly what will leave, field by field and file by file."""

from __future__ import annotations

import re
from datetime import date, datetime

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTreeView,
    QVBoxLayout,
    QWizardPage,
)

from vrmdesk.errors import VrmError
from vrmdesk.share import slice as sl
from vrmdesk.share.field_words import field_label, value_text
from vrmdesk.store.attachments import format_size
from vrmdesk.ui.share.items import ERROR_COLOR, bold, readonly
from vrmdesk.ui.share.wizard_state import WizardState
from vrmdesk.ui.widgets.dates import show_date, show_datetime

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def shown_value(key: str, value: str) -> str:
    """A field's value in words, its dates (ISO in the bundle) in the program's date style."""
    if _ISO_DAY.fullmatch(value):
        return show_date(date.fromisoformat(value))
    if _ISO_TIME.fullmatch(value):
        return show_datetime(datetime.fromisoformat(value.removesuffix("Z")), utc=True)
    return value_text(key, value)


class PreviewPage(QWizardPage):
    def __init__(self, wizard: WizardState) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Exactly what will leave")
        self.setSubTitle(
            "Every field of every record and every file that goes into the bundle. "
            "Go back to change it."
        )
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.model = QStandardItemModel(0, 2, self)
        self.model.setHorizontalHeaderLabels(["Field", "Value"])
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName("Preview")
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setWordWrap(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.header().resizeSection(0, 260)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOR}")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.error)
        self.preview: sl.Preview | None = None

    def initializePage(self) -> None:
        self.error.setText("")
        self.model.removeRows(0, self.model.rowCount())
        try:
            self.preview = self.wizard_.make_preview()
        except VrmError as exc:
            self.preview = None
            self.summary.setText("")
            self.error.setText(f"The preview cannot be made: {exc}")
            self.completeChanged.emit()
            return
        p = self.preview
        files = f"{len(p.files)} file{'s' if len(p.files) != 1 else ''}"
        if p.files:
            files += f" ({format_size(p.total_size)})"
        left_out = (
            f" Left out: {', '.join(r.replace('_', ' ') for r in p.redacted)}."
            if p.redacted
            else ""
        )
        self.summary.setText(
            f"<b>{len(p.records)} record{'s' if len(p.records) != 1 else ''} and {files}</b> "
            f"will go to {self.wizard_.found.vendor_name}.{left_out}"
        )
        terms = bold(readonly("Terms"))
        for label, value in self.wizard_.terms().describe():
            terms.appendRow([readonly(label), readonly(value)])
        self.model.appendRow([terms, readonly("")])
        head = bold(readonly(f"Records ({len(p.records)})"))
        self.model.appendRow([head, readonly("")])
        for label, fields in p.records:
            record = readonly(label)
            for key, value in fields:
                shown = readonly(shown_value(key, value).replace("\n", " ⏎ "))
                shown.setToolTip(value)
                name = readonly(field_label(key))
                name.setToolTip(key)  # the key as the bundle writes it
                record.appendRow([name, shown])
            head.appendRow([record, readonly(f"{len(fields)} fields")])
        files_head = bold(readonly(f"Files ({len(p.files)})"))
        self.model.appendRow([files_head, readonly("")])
        for f in p.files:
            files_head.appendRow(
                [readonly(f.name), readonly(f"{f.size_text}, {f.media_type} — with {f.about}")]
            )
        self.tree.expandAll()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.preview is not None
