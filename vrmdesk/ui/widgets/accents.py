"""Accent colours for the vendor views that read well on light and on dark palettes.

Inbound (the vendor wrote to me) and outbound (I wrote to the vendor) get a hue each; warnings
get an amber. Each comes in a darker shade for light backgrounds and a lighter one for dark.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

_COLOURS = {
    #            light        dark
    "inbound": ("#1f6fb2", "#6cb4f0"),
    "outbound": ("#2e7d4f", "#6fcf97"),
    "warn": ("#b3261e", "#ff8a80"),
    "soon": ("#a15c00", "#f5b454"),
    "ok": ("#2e7d4f", "#6fcf97"),
}


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def accent(name: str, palette: QPalette) -> QColor:
    light, dark = _COLOURS[name]
    return QColor(dark if is_dark(palette) else light)


def muted(palette: QPalette) -> QColor:
    """Secondary text: between the text and the background, still readable."""
    text = palette.color(QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Base)
    return QColor(
        (text.red() * 2 + base.red()) // 3,
        (text.green() * 2 + base.green()) // 3,
        (text.blue() * 2 + base.blue()) // 3,
    )
