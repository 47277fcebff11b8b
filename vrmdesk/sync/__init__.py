"""Sync: several devices, one household, through a folder that a file-sync engine replicates.

Each device keeps its own vault and exchanges signed, encrypted change sets through a shared
folder (docs/sync.md). The modules:

    merge.py       the merge engine, pure (no vault): applies changes to a merge state by the
                   rules (last writer wins per field, tombstones, concurrent edits kept as
                   conflicts), says what changed, and makes the change that resolves a conflict

It sits beside ``interchange`` and ``mail``: it may use the store, share, vrmshare and the base,
and never imports the cli, the ui or Qt.
"""
