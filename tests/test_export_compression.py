"""How the writer picks deflate or store per file: from the media type and a sample, reading
each file once; and never an entry the reader's zip-bomb rule would refuse."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from share_helpers import customer_manifest, sample_files
from vrmshare import layout
from vrmshare.format import BundleFile, write_bundle
from vrmshare.verify import verify_bundle

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def _counted(path: str, data: bytes, media_type: str, calls: list[str]) -> BundleFile:
    def opener(writer) -> None:  # type: ignore[no-untyped-def]
        calls.append(path)
        for start in range(0, len(data), layout.CHUNK):
            writer.write(data[start : start + layout.CHUNK])

    digest = hashlib.sha256(data).hexdigest()
    return BundleFile(path, media_type, len(data), digest, opener, name=path[6:])


def _method(bundle: Path, name: str) -> int:
    with zipfile.ZipFile(bundle) as zf:
        return zf.getinfo(name).compress_type


def test_text_that_does_not_compress_is_stored_after_one_read(tmp_path: Path) -> None:
    calls: list[str] = []
    noise = _counted("files/001-noise.txt", os.urandom(3 * layout.CHUNK), "text/plain", calls)
    prose_data = b"".join(b"words about the case, line %d\n" % n for n in range(60_000))
    prose = _counted("files/002-prose.txt", prose_data, "text/plain", calls)
    written = write_bundle(
        customer_manifest(), [sample_files()[0], noise, prose], KEY, tmp_path / "b.vrmshare"
    )
    assert sorted(calls) == ["files/001-noise.txt", "files/002-prose.txt"]  # each read once
    assert _method(written.path, "files/001-noise.txt") == zipfile.ZIP_STORED
    assert _method(written.path, "files/002-prose.txt") == zipfile.ZIP_DEFLATED
    assert [f["size"] for f in verify_bundle(written.path).files[1:]] == [
        3 * layout.CHUNK,
        len(prose_data),
    ]


def test_a_file_that_deflates_like_a_zip_bomb_is_stored_and_the_reader_takes_it(
    tmp_path: Path,
) -> None:
    calls: list[str] = []
    zeros = _counted("files/001-zeros.txt", bytes(4 * layout.CHUNK), "text/plain", calls)
    after = _counted("files/002-after.txt", b"the file after it\n" * 10, "text/plain", calls)
    written = write_bundle(
        customer_manifest(), [sample_files()[0], zeros, after], KEY, tmp_path / "b.vrmshare"
    )
    # deflated once, found to expand over MAX_RATIO / 2 times, taken out and written stored
    assert calls.count("files/001-zeros.txt") == 2
    assert _method(written.path, "files/001-zeros.txt") == zipfile.ZIP_STORED
    assert _method(written.path, "files/002-after.txt") == zipfile.ZIP_DEFLATED
    verified = verify_bundle(written.path)
    assert [f["path"] for f in verified.files] == [
        "index.html",
        "files/001-zeros.txt",
        "files/002-after.txt",
    ]
    with zipfile.ZipFile(written.path) as zf:
        assert zf.namelist().count("files/001-zeros.txt") == 1
        assert zf.read("files/001-zeros.txt") == bytes(4 * layout.CHUNK)


def test_a_file_that_checks_itself_is_not_hashed_again_but_still_counted(tmp_path: Path) -> None:
    data = b"checked by its opener\n" * 100
    trusted = BundleFile(
        "files/001-a.txt",
        "text/plain",
        len(data),
        hashlib.sha256(data).hexdigest(),
        lambda w: w.write(data),
        name="a.txt",
        checks_itself=True,
    )
    written = write_bundle(customer_manifest(), [trusted], KEY, tmp_path / "a.vrmshare")
    assert verify_bundle(written.path).files[0]["sha256"] == trusted.sha256
    assert written.sha256 == hashlib.sha256(written.path.read_bytes()).hexdigest()


def test_an_encrypted_bundle_is_hashed_as_written(tmp_path: Path) -> None:
    from pyrage import x25519

    recipient = str(x25519.Identity.generate().to_public())
    written = write_bundle(
        customer_manifest(), sample_files(), KEY, tmp_path / "e.age", encrypt_to=recipient
    )
    data = written.path.read_bytes()
    assert (written.sha256, written.size) == (hashlib.sha256(data).hexdigest(), len(data))
