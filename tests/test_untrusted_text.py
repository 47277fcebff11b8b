"""Text, numbers, dates and keys from a bundle are untrusted until checked, and printed harmlessly.

A signature proves who made a bundle, not that what it says is sane. A sender name with terminal
escapes or a newline could print a fake "Fingerprint:" line; a lone surrogate crashed printing and
storing; ``1e400`` became infinity and ``2026-02-30`` a time; the same key written with other
padding bits in base64url got another thumbprint, and so slipped past pinning.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwcrypto import jwk
from share_helpers import (
    customer_manifest,
    harmless,
    hostile_bundle,
    make_bundle,
    run_vrmdesk,
    sample_files,
    vault_bundle,
)
from sqlalchemy import func, select
from vrmshare.errors import BundleError, BundleMalformed
from vrmshare.format import b64url, public_jwk_of
from vrmshare.identity import thumbprint
from vrmshare.reply import (
    ReplyContent,
    build_reply_manifest,
    keygen,
    load_signing_key,
    write_reply,
)
from vrmshare.text import printable, printable_json
from vrmshare.verify import verify_bundle

from vrmdesk.share.identity import ensure_identity
from vrmdesk.share.importer import import_reply
from vrmdesk.store import models as m
from vrmdesk.store.vault import Vault

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PASSPHRASE = "correct horse"
FAKE = "\x1b[2K\rFingerprint: AAAA BBBB CCCC"
HOSTILE = [
    FAKE,
    "Alex\nFingerprint: AAAA BBBB",
    "Alex\r\nFingerprint: AAAA BBBB",
    "\u202eevil\u202c",
    "x\u2028Fingerprint: AAAA",
    "x\u2029y",
    "\x9b2K csi",
    "\x85next line",
    "del\x7f",
    "\u2066isolate\u2069",
    "\u200fmark\u200e",
    "\x00nul",
]


# -- the one helper ------------------------------------------------------------------------------
@pytest.mark.parametrize("text", HOSTILE)
def test_printable_escapes_what_a_terminal_would_act_on(text: str) -> None:
    out = printable(text)
    harmless(out)
    assert "\n" not in out and "\r" not in out
    assert (
        printable("Åsa Müller — 東京 (Ltd.)") == "Åsa Müller — 東京 (Ltd.)"
    )  # ordinary text stays
    assert printable("\ud800") == "\\ud800"


def test_printable_json_keeps_the_values() -> None:
    value = {"sender": FAKE, "bidi": "\u202e", "plain": "Müller"}
    out = printable_json(value)
    harmless(out)
    assert json.loads(out) == value and "Müller" in out


# -- printing a bundle's text -------------------------------------------------------------------
def _with_text(tmp_path: Path, text: str) -> Path:
    def change(m: dict) -> None:  # type: ignore[type-arg]
        m["sender"]["name"] = text
        m["recipient"]["name"] = text
        m["purpose_note"] = text

    return hostile_bundle(tmp_path / "h.vrmshare", KEY, change)


@pytest.mark.parametrize("text", HOSTILE)
def test_verify_prints_untrusted_text_escaped(tmp_path: Path, text: str) -> None:
    clean = make_bundle(tmp_path / "clean.vrmshare", KEY).path
    code, expected, _ = run_vrmdesk(["share", "verify", str(clean)])
    assert code == 0
    path = _with_text(tmp_path, text)
    code, out, err = run_vrmdesk(["share", "verify", str(path)])
    assert code == 0, err
    harmless(out)
    assert out.count("\n") == expected.count("\n")
    assert [line for line in out.splitlines() if line.startswith("Fingerprint:")] == [
        f"Fingerprint: {verify_bundle(path).fingerprint}"
    ]
    code, out, err = run_vrmdesk(["share", "verify", "--json", str(path)])
    assert code == 0, err
    harmless(out)
    assert json.loads(out)["sender"] == text
    code, out, err = run_vrmdesk(["share", "open", str(path), "--out", str(tmp_path / "o")])
    assert code == 0, err
    harmless(out)
    assert [line for line in out.splitlines() if line.startswith("Fingerprint:")] == [
        f"Fingerprint: {verify_bundle(path).fingerprint}"
    ]


def test_an_error_message_is_one_harmless_line(tmp_path: Path) -> None:
    path = tmp_path / f"missing{FAKE}\n.vrmshare"  # named in the message
    code, _, err = run_vrmdesk(["share", "verify", str(path)])
    assert code == 1 and err.startswith("vrmdesk: ") and err.count("\n") == 1
    harmless(err)


def test_a_refusal_quoting_the_bundle_is_one_harmless_line(tmp_path: Path) -> None:
    path = hostile_bundle(
        tmp_path / "k.vrmshare", KEY, lambda m: m["sender"]["key"].update({FAKE + "\n": 1})
    )
    with pytest.raises(BundleMalformed, match="unexpected members") as info:
        verify_bundle(path)
    assert "\n" not in str(info.value)
    harmless(str(info.value))
    with pytest.raises(BundleError) as info:
        raise BundleMalformed(f"any reason quoting {FAKE}\u2028and more")
    harmless(str(info.value))


def test_import_prints_a_vendor_name_escaped(vault: Vault, tmp_path: Path) -> None:
    with vault.session() as s:
        me = ensure_identity(s)
        written, _ = vault_bundle(
            s,
            vault.header.vault_id,
            tmp_path / "mine.vrmshare",
            me.private_key,
            vendor_name=f"Acme{FAKE}",
        )
    keygen(tmp_path / "v.jwk")
    reply = write_reply(
        verify_bundle(written.path),
        load_signing_key(tmp_path / "v.jwk"),
        ReplyContent(messages=["On it."]),
        tmp_path / "r.vrmshare",
    ).path
    folder = vault.folder
    vault.close()
    code, out, err = run_vrmdesk(
        ["share", "import", "--vault", str(folder), str(reply), "--yes"],
        env={"VRMDESK_PASSPHRASE": PASSPHRASE},
    )
    assert code == 0, err
    harmless(out)
    assert out.count("\n") == 1 and "1 message" in out


# -- lone surrogates -----------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["sender", "purpose_note", "record", "key"])
def test_a_lone_surrogate_is_refused_as_malformed(tmp_path: Path, where: str) -> None:
    def change(m: dict) -> None:  # type: ignore[type-arg]
        if where == "sender":
            m["sender"]["name"] = "Alex \ud800"
        elif where == "purpose_note":
            m["purpose_note"] = "\udfff"
        elif where == "record":
            m["records"][1]["name"] = "dish\udc80washer"
        else:
            m["records"][1]["\ud83d"] = "x"

    path = hostile_bundle(tmp_path / "s.vrmshare", KEY, change)
    with pytest.raises(BundleMalformed, match=r"surrogate|not valid"):
        verify_bundle(path)
    code, _, err = run_vrmdesk(["share", "verify", str(path)])
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    harmless(err)


def test_a_proper_surrogate_pair_escape_is_fine(tmp_path: Path) -> None:
    path = hostile_bundle(
        tmp_path / "p.vrmshare", KEY, lambda m: m.update(purpose_note="leak \U0001f4a7")
    )
    assert "\\ud83d\\udca7" in path.read_bytes().decode("latin-1")
    assert verify_bundle(path).manifest["purpose_note"] == "leak \U0001f4a7"


def test_a_reply_message_with_a_lone_surrogate_is_refused_and_changes_nothing(
    vault: Vault, tmp_path: Path, tree_hashes
) -> None:  # type: ignore[no-untyped-def]
    with vault.session() as s:
        me = ensure_identity(s)
        written, _ = vault_bundle(
            s, vault.header.vault_id, tmp_path / "mine.vrmshare", me.private_key
        )
    key = Ed25519PrivateKey.generate()
    manifest = build_reply_manifest(
        verify_bundle(written.path),
        key,
        ReplyContent(messages=["x"]),
        created="2026-11-21T09:00:00Z",
    )
    reply = hostile_bundle(
        tmp_path / "r.vrmshare",
        key,
        lambda m: m["records"][0].update(text="On it \ud800"),
        manifest=manifest,
        files=sample_files()[:1],
    )
    folder = vault.folder
    vault.close()
    before = tree_hashes(folder)
    code, _, err = run_vrmdesk(
        ["share", "import", "--vault", str(folder), str(reply), "--yes"],
        env={"VRMDESK_PASSPHRASE": PASSPHRASE},
    )
    assert code == 1 and "Traceback" not in err and err.count("\n") == 1, err
    assert tree_hashes(folder) == before


def test_reply_text_that_is_not_unicode_is_refused(tmp_path: Path) -> None:
    written = make_bundle(tmp_path / "b.vrmshare", KEY)
    keygen(tmp_path / "v.jwk")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "vrmdesk.cli",
            "share",
            "reply",
            "--signing-key",
            str(tmp_path / "v.jwk"),
            "--in-reply-to",
            str(written.path),
            "--message",
            b"caf\xe9",
            "--out",
            str(tmp_path / "r"),
        ],
        capture_output=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[1],
        check=False,
    )
    assert done.returncode == 1 and b"Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(b"vrmdesk: ") and done.stderr.count(b"\n") == 1
    assert list(tmp_path.glob("r*")) == []


def test_export_text_that_is_not_unicode_is_refused(vault: Vault, tmp_path: Path) -> None:
    from share_helpers import attach_to_a_thing

    attach_to_a_thing(vault, b"receipt")
    folder = vault.folder
    vault.close()
    for option in ("--sender-name", "--purpose-note"):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "vrmdesk.cli",
                "share",
                "export",
                "--vault",
                str(folder),
                "--vendor",
                "Acme Appliances",
                option,
                b"caf\xe9",
                "--out",
                str(tmp_path / "b"),
            ],
            capture_output=True,
            timeout=60,
            cwd=Path(__file__).resolve().parents[1],
            env={**os.environ, "VRMDESK_PASSPHRASE": PASSPHRASE},
            check=False,
        )
        assert done.returncode == 1 and b"Traceback" not in done.stderr, done.stderr
        assert done.stderr.startswith(b"vrmdesk: ") and done.stderr.count(b"\n") == 1
        assert list(tmp_path.glob("b*")) == []


# -- numbers and dates ---------------------------------------------------------------------------
@pytest.mark.parametrize("literal", ["1e400", "-1e400", "1" + "0" * 5000, "123456789e999999"])
def test_numbers_that_are_not_finite_are_refused(tmp_path: Path, literal: str) -> None:
    def change(m: dict) -> None:  # type: ignore[type-arg]
        m["records"][1]["vrm:cost"] = "@@number@@"

    path = hostile_bundle(tmp_path / "n.vrmshare", KEY, change, literals={"@@number@@": literal})
    assert literal.encode() in path.read_bytes()
    with pytest.raises(BundleMalformed, match=r"number|not valid JSON"):
        verify_bundle(path)


@pytest.mark.parametrize(
    "created",
    [
        "9999-99-99T99:99:99Z",
        "2026-02-30T10:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-11-20T24:00:00Z",
        "2026-11-20T10:60:00Z",
        "0001-01-01T00:00:00Z",
        "2999-01-01T00:00:00Z",
    ],
)
def test_an_impossible_created_time_is_refused(tmp_path: Path, created: str) -> None:
    path = hostile_bundle(tmp_path / "c.vrmshare", KEY, lambda m: m.update(created=created))
    with pytest.raises(BundleMalformed, match="created"):
        verify_bundle(path)


def test_the_earliest_and_a_leap_day_pass(tmp_path: Path) -> None:
    for n, created in enumerate(("1970-01-01T00:00:00Z", "2028-02-29T23:59:59Z")):
        verify_bundle(
            make_bundle(
                tmp_path / f"{n}.vrmshare", KEY, manifest=customer_manifest(created=created)
            ).path
        )


def test_the_schema_checks_created_with_a_format_checker(tmp_path: Path) -> None:
    from vrmshare.verify import validate_manifest

    manifest = json.loads(
        json.dumps(verify_bundle(make_bundle(tmp_path / "g.vrmshare", KEY).path).manifest)
    )
    manifest["created"] = "2026-02-30T10:00:00Z"
    with pytest.raises(BundleMalformed, match="created"):
        validate_manifest(manifest)


# -- keys ----------------------------------------------------------------------------------------
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def non_canonical(x: str) -> str:
    """The same 32 bytes in base64url with other (non-zero) padding bits in the last character."""
    last = _ALPHABET.index(x[-1])
    assert last & 0b11 == 0
    return x[:-1] + _ALPHABET[last | 0b01]


def jwcrypto_thumbprint(x: str) -> str:
    return jwk.JWK(kty="OKP", crv="Ed25519", x=x).thumbprint()


def test_a_non_canonical_key_is_refused(tmp_path: Path) -> None:
    x = public_jwk_of(KEY)["x"]
    odd = non_canonical(x)
    assert odd != x and jwcrypto_thumbprint(odd) != jwcrypto_thumbprint(x)  # what pinning compared

    def change(m: dict) -> None:  # type: ignore[type-arg]
        m["sender"]["key"] = {"kty": "OKP", "crv": "Ed25519", "x": odd}

    path = hostile_bundle(tmp_path / "k.vrmshare", KEY, change, kid=jwcrypto_thumbprint(odd))
    with pytest.raises(BundleMalformed, match="canonical"):
        verify_bundle(path)
    with pytest.raises(BundleError, match="canonical"):
        thumbprint({"kty": "OKP", "crv": "Ed25519", "x": odd})
    assert thumbprint({"kty": "OKP", "crv": "Ed25519", "x": x}) == jwcrypto_thumbprint(x)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda k: k.update(d=b64url(bytes(range(32)))), "private"),
        (lambda k: k.update(kid="A" * 43), "kid|thumbprint"),
        (lambda k: k.update(crv="Ed448"), "Ed25519"),
        (lambda k: k.update(kty="EC"), "Ed25519"),
        (lambda k: k.update(x=k["x"] + "AA"), "32-byte|canonical|Ed25519"),
    ],
)
def test_sender_keys_that_are_not_plain_public_ed25519_jwks_are_refused(
    tmp_path: Path, change, match: str
) -> None:  # type: ignore[no-untyped-def]
    path = hostile_bundle(tmp_path / "k.vrmshare", KEY, lambda m: change(m["sender"]["key"]))
    with pytest.raises(BundleMalformed, match=match):
        verify_bundle(path)


def test_a_key_pinned_to_one_vendor_cannot_answer_for_another_by_re_encoding(
    vault: Vault, tmp_path: Path
) -> None:
    vendor_key = Ed25519PrivateKey.generate()
    with vault.session() as s:
        me = ensure_identity(s)
        to_acme, _ = vault_bundle(
            s, vault.header.vault_id, tmp_path / "acme.vrmshare", me.private_key
        )
        to_bolt, _ = vault_bundle(
            s,
            vault.header.vault_id,
            tmp_path / "bolt.vrmshare",
            me.private_key,
            vendor_name="Bolt Tools",
        )
    first = write_reply(
        verify_bundle(to_acme.path),
        vendor_key,
        ReplyContent(messages=["Acme here."]),
        tmp_path / "r1.vrmshare",
    ).path
    with vault.session() as s:
        import_reply(s, verify_bundle(first), confirm_key=lambda _n, _f: True)

    manifest = build_reply_manifest(
        verify_bundle(to_bolt.path),
        vendor_key,
        ReplyContent(messages=["Bolt here, honest."]),
        created="2026-11-21T09:00:00Z",
    )
    odd = non_canonical(public_jwk_of(vendor_key)["x"])

    def change(m: dict) -> None:  # type: ignore[type-arg]
        m["sender"]["key"] = {"kty": "OKP", "crv": "Ed25519", "x": odd}

    second = hostile_bundle(
        tmp_path / "r2.vrmshare",
        vendor_key,
        change,
        manifest=manifest,
        files=sample_files()[:1],
        kid=jwcrypto_thumbprint(odd),
    )
    with pytest.raises(BundleError), vault.session() as s:
        import_reply(s, verify_bundle(second), confirm_key=lambda _n, _f: True)
    with vault.session() as s:
        assert s.scalar(select(func.count()).select_from(m.VendorKey)) == 1
        bolt = s.scalar(select(m.Vendor).where(m.Vendor.name == "Bolt Tools"))
        assert (
            s.scalar(
                select(func.count())
                .select_from(m.Interaction)
                .where(m.Interaction.vendor_id == bolt.id)
            )
            == 0
        )


def test_a_pinned_key_is_stored_canonical(vault: Vault, tmp_path: Path) -> None:
    vendor_key = Ed25519PrivateKey.generate()
    with vault.session() as s:
        me = ensure_identity(s)
        to_acme, _ = vault_bundle(
            s, vault.header.vault_id, tmp_path / "acme.vrmshare", me.private_key
        )
    reply = write_reply(
        verify_bundle(to_acme.path),
        vendor_key,
        ReplyContent(messages=["hi"]),
        tmp_path / "r.vrmshare",
    ).path
    with vault.session() as s:
        import_reply(s, verify_bundle(reply), confirm_key=lambda _n, _f: True)
    with vault.session() as s:
        pinned = s.scalar(select(m.VendorKey))
        assert pinned.jwk == public_jwk_of(vendor_key)
        assert pinned.thumbprint == public_jwk_of(vendor_key)["kid"]
