"""The Unsorted page driven from the keyboard: Enter assigns (learning the domain moves the rest),
Delete dismisses after a question; the navigation's badge follows."""

from __future__ import annotations

import io
import os
from datetime import datetime
from pathlib import Path

import mail_corpus as corpus
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from vrmdesk.mail import capture
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.mail.unsorted_page import UnsortedPage
from vrmdesk.ui.widgets.dates import show_datetime

SHOTS = os.environ.get("VRMDESK_SHOTS")


def count(controller, cls, **where) -> int:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return int(s.scalar(select(func.count()).select_from(cls).filter_by(**where)) or 0)


def capture_mail(controller, messages: list[bytes]) -> capture.Outcome:  # type: ignore[no-untyped-def]
    pairs = [(f"m{n}", lambda d=d: io.BytesIO(d)) for n, d in enumerate(messages)]
    return capture.import_messages(controller.vault, pairs)


@pytest.fixture
def page(qtbot, controller):  # type: ignore[no-untyped-def]
    outcome = capture_mail(
        controller,
        [
            corpus.raw(
                sender="Kettle Works <help@kettle-works.example>",
                subject="Your kettle registration",
                body="Thank you for registering your kettle.\nIt is covered for two years.\n",
                message_id="<a@kettle-works.example>",
                date="Mon, 02 Feb 2026 10:00:00 +0100",
            ),
            corpus.raw(
                sender="orders@shop.kettle-works.example",
                subject="Order shipped",
                message_id="<b@kettle-works.example>",
                date="Sun, 01 Feb 2026 10:00:00 +0100",
            ),
            corpus.raw(
                sender="news@kettle-works.example",
                subject="Kettle news",
                message_id="<c@kettle-works.example>",
                date="Sat, 31 Jan 2026 10:00:00 +0100",
                extra={"List-Unsubscribe": "<mailto:off@kettle-works.example>"},
            ),
            corpus.raw(
                sender="Friend <friend@gmail.com>",
                subject="Lunch?",
                message_id="<d@gmail.com>",
                date="Fri, 30 Jan 2026 10:00:00 +0100",
            ),
        ],
    )
    assert outcome.unsorted == 4
    counts: list[int] = []
    widget = UnsortedPage(controller, Preferences())
    widget.count_changed.connect(counts.append)
    widget.counts = counts  # type: ignore[attr-defined]
    qtbot.addWidget(widget)
    widget.resize(1100, 600)
    widget.show()
    qtbot.waitExposed(widget)
    widget.refresh({"*"})
    return widget


def subjects(page: UnsortedPage) -> list[str]:
    return [row.subject for row in page.model.rows]


def test_the_list_shows_date_sender_subject_and_text(page):
    assert subjects(page) == ["Your kettle registration", "Order shipped", "Kettle news", "Lunch?"]
    first = [page.model.index(0, c).data() for c in range(4)]
    assert first[0] == show_datetime(datetime(2026, 2, 2, 9, 0), utc=True)  # in local time
    assert first[1] == "Kettle Works <help@kettle-works.example>"
    assert first[3].startswith("Thank you for registering your kettle. It is covered")
    assert page.counts[-1] == 4
    assert "Your kettle registration" in page.text.text()
    if SHOTS:
        page.grab().save(str(Path(SHOTS) / "unsorted-page.png"))


def test_enter_assigns_and_learning_the_domain_moves_the_rest(qtbot, page, controller):
    statuses: list[str] = []
    controller.status.connect(statuses.append)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Home)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    dialog = page.assign_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.learn.text() == "&Also sort mail from @kettle-works.example to this vendor"
    assert dialog.learn.isChecked()
    assert "2 other unsorted messages from @kettle-works.example will move too" in (
        dialog.learn_hint.text()
    )
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "unsorted-assign.png"))
    qtbot.keyClicks(dialog.vendor.focus_target(), "Miele")
    qtbot.keyClick(dialog.vendor.focus_target(), Qt.Key.Key_Tab)  # leaves the picker: completed
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert subjects(page) == ["Lunch?"]
    assert page.counts[-1] == 1
    with controller.session() as s:
        miele = records.find_vendor(s, "Miele").id
    assert count(controller, m.Interaction, vendor_id=miele, subject="Your kettle registration")
    assert count(controller, m.Interaction, vendor_id=miele, subject="Order shipped")
    assert count(controller, m.Offer, vendor_id=miele) >= 1  # the newsletter became an offer
    assert count(controller, m.Channel, vendor_id=miele, value="@kettle-works.example") == 1
    assert (
        "Mail from @kettle-works.example now goes to Miele: 2 more messages moved."
        in (statuses[-1])
    )


def test_an_unknown_vendor_name_is_refused_in_the_dialog(qtbot, page):
    page.table.selectRow(0)
    page.assign()
    dialog = page.assign_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.vendor.focus_target(), "Nobody at all")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.error.text()
    assert len(page.model.rows) == 4
    dialog.reject()


def test_free_mail_is_learnt_by_the_address_and_not_ticked(qtbot, page):
    page.table.selectRow(3)
    page.assign()
    dialog = page.assign_dialog
    assert dialog is not None
    assert "friend@gmail.com" in dialog.learn.text() and not dialog.learn.isChecked()
    dialog.reject()


def test_delete_dismisses_after_a_question(qtbot, page, controller, monkeypatch):
    asked: list[str] = []

    def answer(parent, title, text, *args):  # type: ignore[no-untyped-def]
        asked.append(text)
        return (
            QMessageBox.StandardButton.Cancel if len(asked) == 1 else QMessageBox.StandardButton.Yes
        )

    monkeypatch.setattr(QMessageBox, "question", answer)
    page.table.setFocus()
    page.table.selectRow(3)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert "Lunch?" in asked[0] and "cannot be undone" in asked[0]
    assert len(page.model.rows) == 4  # Cancel: nothing changed
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert subjects(page) == ["Your kettle registration", "Order shipped", "Kettle news"]
    assert page.counts[-1] == 3
    assert count(controller, m.UnsortedMail, dismissed=True) == 1
    # the next row is selected, so Delete can go on down the list
    assert page.current_row() is not None


def test_a_locked_vault_empties_the_page(page, controller):
    controller.lock()
    assert page.model.rows == [] and page.counts[-1] == 0
