"""Quick capture: record an exchange with a vendor from anywhere (Ctrl+I).

Vendor (searchable, preselected when the window knows one), channel, direction, subject and text,
optionally the vendor's ticket it belongs to, and when (now unless changed). Enter saves, and
Ctrl+Enter saves from inside the text. The core checks it; problems show under the field.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import ValidationError, VrmError
from vrmdesk.store.services import editing
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.editors.dates import DateTimeField
from vrmdesk.ui.editors.fields import (
    EnumField,
    Field,
    LineField,
    PickerField,
    TextField,
    human,
)
from vrmdesk.ui.editors.form_rows import (
    ErrorLabel,
    FormRows,
    checked_values,
    on_ctrl_enter,
    report_save_error,
)


class DirectionField(Field):
    """Inbound or outbound, as two radio buttons (arrow keys move between them)."""

    def __init__(self, name: str, used: set[str]) -> None:
        super().__init__((name,))
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        texts = {"inbound": "&From them", "outbound": "T&o them"}  # words.DIRECTION, with keys
        for direction in editing.choices("interaction", "direction"):
            button = QRadioButton(texts.get(direction, human(direction)))
            button.setAccessibleName(texts[direction].replace("&", ""))
            self.group.addButton(button)
            self.buttons[direction] = button
            self.layout_.addWidget(button)
        self.layout_.addStretch(1)
        used.update({"f", "o"})
        self.buttons["inbound"].setChecked(True)
        self.group.buttonToggled.connect(lambda *_: self.changed.emit())

    def value(self) -> str:
        return next(d for d, b in self.buttons.items() if b.isChecked())

    def set_value(self, value: object) -> None:
        button = self.buttons.get(getattr(value, "value", str(value)))
        if button is not None:
            button.setChecked(True)

    def focus_target(self) -> QWidget:
        return next(b for b in self.buttons.values() if b.isChecked())

    def set_accessible(self, name: str) -> None:
        pass


class QuickCaptureDialog(QDialog):
    def __init__(
        self,
        controller: VaultController,
        parent: QWidget | None = None,
        vendor_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.interaction_id: int | None = None
        self.setWindowTitle("Quick capture")
        self.setAccessibleName("Quick capture: record an interaction")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        form = QFormLayout()
        self.rows = FormRows(form, reserved="sc")
        self.vendor = PickerField("vendor_id", "vendor", optional=False)
        self.ticket = PickerField("ticket_id", "ticket", optional=True)
        self.channel = EnumField("channel", editing.choices("interaction", "channel"))
        self.direction = DirectionField("direction", self.rows.used)
        self.when = DateTimeField("occurred_at")
        self.subject = LineField("subject", 500, placeholder="what it was about")
        self.body = TextField("body", lines=6)
        self.rows.add("Vendor", self.vendor, required=True)
        self.rows.add("Ticket", self.ticket)
        self.rows.add("Channel", self.channel)
        self.rows.add("Direction", self.direction)
        self.rows.add("When", self.when)
        self.rows.add("Subject", self.subject)
        self.rows.add("Text", self.body, hint="Ctrl+Enter saves from here.")

        with controller.session() as session:
            self.vendor.set_choices(editing.vendor_choices(session))
        self._ticket_vendor: int | None = -1
        self.vendor.changed.connect(self._reload_tickets)
        self.vendor.set_value(vendor_id)
        self._reload_tickets()
        self.rows.clear_messages()
        on_ctrl_enter(self.body.edit, self.save)

        self.general_error = ErrorLabel()
        self.general_error.label.setAccessibleName("Problem")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText("&Save")
        save.setDefault(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Cancel")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        hint = QLabel("Enter saves.")
        hint.setEnabled(False)
        bottom = QHBoxLayout()
        bottom.addWidget(hint)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addLayout(bottom)
        self.resize(560, self.sizeHint().height())
        (self.subject if vendor_id is not None else self.vendor).focus_target().setFocus()
        controller.locked.connect(self.reject)  # nothing of the vault stays on screen

    def _reload_tickets(self) -> None:
        try:
            vendor_id = self.vendor.value()
        except ValidationError:
            vendor_id = None
        if vendor_id == self._ticket_vendor:
            return
        self._ticket_vendor = vendor_id
        with self.controller.session() as session:
            self.ticket.set_choices(editing.ticket_choices(session, vendor_id))

    def save(self) -> bool:
        """Record the interaction; False (with the problem under its field) if refused."""
        values = checked_values(self.rows, self.general_error)
        if values is None:
            return False
        try:
            with self.controller.session() as session:
                captured = editing.capture_interaction(session, values)
        except VrmError as exc:
            report_save_error(self.rows, self.general_error, exc)
            return False
        self.interaction_id = captured.id
        kinds = {"interaction", "ticket"} if values.get("ticket_id") else {"interaction"}
        channel = human(values["channel"]).lower()
        self.controller.notify(
            kinds, f"Recorded the interaction with {captured.vendor} ({channel})."
        )
        self.accept()
        return True
