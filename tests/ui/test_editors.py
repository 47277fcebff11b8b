"""The record editors and quick capture: driven like a user, checked against what is stored."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy import func, select

from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.ui.editors.quick_capture import QuickCaptureDialog
from vrmdesk.ui.editors.record_editor import RecordEditor, edit_record
from vrmdesk.ui.editors.specs import SPECS

KINDS = [cls for cls in m.RECORD_TYPES if cls is not m.Attachment]


@pytest.fixture(autouse=True)
def _native_qsettings_in_tmp(tmp_path):  # type: ignore[no-untyped-def]
    """``settings.qsettings()`` is QSettings("vrmdesk", "vrmdesk"): the native format, whose path
    the shared conftest does not redirect (yet); keep it out of the user's real settings too."""
    from PySide6.QtCore import QSettings

    QSettings.setPath(
        QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "native")
    )


def count(controller, cls) -> int:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return int(s.scalar(select(func.count()).select_from(cls)))


def find(controller, cls, **where):  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return s.scalars(select(cls).filter_by(**where)).one()


def ids(controller, cls, **where) -> list[int]:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return list(s.scalars(select(cls.id).filter_by(**where)))


def editor(qtbot, controller, cls, record_id=None, defaults=None) -> RecordEditor:  # type: ignore[no-untyped-def]
    dialog = RecordEditor(controller, cls.kind, record_id, defaults)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def error_under(dialog, name: str) -> str:  # type: ignore[no-untyped-def]
    row = dialog.rows.row_for(name)
    assert row is not None, name
    return row.error.text()


def statuses(controller) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    controller.status.connect(seen.append)
    return seen


# -- every kind ---------------------------------------------------------------------------------
def test_every_kind_has_a_spec_for_each_field_a_user_sets():
    for cls in KINDS:
        spec_names = {spec.name for spec in SPECS[cls.kind]}
        editable = set(records.editable_fields(cls))
        assert spec_names - {"tags"} <= editable, cls.kind  # tags are not a column
        assert editable - spec_names <= {"currency"}, cls.kind  # the currency goes with the amount


@pytest.mark.parametrize("cls", KINDS, ids=lambda c: c.kind)
def test_opening_and_saving_an_unchanged_record_changes_nothing(cls, controller, qtbot):
    with controller.session() as s:
        obj = s.scalars(select(cls).order_by(cls.id)).first()
        before = records.to_dict(obj)
    dialog = editor(qtbot, controller, cls, before["id"])
    assert dialog.windowTitle().startswith("Edit ")
    assert dialog.save(), dialog.general_error.text()
    with controller.session() as s:
        after = records.to_dict(s.get(cls, before["id"]))
    before.pop("updated_at"), after.pop("updated_at")
    assert after == before


