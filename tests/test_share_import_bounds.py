"""A signed reply is imported only within bounds: real dates in a sane range, strings of a sane
length, a sane number of records. A refused import leaves the vault byte for byte as it was.

(What the importer tolerates by design, a value of an unexpected type or an unknown status or
channel, is in test_share_reply.py::test_odd_records_in_a_signed_reply_are_handled.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from share_helpers import hostile_bundle, run_vrmdesk, sample_files, uid, vault_bundle
from sqlalchemy import select
from vrmshare.errors import BundleError
from vrmshare.reply import ReplyContent, build_reply_manifest, keygen, load_signing_key
from vrmshare.verify import verify_bundle

from vrmdesk.share.identity import ensure_identity
from vrmdesk.share.importer import import_reply
from vrmdesk.store import models as m
from vrmdesk.store.vault import Vault

PASSPHRASE = "correct horse"
CREATED = "2026-11-21T09:00:00Z"


@pytest.fixture
def shared(vault: Vault, tmp_path: Path):  # type: ignore[no-untyped-def]
    with vault.session() as s:
        me = ensure_identity(s)
        written, ids = vault_bundle(
            s, vault.header.vault_id, tmp_path / "mine.vrmshare", me.private_key
        )
    keygen(tmp_path / "vendor.jwk")
    return written, ids


def hostile_reply(
    tmp_path: Path,
    shared,
    change: Callable[[dict[str, Any]], None],
    *,  # type: ignore[no-untyped-def]
    literals: dict[str, str] | None = None,
    **content: Any,
) -> Path:
    """A reply signed by the vendor's key, then changed by ``change`` (and signed again)."""
    key = load_signing_key(tmp_path / "vendor.jwk")
    original = verify_bundle(shared[0].path)
    content.setdefault("messages", ["On it."])
    manifest = build_reply_manifest(original, key, ReplyContent(**content), created=CREATED)
    return hostile_bundle(
        tmp_path / "reply.vrmshare",
        key,
        change,
        manifest=manifest,
        files=sample_files()[:1],
        literals=literals,
    )


def refused_and_unchanged(vault: Vault, reply: Path, tree_hashes, match: str) -> None:  # type: ignore[no-untyped-def]
    """The command line refuses the import in one line, and not a byte of the vault changes."""
    folder = vault.folder
    vault.close()
    before = tree_hashes(folder)
    code, out, err = run_vrmdesk(
        ["share", "import", "--vault", str(folder), str(reply), "--yes"],
        env={"VRMDESK_PASSPHRASE": PASSPHRASE},
    )
    assert code == 1, out
    assert err.startswith("vrmdesk: ") and err.count("\n") == 1 and "Traceback" not in err, err
    assert match.lower() in err.lower(), err
    assert tree_hashes(folder) == before


def record(manifest: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(r for r in manifest["records"] if r["@type"] == kind)


def test_an_impossible_created_time_does_not_close_a_ticket_in_1970(
    vault: Vault, tmp_path: Path, shared, tree_hashes
) -> None:  # type: ignore[no-untyped-def]
    reply = hostile_reply(
        tmp_path, shared, lambda mf: mf.update(created="9999-99-99T99:99:99Z"), status="closed"
    )
    refused_and_unchanged(vault, reply, tree_hashes, "created")
    with Vault.open(vault.folder, PASSPHRASE) as again, again.session() as s:
        ticket = s.get(m.Ticket, shared[1]["ticket"])
        assert ticket.closed_on is None and ticket.status == m.TicketStatus.OPEN


def test_a_closed_status_closes_on_the_reply_s_day(vault: Vault, tmp_path: Path, shared) -> None:  # type: ignore[no-untyped-def]
    reply = hostile_reply(tmp_path, shared, lambda mf: None, status="closed")
    with vault.session() as s:
        import_reply(s, verify_bundle(reply), confirm_key=lambda _n, _f: True)
    with vault.session() as s:
        assert s.get(m.Ticket, shared[1]["ticket"]).closed_on == date(2026, 11, 21)


def _warranty(vault: Vault, shared) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "confirm_warranty": uid("warranty", shared[1]["warranty"], vault.header.vault_id),
        "valid_through": "2027-06-01",
    }


