"""Icons are rendered once per name and colour, and a palette of another colour tints anew."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from vrmdesk.ui.widgets import icons


def test_the_second_call_renders_nothing(qapp) -> None:  # type: ignore[no-untyped-def]
    first = icons.icon("bell", "#123456")
    after_first = icons.renders
    second = icons.icon("bell", "#123456")
    assert icons.renders == after_first
    assert second.cacheKey() == first.cacheKey()
    assert not second.pixmap(16, 16).isNull()


def test_each_size_is_rendered_once(qapp) -> None:  # type: ignore[no-untyped-def]
    before = icons.renders
    icons.icon("calendar", "#010203")
    assert icons.renders - before == len(icons.SIZES)


def test_another_palette_renders_in_its_colour(qapp) -> None:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    light = icons.icon("attach")
    try:
        dark = QPalette(original)
        dark.setColor(QPalette.ColorRole.WindowText, QColor("#fefdfc"))
        app.setPalette(dark)
        before = icons.renders
        tinted = icons.icon("attach")
        assert icons.renders - before == len(icons.SIZES)
        assert tinted.cacheKey() != light.cacheKey()
        image = tinted.pixmap(64, 64).toImage()
        drawn = {
            image.pixelColor(x, y).name()
            for x in range(64)
            for y in range(64)
            if image.pixelColor(x, y).alpha() == 255
        }
        assert "#fefdfc" in drawn
        assert icons.icon("attach").cacheKey() == tinted.cacheKey()
    finally:
        app.setPalette(original)
    assert icons.icon("attach").cacheKey() == light.cacheKey()  # back to light: still cached


def test_a_callers_change_leaves_the_cached_icon_alone(qapp) -> None:  # type: ignore[no-untyped-def]
    mine = icons.icon("backup", "#0a0b0c")
    mine.addPixmap(icons.icon("bell", "#0a0b0c").pixmap(128, 128))
    assert icons.icon("backup", "#0a0b0c").cacheKey() != mine.cacheKey()
