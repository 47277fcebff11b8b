"""Getting into the vault and looking after it: unlock, create, change the passphrase (and the key),
back up and restore (by hand, and on the schedule of Settings → Backups), and the Security and
Backups tabs of Settings (settings_tabs.py)."""
