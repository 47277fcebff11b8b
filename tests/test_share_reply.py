"""The vendor's key and reply; importing it: pinning, merging, idempotence, refusals, the CLI."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyrage import x25519
from share_helpers import make_bundle, uid, vault_bundle
from sqlalchemy import func, select
from vrmshare.errors import BundleError, BundleForged, ReplyRefused
from vrmshare.reply import ReplyContent, ReplyError, keygen, load_signing_key, write_reply
from vrmshare.verify import verify_bundle

from vrmdesk import cli as share_cli
from vrmdesk.share.identity import ensure_identity
from vrmdesk.share.importer import import_reply
from vrmdesk.store import models as m
from vrmdesk.store.vault import Vault

PASSPHRASE = "correct horse"  # the vault fixture's (tests/conftest.py)
YES = lambda _name, _fp: True  # noqa: E731


@pytest.fixture
def shared(vault: Vault, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A bundle I sent Acme (logged as a Disclosure) and the ids of what it shared."""
    with vault.session() as s:
        me = ensure_identity(s)
        written, ids = vault_bundle(
            s, vault.header.vault_id, tmp_path / "mine.vrmshare", me.private_key
        )
    uids = {kind: uid(kind, rid, vault.header.vault_id) for kind, rid in ids.items()}
    return written, ids, uids


@pytest.fixture
def vendor_key(tmp_path: Path) -> Path:
    path = tmp_path / "vendor.jwk"
    keygen(path)
    return path


def reply(tmp_path: Path, shared, key_file: Path, name: str = "r.vrmshare", **content) -> Path:  # type: ignore[no-untyped-def]
    original = verify_bundle(shared[0].path)
    content.setdefault("messages", ["A technician comes on Monday."])
    return write_reply(
        original,
        load_signing_key(key_file),
        ReplyContent(**content),
        tmp_path / name,
        created="2026-11-21T09:00:00Z",
    ).path


def counts(vault: Vault) -> dict[str, int]:
    with vault.session() as s:
        return {
            cls.__name__: s.scalar(select(func.count()).select_from(cls))
            for cls in (m.Interaction, m.VendorKey, m.ImportedBundle, m.ImportedRecord)
        }


def snapshot(vault: Vault) -> dict:  # type: ignore[type-arg]
    with vault.session() as s:
        tickets = [(t.id, t.reference, t.status) for t in s.scalars(select(m.Ticket))]
        notes = [(w.id, w.notes) for w in s.scalars(select(m.Warranty))]
    return {"counts": counts(vault), "tickets": tickets, "warranties": notes}


def do_import(vault: Vault, path: Path, confirm=YES):  # type: ignore[no-untyped-def]
    verified = verify_bundle(path)
    with vault.session() as s:
        return import_reply(s, verified, confirm_key=confirm)


