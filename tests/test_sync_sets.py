"""Change sets in the folder (issue 15, part 3): written as the next set of this device's chain,
signed, encrypted to the paired devices; read in order per device, every set checked (signature
of the pinned key, number, link to the previous set) before its changes are handed out."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from sync_helpers import Device, kinds, names

from vrmdesk.sync import changeset, pairing
from vrmdesk.sync import folder as sync_folder

LATER = time.time() + 3600  # "now" for a reader an hour on: no file counts as arriving


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "Sync"


@pytest.fixture
def trio(tmp_path: Path, folder: Path) -> tuple[Device, Device, Device]:
    a = Device(tmp_path / "a.db", "Laptop")
    b = Device(tmp_path / "b.db", "Desktop")
    c = Device(tmp_path / "c.db", "Kitchen tablet")
    a.pair(b)
    a.pair(c)
    b.pair(c)
    for device in (a, b, c):
        with device.session() as s:
            sync_folder.init_folder(s, folder)
    return a, b, c


def test_init_lays_out_the_folder(trio, folder: Path):
    a, _b, _c = trio
    assert json.loads((folder / "vrmsync.json").read_text()) == {"format": "vrmsync/1"}
    card = json.loads((folder / "devices" / f"{a.id}.json").read_text())
    assert card["device"] == a.id and card["name"] == "Laptop"
    assert set(card) == {"format", "device", "name", "key", "age"}
    assert (folder / a.id).is_dir() and (folder / "blobs").is_dir()
    with a.session() as s:
        assert sync_folder.folder_of(s) == folder
        pairing.set_own_name(s, "Old laptop")
    a.send(folder, "x")
    card = json.loads((folder / "devices" / f"{a.id}.json").read_text())
    assert card["name"] == "Old laptop"


def test_a_folder_of_another_format_or_not_mounted_is_refused(tmp_path: Path, trio):
    a = trio[0]
    other = tmp_path / "other"
    other.mkdir()
    (other / "vrmsync.json").write_text('{"format": "vrmsync/9"}')
    with a.session() as s, pytest.raises(sync_folder.FolderError, match="not a vrmsync/1"):
        sync_folder.init_folder(s, other)
    with a.session() as s, pytest.raises(sync_folder.FolderError, match="is the drive mounted"):
        sync_folder.read_sets(s, tmp_path / "gone")


def test_sets_travel_to_every_paired_device_in_order(trio, folder: Path):
    a, b, c = trio
    assert a.send(folder, "Bosch", "Miele") == 1
    assert a.send(folder, "Siemens") == 2
    assert a.send(folder) is None  # nothing new, no set
    assert sorted(p.name for p in (folder / a.id).iterdir()) == [
        "0000000001.vrmsync",
        "0000000002.vrmsync",
    ]
    for reader in (b, c):
        incoming = reader.receive(folder)
        assert names(incoming) == ["Bosch", "Miele", "Siemens"]
        assert [r.opened.number for r in incoming.ready] == [1, 2]
        assert incoming.problems == [] and incoming.waiting == 0
        assert names(reader.receive(folder)) == []  # applied once only
    assert names(a.receive(folder)) == []  # one's own sets are not read back


def test_the_chain_head_is_kept_per_device(trio, folder: Path):
    a, b, _ = trio
    a.send(folder, "one")
    b.receive(folder)
    a.send(folder, "two")
    with b.session() as s:
        paired = pairing.find_device(s, a.id)
        assert paired.last_set == 1
        assert paired.last_sha256 == changeset.sha256_hex(
            sync_folder.set_path(folder, a.id, 1).read_bytes()
        )
    assert names(b.receive(folder)) == ["two"]


def test_a_set_is_signed_and_encrypted(trio, folder: Path, tmp_path: Path):
    a, b, _ = trio
    a.send(folder, "Secret vendor")
    data = sync_folder.set_path(folder, a.id, 1).read_bytes()
    assert data.startswith(b"age-encryption.org/v1\n")
    assert b"Secret vendor" not in data
    outsider = Device(tmp_path / "x.db", "Outsider")
    with outsider.session() as s:
        own = sync_folder.ensure_device(s)
    with pytest.raises(changeset.SetRefused) as refused:
        changeset.decrypt(data, own.age_identity)
    assert refused.value.kind == "not-for-me"
    with b.session() as s:
        token = changeset.decrypt(data, sync_folder.ensure_device(s).age_identity)
    header = json.loads(changeset._b64decode(token.split(b".")[0].decode(), "header"))
    assert header["alg"] == "EdDSA" and header["typ"] == "vrmsync+jws"
    payload = changeset.verify(token, pairing.read_code(a.code()).key)
    assert payload["set"] == 1 and payload["prev"] is None and payload["device"] == a.id
    assert changeset.canonical_json(payload) == changeset._b64decode(
        token.split(b".")[1].decode(), "payload"
    )


def test_sync_now_writes_applies_and_reports(trio, folder: Path):
    a, b, _ = trio
    a.send(folder, "Bosch")
    applied: list[str] = []
    with b.session() as s:
        report = sync_folder.sync_now(
            s,
            folder,
            [b.change("Miele")],
            lambda changes: applied.extend(c["fields"]["name"] for c in changes),
        )
    assert report == {
        "sent": 1,
        "applied": 1,
        "waiting": 0,
        "problems": [],
        "sets_sent": 1,
        "sets_applied": 1,
    }
    assert applied == ["Bosch"]
    assert names(a.receive(folder)) == ["Miele"]


def test_a_set_written_whose_commit_was_lost_is_taken_as_written(trio, folder: Path):
    a, b, _ = trio
    with a.session() as s:
        sync_folder.write_set(s, folder, [a.change("lost commit")])
        s.rollback()  # the file is in the folder, the vault does not know it wrote it
    with a.session() as s:
        assert sync_folder.sent_seq(s) == 0
    assert a.send(folder, "next") == 2
    assert names(b.receive(folder)) == ["lost commit", "next"]
    with a.session() as s:
        assert sync_folder.sent_seq(s) == 2 and sync_folder.own_state(s)[0] == 2


def test_a_foreign_file_in_the_place_of_my_next_set_is_moved_aside(trio, folder: Path):
    a, b, _ = trio
    b.send(folder, "from b")
    foreign = sync_folder.set_path(folder, a.id, 1)
    foreign.write_bytes(sync_folder.set_path(folder, b.id, 1).read_bytes())
    with pytest.raises(sync_folder.FolderError, match="did not write; it was moved aside"):
        a.send(folder, "mine")
    assert not foreign.exists()
    os.mkfifo(foreign)  # a pipe there does not hang the writer
    with pytest.raises(sync_folder.FolderError, match="moved aside"):
        a.send(folder, "mine")
    assert a.send(folder, "mine") == 1
    assert names(b.receive(folder)) == ["mine"]


def test_a_revoked_device_gets_no_further_sets_and_what_it_writes_is_ignored(trio, folder: Path):
    a, b, c = trio
    a.send(folder, "before")
    assert names(c.receive(folder)) == ["before"]
    with a.session() as s:
        pairing.revoke(s, c.id)
    a.send(folder, "after")
    assert names(b.receive(folder)) == ["before", "after"]
    got = c.receive(folder)  # the revoked one cannot read it: not encrypted to it (and, its
    # chain here begun, that is not skipped as "before pairing")
    assert names(got) == [] and kinds(got) == ["not-for-me"]
    c.send(folder, "from the revoked device")
    got = a.receive(folder)
    assert names(got) == [] and kinds(got) == ["revoked"]
    assert "revoked" in got.problems[0].message
    assert names(b.receive(folder)) == ["from the revoked device"]  # b did not revoke it


def test_sets_of_an_unpaired_device_are_ignored_and_reported(trio, folder: Path, tmp_path):
    a, b, _ = trio
    stranger = Device(tmp_path / "s.db", "Stranger")
    stranger.pair(b)  # paired with b only
    with stranger.session() as s:
        sync_folder.init_folder(s, folder)
    stranger.send(folder, "spam")
    got = a.receive(folder)
    assert names(got) == [] and kinds(got) == ["unpaired"]
    assert stranger.id[:8] in got.problems[0].message
    assert names(b.receive(folder)) == ["spam"]


def test_a_set_signed_by_another_key_is_refused_as_forged(trio, folder: Path, tmp_path):
    a, b, _ = trio
    mallory = Device(tmp_path / "m.db", "Mallory")
    mallory.pair(b)
    with mallory.session() as s:
        sync_folder.init_folder(s, folder)
        own = sync_folder.ensure_device(s)
        payload = changeset.payload_for(
            a.id, 1, None, [dict(a.change("forged"))], "2026-12-01T00:00:00Z"
        )
        recipients = [pairing.find_device(s, b.id).age_recipient]
        forged = changeset.pack(payload, own.signing, recipients)
    sync_folder.set_path(folder, a.id, 1).write_bytes(forged)
    got = b.receive(folder)
    assert names(got) == [] and kinds(got) == ["forged"]
    assert "another key" in got.problems[0].message


def test_files_on_their_way_are_left_for_later(trio, folder: Path):
    a, b, _ = trio
    a.send(folder, "one")
    real = sync_folder.set_path(folder, a.id, 1)
    data = real.read_bytes()
    real.unlink()
    for name in (".syncthing.0000000001.vrmsync.tmp", "~syncthing~0000000001.vrmsync.tmp"):
        (folder / a.id / name).write_bytes(data[:20])
        got = b.receive(folder)
        assert names(got) == [] and got.problems == [] and got.waiting == 1
        (folder / a.id / name).unlink()
    real.write_bytes(data[: len(data) // 2])  # a half-copied file, just now
    got = b.receive(folder)
    assert names(got) == [] and got.problems == [] and got.waiting == 1
    real.write_bytes(data)  # the copy finished
    assert names(b.receive(folder)) == ["one"]


def test_a_truncated_set_is_refused_with_a_reason_and_the_rest_goes_on(trio, folder: Path):
    a, b, c = trio
    a.send(folder, "a1")
    a.send(folder, "a2")
    c.send(folder, "c1")
    first = sync_folder.set_path(folder, a.id, 1)
    good = first.read_bytes()
    first.write_bytes(good[:-40])
    got = b.receive(folder, now=LATER)
    assert names(got) == ["c1"]  # the other device's sets still come in
    assert kinds(got) == ["damaged"] and got.waiting == 1
    assert "Set 1 of Laptop" in got.problems[0].message
    assert "truncated or damaged" in got.problems[0].message
    first.write_bytes(good)  # the sync engine repairs it: not refused forever
    assert names(b.receive(folder)) == ["a1", "a2"]


@pytest.mark.parametrize("where", [30, 200, -20])
def test_a_bit_flipped_set_is_refused(trio, folder: Path, where: int):
    a, b, _ = trio
    a.send(folder, "x" * 500)
    a.send(folder, "after it")
    path = sync_folder.set_path(folder, a.id, 1)
    good = path.read_bytes()
    data = bytearray(good)
    data[where] ^= 0x04
    path.write_bytes(bytes(data))
    got = b.receive(folder, now=LATER)
    assert names(got) == []
    # a flip in this device's header stanza reads as "not encrypted to me", which at the start
    # of a chain is skipped: then the next set's link to it fails, and nothing is applied
    assert kinds(got) in (["damaged"], ["not-for-me"], ["chain", "before-pairing"])
    with b.session() as s:
        assert pairing.find_device(s, a.id).last_set == 0
    path.write_bytes(good)
    assert names(b.receive(folder)) == ["x" * 500, "after it"]


def test_a_replayed_older_set_is_skipped_and_reported(trio, folder: Path):
    a, b, _ = trio
    a.send(folder, "one")
    a.send(folder, "two")
    assert names(b.receive(folder)) == ["one", "two"]
    # someone with write access puts set 1 again where set 3 would go
    replay = sync_folder.set_path(folder, a.id, 3)
    replay.write_bytes(sync_folder.set_path(folder, a.id, 1).read_bytes())
    got = b.receive(folder, now=LATER)
    assert names(got) == [] and kinds(got) == ["replayed"]
    assert "older set 1" in got.problems[0].message
    replay.unlink()
    a.send(folder, "three")
    assert names(b.receive(folder)) == ["three"]  # never applied twice


def test_a_set_that_does_not_follow_the_head_is_a_broken_chain(trio, folder: Path):
    """A rolled-back writer (its vault restored) writes another set 2: detected, not applied."""
    a, b, _ = trio
    a.send(folder, "one")
    snapshot = a.db.read_bytes()
    a.send(folder, "two")
    b.receive(folder)
    second = sync_folder.set_path(folder, a.id, 2)
    second.unlink()
    a.engine.dispose()
    a.db.write_bytes(snapshot)  # the vault as it was before set 2
    a.send(folder, "another two")  # set 2 again, chained to set 1
    a.send(folder, "three")
    got = b.receive(folder)
    assert names(got) == [] and kinds(got) == ["chain"]
    assert "rolled back" in got.problems[0].message and "Set 3" in got.problems[0].message


def test_a_deleted_set_in_the_middle_is_a_gap(trio, folder: Path):
    a, b, _ = trio
    for n in ("one", "two", "three", "four"):
        a.send(folder, n)
    removed = sync_folder.set_path(folder, a.id, 2)
    kept = removed.read_bytes()
    removed.unlink()
    got = b.receive(folder)
    assert names(got) == ["one"]
    assert kinds(got) == ["gap"] and got.waiting == 2
    assert "Set 2 of Laptop" in got.problems[0].message and "2 later set(s) wait" in (
        got.problems[0].message
    )
    removed.write_bytes(kept)
    assert names(b.receive(folder)) == ["two", "three", "four"]


def test_a_set_renamed_to_another_number_is_misnumbered(trio, folder: Path):
    a, b, _ = trio
    a.send(folder, "one")
    a.send(folder, "two")
    one, two = (sync_folder.set_path(folder, a.id, n) for n in (1, 2))
    data1, data2 = one.read_bytes(), two.read_bytes()
    one.write_bytes(data2)
    two.write_bytes(data1)
    got = b.receive(folder, now=LATER)
    assert names(got) == [] and kinds(got) == ["misnumbered"]


def test_attachments_travel_once_as_blobs(trio, folder: Path, tmp_path: Path):
    import hashlib
    import io

    a, b, c = trio
    content = os.urandom(3 * 1024 * 1024 + 17)
    digest = hashlib.sha256(content).hexdigest()
    with a.session() as s:
        assert sync_folder.put_blob(s, folder, digest, io.BytesIO(content)) is True
        assert sync_folder.put_blob(s, folder, digest, io.BytesIO(content)) is False
        with pytest.raises(ValueError, match="is not"):
            sync_folder.put_blob(s, folder, "0" * 64, io.BytesIO(content))
    assert [p.name for p in (folder / "blobs").iterdir()] == [f"{digest}.age"]
    for reader in (b, c, a):
        out = io.BytesIO()
        with reader.session() as s:
            sync_folder.get_blob(s, folder, digest, out)
        assert out.getvalue() == content
    blob = sync_folder.blob_path(folder, digest)
    damaged = bytearray(blob.read_bytes())
    damaged[-100] ^= 1
    blob.write_bytes(bytes(damaged))
    with b.session() as s, pytest.raises(sync_folder.VrmError, match="damaged"):
        sync_folder.get_blob(s, folder, digest, io.BytesIO())
    with b.session() as s, pytest.raises(sync_folder.VrmError, match="not in the folder"):
        sync_folder.get_blob(s, folder, "1" * 64, io.BytesIO())


def test_a_pipe_or_a_link_in_the_place_of_a_set_is_refused_without_hanging(trio, folder: Path):
    a, b, _ = trio
    a.send(folder, "one")
    a.send(folder, "two")
    first = sync_folder.set_path(folder, a.id, 1)
    kept = first.read_bytes()
    first.unlink()
    os.mkfifo(first)
    got = b.receive(folder)
    assert names(got) == [] and kinds(got) == ["unreadable"] and got.waiting == 1
    assert "named pipe" in got.problems[0].message
    first.unlink()
    (folder / "elsewhere").write_bytes(kept)
    first.symlink_to(folder / "elsewhere")
    got = b.receive(folder)
    assert names(got) == [] and kinds(got) == ["unreadable"]
    first.unlink()
    first.write_bytes(kept)
    assert names(b.receive(folder)) == ["one", "two"]


def test_a_device_paired_later_starts_at_the_first_set_written_for_it(trio, folder, tmp_path):
    a = trio[0]
    a.send(folder, "before the new device")
    a.send(folder, "still before")
    late = Device(tmp_path / "late.db", "New phone")
    late.pair(a)
    with late.session() as s:
        sync_folder.init_folder(s, folder)
    a.send(folder, "for the new device too")
    got = late.receive(folder)
    assert names(got) == ["for the new device too"]
    assert kinds(got) == ["before-pairing"] and "1 to 2 of Laptop" in got.problems[0].message
    a.send(folder, "and on")
    got = late.receive(folder)
    assert names(got) == ["and on"] and got.problems == []
    with late.session() as s:
        assert pairing.find_device(s, a.id).last_set == 4


def test_a_set_opens_with_standard_tools(trio, folder: Path, tmp_path: Path):
    """The age tool decrypts it with the device's identity; PyJWT verifies the JWS with the key
    of its pairing code: the format depends on no code of vrmdesk."""
    import shutil
    import subprocess

    import jwt

    if shutil.which("age") is None:
        pytest.skip("the age tool is not installed (Debian package age)")
    a, b, _ = trio
    a.send(folder, "Bosch")
    identity = tmp_path / "b.key"
    with b.session() as s:
        identity.write_text(str(sync_folder.ensure_device(s).age_identity) + "\n")
    done = subprocess.run(
        ["age", "-d", "-i", str(identity), str(sync_folder.set_path(folder, a.id, 1))],
        capture_output=True,
        check=True,
    )
    key = jwt.PyJWK(pairing.read_code(a.code()).key)
    payload = jwt.api_jws.decode(done.stdout, key.key, algorithms=["EdDSA"])
    assert json.loads(payload)["changes"][0]["fields"] == {"name": "Bosch"}
