"""Data in and out in other programs' formats: CSV (with HomeBox and Warracker presets), vCard,
iCalendar and the lossless archive. Reads and writes through the store's services; no Qt."""
