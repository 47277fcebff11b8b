"""Sync: several devices, one household, through a folder another program replicates.

Each device keeps its own vault and exchanges signed, encrypted change sets (docs/sync.md). The
change log itself is written by the store (:mod:`vrmdesk.store.changelog`: the store may not
import this package); this package reads it and applies other devices' changes.

Modules:
    hlc       the hybrid logical clock (the store's, under its sync name)
    changes   one change as the devices exchange it: validated, to and from JSON
    apply     applying another device's change to this vault's rows, by global id
"""
