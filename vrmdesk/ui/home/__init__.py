"""The Home page: what needs attention now, each item with Done and Snooze (``page.py``), and the
dialog that asks until which day (``snooze_dialog.py``); a new vault's Home says where to start."""
