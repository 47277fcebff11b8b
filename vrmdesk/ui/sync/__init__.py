"""Sync with the other devices of the household in the desktop application (issue 15,
docs/sync.md): the windows over :mod:`vrmdesk.sync.engine` and when a sync runs.

- ``syncer``     when a sync runs: on unlock, a few seconds after changes made here (many edits,
                 one sync), when the folder changes (a file watcher and a slow poll), on
                 demand; off the UI thread, one at a time
- ``commands``   what the Sync menu and the status do: the one object the main window holds
- ``status``     the status bar's sync status ("Synced 2 min ago", "1 conflict"), a button
- ``setup``      Set up sync…: the folder and this device's name
- ``pairing``    Pair a device…: this device's code (text and QR), the other's, the comparison
- ``devices``    the paired devices: rename, revoke
- ``conflicts``  the open conflicts, each resolved by keeping one version (or deleted/restored)
- ``words``      how sync's times, values and counts are said
"""
