"""A message's files travel with it: shared from the timeline (the wizard's default ticks), whole
with its ticket, or as a loose message; the bundle lists them, holds their bytes and verifies."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from vrmshare import verify
from vrmshare.terms import Terms

from vrmdesk.share import choices as ch
from vrmdesk.share import export
from vrmdesk.share import slice as sl
from vrmdesk.store import models as m
from vrmdesk.store.services import files, records
from vrmdesk.store.vault import Vault

PHOTO = b"\xff\xd8\xff\xe0 a photo of the E24 error \xff\xd9"
BOSCH = "Bosch Home Appliances"


def attach(vault: Vault, interaction_id: int, name: str, data: bytes) -> int:
    with vault.session() as s:
        return files.attach(
            s,
            vault.attachments,
            "interaction",
            interaction_id,
            io.BytesIO(data),
            name=name,
            max_size=10**6,
        )


@pytest.fixture
def on_ticket(demo_vault: Vault) -> tuple[int, int, int]:
    """(vendor, message, its photo): the repair request of Bosch's dishwasher ticket."""
    with demo_vault.session() as s:
        bosch = records.find_vendor(s, BOSCH).id
        message = s.scalar(
            select(m.Interaction.id).where(
                m.Interaction.subject == "Repair request: E24 after every programme"
            )
        )
    assert message is not None
    return bosch, message, attach(demo_vault, message, "e24.jpg", PHOTO)


def export_and_verify(vault: Vault, selection: sl.Selection, out: Path) -> dict[str, bytes]:
    """The bundle's files by name (after the verifier accepted it) and the manifest."""
    result = export.export_bundle(
        vault, selection, Terms(purpose="warranty_claim"), out, created="2026-05-01T08:30:00Z"
    )
    verified = verify.verify_bundle(result.path)
    listed = {f["path"]: f for f in verified.manifest["files"]}
    with zipfile.ZipFile(result.path) as z:
        out_files = {
            listed[name]["name"]: z.read(name) for name in z.namelist() if name.startswith("files/")
        }
        manifest = json.loads(z.read("manifest.json"))
    for entry in manifest["files"]:
        if entry["path"].startswith("files/"):
            assert entry["sha256"] == hashlib.sha256(out_files[entry["name"]]).hexdigest()
    return out_files


def wizard_selection(vault: Vault, vendor: int, **opened_from: object) -> sl.Selection:
    with vault.session() as s:
        found = ch.choices(s, vendor)
        checked = ch.default_checks(found, session=s, **opened_from)  # type: ignore[arg-type]
        return ch.selection_from_checks(found, checked)


def test_a_message_shared_from_the_timeline_takes_its_photo(
    demo_vault: Vault, on_ticket, tmp_path: Path
) -> None:
    bosch, message, photo = on_ticket
    selection = wizard_selection(demo_vault, bosch, interaction_ids=[message])
    assert ("attachment", photo) not in selection.exclude
    with demo_vault.session() as s:
        shared = sl.collect(s, demo_vault, selection)
    assert [(f.name, f.about) for f in shared.files] == [
        ("e24.jpg", next(r.uid for r in shared.records if r.kind == "interaction"))
    ]
    assert export_and_verify(demo_vault, selection, tmp_path / "b.vrmshare") == {"e24.jpg": PHOTO}


def test_ticking_a_message_in_a_ticket_ticks_its_files_and_unticking_leaves_them_out(
    demo_vault: Vault, on_ticket
) -> None:
    bosch, message, photo = on_ticket
    with demo_vault.session() as s:
        found = ch.choices(s, bosch)
    checked = ch.ticked(found, set(), ("interaction", message), True)
    assert {("interaction", message), ("attachment", photo)} <= checked
    assert ("attachment", photo) not in ch.ticked(found, checked, ("interaction", message), False)
    # the file's entry says whose it is
    entry = found.find("attachment", photo)
    assert entry is not None and entry.owner == ("interaction", message)


def test_a_whole_ticket_and_a_loose_message_take_their_messages_files(
    demo_vault: Vault, on_ticket, tmp_path: Path
) -> None:
    bosch, _, _ = on_ticket
    with demo_vault.session() as s:
        loose = records.create(
            s,
            m.Interaction,
            vendor_id=bosch,
            occurred_at=datetime(2026, 4, 1, 10, 0),
            direction="inbound",
            channel="letter",
            subject="Invoice for the repair",
            body="Please find the invoice enclosed.",
        ).id
    attach(demo_vault, loose, "invoice.pdf", b"%PDF-1.4 invoice")
    selection = wizard_selection(demo_vault, bosch, interaction_ids=[loose])
    assert export_and_verify(demo_vault, selection, tmp_path / "a.vrmshare") == {
        "invoice.pdf": b"%PDF-1.4 invoice"
    }
    with demo_vault.session() as s:
        everything = sl.everything(s, bosch)
    got = export_and_verify(demo_vault, everything, tmp_path / "b.vrmshare")
    assert got["e24.jpg"] == PHOTO and got["invoice.pdf"] == b"%PDF-1.4 invoice"
