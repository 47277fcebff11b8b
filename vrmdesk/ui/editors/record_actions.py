"""Editing and deleting a record from any view: the editor opened when needed, and a delete
that asks first (and, for a vendor with records, offers to take them along)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from vrmdesk.errors import InUseError, VrmError
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.widgets import buttons, words


def call_editor(
    parent: QWidget,
    controller: VaultController,
    kind: str,
    record_id: int | None = None,
    defaults: dict[str, Any] | None = None,
) -> int | None:
    """Open the editor of a ``kind`` of record (imported when needed; it tells the controller
    what it saved, so every view refreshes); the id saved, or None."""
    try:
        from vrmdesk.ui.editors.record_editor import edit_record
    except ImportError:
        QMessageBox.information(
            parent, "Editor not available", "Editing records is not available in this build."
        )
        return None
    return edit_record(parent, controller, kind, record_id=record_id, defaults=defaults)


def confirm_delete(
    parent: QWidget, controller: VaultController, kind: str, record_id: int, title: str
) -> bool:
    """Ask, then delete through the controller (undo stays possible). True if deleted."""
    noun = words.noun(kind)
    question = f"Delete the {noun} “{title}”?\n\nUndo brings it back (Ctrl+Z)."
    if not buttons.ask_action(parent, f"Delete {noun}", question, f"&Delete {noun}"):
        return False
    try:
        controller.delete_record(kind, record_id)
        return True
    except InUseError as exc:
        if kind != "vendor" or not ask_cascade(parent, title, str(exc)):
            if kind != "vendor":
                QMessageBox.warning(parent, f"Cannot delete the {noun}", str(exc))
            return False
    except VrmError as exc:
        QMessageBox.warning(parent, f"Cannot delete the {noun}", str(exc))
        return False
    try:
        controller.delete_record(kind, record_id, cascade=True)
        return True
    except VrmError as exc:
        QMessageBox.warning(parent, f"Cannot delete the {noun}", str(exc))
        return False


def ask_cascade(parent: QWidget, title: str, reason: str) -> bool:
    """A vendor still has records: offer to delete it with all of them (the reason says which)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Delete the vendor and everything with it?",
        reason,
        QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setInformativeText(
        f"Delete “{title}” with its tickets, conversation, offers, agreements, registrations and "
        "the warranties it provides? Things it made or sold stay. Undo brings everything back."
    )
    everything = box.addButton("Delete &everything", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is everything
