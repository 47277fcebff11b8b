"""What the desktop needs from the attachment store: cancel and progress hooks that leave nothing
behind, readable limits, and delete with undo of an attachment that takes its content along."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from vrmdesk.errors import AttachmentError
from vrmdesk.store import models as m
from vrmdesk.store.attachments import format_size
from vrmdesk.store.services import records, undo
from vrmdesk.store.tempcopies import TempCopies
from vrmdesk.store.vault import Vault

PASSPHRASE = "correct horse"  # the conftest's vault fixture uses it


class Stop(Exception):
    """A caller's cancel (the UI raises its own Cancelled)."""


def contents(vault_dir: Path) -> list[Path]:
    return sorted(p for p in (vault_dir / "attachments").glob("??/*") if p.is_file())


def leftovers(vault_dir: Path) -> list[Path]:
    tmp = vault_dir / "attachments" / "tmp"
    return list(tmp.iterdir()) if tmp.exists() else []


def count(vault: Vault, cls: type) -> int:
    with vault.session() as s:
        return s.scalar(select(func.count()).select_from(cls))


@pytest.fixture
def vendor_id(vault: Vault) -> int:
    with vault.session() as s:
        return records.create(s, m.Vendor, name="Bosch").id


def attach(vault: Vault, vendor_id: int, data: bytes, name: str = "a.bin") -> int:
    with vault.session() as s:
        return vault.attachments.add(s, s.get(m.Vendor, vendor_id), io.BytesIO(data), name=name).id


def test_an_exception_from_the_source_stream_comes_out_unchanged_and_leaves_nothing(
    vault, vault_dir, vendor_id
):
    class Cancelling(io.BytesIO):
        def read(self, size=-1):  # type: ignore[no-untyped-def]
            if self.tell() >= 100_000:
                raise Stop()
            return super().read(min(size, 50_000) if size and size > 0 else 50_000)

    with pytest.raises(Stop), vault.session() as s:
        vault.attachments.add(
            s, s.get(m.Vendor, vendor_id), Cancelling(b"x" * 300_000), name="big.bin"
        )
    assert contents(vault_dir) == [] and leftovers(vault_dir) == []
    assert count(vault, m.Attachment) == count(vault, m.Blob) == 0


def test_the_size_limit_reads_well_whatever_its_size(vault, vendor_id):
    with pytest.raises(AttachmentError) as err, vault.session() as s:
        vault.attachments.add(
            s, s.get(m.Vendor, vendor_id), io.BytesIO(b"x" * 5000), name="x.bin", max_size=2048
        )
    assert str(err.value) == "The file is too large: the limit is 2.0 KB."
    assert [format_size(n) for n in (1, 900, 150_000, 3 * 1024**3)] == [
        "1 byte",
        "900 bytes",
        "146 KB",
        "3.0 GB",
    ]


def test_write_to_reports_progress_and_a_stop_leaves_no_copy(vault, vendor_id, tmp_path):
    data = bytes(range(256)) * 2000  # several age chunks
    attachment_id = attach(vault, vendor_id, data)
    seen: list[int] = []
    with vault.session() as s:
        attachment = s.get(m.Attachment, attachment_id)
        out = io.BytesIO()
        vault.attachments.write_to(attachment, out, on_chunk=seen.append)
        assert out.getvalue() == data
        assert seen == sorted(seen) and seen[-1] == len(data)

        def stop(written: int) -> None:
            if written > 100_000:
                raise Stop()

        outside = tmp_path / "outside"
        outside.mkdir()
        with pytest.raises(Stop):
            vault.attachments.save_copy(attachment, outside / "copy.bin", on_chunk=stop)
        assert list(outside.iterdir()) == []

        copies = TempCopies()
        try:
            with pytest.raises(Stop):
                copies.copy_of(vault, attachment, on_chunk=stop)
            assert [p for p in copies.folder.rglob("*") if p.is_file()] == []  # type: ignore[union-attr]
        finally:
            copies.clear()


def test_deleting_an_attachment_takes_its_content_and_undo_brings_both_back(
    vault, vault_dir, vendor_id
):
    attachment_id = attach(vault, vendor_id, b"receipt", name="r.txt")
    with vault.session() as s:
        snapshot = undo.delete_with_undo(
            s, m.Attachment, attachment_id, attachments=vault.attachments
        )
    assert count(vault, m.Attachment) == count(vault, m.Blob) == 0
    assert len(contents(vault_dir)) == 1  # on disk until the vault closes, for undo
    with vault.session() as s:
        undo.undo(s, snapshot)
    with vault.session() as s:
        assert vault.attachments.read_bytes(s.get(m.Attachment, attachment_id)) == b"receipt"

    with vault.session() as s:
        records.delete_record(s, m.Attachment, attachment_id, attachments=vault.attachments)
    vault.close()
    assert contents(vault_dir) == []  # swept when the vault closed


def test_deleting_one_of_two_links_keeps_the_shared_content(vault, vault_dir, vendor_id):
    first = attach(vault, vendor_id, b"same", name="a.txt")
    second = attach(vault, vendor_id, b"same", name="b.txt")
    with vault.session() as s:
        snapshot = undo.delete_with_undo(s, m.Attachment, first, attachments=vault.attachments)
    assert count(vault, m.Blob) == 1
    with vault.session() as s:
        undo.undo(s, snapshot)
        assert vault.attachments.read_bytes(s.get(m.Attachment, first)) == b"same"
        assert vault.attachments.read_bytes(s.get(m.Attachment, second)) == b"same"
    vault.close()
    with Vault.open(vault_dir, PASSPHRASE) as again, again.session() as s:
        assert again.attachments.read_bytes(s.get(m.Attachment, second)) == b"same"
