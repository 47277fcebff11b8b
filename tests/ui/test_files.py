"""The attachments panel: add (dialog, drag and drop), preview, open with, save a copy, remove
and undo."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QMimeData, QObject, QPoint, QPointF, QRectF, Qt, QUrl, Slot
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QImage,
    QPainter,
    QPdfWriter,
)
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel
from sqlalchemy import func, select

from vrmdesk.store import models as m
from vrmdesk.ui.files import jobs as file_jobs
from vrmdesk.ui.files.panel import AttachmentsPanel
from vrmdesk.ui.files.preview import preview_kind

TEXT = "Quittung\nDishwasher filter, 12.90 EUR — paid in cash.\n"


@pytest.fixture
def dishwasher(controller) -> int:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return s.scalar(select(m.Asset.id).where(m.Asset.name == "Dishwasher"))


@pytest.fixture
def panel(controller, qtbot, dishwasher):  # type: ignore[no-untyped-def]
    widget = AttachmentsPanel(controller)
    qtbot.addWidget(widget)
    widget.resize(640, 320)
    widget.show()
    widget.set_owner("asset", dishwasher)
    return widget


@pytest.fixture
def sample_files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "outside"
    folder.mkdir()
    png = folder / "photo.png"
    image = QImage(320, 200, QImage.Format.Format_RGB32)
    image.fill(QColor("#2f6f5e"))
    assert image.save(str(png))
    pdf = folder / "manual.pdf"
    writer = QPdfWriter(str(pdf))
    painter = QPainter(writer)
    painter.drawText(QRectF(0, 0, 4000, 400), "Dishwasher manual, page 1")
    writer.newPage()
    painter.drawText(QRectF(0, 0, 4000, 400), "Page 2")
    painter.end()
    text = folder / "quittung.txt"
    text.write_text(TEXT, encoding="utf-8")
    return {"png": png, "pdf": pdf, "txt": text}


def names(panel: AttachmentsPanel) -> list[str]:
    return [panel.model.row_at(r).name for r in range(panel.model.rowCount())]  # type: ignore[union-attr]


def select_name(panel: AttachmentsPanel, name: str) -> None:
    panel.table.selectRow(names(panel).index(name))


def attach(qtbot, panel: AttachmentsPanel, paths: list[Path]) -> None:  # type: ignore[no-untyped-def]
    before = panel.model.rowCount()
    panel.add_files(paths)
    qtbot.waitUntil(lambda: panel.model.rowCount() == before + len(paths), timeout=10000)


def stored_contents(vault_folder: Path) -> list[Path]:
    return sorted(p for p in (vault_folder / "attachments").glob("??/*") if p.is_file())


def counts(controller) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with controller.session() as s:
        return (
            s.scalar(select(func.count()).select_from(m.Attachment)),
            s.scalar(select(func.count()).select_from(m.Blob)),
        )


def test_added_files_are_listed_and_stored_encrypted(
    controller, panel, qtbot, sample_files, qtmodeltester
):
    assert names(panel) == ["receipt-MM-88410233.txt"]  # the demo's receipt
    attach(qtbot, panel, list(sample_files.values()))
    assert names(panel) == ["receipt-MM-88410233.txt", "photo.png", "manual.pdf", "quittung.txt"]
    model = panel.model
    row = names(panel).index("photo.png")
    assert model.index(row, 1).data() == "PNG image"
    assert model.index(row, 2).data().endswith(("bytes", "KB"))
    assert model.index(row, 3).data()
    assert "Attached 3 files." in panel.bar.text.text()
    qtmodeltester.check(model)
    # nothing readable in the vault folder
    png_bytes = sample_files["png"].read_bytes()
    for path in stored_contents(controller.vault.folder):
        assert png_bytes[:64] not in path.read_bytes()
        assert TEXT.encode()[:20] not in path.read_bytes()


def test_the_add_button_asks_for_files(panel, qtbot, sample_files, monkeypatch):
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(sample_files["txt"])], "")
    )
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "quittung.txt" in names(panel), timeout=10000)


def test_preview_shows_an_image_a_pdf_and_text_without_a_file_on_disk(
    controller, panel, qtbot, sample_files
):
    attach(qtbot, panel, list(sample_files.values()))

    select_name(panel, "photo.png")
    assert panel.preview_button.isEnabled()
    panel.preview()
    qtbot.waitUntil(lambda: panel.preview_dialog is not None, timeout=5000)
    dialog = panel.preview_dialog
    assert dialog.kind == "image" and dialog.image.size().width() == 320
    qtbot.waitUntil(lambda: dialog.findChild(QLabel) is not None)
    assert any(
        label.pixmap() is not None and not label.pixmap().isNull()
        for label in dialog.findChildren(QLabel)
    )

    select_name(panel, "manual.pdf")
    panel.preview()
    qtbot.waitUntil(
        lambda: panel.preview_dialog is not None and panel.preview_dialog.kind == "pdf",
        timeout=5000,
    )
    pdf = panel.preview_dialog.pdf
    qtbot.waitUntil(lambda: pdf.status() == QPdfDocument.Status.Ready, timeout=5000)
    assert pdf.pageCount() == 2
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog))  # one preview at a time

    select_name(panel, "quittung.txt")
    panel.preview()
    qtbot.waitUntil(
        lambda: panel.preview_dialog is not None and panel.preview_dialog.kind == "text",
        timeout=5000,
    )
    assert panel.preview_dialog.text.toPlainText() == TEXT
    assert controller.temp_copies.folder is None  # previews never wrote a copy

    controller.lock()
    assert panel.preview_dialog is None  # the plaintext went with the lock


def test_only_types_the_app_can_show_are_previewed():
    assert preview_kind("image/png") == "image"
    assert preview_kind("application/pdf") == "pdf"
    assert preview_kind("text/plain; charset=utf-8") == "text"
    assert preview_kind("application/zip") is None


def drag_enter(mime: QMimeData) -> QDragEnterEvent:
    return QDragEnterEvent(
        QPoint(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )


def test_dropping_files_attaches_them(panel, qtbot, sample_files):
    mime = QMimeData()
    mime.setUrls(
        [QUrl.fromLocalFile(str(sample_files["pdf"])), QUrl.fromLocalFile(str(sample_files["txt"]))]
    )
    enter = drag_enter(mime)
    QApplication.sendEvent(panel, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(panel, drop)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: names(panel)[-2:] == ["manual.pdf", "quittung.txt"], timeout=10000)


def test_a_drag_of_web_links_or_text_is_not_taken(panel):
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.com/x.pdf")])
    enter = drag_enter(mime)
    QApplication.sendEvent(panel, enter)
    assert not enter.isAccepted()
    text = QMimeData()
    text.setText("hello")
    enter = drag_enter(text)
    QApplication.sendEvent(panel, enter)
    assert not enter.isAccepted()


def test_a_dropped_folder_is_refused_with_a_reason(controller, panel, sample_files):
    before = counts(controller)
    assert panel.add_files([sample_files["png"].parent]) is None
    assert panel.bar.isVisible() and "is a folder" in panel.bar.text.text()
    assert counts(controller) == before


class UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def catch(self, url: QUrl) -> None:
        self.urls.append(url)


@pytest.fixture
def url_catcher():  # type: ignore[no-untyped-def]
    """Stands in for the desktop's "open this file" (no program is started by the tests)."""
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "catch")
    yield catcher
    QDesktopServices.unsetUrlHandler("file")


