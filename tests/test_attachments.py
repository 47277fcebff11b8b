"""Attachments: encrypted at rest, stored once per content, checked on read, crash-safe, and
readable with the standard age tool."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from vrmdesk.errors import AttachmentError, ValidationError
from vrmdesk.store import backup
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault

PASSPHRASE = "correct horse"  # the conftest's vault fixture uses it


def blob_files(vault_dir: Path) -> list[Path]:
    """Stored contents: ``attachments/<2 hex>/<name>``."""
    return sorted(p for p in (vault_dir / "attachments").glob("??/*") if p.is_file())


def all_files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def make_vendor(vault: Vault, name: str = "Bosch") -> int:
    with vault.session() as s:
        return records.create(s, m.Vendor, name=name).id


def attach(vault: Vault, vendor_id: int, source, **kw) -> int:
    with vault.session() as s:
        vendor = s.get(m.Vendor, vendor_id)
        return vault.attachments.add(s, vendor, source, **kw).id


def read(vault: Vault, attachment_id: int) -> bytes:
    with vault.session() as s:
        return vault.attachments.read_bytes(s.get(m.Attachment, attachment_id))


@pytest.fixture
def content() -> bytes:
    """Several age chunks (64 KiB each) with a recognisable start and end."""
    return b"%PDF-1.7 receipt\n" + os.urandom(200_000) + b"\n%%EOF\n"


def test_a_file_comes_back_as_it_went_in(vault, vault_dir, tmp_path, content):
    source = tmp_path / "receipt.pdf"
    source.write_bytes(content)
    vendor_id = make_vendor(vault)
    attachment_id = attach(vault, vendor_id, source)

    with vault.session() as s:
        attachment = s.get(m.Attachment, attachment_id)
        assert (attachment.name, attachment.media_type) == ("receipt.pdf", "application/pdf")
        assert attachment.size == len(content)
        assert attachment.sha256 == hashlib.sha256(content).hexdigest()
        assert [a.id for a in vault.attachments.for_owner(s, s.get(m.Vendor, vendor_id))] == [
            attachment_id
        ]
    (stored,) = blob_files(vault_dir)
    assert content[:16] not in stored.read_bytes()
    assert stored.read_bytes().startswith(b"age-encryption.org/v1\n")
    vault.close()

    with Vault.open(vault_dir, PASSPHRASE) as again:
        assert read(again, attachment_id) == content
        copy = tmp_path / "out" / "copy.pdf"
        copy.parent.mkdir()
        with again.session() as s:
            again.attachments.save_copy(s.get(m.Attachment, attachment_id), copy)
        assert copy.read_bytes() == content
        assert os.listdir(copy.parent) == ["copy.pdf"]  # no partial file beside it


def test_a_stream_is_stored_too(vault, content):
    vendor_id = make_vendor(vault)
    attachment_id = attach(vault, vendor_id, io.BytesIO(content), name="scan.bin")
    assert read(vault, attachment_id) == content
    with pytest.raises(ValidationError) as err:
        attach(vault, vendor_id, io.BytesIO(content), name="   ")
    assert err.value.field == "name"


def test_the_same_content_twice_is_stored_once(vault, vault_dir, tmp_path, content):
    vendor_id = make_vendor(vault)
    other_id = make_vendor(vault, "Miele")
    first = attach(vault, vendor_id, io.BytesIO(content), name="a.pdf")
    second = attach(vault, other_id, io.BytesIO(content), name="b.pdf")
    assert first != second
    assert len(blob_files(vault_dir)) == 1
    with vault.session() as s:
        assert s.scalar(select(func.count()).select_from(m.Blob)) == 1
    assert read(vault, first) == read(vault, second) == content
    attach(vault, vendor_id, io.BytesIO(content + b"!"), name="c.pdf")
    assert len(blob_files(vault_dir)) == 2


@pytest.mark.parametrize("as_path", [True, False], ids=["path", "stream"])
def test_a_file_over_the_size_limit_is_refused_and_leaves_nothing(
    vault, vault_dir, tmp_path, as_path
):
    vendor_id = make_vendor(vault)
    data = b"x" * 300_000
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    source_or_stream = source if as_path else io.BytesIO(data)
    with pytest.raises(AttachmentError) as err:
        attach(vault, vendor_id, source_or_stream, name="big.bin", max_size=100_000)
    assert type(err.value) is AttachmentError
    assert "too large" in str(err.value)
    assert blob_files(vault_dir) == []
    tmp = vault_dir / "attachments" / "tmp"
    assert not tmp.exists() or list(tmp.iterdir()) == []
    with vault.session() as s:
        assert s.scalar(select(func.count()).select_from(m.Attachment)) == 0
        assert s.scalar(select(func.count()).select_from(m.Blob)) == 0
    vault.close()
    assert all_files(vault_dir / "attachments") == []


@pytest.mark.parametrize("where", ["header", "payload", "end"])
def test_a_tampered_attachment_is_refused_on_read(vault, vault_dir, tmp_path, content, where):
    vendor_id = make_vendor(vault)
    attachment_id = attach(vault, vendor_id, io.BytesIO(content), name="receipt.pdf")
    (stored,) = blob_files(vault_dir)
    data = bytearray(stored.read_bytes())
    offset = {"header": 40, "payload": len(data) // 2, "end": len(data) - 1}[where]
    data[offset] ^= 0x01
    stored.write_bytes(bytes(data))

    with pytest.raises(AttachmentError) as err:
        read(vault, attachment_id)
    assert type(err.value) is AttachmentError
    assert "receipt.pdf" in str(err.value) and "damaged" in str(err.value)
    destination = tmp_path / "copy.pdf"
    with pytest.raises(AttachmentError), vault.session() as s:
        vault.attachments.save_copy(s.get(m.Attachment, attachment_id), destination)
    assert list(tmp_path.glob("*copy.pdf*")) == []  # no partial plaintext left behind


def test_a_content_swapped_for_another_is_refused_on_read(vault, vault_dir, content):
    """Each file is valid age on its own; what is checked is that it is the right one."""
    vendor_id = make_vendor(vault)
    receipt = attach(vault, vendor_id, io.BytesIO(content), name="receipt.pdf")
    attach(vault, vendor_id, io.BytesIO(b"another file"), name="other.txt")
    with vault.session() as s:
        receipt_file = vault.attachments.path_of(s.get(m.Attachment, receipt).blob_name)
    (other_file,) = [p for p in blob_files(vault_dir) if p != receipt_file]
    shutil.copyfile(other_file, receipt_file)
    with pytest.raises(AttachmentError) as err:
        read(vault, receipt)
    assert type(err.value) is AttachmentError
    assert "receipt.pdf" in str(err.value) and "damaged" in str(err.value)


def test_a_missing_attachment_file_is_reported(vault, vault_dir, content):
    vendor_id = make_vendor(vault)
    attachment_id = attach(vault, vendor_id, io.BytesIO(content), name="receipt.pdf")
    (stored,) = blob_files(vault_dir)
    stored.unlink()
    with pytest.raises(AttachmentError) as err:
        read(vault, attachment_id)
    assert type(err.value) is AttachmentError and "missing" in str(err.value)


READ_ONE = r"""
import sys
from vrmdesk.errors import VrmError
from vrmdesk.store import models as m
from vrmdesk.store.vault import Vault

