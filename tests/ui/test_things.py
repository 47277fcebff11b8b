"""The Things page: every thing across vendors, its filters, and the page of one thing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel
from sqlalchemy import func, select

from vrmdesk.store import models as m
from vrmdesk.store.services import records, things
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.editors import record_editor as editors
from vrmdesk.ui.editors.record_editor import RecordEditor
from vrmdesk.ui.things import thing_panel as asset_panel
from vrmdesk.ui.things.page import ThingsPage


@pytest.fixture(autouse=True)
def _native_qsettings_in_tmp(tmp_path):  # type: ignore[no-untyped-def]
    """``settings.qsettings()`` is QSettings("vrmdesk", "vrmdesk"): the native format, whose path
    the shared conftest does not redirect (yet); keep it out of the user's real settings too."""
    from PySide6.QtCore import QSettings

    QSettings.setPath(
        QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "native")
    )


@pytest.fixture
def page(controller, qtbot):  # type: ignore[no-untyped-def]
    widget = ThingsPage(controller, Preferences())
    qtbot.addWidget(widget)
    widget.resize(1030, 700)
    widget.show()
    return widget


def asset_id(controller, name: str) -> int:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return int(s.scalar(select(m.Asset.id).where(m.Asset.name == name)))


def shown(page: ThingsPage) -> list[str]:
    return [page.proxy.index(r, 0).data() for r in range(page.proxy.rowCount())]


def column(page: ThingsPage, header: str) -> int:
    return [c.header for c in page.model.columns].index(header)


def cell(page: ThingsPage, name: str, header: str) -> str:
    row = shown(page).index(name)
    return page.proxy.index(row, column(page, header)).data()


def choose(combo, text: str) -> None:  # type: ignore[no-untyped-def]
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)


# -- the list -----------------------------------------------------------------------------------
def test_the_list_shows_every_thing_with_maker_seller_and_warranty_state(page, qtmodeltester):
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.proxy)
    assert len(shown(page)) == 13 and shown(page) == sorted(shown(page), key=str.casefold)
    assert page.count_label.text() == "13 things"
    assert [c.header for c in page.model.columns] == [
        "Name",
        "Category",
        "Maker",
        "Seller",
        "Location",
        "Warranty",
        "Purchased",
    ]
    assert (cell(page, "Dishwasher", "Maker"), cell(page, "Dishwasher", "Seller")) == (
        "Bosch Home Appliances",
        "MediaMarkt",
    )
    assert cell(page, "Car", "Maker") == ""
    # the dishwasher's maker warranty is expiring, but the extended one covers it: its best state
    assert cell(page, "Dishwasher", "Warranty") == "Active"
    assert cell(page, "Oven", "Warranty") == "Expired"
    assert cell(page, "Gas boiler", "Warranty") == "None"
    oven = page.proxy.index(shown(page).index("Oven"), column(page, "Warranty"))
    assert not oven.data(Qt.ItemDataRole.DecorationRole).isNull()  # coloured icon beside the text
    assert "ended" in oven.data(Qt.ItemDataRole.ToolTipRole)
    purchased = (date.today() - timedelta(days=705)).strftime("%d %b %Y")
    assert cell(page, "Dishwasher", "Purchased") == purchased


def test_filters_by_category_location_and_text(page, qtbot):
    assert page.category_combo.itemText(0) == "All categories"
    categories = [page.category_combo.itemText(i) for i in range(1, page.category_combo.count())]
    assert categories == [
        "Cleaning",
        "Electronics",
        "Heating",
        "Home",
        "Kitchen",
        "Laundry",
        "Office",
        "Vehicle",
    ]
    choose(page.category_combo, "Kitchen")
    assert shown(page) == ["Coffee machine", "Dishwasher", "Fridge freezer", "Oven"]
    assert page.count_label.text() == "4 of 13"
    choose(page.location_combo, "Kitchen")
    assert len(shown(page)) == 4
    qtbot.keyClicks(page.filter_edit, "bosch")  # the maker's name
    assert shown(page) == ["Dishwasher", "Oven"]
    page.filter_edit.clear()
    choose(page.category_combo, "All categories")
    choose(page.location_combo, "Office")
    assert shown(page) == ["Laptop", "Work monitor"]
    choose(page.location_combo, "All locations")
    qtbot.keyClicks(page.filter_edit, "SMS6ZCI49E")  # a model number
    assert shown(page) == ["Dishwasher"]
    page.filter_edit.setText("mediamarkt kitchen")  # every word must match somewhere
    assert shown(page) == ["Dishwasher", "Fridge freezer", "Oven"]
    page.filter_edit.setText("no such thing")
    assert shown(page) == [] and "No thing matches" in page.empty.text()
    assert page.right.isHidden()


