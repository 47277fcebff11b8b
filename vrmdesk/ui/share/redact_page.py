"""The share wizard's second page: the fields to leave out of every record."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QGridLayout, QVBoxLayout, QWizardPage
from vrmshare import terms


class RedactPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Leave out")
        self.setSubTitle(
            "Ticked fields are left out of every record: they are not in the bundle "
            "at all. Files go as they are; leave a file out on the first page."
        )
        self.boxes: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        for row, (name, description) in enumerate(terms.REDACTABLE.items()):
            box = QCheckBox(description)
            box.setAccessibleName(f"Leave out {name}")
            box.setToolTip(f"Field name in the bundle's list of redactions: {name}")
            self.boxes[name] = box
            grid.addWidget(box, row, 0)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addStretch(1)

    def redact(self) -> frozenset[str]:
        return frozenset(name for name, box in self.boxes.items() if box.isChecked())
