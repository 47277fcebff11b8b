"""Tags in the record editors: shown, completed from the tags in use, saved with the record in
one unit of work (a refused tag leaves the record as it was)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import select

from vrmdesk.store import models as m
from vrmdesk.store.services import tags
from vrmdesk.ui.editors.record_editor import RecordEditor


def vendor_named(controller, name: str) -> m.Vendor:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        vendor = s.scalars(select(m.Vendor).where(m.Vendor.name == name)).one()
        s.expunge(vendor)
        return vendor


def tags_of(controller, kind: str, record_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return tags.tags_by_owner(s, kind, [record_id]).get(record_id, [])


def editor(qtbot, controller, kind: str, record_id: int | None = None) -> RecordEditor:  # type: ignore[no-untyped-def]
    dialog = RecordEditor(controller, kind, record_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_a_vendor_editor_shows_its_tags_and_completes_one_in_use(controller, qtbot):
    hetzner = vendor_named(controller, "Hetzner Online")
    dialog = editor(qtbot, controller, "vendor", hetzner.id)
    line = dialog.field("tags").edit
    assert line.text() == "business"
    line.setFocus()
    line.end(False)
    qtbot.keyClicks(line, ", kit")
    popup = line.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    assert [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())] == [
        "kitchen"
    ]
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert line.text() == "business, kitchen"
    qtbot.keyClicks(line, ", Spare parts")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert tags_of(controller, "vendor", hetzner.id) == ["business", "kitchen", "Spare parts"]


def test_tags_are_removed_by_taking_them_out_of_the_line(controller, qtbot):
    hetzner = vendor_named(controller, "Hetzner Online")
    dialog = editor(qtbot, controller, "vendor", hetzner.id)
    line = dialog.field("tags").edit
    line.setFocus()
    line.selectAll()
    qtbot.keyClick(line, Qt.Key.Key_Delete)
    qtbot.keyClick(line, Qt.Key.Key_Return)  # Enter saves
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert tags_of(controller, "vendor", hetzner.id) == []


def test_a_new_thing_is_saved_with_its_tags(controller, qtbot):
    dialog = editor(qtbot, controller, "asset")
    qtbot.keyClicks(dialog.field("name").edit, "Toaster")
    qtbot.keyClicks(dialog.field("tags").edit, "kitchen,, breakfast ,Kitchen")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.record_id is not None
    assert tags_of(controller, "asset", dialog.record_id) == ["breakfast", "kitchen"]


def test_a_tag_too_long_is_shown_under_the_field_and_nothing_is_saved(controller, qtbot):
    hetzner = vendor_named(controller, "Hetzner Online")
    dialog = editor(qtbot, controller, "vendor", hetzner.id)
    name = dialog.field("name").edit
    name.selectAll()
    qtbot.keyClicks(name, "Hetzner Cloud")
    qtbot.keyClicks(dialog.field("tags").edit, ", " + "x" * 101)
    qtbot.keyClick(name, Qt.Key.Key_Return)  # Enter saves
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "100 characters" in dialog.rows.row_for("tags").error.text()
    assert dialog.field("tags").edit.hasFocus() or not dialog.isActiveWindow()
    assert vendor_named(controller, "Hetzner Online").id == hetzner.id  # the name unchanged too
    assert tags_of(controller, "vendor", hetzner.id) == ["business"]


def test_the_thing_page_shows_its_tags_as_chips_and_follows_an_edit(controller, qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from vrmdesk.ui.core.preferences import Preferences
    from vrmdesk.ui.things.page import ThingsPage

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    page = ThingsPage(controller, Preferences())
    qtbot.addWidget(page)
    page.resize(1030, 700)
    page.show()
    with controller.session() as s:
        oven = s.scalars(select(m.Asset.id).where(m.Asset.name == "Oven")).one()
        untagged = s.scalars(
            select(m.Asset.id).where(
                m.Asset.id.not_in(tags.owners_tagged_query("asset", ["kitchen"]))
            )
        ).first()
    page.show_asset(oven)
    chips = page.panel.tags
    assert chips.names == ("kitchen",) and chips.isVisible()
    assert "kitchen" in chips.text() and chips.accessibleDescription() == "kitchen"

    dialog = editor(qtbot, controller, "asset", oven)
    qtbot.keyClicks(dialog.field("tags").edit, ", Baking & roasting")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: chips.names == ("Baking & roasting", "kitchen"))
    assert "Baking&nbsp;&amp;&nbsp;roasting" in chips.text()  # escaped, never split
    assert untagged is not None
    page.show_asset(untagged)
    assert chips.names == () and not chips.isVisible()


def test_the_vendor_overview_shows_the_vendor_tags(controller, qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    from vrmdesk.ui.core import preferences as settings
    from vrmdesk.ui.core.preferences import Preferences
    from vrmdesk.ui.vendors.page import VendorsPage

    path = str(tmp_path / "vendors-settings.ini")
    monkeypatch.setattr(settings, "qsettings", lambda: QSettings(path, QSettings.Format.IniFormat))
    page = VendorsPage(controller, Preferences())
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    controller.notify({"*"})
    overview = page.page.overview
    page.show_vendor(vendor_named(controller, "Hetzner Online").id)
    assert overview.tags.names == ("business",) and overview.tags_caption.isVisible()
    page.show_vendor(vendor_named(controller, "Telekom").id)
    assert overview.tags.names == () and not overview.tags_caption.isVisible()


def test_completion_offers_only_tags_the_line_does_not_hold(controller, qtbot):
    hetzner = vendor_named(controller, "Hetzner Online")
    dialog = editor(qtbot, controller, "vendor", hetzner.id)
    line = dialog.field("tags").edit
    line.setFocus()
    line.end(False)
    qtbot.keyClicks(line, ", ")
    popup = line.completer().popup()
    qtbot.keyClicks(line, "b")  # "business" is there already
    assert not popup.isVisible()
    qtbot.keyClick(line, Qt.Key.Key_Backspace)
    qtbot.keyClicks(line, "k")
    qtbot.waitUntil(popup.isVisible)
    assert [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())] == [
        "kitchen"
    ]
