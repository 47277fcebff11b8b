"""A table of records set up as every list of records in the window is.

Whole rows are selected, one at a time; nothing is edited in place (Enter opens the editor);
rows alternate in colour, do not wrap and have no row numbers; the last column takes the width
left. Options cover what the pages differ in.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget


def record_table(
    model: QAbstractItemModel,
    name: str,
    *,
    stretch_last: bool = True,
    row_padding: int | None = None,
    highlight_sections: bool = True,
    parent: QWidget | None = None,
) -> QTableView:
    """A table view over ``model``, called ``name`` for screen readers.

    ``row_padding``: rows this many pixels taller than the text (else the style's height);
    ``highlight_sections``: the header marks the selected row's columns (the style's default).
    """
    table = QTableView(parent)
    table.setModel(model)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    if row_padding is not None:
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + row_padding)
    header = table.horizontalHeader()
    header.setHighlightSections(highlight_sections)
    header.setStretchLastSection(stretch_last)
    return table
