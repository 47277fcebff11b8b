"""The share wizard's third page: the terms on which the vendor gets the data, and my name."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWizardPage,
)
from vrmshare.terms import (
    ALLOWED_USES,
    DEFAULT_RETENTION_DAYS,
    MAX_RETENTION_DAYS,
    SHARE_PURPOSES,
    Terms,
)


class TermsPage(QWizardPage):
    def __init__(self, purpose: str, sender_name: str) -> None:
        super().__init__()
        self.setTitle("Terms")
        self.setSubTitle(
            "What the vendor may do with what I share. The terms stand at the top "
            "of the bundle's page and in its signed manifest."
        )
        self.purpose = QComboBox()
        for value, label in SHARE_PURPOSES.items():
            self.purpose.addItem(label, value)
        self.purpose.setCurrentIndex(list(SHARE_PURPOSES).index(purpose))
        self.note = QLineEdit()
        self.note.setPlaceholderText("For example: error E24, repair under warranty")
        self.uses = QButtonGroup(self)
        uses_box = QVBoxLayout()
        self.use_buttons: dict[str, QRadioButton] = {}
        for value, label in ALLOWED_USES.items():
            button = QRadioButton(label)
            self.uses.addButton(button)
            self.use_buttons[value] = button
            uses_box.addWidget(button)
        self.use_buttons["this_request_only"].setChecked(True)
        self.marketing = QCheckBox("Allow &marketing use (offers, newsletters, advertising)")
        self.retention = QSpinBox()
        self.retention.setRange(0, MAX_RETENTION_DAYS)
        self.retention.setValue(DEFAULT_RETENTION_DAYS)
        self.retention.setSuffix(" days")
        self.retention.setSpecialValueText("until the request is handled")
        self.third_parties = QCheckBox(
            "May be passed to &third parties where this request needs it"
        )
        self.sender_name = QLineEdit(sender_name)
        self.sender_name.setAccessibleName("My name")
        self.sender_name.setPlaceholderText("as the vendor should see it (kept, as in Settings)")
        form = QFormLayout(self)
        form.addRow("&Purpose:", self.purpose)
        form.addRow("&About:", self.note)
        form.addRow("Allowed use:", uses_box)
        form.addRow("Marketing:", self.marketing)
        form.addRow("&Keep it for at most:", self.retention)
        form.addRow("Passing on:", self.third_parties)
        form.addRow("&My name as sender:", self.sender_name)
        self.sender_name.textChanged.connect(self.completeChanged)

    def terms(self) -> Terms:
        use = next(v for v, b in self.use_buttons.items() if b.isChecked())
        return Terms(
            purpose=self.purpose.currentData(),
            purpose_note=self.note.text().strip(),
            allowed_use=use,
            marketing=self.marketing.isChecked(),
            retention_days=self.retention.value(),
            third_parties=self.third_parties.isChecked(),
        )

    def isComplete(self) -> bool:
        return bool(self.sender_name.text().strip())
