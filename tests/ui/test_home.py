"""The home page shows the first items of a section, counts them all, and shows all on asking;
a long section starts folded with its count, and its title opens or folds it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from record_helpers import add_expiring_warranties

from vrmdesk.store.tempcopies import TempCopies
from vrmdesk.store.vault import Vault
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.home.page import SHOWN, HomePage


@pytest.fixture
def home(vault: Vault, qtbot):  # type: ignore[no-untyped-def]
    with vault.session() as session:
        add_expiring_warranties(session, 30)
    controller = VaultController(vault, TempCopies())
    page = HomePage(controller, Preferences())
    qtbot.addWidget(page)
    page.show()
    page.refresh({"*"})
    yield page
    controller.lock()


def test_a_long_section_starts_folded_with_its_count_and_opens_on_asking(home, qtbot) -> None:  # type: ignore[no-untyped-def]
    section = home.sections["warranties"]
    assert section.title.text() == "Warranties ending soon (30)"
    assert section.is_folded and not section.list.isVisible()
    assert section.title.arrowType() == Qt.ArrowType.RightArrow
    assert section.more.isVisible() and section.more.text() == "Show all 30"
    assert section.peek.isVisible() and section.peek.text() == "Show the first 20"
    qtbot.mouseClick(section.peek, Qt.MouseButton.LeftButton)  # open: the first 20
    assert section.list.isVisible() and section.list.count() == 20 and not section.peek.isVisible()
    qtbot.mouseClick(section.title, Qt.MouseButton.LeftButton)  # folded by its title
    assert not section.list.isVisible() and section.peek.isVisible()
    qtbot.mouseClick(section.title, Qt.MouseButton.LeftButton)  # and opened by it
    assert section.list.isVisible() and not section.is_folded
    assert SHOWN == 20 and section.list.count() == 20
    assert "30 items need your attention" in home.headline.text()
    assert section.more.isVisible() and section.more.text() == "Show all 30"
    qtbot.mouseClick(section.title, Qt.MouseButton.LeftButton)  # and fold it away again
    assert not section.list.isVisible() and section.title.text() == "Warranties ending soon (30)"
    qtbot.mouseClick(section.more, Qt.MouseButton.LeftButton)
    assert section.list.count() == 30
    assert section.list.item(29).text().startswith("Kettle: Warranty 30 ends")
    assert section.title.text() == "Warranties ending soon (30)"
    home.refresh({"warranty"})  # a change elsewhere keeps the section whole
    assert section.list.count() == 30 and section.more.text() == "Show the first 20"
    qtbot.mouseClick(section.more, Qt.MouseButton.LeftButton)
    assert section.list.count() == 20 and section.more.text() == "Show all 30"
    assert section.list.isVisible()  # asked for the first 20: it stays open


def test_a_short_section_has_no_button(home) -> None:  # type: ignore[no-untyped-def]
    follow_ups = home.sections["follow_ups"]
    assert follow_ups.list.count() == 1 and not follow_ups.more.isVisible()  # the empty line
    assert follow_ups.title.text() == "Follow-ups due"


def test_locking_forgets_what_was_shown_in_full(home, qtbot) -> None:  # type: ignore[no-untyped-def]
    section = home.sections["warranties"]
    qtbot.mouseClick(section.more, Qt.MouseButton.LeftButton)
    home.clear()
    assert section.list.count() == 0 and not section.more.isVisible() and home.whole == set()
    assert home.folds == {}
