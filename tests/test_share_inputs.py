"""Inputs that are not regular files, inputs that never end, and a disk that fills up.

A named pipe, a device, ``/dev/stdin`` from a pipe or ``/dev/zero`` given as a bundle, an age
identity or a signing key is refused at once with one line (it used to hang, eat memory or print
a traceback), and so is an attachment in the vault that was replaced by a link to a device. A
full disk while writing a key, a bundle or an opened bundle's contents says so in one line and
leaves nothing half-made behind. These run the real command line in a child process, so a hang
is a timeout and a full disk is ``RLIMIT_FSIZE`` (the child's writes past it fail with EFBIG).
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyrage import x25519
from share_helpers import attach_to_a_thing, make_bundle, run_vrmdesk, sample_files
from sqlalchemy import func, select
from vrmshare.errors import BundleError
from vrmshare.verify import load_identities, verify_bundle

from vrmdesk.store import models as m
from vrmdesk.store.vault import Vault

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PASSPHRASE = "correct horse"  # the vault fixture's (tests/conftest.py)


def one_line_refusal(code: int, stderr: str, match: str) -> None:
    assert code == 1, stderr
    assert stderr.startswith("vrmdesk: ") and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr and match in stderr, stderr


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return make_bundle(tmp_path / "b.vrmshare", KEY).path


@pytest.fixture
def encrypted(tmp_path: Path) -> tuple[Path, Path]:
    identity = x25519.Identity.generate()
    key_file = tmp_path / "age.txt"
    key_file.write_text(f"{identity}\n")
    written = make_bundle(tmp_path / "e.vrmshare.age", KEY, encrypt_to=str(identity.to_public()))
    return written.path, key_file


# -- what is not a regular file ----------------------------------------------------------------
def test_a_named_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.vrmshare"
    os.mkfifo(fifo)
    code, _, err = run_vrmdesk(["share", "verify", str(fifo)], timeout=60)
    one_line_refusal(code, err, "not a regular file")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_a_device_is_refused(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    code, _, err = run_vrmdesk(["share", "verify", device], timeout=60)
    one_line_refusal(code, err, "not a regular file")


def test_dev_stdin_from_a_pipe_is_refused(bundle: Path) -> None:
    code, _, err = run_vrmdesk(
        ["share", "verify", "/dev/stdin"], input="PK\x03\x04 not a bundle", timeout=60
    )
    one_line_refusal(code, err, "not a regular file")


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match=r"not a regular file|folder|Cannot read"):
        verify_bundle(tmp_path)


def test_a_link_to_a_good_bundle_is_followed(bundle: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.vrmshare"
    link.symlink_to(bundle)
    assert verify_bundle(link).purpose == "warranty_claim"


def test_an_identity_file_that_never_ends_is_refused(encrypted: tuple[Path, Path]) -> None:
    path, _ = encrypted
    code, _, err = run_vrmdesk(
        ["share", "verify", str(path), "--identity", "/dev/zero"], timeout=60, memory=2 * 1024**3
    )
    one_line_refusal(code, err, "not a regular file")


def test_a_huge_identity_file_is_refused_without_reading_it(
    encrypted: tuple[Path, Path], tmp_path: Path
) -> None:
    path, key_file = encrypted
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:  # sparse: 8 GiB that take no room
        handle.write(key_file.read_bytes())
        handle.truncate(8 * 1024**3)
    code, _, err = run_vrmdesk(
        ["share", "verify", str(path), "--identity", str(huge)], timeout=60, memory=2 * 1024**3
    )
    one_line_refusal(code, err, "too large")
    fifo = tmp_path / "id.fifo"
    os.mkfifo(fifo)
    with pytest.raises(BundleError, match="not a regular file"):
        load_identities(fifo)
    assert len(load_identities(key_file)) == 1


def test_a_signing_key_that_never_ends_is_refused(bundle: Path, tmp_path: Path) -> None:
    code, _, err = run_vrmdesk(
        [
            "share",
            "reply",
            "--signing-key",
            "/dev/zero",
            "--in-reply-to",
            str(bundle),
            "--message",
            "hi",
            "--out",
            str(tmp_path / "r"),
        ],
        timeout=60,
        memory=2 * 1024**3,
    )
    one_line_refusal(code, err, "not a regular file")
    assert list(tmp_path.glob("r*")) == []


def test_an_attachment_replaced_by_a_link_to_a_device_is_refused(
    vault: Vault, tmp_path: Path
) -> None:
    _, blob = attach_to_a_thing(vault, b"receipt " * 100)
    folder = vault.folder
    vault.close()
    blob.unlink()
    blob.symlink_to("/dev/zero")
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run_vrmdesk(
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
            str(out / "b.vrmshare"),
        ],
        env={"VRMDESK_PASSPHRASE": PASSPHRASE},
        timeout=60,
    )
    one_line_refusal(code, err, "not a regular file")
    assert list(out.iterdir()) == []
    with Vault.open(folder, PASSPHRASE) as again, again.session() as session:
        assert session.scalar(select(func.count()).select_from(m.Disclosure)) == 0


# -- a full disk -------------------------------------------------------------------------------
def test_keygen_on_a_full_disk_leaves_no_key_file(tmp_path: Path) -> None:
    out = tmp_path / "k.jwk"
    code, _, err = run_vrmdesk(["share", "keygen", "--out", str(out)], fsize=64)
    one_line_refusal(code, err, "disk is full")
    assert list(tmp_path.iterdir()) == []
    code, stdout, err = run_vrmdesk(["share", "keygen", "--out", str(out)])  # a retry works
    assert code == 0 and "Fingerprint:" in stdout, err
    assert '"d"' in out.read_text()


def test_open_on_a_full_disk_leaves_no_folder(tmp_path: Path) -> None:
    big = os.urandom(300_000)
    written = make_bundle(tmp_path / "b.vrmshare", KEY, files=sample_files({"photo.jpg": big}))
    out = tmp_path / "out"
    code, _, err = run_vrmdesk(
        ["share", "open", str(written.path), "--out", str(out)], fsize=200_000
    )
    one_line_refusal(code, err, "disk is full")
    assert not out.exists()
    existing = tmp_path / "existing"
    existing.mkdir()
    code, _, err = run_vrmdesk(
        ["share", "open", str(written.path), "--out", str(existing)], fsize=200_000
    )
    one_line_refusal(code, err, "disk is full")
    assert list(existing.iterdir()) == []


def test_export_on_a_full_disk_leaves_nothing_and_logs_nothing(
    vault: Vault, tmp_path: Path
) -> None:
    attach_to_a_thing(vault, os.urandom(3_000_000))
    folder = vault.folder
    vault.close()
    out = tmp_path / "out"
    out.mkdir()
    for name, extra in (
        ("b.vrmshare", []),
        ("e.vrmshare.age", ["--encrypt-to", str(x25519.Identity.generate().to_public())]),
    ):
        code, _, err = run_vrmdesk(
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
                str(out / name),
                *extra,
            ],
            env={"VRMDESK_PASSPHRASE": PASSPHRASE},
            fsize=2_000_000,
        )
        one_line_refusal(code, err, "disk is full")
        assert list(out.iterdir()) == []
    with Vault.open(folder, PASSPHRASE) as again, again.session() as session:
        assert session.scalar(select(func.count()).select_from(m.Disclosure)) == 0


def test_verify_of_an_encrypted_bundle_with_no_room_to_decrypt(
    encrypted: tuple[Path, Path], tmp_path: Path
) -> None:
    _, key_file = encrypted
    big = make_bundle(
        tmp_path / "big.vrmshare.age",
        KEY,
        files=sample_files({"photo.jpg": os.urandom(300_000)}),
        encrypt_to=str(load_identities(key_file)[0].to_public()),
    ).path
    code, _, err = run_vrmdesk(
        ["share", "verify", str(big), "--identity", str(key_file)],
        fsize=100_000,
        env={"TMPDIR": str(tmp_path)},
    )
    one_line_refusal(code, err, "disk is full")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["age.txt", "e.vrmshare.age", "big.vrmshare.age"]
    )


def test_the_good_ones_still_work(
    bundle: Path, encrypted: tuple[Path, Path], tmp_path: Path
) -> None:
    code, out, err = run_vrmdesk(["share", "verify", "--json", str(bundle)])
    assert code == 0 and json.loads(out)["ok"] is True, err
    path, key_file = encrypted
    code, out, err = run_vrmdesk(
        ["share", "open", str(path), "--identity", str(key_file), "--out", str(tmp_path / "opened")]
    )
    assert code == 0, err
    assert zipfile.is_zipfile(bundle) and (tmp_path / "opened" / "index.html").is_file()