def test_sorting_by_a_column_keeps_the_thing_selected(page, qtmodeltester):
    page.show_asset(asset_id(page.controller, "Television"))
    page.table.sortByColumn(column(page, "Warranty"), Qt.SortOrder.AscendingOrder)
    states = [
        page.proxy.index(r, column(page, "Warranty")).data() for r in range(page.proxy.rowCount())
    ]
    order = ["Active", "Expiring", "Not started", "Expired", "Void", "None"]
    assert states == sorted(states, key=order.index)
    assert page.current_asset_id() == asset_id(page.controller, "Television")
    page.table.sortByColumn(column(page, "Purchased"), Qt.SortOrder.DescendingOrder)
    assert shown(page)[0] == "Air purifier"  # bought most recently
    qtmodeltester.check(page.proxy)


def test_show_asset_selects_the_thing_and_its_record(page):
    controller = page.controller
    dishwasher = asset_id(controller, "Dishwasher")
    with controller.session() as s:
        extended = s.scalar(
            select(m.Warranty.id).where(
                m.Warranty.title.like("Extended%"), m.Warranty.asset_id == dishwasher
            )
        )
        ticket = s.scalar(select(m.Ticket.id).where(m.Ticket.asset_id == dishwasher))
    page.filter_edit.setText("oven")  # a filter that hides it is cleared
    page.show_asset(dishwasher, "warranty", extended)
    assert page.filter_edit.text() == ""
    assert page.current_asset_id() == dishwasher
    panel = page.panel
    assert page.right.currentWidget() is panel and panel.title.text() == "Dishwasher"
    assert panel.tabs.currentWidget() is panel.sections["warranty"]
    assert panel.sections["warranty"].current_id() == extended
    assert panel.facts["Maker"].text().endswith(">Bosch Home Appliances</a>")
    assert panel.facts["Price"].text() == "749.00 EUR"

    page.show_asset(dishwasher, "ticket", ticket)
    assert panel.tabs.currentWidget() is panel.sections["ticket"]
    assert panel.sections["ticket"].current_id() == ticket
    opened: list[tuple[str, int]] = []
    page.open_record.connect(lambda kind, rid: opened.append((kind, rid)))
    panel.sections["ticket"].open_button.click()
    assert opened == [("ticket", ticket)]
    with controller.session() as s:
        bosch = records.find_vendor(s, "Bosch Home Appliances").id
    assert f'href="vendor:{bosch}"' in panel.facts["Maker"].text()
    panel.facts["Maker"].linkActivated.emit(f"vendor:{bosch}")  # the maker's link opens the vendor
    assert opened[-1] == ("vendor", bosch)


def test_the_thing_page_lists_warranties_registrations_service_and_tickets(page, qtmodeltester):
    boiler = asset_id(page.controller, "Gas boiler")
    page.show_asset(boiler, "service_event")
    panel = page.panel
    for section in panel.sections.values():
        qtmodeltester.check(section.model)
    service = panel.sections["service_event"].model
    assert [service.index(r, 1).data() for r in range(service.rowCount())] == [
        "Annual boiler service",
        "Annual boiler service",
    ]
    latest_due = service.rows[0].next_due
    assert service.index(0, 4).data() == latest_due.strftime("%d %b %Y")
    assert service.index(1, 4).data() == ""  # superseded by the later service
    assert panel.facts["Next service"].text().startswith(latest_due.strftime("%d %b %Y")) or (
        "overdue" in panel.facts["Next service"].text()
    )
    assert (
        panel.tabs.tabText(panel.tabs.indexOf(panel.sections["service_event"]))
        == "Service histor&y (2)"
    )

    page.show_asset(asset_id(page.controller, "Washing machine"))
    regs = panel.sections["registration"].model
    assert [regs.index(r, 0).data() for r in range(regs.rowCount())] == ["Miele"]
    warranties = panel.sections["warranty"].model
    assert warranties.rows[0].state == m.WarrantyState.ACTIVE


