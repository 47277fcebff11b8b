"""``vrmdesk FILE.vrmshare`` (a double-click) starts the desktop application with the bundle;
commands keep their own file arguments. And the share layer's helpers for it: which flow a
file goes to (peek_purpose), one file out of a verified bundle, the bundle in words."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from share_helpers import customer_manifest, make_bundle, sample_files
from vrmshare.errors import BundleError
from vrmshare.verify import peek_purpose, save_listed_file, verify_bundle

from vrmdesk.cli import main
from vrmdesk.errors import VrmError
from vrmdesk.share.reading import record_groups, terms_in_words

KEY = Ed25519PrivateKey.generate()


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return make_bundle(tmp_path / "claim.vrmshare", KEY).path


def started(argv: list[str]) -> list[tuple[Path | None, Path | None]]:
    calls: list[tuple[Path | None, Path | None]] = []

    def gui(folder: Path | None, file: Path | None, tray: bool) -> int:
        assert not tray
        calls.append((folder, file))
        return 0

    assert main(argv, gui=gui) == 0
    return calls


def test_a_bundle_as_the_only_argument_starts_the_gui_with_it(bundle: Path, tmp_path: Path):
    assert started([str(bundle)]) == [(None, bundle)]
    folder = tmp_path / "vault"
    assert started(["--vault", str(folder), str(bundle)]) == [(folder, bundle)]
    encrypted = tmp_path / "x.vrmshare.age"
    encrypted.write_bytes(b"age-encryption.org/v1\n")
    assert started([str(encrypted)]) == [(None, encrypted)]
    assert started([]) == [(None, None)]


def test_commands_keep_their_bundle_arguments(bundle: Path, capsys):  # type: ignore[no-untyped-def]
    assert started(["share", "verify", str(bundle)]) == []
    assert "Signature and every file hash: OK" in capsys.readouterr().out


def test_a_missing_bundle_or_another_file_is_a_usage_error(tmp_path: Path):
    other = tmp_path / "notes.txt"
    other.write_text("x")
    for argv in ([str(tmp_path / "gone.vrmshare")], [str(other)]):
        with pytest.raises(SystemExit) as exit_info:
            started(argv)
        assert exit_info.value.code == 2


def test_peek_purpose_tells_a_reply_from_anything_else(bundle: Path, tmp_path: Path):
    assert peek_purpose(bundle) == "warranty_claim"
    reply = make_bundle(
        tmp_path / "r.vrmshare", KEY, manifest=customer_manifest(purpose="support_case")
    ).path
    assert peek_purpose(reply) == "support_case"
    junk = tmp_path / "junk.vrmshare"
    junk.write_bytes(b"not a zip at all")
    assert peek_purpose(junk) is None
    assert peek_purpose(tmp_path / "missing.vrmshare") is None


def test_one_file_is_saved_checked_and_never_over_another(bundle: Path, tmp_path: Path):
    verified = verify_bundle(bundle)
    name = next(f["path"] for f in verified.attached_files)
    out = save_listed_file(verified, name, tmp_path / "out.txt")
    assert out.read_bytes() == b"Receipt 42\n"
    with pytest.raises(VrmError):
        save_listed_file(verified, name, out)  # exists
    assert out.read_bytes() == b"Receipt 42\n"
    with pytest.raises(BundleError, match="lists no file"):
        save_listed_file(verified, "files/other.txt", tmp_path / "o2.txt")
    changed = sample_files({"receipt.txt": b"Receipt 43\n"})
    other = make_bundle(bundle.with_name("other.vrmshare"), KEY, files=changed).path
    bundle.write_bytes(other.read_bytes())  # the file changed since it was verified
    with pytest.raises(BundleError, match="changed"):
        save_listed_file(verified, name, tmp_path / "o3.txt")
    assert not (tmp_path / "o3.txt").exists()


def test_the_bundle_in_words(bundle: Path):
    verified = verify_bundle(bundle)
    words = dict(terms_in_words(verified.manifest))
    assert words["Purpose"] == "Warranty claim" and words["About"] == "Dishwasher leaks"
    assert "90 days" in words["Retention"]
    groups = {g.name: g for g in record_groups(verified.records)}
    assert list(groups)[:4] == ["Vendors", "Things", "Warranties", "Tickets"]
    ticket = groups["Tickets"].records[0]
    assert ticket.title == "Leaks water"
    assert ("Status", "open") in ticket.fields and ("Thing", "Dishwasher") in ticket.fields
