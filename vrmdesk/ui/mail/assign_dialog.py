"""Assign an unsorted message to a vendor: a vendor picker, and "Also sort mail from @domain to
this vendor", which makes the domain (for free mail: the address) one of the vendor's e-mail
channels and sorts the rest of the Unsorted list by it."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QWidget

from vrmdesk.errors import ValidationError
from vrmdesk.mail.addresses import FREE_MAIL, domain_of
from vrmdesk.mail.sorting import UnsortedRow
from vrmdesk.ui.editors.fields import PickerField
from vrmdesk.ui.editors.form_rows import ErrorLabel


def learnt_channel(address: str) -> str:
    """What learning from ``address`` would add: ``@example.com``, or a free-mail address."""
    domain = domain_of(address)
    return address if domain in FREE_MAIL else f"@{domain}"


class AssignDialog(QDialog):
    def __init__(
        self,
        row: UnsortedRow,
        vendors: list[tuple[int, str]],
        others_from_domain: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Assign to a vendor")
        who = f"{row.name} <{row.correspondent}>" if row.name else row.correspondent
        about = QLabel(f"<b>{escape(row.subject)}</b><br>from {escape(who)}")
        about.setWordWrap(True)
        self.vendor = PickerField("vendor_id", "vendor", optional=False)
        self.vendor.set_accessible("Vendor")
        self.vendor.set_choices(vendors)
        self.vendor.set_value(None)
        line = self.vendor.combo.lineEdit()
        if line is not None:
            line.clear()
        #: what learning would add ("" when the correspondent is no address)
        self.channel = channel = (
            learnt_channel(row.correspondent) if "@" in row.correspondent else ""
        )
        self.learn = QCheckBox(f"&Also sort mail from {channel} to this vendor")
        self.learn.setVisible(bool(channel))
        self.learn.setChecked(channel.startswith("@"))  # a company's domain; free mail: asked
        more = (
            f"{others_from_domain:,} other unsorted message"
            f"{'' if others_from_domain == 1 else 's'} from {channel} will move too."
            if others_from_domain
            else f"Later mail from {channel} goes to this vendor."
        )
        self.learn_hint = QLabel(more)
        self.learn_hint.setEnabled(False)
        self.learn_hint.setVisible(bool(channel))
        self.error = ErrorLabel()
        form = QFormLayout(self)
        form.addRow(about)
        label = QLabel("&Vendor:")
        label.setBuddy(self.vendor.focus_target())
        form.addRow(label, self.vendor)
        form.addRow("", self.learn)
        form.addRow("", self.learn_hint)
        form.addRow("", self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("&Assign")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.vendor.changed.connect(lambda: self.error.set_text(""))
        self.resize(520, self.sizeHint().height())
        self.vendor.focus_target().setFocus()

    def learn_domain(self) -> bool:
        return bool(self.channel) and self.learn.isChecked()

    def vendor_id(self) -> int | None:
        try:
            value = self.vendor.value()
        except ValidationError:
            return None
        return int(value) if value is not None else None

    def accept(self) -> None:
        try:
            if self.vendor.value() is None:
                raise ValidationError("Choose the vendor this message is from.", field="vendor_id")
        except ValidationError as exc:
            self.error.set_text(str(exc))
            self.vendor.focus_target().setFocus()
            return
        super().accept()
