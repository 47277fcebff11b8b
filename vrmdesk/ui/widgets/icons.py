"""SVG icons (in icons_svg/ beside this module), drawn in the palette's text colour for light and
dark."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).with_name("icons_svg")


@cache
def _svg(name: str) -> bytes:
    return (ICONS / f"{name}.svg").read_bytes()


def icon(name: str, color: str | None = None) -> QIcon:
    """An icon that stays sharp at any device pixel ratio (rendered per requested size)."""
    if color is None:
        app = QGuiApplication.instance()
        palette = app.palette() if isinstance(app, QGuiApplication) else QPalette()
        color = palette.color(QPalette.ColorRole.WindowText).name()
    data = _svg(name).replace(b"currentColor", color.encode())
    result = QIcon()
    for size in (16, 20, 24, 32, 48, 64):
        result.addPixmap(_render(data, size))
    return result


def _render(data: bytes, size: int) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(data))
    pixmap = QPixmap(QSize(size, size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter)
    painter.end()
    return pixmap
