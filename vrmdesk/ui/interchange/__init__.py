"""Data in and out: the import wizard, the exports of the File menu, the calendar feed."""
