"""Sync between the devices of one household through a folder that another program replicates
(Syncthing, a cloud drive, a network share, a USB stick): issue 15, docs/sync.md.

Each device keeps its own vault and writes its changes as signed, encrypted, immutable change
sets into the shared folder; nothing here ever syncs a vault file. Modules:

- ``device``     this vault's own sync device: its id, Ed25519 signing key and age identity
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
