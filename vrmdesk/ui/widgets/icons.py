"""SVG icons (in icons_svg/ beside this module), drawn in the palette's text colour for light and
dark.

An icon is rendered once for each name and colour and kept: the colour is resolved from the
palette at each call, so after a switch between light and dark the next call renders the icon in
the new colour (and the old one stays cached for a switch back). ``renders`` counts the pixmaps
drawn, for the tests.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).with_name("icons_svg")
SIZES = (16, 20, 24, 32, 48, 64)

#: pixmaps rendered since the start (each icon is SIZES of them, once per name and colour)
renders = 0
_icons: dict[tuple[str, str], QIcon] = {}


@cache
def _svg(name: str) -> bytes:
    return (ICONS / f"{name}.svg").read_bytes()


def icon(name: str, color: str | None = None) -> QIcon:
    """An icon that stays sharp at any device pixel ratio (rendered once per size, then kept)."""
    if color is None:
        app = QGuiApplication.instance()
        palette = app.palette() if isinstance(app, QGuiApplication) else QPalette()
        color = palette.color(QPalette.ColorRole.WindowText).name()
    cached = _icons.get((name, color))
    if cached is None:
        renderer = QSvgRenderer(QByteArray(_svg(name).replace(b"currentColor", color.encode())))
        cached = QIcon()
        for size in SIZES:
            cached.addPixmap(_render(renderer, size))
        _icons[name, color] = cached
    return QIcon(cached)  # a copy sharing the pixmaps: a caller's change detaches it


def _render(renderer: QSvgRenderer, size: int) -> QPixmap:
    global renders
    renders += 1
    pixmap = QPixmap(QSize(size, size))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter)
    painter.end()
    return pixmap
