"""Dialog edges: no stock icons on dialog buttons, a folder icon on Browse…, one wizard header
style, the backup message says where, the unlock dialog's keyring note is never clipped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialogButtonBox, QProxyStyle, QPushButton, QStyle, QWizard

from vrmdesk.store import keys
from vrmdesk.store.demo import build
from vrmdesk.store.vault import Vault
from vrmdesk.ui.share.wizard import ShareWizard
from vrmdesk.ui.vault.backups import backup_now
from vrmdesk.ui.vault.create_wizard import CreateVaultWizard
from vrmdesk.ui.vault.unlock import UnlockDialog
from vrmdesk.ui.widgets.buttons import AppStyle
from vrmdesk.ui.widgets.icons import icon


class StockIcons(QProxyStyle):
    """A desktop whose theme puts pictures on dialog buttons (as GNOME's and KDE's do)."""

    def styleHint(self, hint: QStyle.StyleHint, *args: Any) -> int:
        if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
            return 1
        return super().styleHint(hint, *args)


def _ok_icon_with(style: QStyle, qtbot) -> bool:  # type: ignore[no-untyped-def]
    box = QDialogButtonBox()
    qtbot.addWidget(box)
    box.setStyle(style)
    ok = box.addButton(QDialogButtonBox.StandardButton.Save)
    return not ok.icon().isNull()


def test_dialog_buttons_carry_no_stock_icons(qtbot) -> None:  # type: ignore[no-untyped-def]
    assert _ok_icon_with(StockIcons("Fusion"), qtbot)  # the picture the program takes away
    assert not _ok_icon_with(AppStyle(StockIcons("Fusion")), qtbot)


def test_browse_shows_a_folder(controller, qtbot) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from vrmdesk.store import models as m

    with controller.session() as s:
        bosch = s.scalar(select(m.Vendor.id).where(m.Vendor.name == "Bosch Home Appliances"))
    wizard = ShareWizard(controller, bosch, None)
    qtbot.addWidget(wizard)
    browse = next(b for b in wizard.save_page.findChildren(QPushButton) if "Browse" in b.text())
    shown = browse.icon().pixmap(16).toImage()
    assert shown == icon("folder").pixmap(16).toImage()
    assert shown != icon("open").pixmap(16).toImage()


def test_every_wizard_page_has_the_same_header(controller, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from vrmdesk.ui.interchange.wizard import ImportWizard

    wizards = [CreateVaultWizard(tmp_path / "new"), ImportWizard(controller)]
    for wizard in wizards:
        qtbot.addWidget(wizard)
        assert wizard.wizardStyle() == QWizard.WizardStyle.ClassicStyle
        for page_id in wizard.pageIds():
            page = wizard.page(page_id)
            # a page without a subtitle loses the header band and shows its title another way
            assert page.title() and page.subTitle(), type(page).__name__


def test_the_backup_message_says_which_folder(controller, qtbot, parent) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(controller.status, timeout=20000) as said:
        backup_now(parent, controller)
    text = said.args[0]
    folder = controller.vault.paths.backups
    (made,) = [p for p in folder.iterdir() if p.name in text]
    assert text.startswith(f"Backed up to {made.name} in {folder} (")


def _note_fits(dialog: UnlockDialog) -> bool:
    note = dialog.remember_reason
    return note.height() >= note.heightForWidth(note.width()) and (
        dialog.sizeHint().height() <= dialog.height()
    )


def test_the_keyring_note_stays_whole_with_an_error_or_progress(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vault, _ = Vault.create(tmp_path / "v", "right", kdf=keys.fast_params_for_tests())
    with vault.session() as session:
        build(session, vault.attachments)
    vault.close()
    dialog = UnlockDialog(tmp_path / "v")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.remember_reason.isVisible()  # the tests' keyring is the failing one
    assert _note_fits(dialog)
    dialog.show_error(
        "The passphrase is not right. Check Caps Lock and the keyboard layout, and try again; "
        "after several tries, use the recovery key."
    )
    qtbot.wait(10)
    assert dialog.error.isVisible() and _note_fits(dialog)
    assert dialog.error.height() >= dialog.error.heightForWidth(dialog.error.width())
    dialog.error.hide()
    dialog._set_busy(True)
    qtbot.wait(10)
    assert dialog.busy.isVisible() and _note_fits(dialog)
    dialog._set_busy(False)
