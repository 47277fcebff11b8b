"""File → Import mail… and mail files dropped on a vendor, driven like a person: the menu, the
dialog typed into, a drop of real Qt events, Cancel pressed in the middle; checked against what
the vault then holds."""

from __future__ import annotations

import mailbox
import os
import threading
from pathlib import Path

import mail_corpus as corpus
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QPushButton, QRadioButton
from sqlalchemy import func, select

from vrmdesk.mail import sources
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.ui.app.main_window import PAGES, MainWindow
from vrmdesk.ui.core.preferences import Preferences
from vrmdesk.ui.mail import importing
from vrmdesk.ui.mail.importing import MailImportDialog
from vrmdesk.ui.vendors.page import VendorsPage

SHOTS = os.environ.get("VRMDESK_SHOTS")


def count(controller, cls, **where) -> int:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return int(s.scalar(select(func.count()).select_from(cls).filter_by(**where)) or 0)


def write_mbox(path: Path, messages: list[bytes]) -> Path:
    box = mailbox.mbox(path)
    for data in messages:
        box.add(data)
    box.close()
    return path


def strangers(n: int, domain: str = "kettle-works.example") -> list[bytes]:
    return [
        corpus.raw(
            sender=f"Agent {i} <agent{i}@{domain}>",
            subject=f"Kettle {i}",
            message_id=f"<k{i}@{domain}>",
        )
        for i in range(n)
    ]


def summary(qtbot, parent) -> QMessageBox:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: parent.findChild(QMessageBox, "mail-import-summary") is not None, timeout=20000
    )
    box = parent.findChild(QMessageBox, "mail-import-summary")
    assert isinstance(box, QMessageBox)
    return box


@pytest.fixture
def window(qtbot, controller):  # type: ignore[no-untyped-def]
    win = MainWindow(controller, Preferences())
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_an_mbox_imported_through_the_menu(qtbot, window, controller, tmp_path):
    path = write_mbox(tmp_path / "Inbox", [*strangers(3), strangers(1)[0]])
    file_menu = window.menuBar().actions()[0].menu()
    assert window.commands.import_mail in file_menu.actions()
    window.commands.import_mail.trigger()
    dialog = window.findChild(MailImportDialog)
    assert dialog is not None and dialog.isVisible()
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "mail-import.png"))
    assert not dialog.import_button.isEnabled()  # nothing chosen yet
    mbox = next(b for b in dialog.findChildren(QRadioButton) if "mbox" in b.text())
    qtbot.mouseClick(mbox, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.path, str(tmp_path))
    assert "is a folder" in dialog.problem_label.text() and not dialog.import_button.isEnabled()
    dialog.path.clear()
    qtbot.keyClicks(dialog.path, str(path))
    assert dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    box = summary(qtbot, window)
    assert box.text().startswith("Imported 3 messages.")
    assert "Unsorted (no vendor found): 3" in box.text() and "Already stored: 1" in box.text()
    assert count(controller, m.UnsortedMail) == 3
    unsorted = window.nav.item([key for key, _, _ in PAGES].index("unsorted"))
    qtbot.waitUntil(lambda: unsorted.text() == "Unsorted (3)")
    box.accept()


def test_the_import_for_a_vendor_chosen_in_the_dialog(qtbot, controller, tmp_path):
    path = tmp_path / "one.eml"
    path.write_bytes(strangers(1)[0])
    dialog = MailImportDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.path, str(path))
    qtbot.keyClicks(dialog.vendor.focus_target(), "Miele")
    dialog.vendor.focus_target().clearFocus()  # leaving the picker completes the name
    with controller.session() as s:
        miele = records.find_vendor(s, "Miele").id
    assert dialog.vendor_id() == miele and dialog.paths() == [path]
    importing.start_import(dialog, controller, dialog.paths(), vendor_id=dialog.vendor_id())
    summary(qtbot, dialog).accept()
    assert count(controller, m.Interaction, vendor_id=miele, subject="Kettle 0") == 1


def drop(widget, paths: list[Path]) -> QDropEvent:  # type: ignore[no-untyped-def]
    """What a drag of files from a file manager delivers: enter, then drop, with file URLs."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    at = QPoint(widget.width() // 2, widget.height() // 2)
    enter = QDragEnterEvent(
        at,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    event = QDropEvent(
        QPointF(at),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)
    return event


def test_an_eml_dropped_on_a_vendor_page_lands_on_its_timeline(qtbot, controller, tmp_path):
    with controller.session() as s:
        miele = records.find_vendor(s, "Miele").id
    vendors = VendorsPage(controller, Preferences())
    qtbot.addWidget(vendors)
    vendors.resize(1100, 700)
    vendors.show()
    vendors.show_vendor(miele, "interaction", None)
    page = vendors.page
    assert page.tabs.currentWidget() is page.timeline
    eml = tmp_path / "repair.eml"
    eml.write_bytes(corpus.raw(sender="someone@elsewhere.example", subject="Dropped here"))
    not_mail = tmp_path / "notes.txt"
    not_mail.write_text("no mail")
    before = page.timeline.model.rowCount()
    event = drop(page, [eml, not_mail])
    assert event.isAccepted()
    summary(qtbot, page).accept()
    assert count(controller, m.Interaction, vendor_id=miele, subject="Dropped here") == 1
    qtbot.waitUntil(lambda: page.timeline.model.rowCount() == before + 1)
    # a drag of anything but mail is refused at the door
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(not_mail))])
    enter = QDragEnterEvent(
        QPoint(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(page, enter)
    assert not enter.isAccepted()


def test_cancel_stops_after_the_batch_and_says_what_was_kept(
    qtbot, window, controller, tmp_path, monkeypatch
):
    monkeypatch.setattr(importing, "BATCH", 5)
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 1)
    path = write_mbox(tmp_path / "Big", strangers(30, "bulk-sender.example"))
    reached, go_on = threading.Event(), threading.Event()
    real = sources.messages_of

    def held_at_seven(where: Path):  # type: ignore[no-untyped-def]
        """The real source, holding before its eighth message until the test has pressed
        Cancel (so the cancel falls inside the second batch however fast the machine is)."""
        for n, message in enumerate(real(where)):
            if n == 7:
                reached.set()
                go_on.wait(20)
            yield message

    monkeypatch.setattr(sources, "messages_of", held_at_seven)
    importing.start_import(window, controller, [path])
    qtbot.waitUntil(reached.is_set, timeout=20000)
    progress = window.findChild(QProgressDialog)
    assert progress is not None
    qtbot.waitUntil(progress.isVisible, timeout=5000)
    cancel = next(b for b in progress.findChildren(QPushButton) if b.text() == "Cancel")
    # the button's own click: a stray modal window of another test cannot swallow it
    cancel.click()
    go_on.set()
    box = summary(qtbot, window)
    assert box.windowTitle() == "Mail import stopped"
    assert box.text().startswith("Stopped: 10 messages imported, the rest not.")
    assert count(controller, m.UnsortedMail) == 10
    box.accept()
