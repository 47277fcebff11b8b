"""One dialog that creates or edits a record of any kind, built from the kind's field specs.

``edit_record(parent, controller, kind, record_id=None, defaults=None)`` shows it for a kind of
record ("ticket" …) and returns the saved record's id (None when cancelled). Problems show
under the field they concern: required fields and formats as the user types, and the core's
:class:`ValidationError` on save, in which
case nothing is written and the dialog stays open. An interaction's editor also lists its files
(receipts, photos of the fault) to add, preview, open, save or remove; a new one gets them once
it is saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from vrmdesk.errors import ValidationError, VrmError
from vrmdesk.store.services import editing
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.editors.fields import Field, PickerField, TextField
from vrmdesk.ui.editors.form_rows import (
    ErrorLabel,
    FormRows,
    checked_values,
    on_ctrl_enter,
    report_save_error,
)
from vrmdesk.ui.editors.specs import (
    SPECS,
    build_field,
    load_choices,
)
from vrmdesk.ui.files.panel import AttachmentsPanel
from vrmdesk.ui.widgets import buttons
from vrmdesk.ui.widgets.words import NOUNS


class RecordEditor(QDialog):
    """The editor of one record; ``record_id`` is set once it has been saved."""

    def __init__(
        self,
        controller: VaultController,
        kind: str,
        record_id: int | None = None,
        defaults: Mapping[str, Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.kind = kind
        self.record_id = record_id
        self.is_new = record_id is None
        self.noun = NOUNS.get(kind, kind)
        self.specs = SPECS[kind]
        infos = editing.fields_of(kind)
        self.setWindowTitle(f"New {self.noun}" if self.is_new else f"Edit {self.noun}")
        self.setAccessibleName(self.windowTitle())

        with controller.session() as session:
            choices = load_choices(session, self.specs)
            values = (
                editing.initial_values(kind)
                if record_id is None
                else editing.stored_values(session, kind, record_id)
            )
        values.update(defaults or {})

        body = QWidget()
        column = QVBoxLayout(body)
        form = QFormLayout()
        column.addLayout(form)
        column.addStretch(1)
        # Save and Cancel keep their letters (and an interaction's Add files… its own)
        self.rows = FormRows(form, reserved="sca" if kind == "interaction" else "sc")
        self.fields: dict[str, Field] = {}
        for spec in self.specs:
            info = infos.get(spec.name) or editing.FieldInfo(spec.name, nullable=True)
            field = build_field(spec, info, choices, self.is_new)
            self.rows.add(spec.label, field, required=spec.required, hint=spec.hint)
            self.fields[spec.name] = field
        for field in self.fields.values():
            field.set_values(values)
            if isinstance(field, TextField):  # Enter makes a new line there; Ctrl+Enter saves
                on_ctrl_enter(field.edit, self.save)
        self._wire_ticket_picker(values)
        self.rows.clear_messages()

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)

        self.general_error = ErrorLabel()
        self.general_error.label.setAccessibleName("Problem")
        self.buttons = buttons.save_cancel(self, self.save)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        bottom = QHBoxLayout()
        if any(spec.required for spec in self.specs):
            legend = QLabel("* required")
            legend.setEnabled(False)
            bottom.addWidget(legend)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 3)
        self.attachments: AttachmentsPanel | None = None
        if kind == "interaction":  # the files of a message travel with it
            layout.addWidget(self._files(record_id), 1)
        layout.addWidget(self.general_error)
        layout.addLayout(bottom)
        self._size_to(body)
        # start where there is something to type: the first field the caller did not fill in
        given = set(defaults or {})
        first = next((r for r in self.rows.rows if not set(r.names) & given), None)
        if first is not None:
            first.field.focus_target().setFocus()
        controller.locked.connect(self.reject)  # nothing of the vault stays on screen

    def _files(self, record_id: int | None) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(QLabel("Files"))
        self.attachments = AttachmentsPanel(self.controller, box)
        self.attachments.setAccessibleName(f"Files of this {self.noun}")
        self.attachments.setMinimumHeight(150)
        for button, text in (
            (self.attachments.open_button, "Open"),
            (self.attachments.save_button, "Save a copy…"),
            (self.attachments.remove_button, "Remove"),
        ):
            button.setText(text)  # the form's fields and Save and Cancel own the letters
        column.addWidget(self.attachments, 1)
        if record_id is not None:
            self.attachments.set_owner(self.kind, record_id)
        else:
            self.attachments.empty.setText(f"Save the {self.noun} first, then attach files to it.")
        return box

    # -- loading -----------------------------------------------------------------------------
    def _wire_ticket_picker(self, values: Mapping[str, Any]) -> None:
        """A ticket picker offers the tickets of the vendor chosen above it."""
        ticket = self.fields.get("ticket_id")
        vendor = self.fields.get("vendor_id")
        if not isinstance(ticket, PickerField) or vendor is None:
            return
        self._ticket_vendor: int | None = -1

        def reload() -> None:
            try:
                vendor_id = vendor.value()
            except ValidationError:
                vendor_id = None
            if vendor_id == self._ticket_vendor:
                return
            self._ticket_vendor = vendor_id
            with self.controller.session() as session:
                ticket.set_choices(editing.ticket_choices(session, vendor_id))

        vendor.changed.connect(reload)
        reload()
        ticket.set_value(values.get("ticket_id"))

    def _size_to(self, body: QWidget) -> None:
        screen = self.screen().availableGeometry() if self.screen() else None
        hint = body.sizeHint()
        height = hint.height() + (290 if self.attachments is not None else 110)
        if screen is not None:
            height = min(height, int(screen.height() * 0.85))
        self.resize(max(520, hint.width() + 60), height)

    # -- saving ------------------------------------------------------------------------------
    def save(self) -> bool:
        """Check, then create or update through the core; False (and messages) if refused."""
        values = checked_values(self.rows, self.general_error)
        if values is None:
            return False
        try:
            if self.is_new or self.record_id is None:
                with self.controller.session() as session:
                    saved = editing.save_record(session, self.kind, None, values)
            else:  # an edit: Undo (Ctrl+Z) takes it back
                saved = self.controller.save_edit(self.kind, self.record_id, values)
        except VrmError as exc:
            report_save_error(self.rows, self.general_error, exc)
            return False
        self.record_id = saved.id
        # the tags went with it: lists that filter by tag refresh their choices
        kinds = {self.kind, "tagging"} if editing.TAGS in values else {self.kind}
        self.controller.notify(kinds, f"Saved the {self.noun} “{saved.title}”.")
        self.accept()
        return True

    def field(self, name: str) -> Field:
        return self.fields[name]


def edit_record(
    parent: QWidget | None,
    controller: VaultController,
    kind: str,
    record_id: int | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> int | None:
    """Show the editor of a ``kind`` of record; the saved record's id, or None if cancelled."""
    try:
        dialog = RecordEditor(controller, kind, record_id, defaults, parent)
    except VrmError as exc:  # the record went away (deleted elsewhere), the vault locked …
        QMessageBox.warning(parent, "Cannot edit", str(exc))
        return None
    try:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.record_id
        return None
    finally:
        dialog.deleteLater()
