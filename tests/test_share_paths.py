"""Where bundles and replies are written, and what the commands say about them.

The path given is the path written (a suffix is added only to a name that has none), so the
obvious next command finds the file; export and verify count the same files (the ones the person
attached, not the index.html page every bundle carries).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyrage import x25519
from share_helpers import attach_to_a_thing, make_bundle, run_vrmdesk
from vrmshare.verify import verify_bundle

from vrmdesk.errors import VrmError
from vrmdesk.share import export
from vrmdesk.store.vault import Vault

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PASSPHRASE = "correct horse"
ENV = {"VRMDESK_PASSPHRASE": PASSPHRASE}
DOCS = Path(__file__).resolve().parents[1] / "docs" / "bundle-format.md"


@pytest.fixture
def folder(vault: Vault) -> Path:
    """A closed vault with one vendor whose thing has one 5000-byte attachment."""
    attach_to_a_thing(vault, b"r" * 5000)
    path = vault.folder
    vault.close()
    return path


@pytest.fixture
def age(tmp_path: Path) -> tuple[str, Path]:
    identity = x25519.Identity.generate()
    key_file = tmp_path / "age.txt"
    key_file.write_text(f"{identity}\n")
    return str(identity.to_public()), key_file


def export_cli(folder: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    return run_vrmdesk(
        [
            "share",
            "export",
            "--vault",
            str(folder),
            "--vendor",
            "Acme Appliances",
            "--sender-name",
            "Alex Customer",
            "--out",
            str(out),
            *extra,
        ],
        env=ENV,
    )


# -- item 8: export writes the path given ------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "encrypted", "written"),
    [
        ("b.age", True, "b.age"),
        ("enc.vrmshare", True, "enc.vrmshare"),
        ("b.zip", False, "b.zip"),
        ("claim.vrmshare.age", True, "claim.vrmshare.age"),
        ("case", False, "case.vrmshare"),
        ("case", True, "case.vrmshare.age"),
    ],
)
def test_export_writes_exactly_the_path_given(
    folder: Path, tmp_path: Path, age: tuple[str, Path], name: str, encrypted: bool, written: str
) -> None:
    recipient, key_file = age
    out = tmp_path / "out"
    out.mkdir()
    code, stdout, err = export_cli(
        folder, out / name, *(["--encrypt-to", recipient] if encrypted else [])
    )
    assert code == 0, err
    assert [p.name for p in out.iterdir()] == [written]
    assert f"Wrote {out / written}" in stdout
    code, _, err = run_vrmdesk(
        [
            "share",
            "verify",
            str(out / written),
            *(["--identity", str(key_file)] if encrypted else []),
        ]
    )
    assert code == 0, err


@pytest.mark.parametrize("typed", ["/", ".", "..", "", "  ", "some/folder/.."])
def test_bundle_path_refuses_a_name_that_names_no_file(typed: str) -> None:
    with pytest.raises(VrmError, match="file name"):
        export.bundle_path(Path(typed), None)
    with pytest.raises(VrmError, match="file name"):
        export.bundle_path(Path(typed), "age1xyz")


def test_bundle_path_keeps_names_with_a_suffix_and_completes_the_rest(tmp_path: Path) -> None:
    assert export.bundle_path(tmp_path / "x", None) == tmp_path / "x.vrmshare"
    assert export.bundle_path(tmp_path / "x", "age1xyz") == tmp_path / "x.vrmshare.age"
    assert export.bundle_path(tmp_path / "x.vrmshare", "age1xyz") == tmp_path / "x.vrmshare"
    assert export.bundle_path(tmp_path / "x.age", None) == tmp_path / "x.age"
    assert export.bundle_path(Path("~/x"), None) == Path("~/x.vrmshare").expanduser()


# -- item 27: reply writes the path given -------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "encrypted", "written"),
    [
        ("reply.vrmshare", True, "reply.vrmshare"),
        ("reply.vrmshare.age", True, "reply.vrmshare.age"),
        ("reply", True, "reply.vrmshare.age"),
        ("reply", False, "reply.vrmshare"),
        ("reply.bin", False, "reply.bin"),
    ],
)
def test_reply_writes_exactly_the_path_given(
    tmp_path: Path, age: tuple[str, Path], name: str, encrypted: bool, written: str
) -> None:
    recipient, key_file = age
    bundle = make_bundle(tmp_path / "claim.vrmshare", KEY).path
    assert run_vrmdesk(["share", "keygen", "--out", str(tmp_path / "k.jwk")])[0] == 0
    out = tmp_path / "out"
    out.mkdir()
    code, stdout, err = run_vrmdesk(
        [
            "share",
            "reply",
            "--signing-key",
            str(tmp_path / "k.jwk"),
            "--in-reply-to",
            str(bundle),
            "--message",
            "On it.",
            "--out",
            str(out / name),
            *(["--encrypt-to", recipient] if encrypted else []),
        ]
    )
    assert code == 0, err
    assert [p.name for p in out.iterdir()] == [written]
    assert f"to {out / written} " in stdout
    verified = verify_bundle(
        out / written, identities=[x25519.Identity.from_str(key_file.read_text().strip())]
    )
    assert verified.purpose == "reply" and verified.encrypted == encrypted


def test_the_worked_example_imports_the_file_the_reply_wrote() -> None:
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## 7.") : text.index("## 8.")]
    reply = re.search(r"share reply .*?--out (\S+)(.*?)\n\s*#", section, re.DOTALL)
    assert reply is not None
    written, rest = reply.group(1), reply.group(2)
    imported = re.search(r"share import (\S+)", section)
    assert imported is not None and "--encrypt-to" in rest
    assert imported.group(1) == written


# -- item 11: export and verify count the same files --------------------------------------------
def test_export_and_verify_count_the_same_files(folder: Path, tmp_path: Path) -> None:
    code, stdout, err = export_cli(folder, tmp_path / "b.vrmshare")
    assert code == 0, err
    exported = re.search(r"Records: (\d+), files: (\d+)", stdout)
    assert exported is not None and exported.group(2) == "1"
    code, stdout, err = run_vrmdesk(["share", "verify", str(tmp_path / "b.vrmshare")])
    assert code == 0, err
    assert re.search(r"^Files:\s+1 \(5000 bytes\)$", stdout, re.MULTILINE), stdout
    assert re.search(rf"^Records:\s+{exported.group(1)}$", stdout, re.MULTILINE), stdout
    code, stdout, err = run_vrmdesk(["share", "verify", "--json", str(tmp_path / "b.vrmshare")])
    summary = json.loads(stdout)
    assert summary["files"] == 1 and summary["listed_files"] == 2
    assert summary["records"] == int(exported.group(1))
