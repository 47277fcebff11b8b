"""Data in and out in other programs' formats: CSV (with HomeBox and Warracker presets), vCard,
iCalendar, the lossless archive and the insurer's inventory (PDF). Reads and writes through
the store's services; no Qt."""
