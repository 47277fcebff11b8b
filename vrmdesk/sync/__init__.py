"""Sync between the devices of one household through a folder that another program replicates
(Syncthing, a cloud drive, a network share, a USB stick): issue 15, docs/sync.md.

Each device keeps its own vault and writes its changes as signed, encrypted, immutable change
sets into the shared folder; nothing here ever syncs a vault file. The change log itself is
written by the store (:mod:`vrmdesk.store.changelog`, in the same transaction as each change:
the store may not import this package); this package reads it, exchanges it and applies other
devices' changes. Modules:

- ``hlc``        the hybrid logical clock (the store's, under its sync name)
- ``changes``    one change as the devices exchange it: validated, to and from JSON
- ``apply``      applying another device's change to this vault's rows, by global id
- ``device``     this vault's own sync device: its id (the change log's), Ed25519 signing key
                 and age identity
- ``pairing``    pairing codes (text and QR), the comparison string, and the paired devices
                 (pair, list, rename, revoke)
- ``changeset``  one change set: canonical JSON, signed (compact JWS, EdDSA), age-encrypted;
                 packing and the checks of opening one (signature, numbering, chain)
- ``folder``     the folder's layout: writing this device's next set, reading the others' in
                 order per device (gaps, replays, damage, files still arriving), attachments'
                 blobs, and the report of a sync
- ``merge``      the merge engine, pure (no vault): applies changes to a merge state by the
                 rules (last writer wins per field, tombstones, concurrent edits kept as
                 conflicts), says what changed, and makes the change that resolves a conflict

It sits beside ``interchange`` and ``mail``: it may import vrmdesk.store, vrmdesk.share, vrmshare
and the base, never vrmdesk.cli, the ui or Qt.
"""
