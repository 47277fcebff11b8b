"""Nothing writes to a synced record without the change log: the program's writers (the demo
builder, record services, tags, attachments, undo, mail capture and sorting, CSV import) run
with every commit checked against the log (tests/synclog_guard.py), and no module of the
program writes synced tables with SQL of its own."""

from __future__ import annotations

import io
import mailbox
import re
from pathlib import Path

from mail_corpus import raw
from sqlalchemy import select
from synclog_guard import _every_commit_logged  # noqa: F401  (autouse: every commit checked)

from vrmdesk.interchange import csv_import as ci
from vrmdesk.mail import capture, sorting, sources
from vrmdesk.store import changelog, demo
from vrmdesk.store import models as m
from vrmdesk.store.services import records, tags, undo
from vrmdesk.store.vault import Vault

ROOT = Path(__file__).parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "csv"


def logged_gids(vault: Vault) -> set[str]:
    with vault.session() as s:
        return {c["gid"] for c in changelog.entries(s)}


def all_gids(vault: Vault) -> set[str]:
    with vault.session() as s:
        return set(changelog.snapshot(s))


def test_the_demo_builder_and_record_services_leave_log_entries(vault: Vault):
    with vault.session() as s:
        demo.build(s, vault.attachments)
    assert all_gids(vault) <= logged_gids(vault)
    with vault.session() as s:
        for cls in m.RECORD_TYPES:
            obj = s.scalars(select(cls)).first()
            assert obj is not None, cls
            field = next(
                c
                for c in (
                    "notes",
                    "label",
                    "name",
                    "subject",
                    "content",
                    "data_given",
                    "description",
                )
                if hasattr(obj, c)
            )
            if cls is m.Attachment:
                continue
            records.update(s, cls, obj.id, **{field: f"{getattr(obj, field)} (edited)"})
        vendor = s.scalars(select(m.Vendor).order_by(m.Vendor.id)).first()
        assert vendor is not None
        tags.set_tags(s, vendor, ["sync", "household"])
        vault.attachments.add(s, vendor, io.BytesIO(b"NEW FILE"), name="new.txt")
    with vault.session() as s:
        tags.set_tags(s, vendor, ["household"])
    with vault.session() as s:
        snapshot = undo.delete_with_undo(
            s, m.Vendor, vendor.id, attachments=vault.attachments, cascade=True
        )
    with vault.session() as s:
        undo.undo_step(s, snapshot, attachments=vault.attachments)
    with vault.session() as s:
        assert changelog.verify(s) == []
        ops = {c["op"] for c in changelog.entries(s)}
    assert ops == {"create", "update", "delete"}


def test_mail_capture_and_sorting_leave_log_entries(vault: Vault, bosch: int, tmp_path: Path):
    box = mailbox.mbox(tmp_path / "in.mbox")
    box.add(raw(sender="Agent <a@support.bosch.example>", message_id="<1@bosch.example>"))
    box.add(raw(sender="Someone <x@unknown.example>", message_id="<2@unknown.example>"))
    box.close()
    capture.import_messages(vault, sources.messages_of(tmp_path / "in.mbox"))
    with vault.session() as s:
        (waiting,) = sorting.unsorted(s)
        sorting.assign(s, waiting.id, bosch, learn_domain=True)
    assert all_gids(vault) <= logged_gids(vault)
    with vault.session() as s:
        kinds = {c["kind"] for c in changelog.entries(s)}
    assert {"interaction", "unsorted_mail", "channel"} <= kinds


def test_the_csv_import_leaves_log_entries(vault: Vault):
    prepared = ci.prepare(FIXTURES / "homebox.csv", "assets")
    outcome = ci.import_csv(vault, prepared)
    assert outcome.created
    assert all_gids(vault) <= logged_gids(vault)
    again = ci.import_csv(vault, ci.prepare(FIXTURES / "homebox.csv", "assets"))  # updates
    assert again is not None
    with vault.session() as s:
        assert changelog.verify(s) == []


#: SQL of its own that the program runs on a synced table, and why it is not a change
RAW_WRITES_ALLOWED = {
    "vrmdesk/store/rotation.py": "renames attachments.blob_name, the local keyed name",
}


def test_no_module_writes_synced_tables_with_sql_of_its_own():
    tables = "|".join(changelog.KIND_OF_TABLE)
    pattern = re.compile(rf"\b(INSERT INTO|UPDATE|DELETE FROM)\s+\"?({tables})\b")
    found = []
    for path in sorted((ROOT / "vrmdesk").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "/migrations/" in rel or rel in RAW_WRITES_ALLOWED:
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            found.append(rel)
    assert found == []