def test_new_edit_and_delete_of_a_thing_and_its_warranty(page, qtbot, monkeypatch):
    controller = page.controller
    answers: list[bool] = []
    monkeypatch.setattr(asset_panel, "confirm", lambda parent, title, text: answers.pop(0))

    def fill_and_save(fill):  # type: ignore[no-untyped-def]
        def fake_edit_record(parent, ctrl, kind, record_id=None, defaults=None):  # type: ignore[no-untyped-def]
            dialog = RecordEditor(ctrl, kind, record_id, defaults, parent)
            qtbot.addWidget(dialog)
            fill(dialog)
            return dialog.record_id if dialog.save() else None

        monkeypatch.setattr(editors, "edit_record", fake_edit_record)

    choose(page.category_combo, "Kitchen")  # a new thing starts in the category filtered on
    fill_and_save(lambda d: qtbot.keyClicks(d.field("name").edit, "Toaster"))
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    toaster = asset_id(controller, "Toaster")
    assert page.current_asset_id() == toaster and "Toaster" in shown(page)
    assert cell(page, "Toaster", "Category") == "Kitchen"

    def warranty(d):  # type: ignore[no-untyped-def]
        assert d.field("asset_id").value() == toaster
        d.field("starts_on").set_value(date.today())
        d.field("months").spin.setValue(12)
        qtbot.keyClicks(d.field("title").edit, "Shop warranty")

    fill_and_save(warranty)
    page.panel.sections["warranty"].new_button.click()
    section = page.panel.sections["warranty"]
    assert section.model.rowCount() == 1 and section.current_id() is not None
    assert cell(page, "Toaster", "Warranty") == "Active"  # the list follows

    fill_and_save(lambda d: d.field("months").spin.setValue(1))
    section.edit_button.click()
    assert cell(page, "Toaster", "Warranty") == "Expiring"

    answers.append(False)  # the user says no: nothing happens
    section.delete_button.click()
    assert section.model.rowCount() == 1
    answers.append(True)
    section.delete_button.click()
    assert section.model.rowCount() == 0 and cell(page, "Toaster", "Warranty") == "None"
    assert controller.undo_delete()
    assert section.model.rowCount() == 1

    fill_and_save(lambda d: d.field("name").edit.setText("Toaster (2 slots)"))
    page.panel.edit_button.click()
    assert page.panel.title.text() == "Toaster (2 slots)"
    answers.append(True)
    page.panel.delete_button.click()
    assert "Toaster (2 slots)" not in shown(page)
    assert page.right.isHidden()
    with controller.session() as s:
        assert (
            s.scalar(
                select(func.count()).select_from(m.Warranty).where(m.Warranty.asset_id == toaster)
            )
            == 0
        )


def test_clear_empties_every_model_and_view(page):
    page.show_asset(asset_id(page.controller, "Dishwasher"), "warranty")
    page.filter_edit.setText("dish")
    page.controller.lock()  # the page clears itself when the vault locks
    assert page.model.rowCount() == 0 and page.proxy.rowCount() == 0
    assert page.model.rows == [] and page.model.haystacks == []
    assert all(s.model.rowCount() == 0 for s in page.panel.sections.values())
    assert page.panel.detail is None and page.panel.title.text() == ""
    assert all(label.text() == "" for label in page.panel.facts.values())
    assert page.category_combo.count() == 1 and page.location_combo.count() == 1
    assert page.filter_edit.text() == "" and page.count_label.text() == ""
    assert page.right.isHidden()


