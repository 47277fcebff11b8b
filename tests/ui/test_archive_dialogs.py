"""File → Export → Everything (archive) and File → Import an archive: the whole vault out as an
age-encrypted file and back into a new, empty vault, typed and clicked as a person does."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyrage import x25519
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox, QRadioButton

from vrmdesk.interchange import archive
from vrmdesk.store import keys
from vrmdesk.store.tempcopies import TempCopies
from vrmdesk.store.vault import Vault
from vrmdesk.ui.interchange import archive as archive_ui


@pytest.fixture
def empty_controller(tmp_path: Path, qtbot):  # type: ignore[no-untyped-def]
    from vrmdesk.ui.core.controller import VaultController

    vault, _ = Vault.create(tmp_path / "new", "pw", kdf=keys.fast_params_for_tests())
    ctrl = VaultController(vault, TempCopies())
    yield ctrl
    ctrl.lock()


def retype(qtbot, field: QLineEdit, text: str) -> None:  # type: ignore[no-untyped-def]
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def pick(qtbot, dialog: archive_ui.ArchiveExportDialog, how: str) -> None:  # type: ignore[no-untyped-def]
    button = next(b for b in dialog.how.buttons() if b.property("how") == how)
    assert isinstance(button, QRadioButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))


def rows_of_every_kind(vault: Vault) -> dict[str, int]:
    with vault.session() as session:
        return archive.records_in(session)


def test_export_waits_for_matching_passphrases_then_the_archive_imports_into_a_new_vault(  # type: ignore[no-untyped-def]
    qtbot, controller, empty_controller, parent, tmp_path
):
    dialog = archive_ui.export_archive(parent, controller)
    qtbot.waitExposed(dialog)
    retype(qtbot, dialog.target.edit, str(tmp_path / "mine"))
    assert not dialog.export_button.isEnabled()
    assert dialog.problem.text() == "Choose a passphrase for the archive."
    qtbot.keyClicks(dialog.passphrase, "moving house")
    qtbot.keyClicks(dialog.again, "moving hous")
    assert dialog.problem.text() == "The two passphrases differ."
    assert not dialog.export_button.isEnabled()
    qtbot.keyClicks(dialog.again, "e")
    assert dialog.export_button.isEnabled() and dialog.problem.text() == ""
    with qtbot.waitSignal(controller.status, timeout=30000) as said:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    out = tmp_path / "mine.vrmarchive"
    assert str(said.args[0]).startswith("Exported everything (") and str(out) in said.args[0]
    assert archive.encryption_of(out) == "passphrase"

    importing = archive_ui.import_archive(parent, empty_controller)
    assert importing is not None
    qtbot.waitExposed(importing)
    assert not importing.import_button.isEnabled()
    qtbot.keyClicks(importing.source.edit, str(out))
    assert importing.passphrase.isEnabled() and not importing.identity.isEnabled()
    assert "type it" in importing.problem.text()
    qtbot.keyClicks(importing.passphrase, "moving house")
    assert importing.import_button.isEnabled()
    with qtbot.waitSignal(empty_controller.changed, timeout=30000):
        qtbot.mouseClick(importing.import_button, Qt.MouseButton.LeftButton)
    assert rows_of_every_kind(empty_controller.vault) == rows_of_every_kind(controller.vault)


def test_a_wrong_passphrase_is_told_and_nothing_is_imported(  # type: ignore[no-untyped-def]
    qtbot, controller, empty_controller, parent, tmp_path, monkeypatch
):
    out = tmp_path / "a.vrmarchive"
    archive.export_archive(controller.vault, out, passphrase="right", work_factor=10)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "open", lambda box: told.append(box.text()))
    importing = archive_ui.import_archive(parent, empty_controller)
    assert importing is not None
    qtbot.keyClicks(importing.source.edit, str(out))
    qtbot.keyClicks(importing.passphrase, "wrong")
    qtbot.mouseClick(importing.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(told), timeout=30000)
    assert told[0].startswith("Nothing was imported: ") and "passphrase" in told[0]
    assert not any(rows_of_every_kind(empty_controller.vault).values())


def test_to_a_recipient_and_plain_and_a_vault_with_records_is_refused(  # type: ignore[no-untyped-def]
    qtbot, controller, parent, tmp_path, monkeypatch
):
    dialog = archive_ui.export_archive(parent, controller)
    pick(qtbot, dialog, "recipient")
    assert not dialog.passphrase.isEnabled() and dialog.recipient.isEnabled()
    assert dialog.problem.text() == "Paste the age recipient."
    qtbot.keyClicks(dialog.recipient, "age1notakey")
    assert not dialog.export_button.isEnabled() and dialog.problem.text()
    retype(qtbot, dialog.recipient, str(x25519.Identity.generate().to_public()))
    assert dialog.export_button.isEnabled()
    pick(qtbot, dialog, "plain")
    assert dialog.export_button.isEnabled()
    assert dialog.problem.text().startswith("Not encrypted: whoever gets this file")
    dialog.reject()

    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "open", lambda box: told.append(box.text()))
    assert archive_ui.import_archive(parent, controller) is None  # the demo vault has records
    assert told and "rebuilt into an empty vault" in told[0]
