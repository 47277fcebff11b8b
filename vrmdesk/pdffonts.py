"""The fonts of the PDFs vrmdesk writes (the inventory, a data-rights letter for post).

fpdf2's core fonts (Helvetica …) show Latin-1 only, so a name in Polish, Greek or Cyrillic would
print as "?". Where DejaVu Sans is installed (Debian's fonts-dejavu-core, which scripts/setup
installs; most Linux desktops have it; macOS users may add it) it is registered as the family
``body`` and every character it has is shown; else the core Helvetica is used and the text is
brought to Latin-1 (typographic quotes and dashes as their plain forms, the rest as "?").

    pdf = FPDF()
    family = use_unicode_font(pdf)      # "body" or "helvetica"
    pdf.set_font(family, size=11)
    pdf.multi_cell(0, 5, printable_in(pdf, text))
    ...
    close_fonts(pdf)                    # fpdf2 keeps a TrueType file open
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: folders where a DejaVu Sans (Unicode: Latin, Greek, Cyrillic, …) may be installed
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
    Path.home() / "Library" / "Fonts",
)
UNICODE_FAMILY = "body"
CORE_FAMILY = "helvetica"

_PLAIN = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u2192": "->",
    }
)


def unicode_font_files() -> tuple[Path, Path] | None:
    """DejaVu Sans regular and bold, where installed."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


def use_unicode_font(pdf: Any) -> str:
    """Register DejaVu Sans (regular and bold) as ``body`` when it is installed and return the
    family to set: ``body``, else the core ``helvetica`` (Latin-1 only)."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            try:
                pdf.add_font(UNICODE_FAMILY, "", str(regular))
                pdf.add_font(UNICODE_FAMILY, "B", str(bold))
            except Exception:  # an unreadable font file: the core font will do
                continue
            pdf.unicode_font = True
            return UNICODE_FAMILY
    pdf.unicode_font = False
    return CORE_FAMILY


def latin1(text: str) -> str:
    """``text`` as the core fonts can show it: plain quotes and dashes, else '?'."""
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def printable_in(pdf: Any, text: str) -> str:
    """``text`` as it can be set in ``pdf``'s registered font (unchanged with DejaVu Sans)."""
    return text if getattr(pdf, "unicode_font", False) else latin1(text)


def close_fonts(pdf: Any) -> None:
    """fpdf2 reads a TrueType font lazily and leaves its file open: close it."""
    for font in getattr(pdf, "fonts", {}).values():
        ttfont = getattr(font, "ttfont", None)
        if ttfont is not None:
            ttfont.close()