def test_a_hidden_page_loads_when_it_is_shown(controller, qtbot):
    hidden = ThingsPage(controller, Preferences())
    qtbot.addWidget(hidden)
    controller.notify({"asset"})
    assert hidden.model.rowCount() == 0  # nothing read while nobody looks
    hidden.show()
    assert hidden.model.rowCount() == 13
    controller.notify({"offer"})  # a change it does not show: no reload
    hidden.show_asset(asset_id(controller, "Laptop"))  # works before or after showing
    assert hidden.current_asset_id() == asset_id(controller, "Laptop")


def mnemonics(page: ThingsPage) -> list[str]:
    """The Alt+letter keys of the page's visible labels, buttons and tabs (not the files
    panel's)."""
    files = page.panel.attachments
    texts = [w.text() for w in page.findChildren(QLabel) if w.buddy() is not None and w.isVisible()]
    texts += [
        w.text()
        for w in page.findChildren(QAbstractButton)
        if w.isVisible() and not files.isAncestorOf(w)
    ]
    texts += [page.panel.tabs.tabText(i) for i in range(page.panel.tabs.count())]
    return [t[t.index("&") + 1].lower() for t in (t.replace("&&", "") for t in texts) if "&" in t]


def test_keyboard_reachable_with_mnemonics_and_accessible_names(page):
    page.show_asset(asset_id(page.controller, "Dishwasher"))
    for index in range(page.panel.tabs.count()):
        page.panel.tabs.setCurrentIndex(index)
        letters = mnemonics(page)
        assert len(letters) == len(set(letters)), letters
        assert not {"f", "e", "v", "h"} & set(letters)  # the menu bar's File, Edit, View, Help
    files = page.panel.attachments  # with the files tab shown, its buttons' letters stay free too
    theirs = [
        b.text() for b in files.findChildren(QAbstractButton) if b.isVisible() and "&" in b.text()
    ]
    letters = mnemonics(page) + [t[t.index("&") + 1].lower() for t in theirs]
    assert len(letters) == len(set(letters)), letters
    assert page.table.accessibleName() == "Things"
    assert page.new_button.text() == "&New thing…"
    for section in page.panel.sections.values():
        assert section.table.accessibleName()
        assert section.new_button.text().startswith("&Add ")
    assert page.filter_edit.focusPolicy() != Qt.FocusPolicy.NoFocus


def test_core_asset_rows_best_state_and_related_tickets(controller):
    with controller.session() as s:
        rows = {r.name: r for r in things.asset_rows(s)}
        assert rows["Dishwasher"].warranty_state == m.WarrantyState.ACTIVE
        assert rows["Dishwasher"].warranty_title.startswith("Extended")
        assert rows["Gas boiler"].warranty_state is None
        fridge = rows["Fridge freezer"].id
        assert [t.title for t in things.related_tickets(s, fridge)] == [
            "Ice builds up behind the freezer drawer"
        ]
        assert things.categories(s)[0] == "Cleaning" and "Cellar" in things.locations(s)
        choices = dict(things.asset_choices(s))
        assert choices[rows["Oven"].id] == "Oven (HBG7741B1)"
        detail = things.asset_detail(s, rows["Gas boiler"].id)
        assert [e.superseded for e in detail.service] == [False, True]
        assert detail.next_service_due == detail.service[0].next_due


def test_the_splitter_and_columns_are_saved_and_restored(page, controller, qtbot):
    from vrmdesk.ui.core import preferences as settings

    page.show_asset(asset_id(controller, "Dishwasher"))
    page.splitter.setSizes([250, 400])
    page.table.sortByColumn(column(page, "Purchased"), Qt.SortOrder.DescendingOrder)
    store = settings.qsettings()
    page.save_state(store)
    store.sync()
    again = ThingsPage(controller, Preferences())
    qtbot.addWidget(again)
    again.resize(page.size())
    again.show()
    header = again.table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        column(page, "Purchased"),
        Qt.SortOrder.DescendingOrder,
    )
    assert shown(again) == shown(page)
    assert again.right.isHidden()  # no thing chosen yet: the list has the whole height
    again.show_asset(asset_id(controller, "Dishwasher"))
    assert again.splitter.sizes()[0] < again.splitter.sizes()[1]
