"""Renders the application's icon (vrmdesk/ui/widgets/icons_svg/vrmdesk.svg, the window's) to the
PNGs of the hicolor theme's sizes in vrmdesk/desktop/data/icons/, which `vrmdesk install-desktop`
and the Flatpak install. Run it again after the SVG changes (tests/packaging checks they agree
in size and that each is there):

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/render_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vrmdesk.desktop import ICON_SIZES, SVG_ICON  # noqa: E402

OUT = ROOT / "vrmdesk" / "desktop" / "data" / "icons"


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    renderer = QSvgRenderer(QByteArray(SVG_ICON.read_bytes()))
    OUT.mkdir(parents=True, exist_ok=True)
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = OUT / f"{size}.png"
        if not image.save(str(path), "PNG"):
            print(f"could not write {path}", file=sys.stderr)
            return 1
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size} bytes")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