def test_keygen_writes_a_private_jwk_0600(tmp_path: Path) -> None:
    path = tmp_path / "k.jwk"
    public = keygen(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["kty"] == "OKP" and data["crv"] == "Ed25519" and "d" in data
    assert "d" not in public and public["kid"] == data["kid"]
    assert isinstance(load_signing_key(path), Ed25519PrivateKey)
    with pytest.raises(ReplyError, match="exists"):
        keygen(path)
    (tmp_path / "pub.jwk").write_text(json.dumps(public))
    with pytest.raises(ReplyError):
        load_signing_key(tmp_path / "pub.jwk")


def test_reply_records(tmp_path: Path, shared, vendor_key: Path) -> None:  # type: ignore[no-untyped-def]
    path = reply(
        tmp_path,
        shared,
        vendor_key,
        subject="Re: leak",
        case_reference="CASE-9",
        confirm_warranty=shared[2]["warranty"],
        valid_through="2027-06-01",
        corrections=[(shared[2]["asset"], "serialNumber", "SN-2")],
    )
    verified = verify_bundle(path)
    assert verified.purpose == "reply" and verified.in_reply_to == shared[0].bundle_id
    by_type = {r["@type"]: r for r in verified.records}
    assert by_type["Message"]["about"] == {"@id": shared[2]["ticket"]}
    assert by_type["Message"]["vrm:direction"] == "inbound"
    assert by_type["vrm:SupportTicket"] == {
        "@type": "vrm:SupportTicket",
        "@id": shared[2]["ticket"],
        "identifier": "CASE-9",
    }
    assert by_type["WarrantyPromise"]["vrm:confirmed"] is True
    assert by_type["vrm:Correction"]["about"] == {"@id": shared[2]["asset"]}
    assert (
        verified.manifest["recipient"]["key_thumbprint"]
        == verify_bundle(shared[0].path).sender_thumbprint
    )
    # the same reply input gives the same bytes
    again = reply(
        tmp_path,
        shared,
        vendor_key,
        name="r2.vrmshare",
        subject="Re: leak",
        case_reference="CASE-9",
        confirm_warranty=shared[2]["warranty"],
        valid_through="2027-06-01",
        corrections=[(shared[2]["asset"], "serialNumber", "SN-2")],
    )
    assert again.read_bytes() == path.read_bytes()


def test_reply_refuses_unknown_targets(tmp_path: Path, shared, vendor_key: Path) -> None:  # type: ignore[no-untyped-def]
    stranger = "urn:uuid:00000000-0000-5000-8000-000000000000"
    for content in (
        {"confirm_warranty": stranger},
        {"ticket": stranger, "case_reference": "X"},
        {"corrections": [(stranger, "name", "x")]},
        {"messages": []},
        {"channel": "pigeon"},
        {"valid_through": "2027-01-01"},
    ):
        with pytest.raises(ReplyError):
            reply(tmp_path, shared, vendor_key, **content)


def test_import_pins_merges_and_is_idempotent(
    vault: Vault, tmp_path: Path, shared, vendor_key: Path
) -> None:  # type: ignore[no-untyped-def]
    path = reply(
        tmp_path,
        shared,
        vendor_key,
        subject="Re: leak",
        case_reference="CASE-9",
        status="waiting_on_me",
        confirm_warranty=shared[2]["warranty"],
        corrections=[(shared[2]["asset"], "serialNumber", "SN-2")],
    )
    asked: list[tuple[str, str]] = []
    result = do_import(vault, path, lambda n, fp: asked.append((n, fp)) or True)
    assert asked == [("Acme Appliances", verify_bundle(path).fingerprint)]
    assert result.first_contact and not result.already_imported
    assert result.counts["messages"] == 1 and result.counts["corrections"] == 1
    ids = shared[1]
    with vault.session() as s:
        ticket = s.get(m.Ticket, ids["ticket"])
        assert ticket.reference == "CASE-9" and ticket.status == m.TicketStatus.WAITING_ON_ME
        message = s.scalar(select(m.Interaction).where(m.Interaction.subject == "Re: leak"))
        assert message.vendor_id == ids["vendor"] and message.ticket_id == ids["ticket"]
        assert message.direction == m.Direction.INBOUND and message.asset_id == ids["asset"]
        assert "Confirmed by Acme Appliances" in s.get(m.Warranty, ids["warranty"]).notes
        correction = s.scalar(
            select(m.Interaction).where(m.Interaction.subject.like("Correction%"))
        )
        assert "SN-2" in correction.body
        assert s.get(m.Asset, ids["asset"]).serial_number == ""  # never applied silently
        pinned = s.scalar(select(m.VendorKey))
        assert (
            pinned.vendor_id == ids["vendor"]
            and pinned.thumbprint == verify_bundle(path).sender_thumbprint
        )
        imported = s.scalar(select(m.ImportedBundle))
        assert imported.in_reply_to == shared[0].bundle_id
    before = snapshot(vault)
    again = do_import(vault, path, lambda *_: pytest.fail("no second confirmation"))
    assert again.already_imported and snapshot(vault) == before
    # a second reply from the pinned key needs no confirmation
    second = reply(tmp_path, shared, vendor_key, name="r2.vrmshare", messages=["Done."])
    do_import(vault, second, lambda *_: pytest.fail("pinned: no question"))
    assert counts(vault)["Interaction"] == before["counts"]["Interaction"] + 1


def test_unconfirmed_key_writes_nothing(
    vault: Vault, tmp_path: Path, shared, vendor_key: Path
) -> None:  # type: ignore[no-untyped-def]
    path = reply(tmp_path, shared, vendor_key, case_reference="CASE-1")
    before = snapshot(vault)
    with pytest.raises(ReplyRefused, match="not confirmed"):
        do_import(vault, path, lambda *_: False)
    assert snapshot(vault) == before


def test_reply_signed_by_another_key_is_refused(
    vault: Vault, tmp_path: Path, shared, vendor_key: Path
) -> None:  # type: ignore[no-untyped-def]
    do_import(vault, reply(tmp_path, shared, vendor_key))
    impostor = tmp_path / "impostor.jwk"
    keygen(impostor)
    path = reply(tmp_path, shared, impostor, name="fake.vrmshare", case_reference="SCAM")
    before = snapshot(vault)
    with pytest.raises(ReplyRefused, match="not the key pinned"):
        do_import(vault, path)
    assert snapshot(vault) == before


def test_reply_to_no_bundle_of_mine_is_refused(
    vault: Vault, tmp_path: Path, shared, vendor_key: Path
) -> None:  # type: ignore[no-untyped-def]
    stranger = make_bundle(tmp_path / "other.vrmshare")  # a bundle not in my disclosure log
    original = verify_bundle(stranger.path)
    path = write_reply(
        original,
        load_signing_key(vendor_key),
        ReplyContent(messages=["hi"]),
        tmp_path / "r.vrmshare",
    ).path
    before = snapshot(vault)
    with pytest.raises(ReplyRefused, match="not a bundle in your disclosure log"):
        do_import(vault, path)
    with pytest.raises(ReplyRefused, match="not a reply"):
        do_import(vault, shared[0].path)
    assert snapshot(vault) == before


def test_forged_reply_is_refused_before_the_vault(
    vault: Vault, tmp_path: Path, shared, vendor_key: Path
) -> None:  # type: ignore[no-untyped-def]
    import zipfile

    path = reply(tmp_path, shared, vendor_key)
    with zipfile.ZipFile(path) as zf:
        entries = [(i.filename, zf.read(i)) for i in zf.infolist()]
    forged = tmp_path / "forged.vrmshare"
    with zipfile.ZipFile(forged, "w") as zf:
        for name, data in entries:
            zf.writestr(
                name, data.replace(b"technician", b"burglar") if name == "manifest.json" else data
            )
    with pytest.raises(BundleForged):
        do_import(vault, forged)


def test_encrypted_reply(vault: Vault, tmp_path: Path, shared, vendor_key: Path) -> None:  # type: ignore[no-untyped-def]
    mine = x25519.Identity.generate()
    original = verify_bundle(shared[0].path)
    written = write_reply(
        original,
        load_signing_key(vendor_key),
        ReplyContent(messages=["hi"]),
        tmp_path / "r.vrmshare.age",
        encrypt_to=str(mine.to_public()),
    )
    verified = verify_bundle(written.path, identities=[mine])
    with vault.session() as s:
        assert import_reply(s, verified, confirm_key=YES).counts["messages"] == 1


# -- the command line -------------------------------------------------------------------------
def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    """``vrmdesk share ARGV`` through the real entry point (``--vault DIR`` put first)."""
    from vrmdesk.cli import main

    args = list(argv)
    lead = args[:2] if args[:1] == ["--vault"] else []
    code = main([*lead, "share", *args[len(lead) :]])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_keygen_verify_open(tmp_path: Path, shared, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "keygen", "--out", str(tmp_path / "k.jwk"))
    assert code == 0 and "Fingerprint:" in out and '"x"' in out and '"d"' not in out
    code, out, _ = run(capsys, "verify", str(shared[0].path))
    assert code == 0
    for label in (
        "Sender:",
        "Fingerprint:",
        "Purpose:",
        "Terms:",
        "Records:     4",
        "Files:       1",
    ):
        assert label in out
    assert "Safety no.:  " in out  # the safety number, beside the fingerprint
    code, out, _ = run(capsys, "verify", "--json", str(shared[0].path))
    verified = json.loads(out)
    assert verified["records"] == 4 and verified["fingerprint"]  # fields kept, one added
    assert len(verified["safety_number"].split()) == 12
    bad = tmp_path / "bad.vrmshare"
    bad.write_bytes(b"nope")
    code, out, err = run(capsys, "verify", str(bad))
    assert code == 1 and err.startswith("vrmdesk: ") and err.count("\n") == 1
    code, out, _ = run(capsys, "open", str(shared[0].path), "--out", str(tmp_path / "opened"))
    assert code == 0 and (tmp_path / "opened" / "index.html").exists()


def test_cli_reply_and_import(vault: Vault, tmp_path: Path, shared, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    run(capsys, "keygen", "--out", str(tmp_path / "k.jwk"))
    code, out, err = run(
        capsys,
        "reply",
        "--signing-key",
        str(tmp_path / "k.jwk"),
        "--in-reply-to",
        str(shared[0].path),
        "--message",
        "On it",
        "--message",
        "Part ordered",
        "--case-reference",
        "C-7",
        "--confirm-warranty",
        shared[2]["warranty"],
        "--valid-through",
        "2027-06-01",
        "--correct",
        shared[2]["asset"],
        "model",
        "X2",
        "--out",
        str(tmp_path / "r.vrmshare"),
    )
    assert code == 0, err
    code, _, err = run(
        capsys,
        "reply",
        "--signing-key",
        str(tmp_path / "k.jwk"),
        "--in-reply-to",
        str(shared[0].path),
        "--confirm-warranty",
        "urn:uuid:nope",
        "--out",
        str(tmp_path / "x"),
    )
    assert code == 1 and "not a warranty" in err
    folder = str(vault.folder)
    vault.close()
    monkeypatch.setenv("VRMDESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setattr("sys.stdin", io.StringIO())  # no terminal
    code, _, err = run(capsys, "--vault", folder, "import", str(tmp_path / "r.vrmshare"))
    assert code == 1 and "--yes" in err and "First contact" in err
    code, out, err = run(capsys, "--vault", folder, "import", str(tmp_path / "r.vrmshare"), "--yes")
    assert code == 0 and "2 messages" in out, err
    code, out, _ = run(capsys, "--vault", folder, "import", str(tmp_path / "r.vrmshare"))
    assert code == 0 and "imported before" in out


def test_errors_are_one_class_tree() -> None:
    from vrmshare import errors

    from vrmdesk.errors import VrmError

    for name in (
        "BundleForged",
        "BundleMalformed",
        "BundleTooLarge",
        "BundleWrongRecipient",
        "ReplyRefused",
    ):
        assert issubclass(getattr(errors, name), BundleError)
    assert issubclass(BundleError, VrmError)


@pytest.fixture
def demo_vault(tmp_path: Path):  # type: ignore[no-untyped-def]
    from vault_templates import copy_vault

    made, _ = copy_vault(tmp_path / "demo", "pw", with_demo=True)
    yield made
    made.close()


def test_end_to_end_with_the_real_export(demo_vault: Vault, tmp_path: Path) -> None:
    """The customer's export (issue 4, export side) -> vendor verify + reply -> import."""
    export = pytest.importorskip("vrmdesk.share.export")
    from vrmshare.terms import Terms

    from vrmdesk.share import slice as sl

    with demo_vault.session() as s:
        ticket = s.scalar(
            select(m.Ticket).join(m.Vendor).where(m.Vendor.name == "Bosch Home Appliances")
        )
        ticket_id, vendor_id = ticket.id, ticket.vendor_id
        selection = sl.narrowed(s, vendor_id, ticket_ids=[ticket_id])
    result = export.export_bundle(
        demo_vault,
        selection,
        Terms(purpose="support_case"),
        tmp_path / "out.vrmshare",
        created="2026-11-20T10:00:00Z",
    )
    original = verify_bundle(result.path)
    keygen(tmp_path / "bosch.jwk")
    reply_path = write_reply(
        original,
        load_signing_key(tmp_path / "bosch.jwk"),
        ReplyContent(messages=["Engineer booked."], case_reference="BSH-1"),
        tmp_path / "reply.vrmshare",
    ).path
    before = counts(demo_vault)["Interaction"]
    outcome = do_import(demo_vault, reply_path)
    assert outcome.counts["messages"] == 1 and outcome.counts["ticket updates"] == 1
    with demo_vault.session() as s:
        assert s.get(m.Ticket, ticket_id).reference == "BSH-1"
        added = s.scalar(select(m.Interaction).where(m.Interaction.body == "Engineer booked."))
        assert added.ticket_id == ticket_id and added.vendor_id == vendor_id
    assert counts(demo_vault)["Interaction"] == before + 1


def test_cli_import_asks_on_a_terminal(
    vault: Vault, tmp_path: Path, shared, vendor_key: Path, capsys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    path = reply(tmp_path, shared, vendor_key)
    folder = str(vault.folder)
    vault.close()
    monkeypatch.setenv("VRMDESK_PASSPHRASE", PASSPHRASE)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal())
    answers = iter(["n", "y"])
    monkeypatch.setattr("builtins.input", lambda _prompt: next(answers))
    code, out, err = run(capsys, "--vault", folder, "import", str(path))
    assert code == 1 and "not confirmed" in err and verify_bundle(path).fingerprint in out
    code, out, err = run(capsys, "--vault", folder, "import", str(path))
    assert code == 0 and "1 message" in out


def test_odd_records_in_a_signed_reply_are_handled(
    vault: Vault, tmp_path: Path, shared, vendor_key: Path
) -> None:  # type: ignore[no-untyped-def]
    """A reply made by another program: odd values are tolerated or ignored, never a crash."""
    from vrmshare.format import write_bundle
    from vrmshare.reply import build_reply_manifest

    key = load_signing_key(vendor_key)
    original = verify_bundle(shared[0].path)
    manifest = build_reply_manifest(
        original, key, ReplyContent(messages=["x"]), created="2026-11-21T09:00:00Z"
    )
    ticket, warranty = shared[2]["ticket"], shared[2]["warranty"]
    new = iter(f"urn:uuid:00000000-0000-5000-8000-{n:012d}" for n in range(100))
    manifest["records"] = [
        {
            "@type": "Message",
            "@id": next(new),
            "text": ["not", "text"],
            "dateSent": "0001-01-01T00:00:00+14:00",
            "vrm:channel": "pigeon",
            "about": {"@id": 42},
            "headline": "h" * 5000,
        },
        {"@type": "Message", "@id": next(new), "text": "same id twice", "about": ticket},
        {
            "@type": "vrm:SupportTicket",
            "@id": ticket,
            "identifier": "R" * 900,
            "vrm:status": "exploded",
        },
        {"@type": "vrm:SupportTicket", "@id": next(new), "identifier": "not my ticket"},
        {"@type": "WarrantyPromise", "@id": warranty, "vrm:confirmed": "yes"},
        {
            "@type": "vrm:Correction",
            "@id": next(new),
            "about": "urn:uuid:00000000-0000-5000-8000-999999999999",
            "field": "x",
            "value": 1,
        },
        {"@type": "Product", "@id": next(new), "name": "unsolicited"},
    ]
    manifest["records"].append(dict(manifest["records"][1]))
    written = write_bundle(manifest, [], key, tmp_path / "odd.vrmshare")
    result = do_import(vault, written.path)
    assert result.counts["messages"] == 2 and result.counts["ticket updates"] == 1
    assert result.counts["ignored"] == 5
    with vault.session() as s:
        assert s.get(m.Ticket, shared[1]["ticket"]).reference == "R" * 200
        assert s.get(m.Ticket, shared[1]["ticket"]).status == m.TicketStatus.OPEN


def test_usage_errors_exit_2(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as info:
        run(capsys, "verify")
    assert info.value.code == 2
    assert share_cli.main(["share", "verify", "/nonexistent.vrmshare"]) == 1
