"""Editing records: the editor of any kind built from field specs, the field widgets (dates among
them), quick capture and delete with undo."""
