"""Fixtures for the widget tests: offscreen Qt, a demo vault, and a controller over it.

pytest-qt makes the one QApplication of the session (``qapp``); every test gets its own vault
(a copy of one made once per session).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest
from vault_templates import copy_vault

from vrmdesk.store import keys
from vrmdesk.store.tempcopies import TempCopies
from vrmdesk.store.vault import Vault


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path: Path) -> None:
    """QSettings in a private folder, so no test reads or writes the user's settings."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings")
    )


@pytest.fixture
def demo_vault(tmp_path: Path) -> Iterator[Vault]:
    """A new vault filled with the demo data (closed afterwards if a test has not locked it):
    a copy of the session's demo template (tests/vault_templates.py)."""
    vault, _ = copy_vault(tmp_path / "v", "pw", with_demo=True)
    try:
        yield vault
    finally:
        vault.close()


@pytest.fixture
def controller(demo_vault: Vault, qtbot):  # type: ignore[no-untyped-def]
    """A controller over the demo vault with private temporary copies, locked at teardown
    (which deletes the copies)."""
    from vrmdesk.ui.core.controller import VaultController

    ctrl = VaultController(demo_vault, TempCopies())
    yield ctrl
    ctrl.lock()


@pytest.fixture
def parent(qtbot):  # type: ignore[no-untyped-def]
    """A shown, empty window for dialogs to open over."""
    from PySide6.QtWidgets import QWidget

    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def vendors_page(controller, qtbot):  # type: ignore[no-untyped-def]
    """The Vendors page over the demo vault, shown at 1200 x 800 and filled."""
    from vrmdesk.ui.core.preferences import Preferences
    from vrmdesk.ui.vendors.page import VendorsPage

    vendors = VendorsPage(controller, Preferences())
    qtbot.addWidget(vendors)
    vendors.resize(1200, 800)
    vendors.show()
    controller.notify({"*"})
    return vendors


@pytest.fixture
def private_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """settings.qsettings() in a file of this test's own: QSettings("vrmdesk", "vrmdesk") is in
    the native format, which QSettings.setPath (the isolation above) does not redirect."""
    from PySide6.QtCore import QSettings

    from vrmdesk.ui.core import preferences as settings

    path = str(tmp_path / "page-settings.ini")
    monkeypatch.setattr(settings, "qsettings", lambda: QSettings(path, QSettings.Format.IniFormat))


@pytest.fixture
def second_vault(tmp_path: Path) -> Iterator[Vault]:
    """Another device's vault beside ``demo_vault``: new and empty, made the same way (the sync
    tests pair the two; what the first holds reaches it through the folder)."""
    vault, _ = Vault.create(tmp_path / "second", "pw", kdf=keys.fast_params_for_tests())
    try:
        yield vault
    finally:
        vault.close()


@pytest.fixture
def second_controller(second_vault: Vault, qtbot):  # type: ignore[no-untyped-def]
    """A controller over ``second_vault`` (the other device), locked at teardown."""
    from vrmdesk.ui.core.controller import VaultController

    ctrl = VaultController(second_vault, TempCopies())
    yield ctrl
    ctrl.lock()