@pytest.mark.parametrize("ending", ["lock", "clear"])
def test_open_with_uses_a_private_temporary_copy_that_goes_away(
    controller, panel, qtbot, sample_files, url_catcher, ending
):
    attach(qtbot, panel, [sample_files["txt"]])
    select_name(panel, "quittung.txt")
    panel.open_external()
    qtbot.waitUntil(lambda: bool(url_catcher.urls), timeout=5000)
    copy = Path(url_catcher.urls[0].toLocalFile())
    assert copy.read_text(encoding="utf-8") == TEXT
    assert copy.name == "quittung.txt"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert controller.temp_copies.folder in copy.parents
    assert "private temporary copy" in panel.bar.text.text()
    if ending == "lock":
        controller.lock()
        assert panel.model.rowCount() == 0 and not panel.isEnabled()
    else:
        controller.temp_copies.clear()
    assert not copy.exists() and not copy.parent.exists()


def test_save_a_copy_writes_the_plaintext_where_asked(
    panel, qtbot, sample_files, tmp_path, monkeypatch
):
    attach(qtbot, panel, [sample_files["pdf"]])
    select_name(panel, "manual.pdf")
    target = tmp_path / "saved" / "manual copy.pdf"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Saved a copy" in panel.bar.text.text(), timeout=5000)
    assert target.read_bytes() == sample_files["pdf"].read_bytes()
    assert sorted(p.name for p in target.parent.iterdir()) == ["manual copy.pdf"]


