"""What the item models share: the index types Qt hands them, and the index of no parent."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex

#: an index as Qt passes it to a model's methods
AnyIndex = QModelIndex | QPersistentModelIndex
#: the invalid index: no parent, the root of a flat model (a default argument; it never changes)
NO_PARENT = QModelIndex()