with Vault.open(sys.argv[1], sys.argv[2], readonly=True) as vault, vault.session() as s:
    try:
        vault.attachments.read_bytes(s.get(m.Attachment, int(sys.argv[3])))
    except VrmError as exc:
        print(type(exc).__name__, exc, sep="\n")
    else:
        print("read")
"""


@pytest.mark.skipif(sys.platform == "win32", reason="links, devices and FIFOs are POSIX here")
@pytest.mark.parametrize("replacement", ["link-to-dev-zero", "link-to-a-copy", "fifo", "folder"])
def test_an_attachment_that_is_not_a_regular_file_is_refused_at_once(
    vault, vault_dir, tmp_path, content, replacement
):
    """Reading never follows a link out of the vault nor waits on a device or a FIFO."""
    vendor_id = make_vendor(vault)
    attachment_id = attach(vault, vendor_id, io.BytesIO(content), name="receipt.pdf")
    (stored,) = blob_files(vault_dir)
    vault.close()
    copy = tmp_path / "elsewhere"
    copy.write_bytes(stored.read_bytes())  # the right content: a link to it is refused all the same
    stored.unlink()
    if replacement == "link-to-dev-zero":
        stored.symlink_to("/dev/zero")
    elif replacement == "link-to-a-copy":
        stored.symlink_to(copy)
    elif replacement == "fifo":
        os.mkfifo(stored)
    else:
        stored.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", READ_ONE, str(vault_dir), PASSPHRASE, str(attachment_id)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    name, message = result.stdout.splitlines()[:2]
    assert name == "AttachmentError"
    assert "receipt.pdf" in message and "not a regular file" in message


def test_content_written_for_a_change_that_was_undone_is_swept(vault, vault_dir, content):
    vendor_id = make_vendor(vault)
    kept = attach(vault, vendor_id, io.BytesIO(b"a receipt to keep"), name="keep.txt")
    (kept_file,) = blob_files(vault_dir)

    def add_then_cancel() -> None:
        with vault.session() as s:
            owner = s.get(m.Vendor, vendor_id)
            vault.attachments.add(s, owner, io.BytesIO(content), name="x.pdf")
            s.flush()
            assert len(blob_files(vault_dir)) == 2  # on disk before the commit, as designed
            raise RuntimeError("the user pressed cancel")

    with pytest.raises(RuntimeError):
        add_then_cancel()
    vault.close()
    assert blob_files(vault_dir) == [kept_file]
    with Vault.open(vault_dir, PASSPHRASE) as again:
        assert blob_files(vault_dir) == [kept_file]
        assert read(again, kept) == b"a receipt to keep"
    kept_name = str(kept_file.relative_to(vault_dir / "attachments"))
    assert all_files(vault_dir / "attachments") == [kept_name]  # no tmp/, no marker left


KILLED_WHILE_ATTACHING = r"""
import io, os, signal, sys
from vrmdesk.store import models as m
from vrmdesk.store.vault import Vault