def test_a_copy_that_cannot_be_written_is_reported(panel, qtbot, tmp_path):
    select_name(panel, "receipt-MM-88410233.txt")
    panel.save_copy_to(tmp_path / "no such folder" / "r.txt")
    qtbot.waitUntil(lambda: panel.bar.isVisible(), timeout=5000)
    assert panel.bar.text.text().startswith("The copy was not saved: ")
    assert "no such folder" in panel.bar.text.text()


def test_remove_then_undo_brings_the_file_back(controller, panel, qtbot, sample_files):
    attach(qtbot, panel, [sample_files["png"]])
    before = counts(controller)
    contents = stored_contents(controller.vault.folder)
    select_name(panel, "photo.png")
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert names(panel) == ["receipt-MM-88410233.txt"]
    assert counts(controller) == (before[0] - 1, before[1] - 1)  # its content went too
    assert panel.bar.action.isVisible() and "Removed “photo.png”" in panel.bar.text.text()

    qtbot.mouseClick(panel.bar.action, Qt.MouseButton.LeftButton)
    assert names(panel) == ["receipt-MM-88410233.txt", "photo.png"]
    assert counts(controller) == before
    assert stored_contents(controller.vault.folder) == contents
    assert panel.selected() is not None and panel.selected().name == "photo.png"
    with controller.session() as s:
        attachment = s.get(m.Attachment, panel.selected().id)
        assert (
            controller.vault.attachments.read_bytes(attachment) == sample_files["png"].read_bytes()
        )


def test_the_delete_key_removes_and_ctrl_z_undo_works_too(controller, panel, qtbot):
    panel.table.setFocus()
    select_name(panel, "receipt-MM-88410233.txt")
    qtbot.waitUntil(panel.table.hasFocus)
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert names(panel) == []
    assert panel.stack.currentWidget() is panel.empty
    assert controller.undo_delete()
    assert names(panel) == ["receipt-MM-88410233.txt"]


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(controller, panel, sample_files):
    panel.max_size = 200
    before, contents = counts(controller), stored_contents(controller.vault.folder)
    assert sample_files["png"].stat().st_size > 200
    assert panel.add_files([sample_files["png"]]) is None
    assert panel.bar.isVisible()
    message = panel.bar.text.text()
    assert "“photo.png” is" in message and "at most 200 bytes" in message
    assert "not attached" in message
    assert counts(controller) == before
    assert stored_contents(controller.vault.folder) == contents
    assert names(panel) == ["receipt-MM-88410233.txt"]


def test_cancelling_an_add_stores_nothing(controller, panel, qtbot, sample_files, monkeypatch):
    reading = file_jobs.ProgressReader.read

    def cancel_first(self, size=-1):  # type: ignore[no-untyped-def]
        self.task.cancel()  # as the progress dialog's Cancel does
        return reading(self, size)

    monkeypatch.setattr(file_jobs.ProgressReader, "read", cancel_first)
    before, contents = counts(controller), stored_contents(controller.vault.folder)
    panel.add_files([sample_files["txt"], sample_files["pdf"]])
    qtbot.waitUntil(lambda: "Cancelled" in panel.bar.text.text(), timeout=5000)
    assert counts(controller) == before
    assert stored_contents(controller.vault.folder) == contents
    tmp = controller.vault.folder / "attachments" / "tmp"
    assert not tmp.exists() or list(tmp.iterdir()) == []


def test_no_record_means_an_empty_disabled_panel(panel, controller):
    panel.clear()
    assert not panel.isEnabled() and panel.model.rowCount() == 0
    assert panel.add_files([Path(__file__)]) is None
