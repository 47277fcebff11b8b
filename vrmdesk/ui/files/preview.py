"""Previews of attachments inside the app, from bytes in memory (no plaintext file on disk).

Images go through QImageReader (EXIF orientation applied) and are scaled to the window; PDFs are
loaded by QtPdf from a QBuffer and shown in a QPdfView; text is shown as plain text.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QPixmap, QResizeEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

#: previews read the whole file into memory; larger files are opened in another program
PREVIEW_LIMIT = 64 * 1024**2
#: text beyond this many characters is left out of a preview
TEXT_LIMIT = 2_000_000

_TEXT_TYPES = {
    "application/json",
    "application/xml",
    "application/x-yaml",
    "application/yaml",
    "application/csv",
    "application/x-sh",
    "application/javascript",
    "message/rfc822",
}


def preview_kind(media_type: str) -> str | None:
    """ "image", "pdf" or "text" when the app can show this type itself, else None."""
    media_type = media_type.lower().split(";")[0].strip()
    if media_type == "application/pdf":
        return "pdf"
    if media_type.startswith("image/"):
        readable = {bytes(t.data()).decode() for t in QImageReader.supportedMimeTypes()}
        return "image" if media_type in readable else None
    if media_type.startswith("text/") or media_type in _TEXT_TYPES:
        return "text"
    return None


class _ImageView(QScrollArea):
    """An image scaled down to fit the window (never up), sharp at any device pixel ratio."""

    def __init__(self, image: QImage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = image
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        ratio = self.devicePixelRatioF()
        area = self.viewport().size() * ratio
        size = self.image.size()
        if size.width() > area.width() or size.height() > area.height():
            size = size.scaled(area, Qt.AspectRatioMode.KeepAspectRatio)
        pixmap = QPixmap.fromImage(
            self.image.scaled(
                size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )
        pixmap.setDevicePixelRatio(ratio)
        self.label.setPixmap(pixmap)


class PreviewDialog(QDialog):
    """Shows one attachment's content; closing it (or locking the vault) frees the content."""

    def __init__(
        self, name: str, media_type: str, data: bytes, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{name} — Preview")
        self.setAccessibleName(f"Preview of {name}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.kind = preview_kind(media_type)
        self.pdf: QPdfDocument | None = None
        self.image: QImage | None = None
        self.text: QPlainTextEdit | None = None
        self.pdf_view: QPdfView | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self._content(name, data), 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(QSize(760, 820) if self.kind == "pdf" else QSize(720, 560))

    def _content(self, name: str, data: bytes) -> QWidget:
        if self.kind == "image":
            buffer = QBuffer(self)
            buffer.setData(QByteArray(data))
            buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            reader = QImageReader(buffer)
            reader.setAutoTransform(True)
            image = reader.read()
            buffer.close()
            if image.isNull():
                return self._problem(f"{name} could not be shown: {reader.errorString()}.")
            self.image = image
            view = _ImageView(image)
            view.setAccessibleName(f"Image {name}")
            return view
        if self.kind == "pdf":
            self._buffer = QBuffer(self)  # QtPdf reads from it while the dialog lives
            self._buffer.setData(QByteArray(data))
            self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            self.pdf = QPdfDocument(self)
            self.pdf.load(self._buffer)
            pdf_view = QPdfView(self)
            pdf_view.setAccessibleName(f"PDF document {name}")
            pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
            pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            pdf_view.setDocument(self.pdf)
            self.pdf_view = pdf_view
            return pdf_view
        if self.kind == "text":
            text = data.decode("utf-8", errors="replace")
            if len(text) > TEXT_LIMIT:
                text = text[:TEXT_LIMIT] + "\n\n[… the rest is left out of the preview]"
            self.text = QPlainTextEdit()
            self.text.setReadOnly(True)
            self.text.setAccessibleName(f"Text of {name}")
            self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
            self.text.setPlainText(text)
            return self.text
        return self._problem(f"vrmdesk cannot show {name} itself; open it in another program.")

    @staticmethod
    def _problem(message: str) -> QLabel:
        label = QLabel(message)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label
