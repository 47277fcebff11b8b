"""Home you can act on: overdue items stand out, Done and Snooze from the keys and the menu,
and a new vault says where to start."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMenu
from sqlalchemy import select

from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.tempcopies import TempCopies
from vrmdesk.store.vault import Vault
from vrmdesk.ui.core.controller import VaultController
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.home.page import HomePage
from vrmdesk.ui.home.snooze_dialog import SnoozeDialog
from vrmdesk.ui.widgets.dates import show_date

TODAY = date.today()
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def make_page(vault: Vault, qtbot) -> tuple[HomePage, VaultController]:  # type: ignore[no-untyped-def]
    controller = VaultController(vault, TempCopies())
    page = HomePage(controller, Preferences())
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    page.refresh({"*"})
    return page, controller


@pytest.fixture
def home(vault: Vault, qtbot):  # type: ignore[no-untyped-def]
    with vault.session() as s:
        bosch = records.create(s, m.Vendor, name="Bosch").id
        kettle = records.create(s, m.Asset, name="Kettle", purchase_date=date(2024, 1, 1)).id
        records.create(
            s, m.Ticket, vendor_id=bosch, title="Soon", opened_on=TODAY, follow_up_on=TODAY
        )
        records.create(
            s,
            m.Ticket,
            vendor_id=bosch,
            title="Leaks",
            opened_on=TODAY - timedelta(days=9),
            follow_up_on=TODAY - timedelta(days=4),
        )
        records.create(
            s, m.Warranty, asset_id=kettle, title="Two years", end_date=TODAY + timedelta(days=9)
        )
        records.create(
            s,
            m.ServiceEvent,
            asset_id=kettle,
            description="Descale",
            performed_on=TODAY - timedelta(days=200),
            next_due=TODAY + timedelta(days=3),
            interval_months=6,
        )
    page, controller = make_page(vault, qtbot)
    yield page
    controller.lock()


def texts(page: HomePage, key: str) -> list[str]:
    section = page.sections[key].list
    return [section.item(i).text() for i in range(section.count())]


def select_row(page: HomePage, key: str, row: int) -> None:
    section = page.sections[key].list
    section.setFocus()
    section.setCurrentRow(row)


def test_an_overdue_item_says_so_stands_out_and_comes_first(home) -> None:  # type: ignore[no-untyped-def]
    first, second = texts(home, "follow_ups")
    assert first == "Overdue · Bosch: Leaks — follow up 4 days ago"
    assert second == "Bosch: Soon — follow up today"  # due, not late: no word
    rows = home.sections["follow_ups"].list
    assert rows.item(0).font().bold() and not rows.item(1).font().bold()
    assert rows.item(0).foreground().color() != rows.item(1).foreground().color()
    assert home.headline.text() == "4 items need your attention, 1 overdue"


def test_ctrl_d_on_a_follow_up_clears_its_date(home, vault, qtbot) -> None:  # type: ignore[no-untyped-def]
    messages: list[str] = []
    home.controller.status.connect(messages.append)
    select_row(home, "follow_ups", 0)
    qtbot.keyClick(
        home.sections["follow_ups"].list, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier
    )
    assert texts(home, "follow_ups") == ["Bosch: Soon — follow up today"]
    assert messages == ["Followed up “Leaks”: its follow-up date is cleared. Undo with Ctrl+Z."]
    with vault.session() as s:
        leaks = s.scalars(select(m.Ticket).where(m.Ticket.title == "Leaks")).one()
        assert leaks.follow_up_on is None and leaks.status == m.TicketStatus.OPEN
    # the next row is selected: Ctrl+D again deals with it
    qtbot.keyClick(
        home.sections["follow_ups"].list, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier
    )
    assert texts(home, "follow_ups") == ["No follow-up is due."]


def test_ctrl_d_on_a_service_records_it_done_today(home, vault, qtbot) -> None:  # type: ignore[no-untyped-def]
    select_row(home, "service", 0)
    qtbot.keyClick(home.sections["service"].list, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert texts(home, "service") == ["No service is due."]
    with vault.session() as s:
        done = s.scalars(select(m.ServiceEvent).where(m.ServiceEvent.performed_on == TODAY)).one()
        assert done.description == "Descale" and done.next_due is not None


def test_ctrl_shift_d_snoozes_a_week_and_it_stays_snoozed(home, vault, qtbot) -> None:  # type: ignore[no-untyped-def]
    select_row(home, "warranties", 0)
    qtbot.keyClick(
        home.sections["warranties"].list,
        Qt.Key.Key_D,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert texts(home, "warranties") == ["No warranty ends soon."]
    with vault.session() as s:
        (mark,) = s.scalars(select(m.AttentionMark))
        assert (mark.section, mark.until) == ("warranties", TODAY + timedelta(days=7))
    again, _ = make_page(vault, qtbot)  # another window on the vault: still hidden
    assert texts(again, "warranties") == ["No warranty ends soon."]


def choose_from_menu(qtbot, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    """When the menu pops up: note its entries and choose the one starting with ``text``."""
    seen: list[str] = []

    def choose() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        seen.extend(a.text() for a in menu.actions() if not a.isSeparator())
        (action,) = [a for a in menu.actions() if a.text().startswith(text)]
        menu.setActiveAction(action)
        qtbot.keyClick(menu, Qt.Key.Key_Return)

    QTimer.singleShot(0, choose)
    return seen


def test_the_row_menu_says_what_done_does_and_snoozes_until_tomorrow(home, vault, qtbot) -> None:  # type: ignore[no-untyped-def]
    select_row(home, "follow_ups", 1)
    seen = choose_from_menu(qtbot, "Snooze until tomorrow")
    qtbot.keyClick(
        home.sections["follow_ups"].list, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier
    )
    tomorrow = TODAY + timedelta(days=1)
    assert seen[:2] == ["&Open", "&Done: clear the follow-up date"]
    assert f"Snooze until tomorrow ({tomorrow:%a} {show_date(tomorrow)})" in seen
    assert seen[-1] == "Snooze &until a day…"
    assert texts(home, "follow_ups") == ["Overdue · Bosch: Leaks — follow up 4 days ago"]
    with vault.session() as s:
        (mark,) = s.scalars(select(m.AttentionMark))
        assert mark.until == tomorrow


def test_the_menu_key_opens_the_menu_of_the_current_row(home, vault, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QContextMenuEvent

    select_row(home, "follow_ups", 1)
    choose_from_menu(qtbot, "&Done")
    rows = home.sections["follow_ups"].list
    corner = rows.rect().topLeft()  # where a keyboard's menu event says: not at a row
    keyboard = QContextMenuEvent.Reason.Keyboard
    QApplication.sendEvent(rows, QContextMenuEvent(keyboard, corner, rows.mapToGlobal(corner)))
    assert texts(home, "follow_ups") == ["Overdue · Bosch: Leaks — follow up 4 days ago"]


def test_a_right_click_opens_the_menu_of_the_row_under_the_mouse(home, vault, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QContextMenuEvent

    select_row(home, "follow_ups", 0)
    choose_from_menu(qtbot, "&Done")
    rows = home.sections["follow_ups"].list
    at = rows.visualItemRect(rows.item(1)).center()  # the second row, not the current one
    mouse = QContextMenuEvent.Reason.Mouse
    QApplication.sendEvent(
        rows.viewport(), QContextMenuEvent(mouse, at, rows.viewport().mapToGlobal(at))
    )
    assert texts(home, "follow_ups") == ["Overdue · Bosch: Leaks — follow up 4 days ago"]


def test_snooze_until_a_day_refuses_today_then_takes_a_later_day(home, vault, qtbot) -> None:  # type: ignore[no-untyped-def]
    select_row(home, "warranties", 0)
    checked: list[str] = []

    def type_days() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SnoozeDialog)
        dialog.input.edit.clear()
        qtbot.keyClicks(dialog.input.edit, f"{TODAY:%Y-%m-%d}")
        qtbot.keyClick(dialog.input.edit, Qt.Key.Key_Return)
        checked.append(dialog.error.text())
        assert dialog.isVisible()  # refused: it stays open, nothing written
        dialog.input.edit.clear()
        qtbot.keyClicks(dialog.input.edit, f"{TODAY + timedelta(days=20):%Y-%m-%d}")
        qtbot.keyClick(dialog.input.edit, Qt.Key.Key_Return)

    QTimer.singleShot(0, type_days)
    home._snooze_until("warranties")  # the menu's "Snooze until a day…"
    assert checked == ["Snooze until a day after today."]
    with vault.session() as s:
        (mark,) = s.scalars(select(m.AttentionMark))
        assert mark.until == TODAY + timedelta(days=20)
    assert texts(home, "warranties") == ["No warranty ends soon."]


def test_a_new_vault_says_where_to_start(vault, qtbot) -> None:  # type: ignore[no-untyped-def]
    page, controller = make_page(vault, qtbot)
    try:
        assert page.start_here.isVisible() and page.headline.text() == "Welcome to your vault"
        assert not any(section.isVisible() for section in page.sections.values())
        buttons = page.start_here.buttons
        assert [b.text() for b in buttons.values()] == [
            "Add a &vendor…",
            "Import a &spreadsheet…",
            "Import &mail…",
        ]
        for command, button in buttons.items():
            with qtbot.waitSignal(page.start) as asked:
                qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            assert asked.args == [command]
        with controller.session() as s:
            records.create(s, m.Vendor, name="Bosch")
        controller.notify({"vendor"})
        assert not page.start_here.isVisible()
        assert page.headline.text() == "Nothing needs your attention."
        assert all(section.isVisible() for section in page.sections.values())
    finally:
        controller.lock()


def test_done_and_snooze_are_undone_with_ctrl_z_in_the_window(controller, qtbot) -> None:  # type: ignore[no-untyped-def]
    from vrmdesk.ui.app.main_window import MainWindow

    window = MainWindow(controller, Preferences())
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    controller.notify({"*"})
    home = window.home_page
    follow_ups, notices = texts(home, "follow_ups"), texts(home, "notice")
    select_row(home, "follow_ups", 0)
    qtbot.keyClick(home.sections["follow_ups"].list, Qt.Key.Key_D, CTRL)
    select_row(home, "notice", 0)
    qtbot.keyClick(home.sections["notice"].list, Qt.Key.Key_D, CTRL | SHIFT)
    assert texts(home, "follow_ups") == follow_ups[1:] and texts(home, "notice") == notices[1:]
    undo = window.commands.undo
    assert undo.text().startswith("&Undo snooze of “")
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert texts(home, "notice") == notices
    assert undo.text().startswith("&Undo Done on “")
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert texts(home, "follow_ups") == follow_ups
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL | SHIFT)  # and redone
    assert texts(home, "follow_ups") == follow_ups[1:]