# -- creating records through the editors -----------------------------------------------------
def test_vendor_thing_warranty_ticket_and_interactions_made_in_editors_are_stored(
    controller, qtbot
):
    messages = statuses(controller)
    changed: list[set[str]] = []
    controller.changed.connect(changed.append)

    vendor = editor(qtbot, controller, m.Vendor)
    qtbot.keyClicks(vendor.field("name").edit, "Acme Appliances")
    vendor.field("vendor_kind").combo.setCurrentIndex(
        vendor.field("vendor_kind").combo.findData("maker")
    )
    qtbot.mouseClick(vendor.field("allowed_channels").boxes["email"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(vendor.save_button, Qt.MouseButton.LeftButton)
    assert vendor.result() == QDialog.DialogCode.Accepted
    acme = find(controller, m.Vendor, name="Acme Appliances")
    assert acme.id == vendor.record_id
    assert (acme.vendor_kind, acme.allowed_channels, acme.since) == (
        m.VendorKind.MAKER,
        ["email"],
        None,
    )
    assert messages[-1] == "Saved the vendor “Acme Appliances”." and changed[-1] == {
        "vendor",
        "tagging",
    }

    thing = editor(qtbot, controller, m.Asset)
    qtbot.keyClicks(thing.field("name").edit, "Espresso grinder")
    qtbot.keyClicks(thing.field("category").edit, "Kitchen")
    qtbot.keyClicks(thing.field("maker_id").combo.lineEdit(), "acme appliances")
    thing.field("purchase_date").set_value(date(2024, 5, 1))
    qtbot.keyClicks(thing.field("price_minor").amount, "1,249.90")
    qtbot.keyClicks(thing.field("location").edit, "Kitchen")
    qtbot.keyClick(thing.field("name").edit, Qt.Key.Key_Return)  # Enter saves
    assert thing.result() == QDialog.DialogCode.Accepted
    grinder = find(controller, m.Asset, name="Espresso grinder")
    assert (grinder.maker_id, grinder.seller_id, grinder.category, grinder.location) == (
        acme.id,
        None,
        "Kitchen",
        "Kitchen",
    )
    assert (grinder.price_minor, grinder.currency, grinder.purchase_date) == (
        124990,
        "EUR",
        date(2024, 5, 1),
    )

    warranty = editor(qtbot, controller, m.Warranty, defaults={"asset_id": grinder.id})
    assert warranty.field("asset_id").value() == grinder.id
    assert warranty.field("starts_on").value() is None  # the core starts it on the purchase date
    qtbot.keyClicks(warranty.field("title").edit, "Maker's warranty")
    qtbot.keyClicks(warranty.field("provider_id").combo.lineEdit(), "Acme Appliances")
    warranty.field("months").spin.setValue(24)
    assert warranty.save()
    stored = find(controller, m.Warranty, asset_id=grinder.id)
    assert (stored.starts_on, stored.months, stored.ends_on, stored.provider_id) == (
        date(2024, 5, 1),
        24,
        date(2026, 5, 1),
        acme.id,
    )

    ticket = editor(qtbot, controller, m.Ticket, defaults={"vendor_id": acme.id})
    qtbot.keyClicks(ticket.field("title").edit, "Grinder jams on fine settings")
    qtbot.keyClicks(ticket.field("asset_id").combo.lineEdit(), "Espresso grinder")
    qtbot.keyClicks(ticket.field("reference").edit, "AC-1001")
    assert ticket.field("closed_on").value() is None
    assert ticket.save()
    jam = find(controller, m.Ticket, title="Grinder jams on fine settings")
    assert (jam.vendor_id, jam.asset_id, jam.status, jam.opened_on, jam.closed_on) == (
        acme.id,
        grinder.id,
        m.TicketStatus.OPEN,
        date.today(),
        None,
    )

    for subject, direction in (
        ("Reported the jam", "outbound"),
        ("They ask for a video", "inbound"),
    ):
        talk = editor(qtbot, controller, m.Interaction, defaults={"vendor_id": acme.id})
        qtbot.keyClicks(
            talk.field("ticket_id").combo.lineEdit(), "Grinder jams on fine settings [AC-1001]"
        )
        talk.field("direction").set_value(direction)
        talk.field("channel").set_value("email")
        talk.field("occurred_at").set_value(datetime(2025, 3, 4, 10, 30))
        qtbot.keyClicks(talk.field("subject").edit, subject)
        assert talk.save()
    with controller.session() as s:
        talks = list(
            s.scalars(
                select(m.Interaction)
                .where(m.Interaction.vendor_id == acme.id)
                .order_by(m.Interaction.id)
            )
        )
        assert [(t.subject, t.direction.value, t.ticket_id, t.occurred_at) for t in talks] == [
            ("Reported the jam", "outbound", jam.id, datetime(2025, 3, 4, 10, 30)),
            ("They ask for a video", "inbound", jam.id, datetime(2025, 3, 4, 10, 30)),
        ]
    assert messages[-1] == "Saved the interaction “They ask for a video”."


def test_edit_record_returns_the_id_or_none_when_cancelled(controller, qtbot):
    def answer(fill: bool) -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, RecordEditor)
        if fill:
            dialog.field("number").edit.setText("C-778")
            dialog.save()
        else:
            dialog.reject()

    bosch = find(controller, m.Vendor, name="Bosch Home Appliances").id
    QTimer.singleShot(0, lambda: answer(False))
    assert edit_record(None, controller, "account", defaults={"vendor_id": bosch}) is None
    before = count(controller, m.Account)
    QTimer.singleShot(0, lambda: answer(True))
    new_id = edit_record(None, controller, "account", defaults={"vendor_id": bosch})
    assert new_id is not None and count(controller, m.Account) == before + 1
    assert find(controller, m.Account, id=new_id).number == "C-778"


# -- refusals, shown under the field ------------------------------------------------------------
def test_an_empty_required_name_shows_under_the_field_and_writes_nothing(controller, qtbot):
    before = count(controller, m.Vendor)
    dialog = editor(qtbot, controller, m.Vendor)
    assert error_under(dialog, "name") == ""  # nothing is shown before the user does anything
    name = dialog.field("name").edit
    qtbot.keyClicks(name, "Ac")
    name.clear()
    assert error_under(dialog, "name") == "Name is required."  # as you type
    name.setText("   ")
    assert not dialog.save()
    assert error_under(dialog, "name") == "Name is required."
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    assert name.accessibleDescription() == "Name is required."
    assert count(controller, m.Vendor) == before
    assert "*" in dialog.rows.row_for("name").label.text()  # required fields are marked

    qtbot.keyClicks(name, "Acme")
    assert error_under(dialog, "name") == ""


def test_the_core_refuses_a_name_taken_and_says_so_under_the_name(controller, qtbot):
    before = count(controller, m.Vendor)
    dialog = editor(qtbot, controller, m.Vendor)
    qtbot.keyClicks(dialog.field("name").edit, "bosch home appliances")
    assert not dialog.save()
    assert error_under(dialog, "name") == "There is a vendor named 'bosch home appliances' already."
    assert count(controller, m.Vendor) == before


@pytest.mark.parametrize(
    ("cls", "start", "end", "message"),
    [
        (m.Warranty, "starts_on", "end_date", "A warranty cannot end before it starts."),
        (m.Ticket, "opened_on", "closed_on", "A ticket cannot be closed before it was opened."),
        (m.Agreement, "started_on", "renews_on", "An agreement cannot renew before it starts."),
    ],
    ids=["warranty", "ticket", "agreement"],
)
def test_an_end_before_the_start_shows_the_cores_message_under_the_end(
    cls, start, end, message, controller, qtbot
):
    # a closed date belongs to a resolved or closed ticket (the core clears it on open ones)
    where = {"status": m.TicketStatus.RESOLVED} if cls is m.Ticket else {}
    record_id = ids(controller, cls, **where)[0]
    with controller.session() as s:
        before = records.to_dict(s.get(cls, record_id))
    dialog = editor(qtbot, controller, cls, record_id)
    dialog.field(start).set_value(date(2024, 5, 1))
    dialog.field(end).set_value(date(2024, 1, 1))
    assert not dialog.save()
    assert error_under(dialog, end) == message
    assert error_under(dialog, start) == ""
    assert dialog.field(end).focus_target().hasFocus() or not dialog.isActiveWindow()
    with controller.session() as s:
        assert records.to_dict(s.get(cls, record_id)) == before  # nothing written

    dialog.field(end).set_value(date(2024, 9, 1))  # a change clears the message
    assert error_under(dialog, end) == ""


def test_an_amount_with_three_decimals_is_refused_as_it_is_typed(controller, qtbot):
    before = count(controller, m.Asset)
    dialog = editor(qtbot, controller, m.Asset)
    qtbot.keyClicks(dialog.field("name").edit, "Kettle")
    qtbot.keyClicks(dialog.field("price_minor").amount, "12.345")
    assert error_under(dialog, "price_minor") == "'12.345' is not an amount (for example 1299.00)."
    assert not dialog.save()
    assert count(controller, m.Asset) == before

    qtbot.keyClick(dialog.field("price_minor").amount, Qt.Key.Key_Backspace)
    assert error_under(dialog, "price_minor") == ""
    dialog.field("price_minor").currency.setEditText("")
    assert not dialog.save()  # an amount needs its currency: the core says so under the amount
    assert error_under(dialog, "price_minor").startswith("An amount needs its currency")
    dialog.field("price_minor").currency.setEditText("chf")
    assert dialog.save()
    kettle = find(controller, m.Asset, name="Kettle")
    assert (kettle.price_minor, kettle.currency) == (1234, "CHF")


def test_a_picker_takes_the_start_of_a_name_when_it_names_one_record(controller, qtbot):
    dialog = editor(qtbot, controller, m.Warranty)
    picker = dialog.field("asset_id")
    qtbot.keyClicks(picker.combo.lineEdit(), "dishw")
    assert picker.value() == find(controller, m.Asset, name="Dishwasher").id
    picker.combo.lineEdit().editingFinished.emit()  # leaving the field completes the name
    assert picker.combo.currentText() == "Dishwasher (SMS6ZCI49E)"
    picker.combo.lineEdit().setText("Wa")  # only the washing machine starts so
    assert picker.value() == find(controller, m.Asset, name="Washing machine").id
    picker.combo.lineEdit().setText("C")  # Car, Coffee machine
    assert (
        error_under(dialog, "asset_id") == "“C” could be several things: choose one from the list."
    )


def test_a_name_that_matches_no_vendor_is_refused_in_the_picker(controller, qtbot):
    dialog = editor(qtbot, controller, m.Asset)
    qtbot.keyClicks(dialog.field("name").edit, "Kettle")
    qtbot.keyClicks(dialog.field("maker_id").combo.lineEdit(), "Nobody Inc")
    assert error_under(dialog, "maker_id") == "There is no vendor called “Nobody Inc”."
    assert not dialog.save()
    dialog.field("maker_id").combo.lineEdit().clear()  # optional: empty means no maker
    assert dialog.save()
    assert find(controller, m.Asset, name="Kettle").maker_id is None


def test_the_ticket_picker_offers_the_chosen_vendors_tickets(controller, qtbot):
    bosch = find(controller, m.Vendor, name="Bosch Home Appliances").id
    dialog = editor(qtbot, controller, m.Interaction, defaults={"vendor_id": bosch})
    combo = dialog.field("ticket_id").combo
    offered = [combo.itemText(i) for i in range(combo.count()) if combo.itemData(i) is not None]
    assert offered == ["Dishwasher stops with error E24 [BSH-4471-2291-08]"]
    combo.setCurrentIndex(1)
    vendor_line = dialog.field("vendor_id").combo.lineEdit()
    vendor_line.clear()
    qtbot.keyClicks(vendor_line, "Samsung Electronics")
    offered = [combo.itemText(i) for i in range(combo.count()) if combo.itemData(i) is not None]
    assert offered == ["Ice builds up behind the freezer drawer [SEG-2211-903771]"]
    assert dialog.field("ticket_id").value() is None  # Bosch's ticket is no longer chosen


def test_a_date_can_be_set_to_no_date_with_the_keyboard(controller, qtbot):
    ticket_id = find(controller, m.Ticket, reference="BSH-4471-2291-08").id
    dialog = editor(qtbot, controller, m.Ticket, ticket_id)
    follow_up = dialog.field("follow_up_on")
    assert follow_up.value() is not None
    qtbot.keyClick(follow_up.edit, Qt.Key.Key_Delete)
    assert follow_up.value() is None and follow_up.edit.text() == ""
    assert follow_up.edit.placeholderText() == "no date"  # what an empty field shows
    qtbot.keyClicks(follow_up.edit, "20301231")  # typing starts a date again
    assert follow_up.value() == date(2030, 12, 31)
    qtbot.mouseClick(follow_up.clear_button, Qt.MouseButton.LeftButton)
    assert dialog.save()
    assert find(controller, m.Ticket, id=ticket_id).follow_up_on is None


def test_labels_have_mnemonics_and_fields_accessible_names(controller, qtbot):
    for cls in KINDS:
        dialog = editor(qtbot, controller, cls)
        letters = []
        for row in dialog.rows.rows:
            text = row.label.text() if row.label else row.field.focus_target().text()
            if "&" in text:
                letters.append(text[text.index("&") + 1].lower())
            assert row.field.focus_target().accessibleName().startswith(row.title)
        assert len(letters) == len(set(letters)), cls.kind
        assert not {"s", "c"} & set(letters)  # Save and Cancel keep theirs
        dialog.close()


# -- quick capture ------------------------------------------------------------------------------
def capture(qtbot, controller, vendor_id=None) -> QuickCaptureDialog:  # type: ignore[no-untyped-def]
    dialog = QuickCaptureDialog(controller, None, vendor_id=vendor_id)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_quick_capture_saves_an_interaction_to_the_chosen_vendor_and_ticket(controller, qtbot):
    messages = statuses(controller)
    changed: list[set[str]] = []
    controller.changed.connect(changed.append)
    bosch = find(controller, m.Vendor, name="Bosch Home Appliances").id
    ticket = find(controller, m.Ticket, reference="BSH-4471-2291-08").id
    dialog = capture(qtbot, controller, vendor_id=bosch)
    assert dialog.vendor.value() == bosch  # preselected
    assert abs((dialog.when.value() - datetime.now()).total_seconds()) < 120  # now
    qtbot.keyClicks(
        dialog.ticket.combo.lineEdit(), "Dishwasher stops with error E24 [BSH-4471-2291-08]"
    )
    dialog.channel.set_value("phone")
    qtbot.mouseClick(dialog.direction.buttons["outbound"], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.subject.edit, "Called the hotline")
    qtbot.keyClicks(dialog.body.edit, "Technician comes on Friday.")
    qtbot.keyClick(dialog.body.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = find(controller, m.Interaction, id=dialog.interaction_id)
    assert (
        saved.vendor_id,
        saved.ticket_id,
        saved.channel,
        saved.direction,
        saved.subject,
        saved.body,
    ) == (
        bosch,
        ticket,
        m.InteractionChannel.PHONE,
        m.Direction.OUTBOUND,
        "Called the hotline",
        "Technician comes on Friday.",
    )
    assert changed[-1] == {"interaction", "ticket"}
    assert messages[-1] == "Recorded the interaction with Bosch Home Appliances (phone)."


def test_quick_capture_vendor_is_searchable_and_enter_saves(controller, qtbot):
    dialog = capture(qtbot, controller)
    assert dialog.vendor.value() is None
    qtbot.keyClicks(dialog.vendor.combo.lineEdit(), "Telekom")
    offered = [dialog.ticket.combo.itemText(i) for i in range(1, dialog.ticket.combo.count())]
    assert offered == ["Billed twice for the fibre line in October [TD-CASE-88172]"]
    qtbot.keyClicks(dialog.subject.edit, "Refund arrived")
    qtbot.keyClick(dialog.subject.edit, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = find(controller, m.Interaction, id=dialog.interaction_id)
    telekom = find(controller, m.Vendor, name="Telekom").id
    assert (saved.vendor_id, saved.ticket_id, saved.direction) == (
        telekom,
        None,
        m.Direction.INBOUND,
    )


def test_quick_capture_shows_problems_under_the_fields_and_writes_nothing(controller, qtbot):
    before = count(controller, m.Interaction)
    dialog = capture(qtbot, controller)
    assert not dialog.save()
    assert dialog.rows.row_for("vendor_id").error.text() == "Vendor is required."
    qtbot.keyClicks(dialog.vendor.combo.lineEdit(), "Miele")
    assert dialog.rows.row_for("vendor_id").error.text() == ""
    assert not dialog.save()  # no subject and no text: the core's rule, under the text
    assert dialog.rows.row_for("body").error.text() == "Write a subject or some text."
    assert count(controller, m.Interaction) == before
    qtbot.keyClicks(dialog.body.edit, "Asked about spare parts.")
    assert dialog.rows.row_for("body").error.text() == ""  # cleared as the user types
    assert dialog.save()
    assert count(controller, m.Interaction) == before + 1


def test_dialogs_close_when_the_vault_locks(controller, qtbot):
    bosch = find(controller, m.Vendor, name="Bosch Home Appliances").id
    dialog = editor(qtbot, controller, m.Vendor, bosch)
    quick = capture(qtbot, controller, vendor_id=bosch)
    controller.lock()
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected
    assert not quick.isVisible()


def test_a_contact_e_mail_that_is_not_one_is_shown_and_not_saved(controller, qtbot):
    bosch = find(controller, m.Vendor, name="Bosch Home Appliances").id
    before = count(controller, m.Contact)
    dialog = editor(qtbot, controller, m.Contact, defaults={"vendor_id": bosch})
    qtbot.keyClicks(dialog.field("name").edit, "Kim")
    qtbot.keyClicks(dialog.field("email").edit, "not-an-email")
    assert not dialog.save()
    assert (
        error_under(dialog, "email")
        == "“not-an-email” is not an e-mail address (for example service@example.com)."
    )
    assert count(controller, m.Contact) == before
    dialog.field("email").edit.clear()
    qtbot.keyClicks(dialog.field("email").edit, "kim@bosch-home.example")
    assert dialog.save()
    assert count(controller, m.Contact) == before + 1
