"""Render the main screens from a fresh demo vault into docs/screenshots/ (offscreen Qt).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

The README shows these files; run this after changing a window so they stay current.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

from vrmdesk.mail.demo import add_demo_mail
from vrmdesk.store import demo, keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.tempcopies import TempCopies
from vrmdesk.store.vault import Vault
from vrmdesk.ui.app.application import make_app
from vrmdesk.ui.core import preferences as settings
from vrmdesk.ui.core.controller import VaultController

SIZE = (1280, 800)


def settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def save(widget: QWidget, out: Path, name: str) -> None:
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs" / "screenshots"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    work = Path(tempfile.mkdtemp(prefix="vrmdesk-shots-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "settings"))
    app = make_app()

    from vrmdesk.ui.vault.create_wizard import CreateVaultWizard
    from vrmdesk.ui.vault.unlock import UnlockDialog

    wizard = CreateVaultWizard(work / "new-vault", kdf=keys.fast_params_for_tests())
    wizard.passphrase_page.first.setText("glacier lantern orbit")
    wizard.passphrase_page.second.setText("glacier lantern orbit")
    wizard.show()
    settle(app)
    save(wizard, args.out, "wizard")
    wizard.close()

    folder = work / "demo-vault"
    vault, _ = Vault.create(folder, "demo", kdf=keys.fast_params_for_tests())
    with vault.session() as session:
        demo.build(session, vault.attachments)
    add_demo_mail(vault)
    vault.close()

    unlock = UnlockDialog(folder)
    unlock.show()
    settle(app)
    save(unlock, args.out, "unlock")
    unlock.close()

    from vrmdesk.ui.app.main_window import MainWindow

    controller = VaultController(Vault.open(folder, "demo"), TempCopies())
    window = MainWindow(controller, settings.Preferences())
    window.resize(*SIZE)
    window.show()
    controller.notify({"*"})
    settle(app)
    save(window, args.out, "home")

    with controller.session() as session:
        bosch = records.find_vendor(session, "Bosch Home Appliances")
        dishwasher = session.query(m.Asset).filter_by(name="Dishwasher").one()
        first_interaction = records.list_records(
            session, m.Interaction, vendor_id=bosch.id, limit=1
        )[0]
    window.open_record("vendor", bosch.id)
    settle(app)
    save(window, args.out, "vendor")
    window.open_record("interaction", first_interaction.id)
    settle(app)
    save(window, args.out, "timeline")
    window.open_record("asset", dishwasher.id)
    settle(app)
    save(window, args.out, "things")
    window.show_page("tickets")
    window.tickets_page.table.selectRow(0)
    settle(app)
    save(window, args.out, "tickets")

    window.show_page("unsorted")
    window.unsorted_page.table.selectRow(0)
    settle(app)
    save(window, args.out, "unsorted")

    from vrmdesk.ui.share.wizard import ShareWizard

    wizard = ShareWizard(controller, bosch.id, window)
    wizard.show()
    for _ in range(3):  # what, redaction, terms -> the preview of exactly what will leave
        wizard.next()
        settle(app)
    save(wizard, args.out, "share-preview")
    wizard.close()

    from vrmdesk.ui.interchange.wizard import ImportWizard

    sheet = work / "things.csv"
    sheet.write_text(
        "Item,Brand,Bought at,Purchase date,Price\n"
        "Coffee grinder,Baratza,Kaffeeland,03/04/2025,249.00\n"
        "Desk lamp,Artemide,Lampenwelt,05/06/2024,189.50\n"
        "Bicycle,Gazelle,Fietsenwinkel,07/08/2023,1299.00\n"
    )
    importer = ImportWizard(controller, window, sheet)
    importer.show()
    settle(app)
    importer.next()  # the whole file is read off the UI thread, then the mapping page shows
    deadline = time.monotonic() + 10
    while importer.currentPage() is not importer.mapping_page and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    settle(app)
    save(importer, args.out, "import-mapping")
    importer.close()

    from vrmdesk.ui.search.dialog import SearchDialog

    dialog = SearchDialog(controller, window)
    dialog.show()
    dialog.field.setText("warranty")
    deadline = time.monotonic() + 5
    while dialog.model.rowCount() == 0 and time.monotonic() < deadline:  # results come off-thread
        app.processEvents()
        time.sleep(0.02)
    settle(app)
    save(dialog, args.out, "search")
    dialog.close()

    from vrmdesk.ui.app.settings_dialog import SettingsDialog

    settings_dialog = SettingsDialog(window.prefs, window, controller=controller)
    settings_dialog.show()
    settings_dialog.tabs.setCurrentWidget(settings_dialog.defaults)
    settle(app)
    save(settings_dialog, args.out, "settings")
    settings_dialog.close()

    from vrmdesk.ui.vendors.terms_dialog import TermsDialog

    with controller.session() as session:
        dyson = records.find_vendor(session, "Dyson").id  # over my contact policy in the demo
    terms = TermsDialog(controller, dyson, window, agreement_id="P2B1")
    terms.show()
    settle(app)
    save(terms, args.out, "terms")
    terms.close()

    from vrmshare.terms import Terms

    from vrmdesk.share import export
    from vrmdesk.share.slice import everything
    from vrmdesk.ui.viewer.window import BundleViewer

    with controller.session() as session:
        selection = everything(session, bosch.id)
    bundle = work / "bosch.vrmshare"
    export.export_bundle(
        controller.vault, selection, Terms(purpose="warranty_claim", retention_days=90), bundle
    )
    viewer = BundleViewer(bundle)  # what the vendor sees, no vault needed
    viewer.resize(*SIZE)
    viewer.show()
    deadline = time.monotonic() + 10
    while viewer.verified is None and not viewer.failure and time.monotonic() < deadline:
        app.processEvents()  # verified off the UI thread
        time.sleep(0.02)
    settle(app)
    save(viewer, args.out, "viewer")
    viewer.close()

    sync_shots(app, controller, work, args.out)

    controller.lock()
    window.close()
    return 0


def sync_shots(app: QApplication, controller: VaultController, work: Path, out: Path) -> None:
    """Pair a device (the comparison shown) and the Conflicts list: the demo vault and a second,
    new vault synced through a temporary folder, the same field edited on both."""
    from vrmdesk.sync import engine
    from vrmdesk.ui.sync.conflicts import ConflictsDialog
    from vrmdesk.ui.sync.pairing import PairDialog

    shared = work / "sync"
    other, _ = Vault.create(work / "second-vault", "demo", kdf=keys.fast_params_for_tests())
    laptop = controller.vault
    engine.init(laptop, shared, name="Laptop")
    engine.init(other, shared, name="Study desktop")
    pair = PairDialog(controller)
    pair.resize(*SIZE)
    pair.show()
    pair.other_code.setText(engine.own_code(other))
    pair.compare()
    settle(app)
    save(pair, out, "sync-pair")
    pair.confirm()
    pair.close()
    engine.pair(other, engine.read_code(engine.own_code(laptop)))
    engine.sync_now(laptop)
    engine.sync_now(other)
    for vault, where in ((laptop, "service"), (other, "support")):
        with vault.session() as session:
            bosch = records.find_vendor(session, "Bosch Home Appliances")
            records.update(session, m.Vendor, bosch.id, website=f"https://bosch.example/{where}")
    with other.session() as session:  # deleted on one device while edited on the other
        grinder = session.query(m.Asset).filter_by(name="Coffee machine").one()
        records.delete_record(session, m.Asset, grinder.id, attachments=other.attachments)
    with laptop.session() as session:
        grinder = session.query(m.Asset).filter_by(name="Coffee machine").one()
        records.update(session, m.Asset, grinder.id, notes="Descaled; the seal was replaced.")
    engine.sync_now(laptop)
    engine.sync_now(other)
    engine.sync_now(laptop)
    conflicts = ConflictsDialog(controller)
    conflicts.resize(*SIZE)
    conflicts.show()
    settle(app)
    save(conflicts, out, "sync-conflicts")
    conflicts.close()
    other.close()


if __name__ == "__main__":
    sys.exit(main())