vault = Vault.open(sys.argv[1], sys.argv[2])
with vault.session() as s:
    vendor = s.get(m.Vendor, int(sys.argv[3]))
    vault.attachments.add(s, vendor, io.BytesIO(os.urandom(100_000)), name="half.bin")
    s.flush()
    os.kill(os.getpid(), signal.SIGKILL)  # before the commit
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_content_left_by_a_killed_process_is_swept_on_the_next_open(vault, vault_dir):
    vendor_id = make_vendor(vault)
    kept = attach(vault, vendor_id, io.BytesIO(b"a receipt to keep"), name="keep.txt")
    (kept_file,) = blob_files(vault_dir)
    vault.close()
    result = subprocess.run(
        [sys.executable, "-c", KILLED_WHILE_ATTACHING, str(vault_dir), PASSPHRASE, str(vendor_id)],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()
    assert len(blob_files(vault_dir)) == 2  # the orphan is there ...
    with Vault.open(vault_dir, PASSPHRASE) as again:
        assert blob_files(vault_dir) == [kept_file]  # ... and gone after the next open
        assert read(again, kept) == b"a receipt to keep"
        with again.session() as s:
            assert s.scalar(select(func.count()).select_from(m.Attachment)) == 1


def test_content_goes_with_its_last_link(vault, vault_dir, content):
    vendor_id = make_vendor(vault)
    first = attach(vault, vendor_id, io.BytesIO(content), name="a.pdf")
    second = attach(vault, vendor_id, io.BytesIO(content), name="b.pdf")
    with vault.session() as s:
        vault.attachments.remove(s, first)
    vault.close()
    assert len(blob_files(vault_dir)) == 1  # still linked once

    with Vault.open(vault_dir, PASSPHRASE) as again:
        assert read(again, second) == content
        with again.session() as s:
            again.attachments.remove(s, second)
            assert s.scalar(select(func.count()).select_from(m.Blob)) == 0
    assert blob_files(vault_dir) == []


def test_deleting_the_owner_removes_its_attachments(vault, vault_dir, content):
    vendor_id = make_vendor(vault)
    attach(vault, vendor_id, io.BytesIO(content), name="a.pdf")
    with vault.session() as s:
        records.delete_record(s, m.Vendor, vendor_id, attachments=vault.attachments)
    vault.close()
    assert blob_files(vault_dir) == []


def test_content_a_backup_still_needs_is_kept(vault, vault_dir, content):
    vendor_id = make_vendor(vault)
    attachment_id = attach(vault, vendor_id, io.BytesIO(content), name="a.pdf")
    taken = backup.make_backup(vault)
    with vault.session() as s:
        vault.attachments.remove(s, attachment_id)
    vault.close()
    assert len(blob_files(vault_dir)) == 1  # the backup refers to it

    with Vault.open(vault_dir, PASSPHRASE) as again:  # the sweep on open keeps it too
        assert len(blob_files(vault_dir)) == 1
        with again.session() as s:
            assert s.scalar(select(func.count()).select_from(m.Attachment)) == 0
    backup.restore(vault_dir, taken.path, passphrase=PASSPHRASE)
    with Vault.open(vault_dir, PASSPHRASE) as restored:
        assert read(restored, attachment_id) == content


@pytest.mark.skipif(
    shutil.which("age") is None, reason="the age tool is not installed (apt-get install age)"
)
def test_the_age_tool_decrypts_an_attachment(vault, vault_dir, tmp_path, content):
    vendor_id = make_vendor(vault)
    attach(vault, vendor_id, io.BytesIO(content), name="receipt.pdf")
    identity = vault.attachments.export_identity()
    assert identity.startswith("AGE-SECRET-KEY-1")
    identity_file = tmp_path / "identity.txt"
    identity_file.touch(mode=0o600)
    identity_file.write_text(identity + "\n")
    (stored,) = blob_files(vault_dir)
    result = subprocess.run(
        ["age", "--decrypt", "--identity", str(identity_file), str(stored)],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == content
    # and only with that identity
    other = subprocess.run(["age-keygen"], capture_output=True, text=True, timeout=60)
    if other.returncode == 0:
        wrong_identity = tmp_path / "other.txt"
        wrong_identity.write_text(other.stdout)
        refused = subprocess.run(
            ["age", "--decrypt", "--identity", str(wrong_identity), str(stored)],
            capture_output=True,
            timeout=60,
        )
        assert refused.returncode != 0 and refused.stdout == b""