@pytest.mark.parametrize(
    ("through", "match"),
    [
        ("2027-06-01" * 600_000, "validThrough"),
        ("2027-02-30", "validThrough"),
        ("9999-99-99", "validThrough"),
        ("tomorrow", "validThrough"),
    ],
)
def test_a_warranty_confirmation_with_an_unreal_date_is_refused(
    vault: Vault,
    tmp_path: Path,
    shared,
    tree_hashes,  # type: ignore[no-untyped-def]
    through: str,
    match: str,
) -> None:
    reply = hostile_reply(
        tmp_path,
        shared,
        lambda mf: record(mf, "WarrantyPromise").update({"vrm:validThrough": through}),
        **_warranty(vault, shared),
    )
    refused_and_unchanged(vault, reply, tree_hashes, match)


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("Message", "text", "x" * 100_001),
        ("Message", "headline", "h" * 10_001),
        ("Message", "dateSent", "2026-11-21T09:00:00Z" + " " * 100),
        ("vrm:SupportTicket", "identifier", "R" * 10_001),
        ("vrm:Correction", "field", "f" * 201),
        ("vrm:Correction", "value", "v" * 10_001),
        ("vrm:Correction", "note", "n" * 10_001),
        ("vrm:Correction", "value", {"nested": ["objects"] * 1000}),
    ],
)
def test_over_long_or_ill_typed_fields_are_refused(
    vault: Vault,
    tmp_path: Path,
    shared,
    tree_hashes,  # type: ignore[no-untyped-def]
    kind: str,
    field: str,
    value: Any,
) -> None:
    vault_id = vault.header.vault_id
    reply = hostile_reply(
        tmp_path,
        shared,
        lambda mf: record(mf, kind).update({field: value}),
        case_reference="CASE-1",
        corrections=[(uid("asset", shared[1]["asset"], vault_id), "model", "X2")],
    )
    refused_and_unchanged(vault, reply, tree_hashes, "reply")


def test_too_many_records_are_refused(vault: Vault, tmp_path: Path, shared, tree_hashes) -> None:  # type: ignore[no-untyped-def]
    reply = hostile_reply(
        tmp_path, shared, lambda mf: None, messages=[f"m{n}" for n in range(1001)]
    )
    refused_and_unchanged(vault, reply, tree_hashes, "records")


def test_a_message_dated_far_off_is_put_on_the_reply_s_time(
    vault: Vault, tmp_path: Path, shared
) -> None:  # type: ignore[no-untyped-def]
    reply = hostile_reply(
        tmp_path,
        shared,
        lambda mf: mf["records"][0].update(dateSent="9999-12-31T23:59:59Z"),
        messages=["far off"],
    )
    with vault.session() as s:
        import_reply(s, verify_bundle(reply), confirm_key=lambda _n, _f: True)
    with vault.session() as s:
        message = s.scalar(select(m.Interaction).where(m.Interaction.body == "far off"))
        assert message.occurred_at == datetime(2026, 11, 21, 9, 0, 0)


def test_a_sane_reply_still_imports_everything(vault: Vault, tmp_path: Path, shared) -> None:  # type: ignore[no-untyped-def]
    reply = hostile_reply(
        tmp_path,
        shared,
        lambda mf: None,
        subject="Re: leak",
        case_reference="CASE-9",
        status="waiting_on_me",
        **_warranty(vault, shared),
    )
    with vault.session() as s:
        result = import_reply(s, verify_bundle(reply), confirm_key=lambda _n, _f: True)
    assert result.counts["messages"] == 1 and result.counts["ticket updates"] == 1
    assert result.counts["warranty confirmations"] == 1
    with vault.session() as s:
        notes = s.get(m.Warranty, shared[1]["warranty"]).notes
        assert notes.endswith("valid through 2027-06-01.")


def test_the_api_refuses_with_a_bundle_error(vault: Vault, tmp_path: Path, shared) -> None:  # type: ignore[no-untyped-def]
    reply = hostile_reply(
        tmp_path, shared, lambda mf: record(mf, "Message").update(text="x" * 100_001)
    )
    with pytest.raises(BundleError, match="reply"), vault.session() as s:
        import_reply(s, verify_bundle(reply), confirm_key=lambda _n, _f: True)
