"""Request quotes… (vendor page and vendors list) and the Quotes window: write, import, accept."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select
from ui_helpers import vendor_id
from vrmshare.reply import ReplyContent, keygen, load_signing_key, write_reply
from vrmshare.verify import verify_bundle

from vrmdesk.store import models as m
from vrmdesk.ui.share.import_reply import import_reply_dialog
from vrmdesk.ui.vendors.quotes_dialog import QuotesDialog, RequestQuotesDialog

pytestmark = pytest.mark.usefixtures("private_settings")

LEFT = Qt.MouseButton.LeftButton
LATER = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def page(vendors_page):  # type: ignore[no-untyped-def]
    return vendors_page


def check_row(qtbot, widget, label: str) -> None:  # type: ignore[no-untyped-def]
    """Select the row by its label in the check list and tick it with the space bar."""
    (item,) = widget.findItems(label, Qt.MatchFlag.MatchStartsWith)
    widget.setFocus()
    widget.setCurrentItem(item)
    qtbot.keyClick(widget, Qt.Key.Key_Space)
    assert item.checkState() == Qt.CheckState.Checked


def fill_and_write(qtbot, dialog: RequestQuotesDialog, folder: Path) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(dialog.subject, "New dishwasher")
    qtbot.keyClicks(dialog.text, "Built-in, 60 cm")
    qtbot.keyClicks(dialog.budget, "700")
    qtbot.keyClicks(dialog.currency, "EUR")
    qtbot.keyClicks(dialog.wanted_by, LATER)
    qtbot.keyClicks(dialog.folder, str(folder))
    qtbot.mouseClick(dialog.write_button, LEFT)
    qtbot.waitUntil(lambda: dialog.sent is not None or bool(dialog.error.text()), timeout=20000)


def test_request_from_the_vendor_page_then_import_and_accept(  # type: ignore[no-untyped-def]
    page, controller, qtbot, tmp_path, monkeypatch
):
    bosch = vendor_id(controller, "Bosch Home Appliances")
    page.show_vendor(bosch)
    page.page.quotes_action.trigger()  # Requests ▸ Request quotes…
    dialog = page.page.findChild(RequestQuotesDialog)
    assert dialog is not None and dialog.isVisible()
    (bosch_item,) = dialog.vendors.findItems("Bosch Home Appliances", Qt.MatchFlag.MatchExactly)
    assert bosch_item.checkState() == Qt.CheckState.Checked  # preselected
    other = dialog.vendors.item(0 if dialog.vendors.item(0) is not bosch_item else 1)
    other_name = other.text()
    check_row(qtbot, dialog.vendors, other_name)
    assert "Not allowed" in dialog.terms.text()  # marketing, in the terms previewed
    qtbot.keyClick(dialog.retention, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.retention, "30")
    assert "30 days" in dialog.terms.text()
    out = tmp_path / "out"
    out.mkdir()
    fill_and_write(qtbot, dialog, out)
    assert dialog.sent is not None, dialog.error.text()
    assert len(dialog.sent.bundles) == 2 and "Quote request 1 written" in dialog.written.text()
    paths = {b.vendor: b.path for b in dialog.sent.bundles}
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths.values())

    quotes_dialog = page.show_quotes()
    assert isinstance(quotes_dialog, QuotesDialog)
    assert quotes_dialog.requests.rowCount() == 1
    assert quotes_dialog.quotes.rowCount() == 0
    assert "No quote yet from" in quotes_dialog.about.text()
    assert not quotes_dialog.accept_button.isEnabled()

    # each vendor answers with a quote; the person imports both with Import reply
    for n, (name, price) in enumerate(((other_name, "650"), ("Bosch Home Appliances", "690"))):
        key = tmp_path / f"k{n}.jwk"
        keygen(key)
        reply = write_reply(
            verify_bundle(paths[name]),
            load_signing_key(key),
            ReplyContent(quote_price=price, quote_currency="EUR", quote_valid_until=LATER),
            tmp_path / f"reply{n}",
        ).path
        results: list[object] = []
        flow = import_reply_dialog(page, controller, reply)
        assert flow is not None
        flow.finished.connect(results.append)
        qtbot.waitUntil(
            lambda f=flow: f.key_box is not None and f.key_box.isVisible(), timeout=20000
        )
        flow.key_box.button(QMessageBox.StandardButton.Yes).click()
        qtbot.waitUntil(lambda r=results: bool(r), timeout=20000)

    table = quotes_dialog.quotes
    assert table.rowCount() == 2  # the window followed the imports
    assert [table.item(r, 1).text() for r in range(2)] == ["650.00 EUR", "690.00 EUR"]
    assert table.item(0, 0).text() == other_name
    assert "open ticket" in table.item(1, 4).text()
    assert table.item(0, 3).text() == "under an hour"  # the replies were written at once

    table.selectRow(1)  # Bosch
    assert quotes_dialog.accept_button.isEnabled()
    asked: list[str] = []

    def answer_yes(_parent, title, text, *args):  # type: ignore[no-untyped-def]
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer_yes)
    qtbot.mouseClick(quotes_dialog.accept_button, LEFT)
    assert asked and "Bosch Home Appliances's quote of 690.00 EUR" in asked[0]
    assert table.item(1, 5).text() == "accepted"
    letters = quotes_dialog.letters.toPlainText()
    assert f"To {other_name}" in letters and "another offer" in letters
    assert "To Bosch" not in letters
    assert not quotes_dialog.accept_button.isEnabled()
    with controller.session() as s:
        subjects = s.scalars(
            select(m.Interaction.subject).where(m.Interaction.vendor_id == bosch)
        ).all()
    assert "Quote accepted: New dishwasher" in subjects


def test_bad_input_in_the_dialog_writes_nothing(page, controller, qtbot, tmp_path):  # type: ignore[no-untyped-def]
    qtbot.mouseClick(page.request_quotes_button, LEFT)
    dialog = page.findChild(RequestQuotesDialog)
    assert dialog is not None and dialog.isVisible()
    out = tmp_path / "out"
    out.mkdir()
    fill_and_write(qtbot, dialog, out)  # no vendor ticked
    assert "at least one vendor" in dialog.error.text()
    check_row(qtbot, dialog.vendors, "Bosch")
    dialog.subject.clear()
    qtbot.mouseClick(dialog.write_button, LEFT)
    qtbot.waitUntil(lambda: "subject" in dialog.error.text(), timeout=20000)
    qtbot.keyClicks(dialog.subject, "x")
    dialog.wanted_by.clear()
    qtbot.keyClicks(dialog.wanted_by, "next week")
    qtbot.mouseClick(dialog.write_button, LEFT)
    assert "YYYY-MM-DD" in dialog.error.text()
    assert list(out.iterdir()) == []
    with controller.session() as s:
        assert s.scalars(select(m.QuoteRequest)).all() == []
