"""Writing a vrmshare/1 bundle: the ZIP, its signed manifest, and the optional age layer.

A bundle is a ZIP holding, in this order, ``manifest.json``, ``manifest.jws`` (a compact JWS
with detached payload over the exact bytes of ``manifest.json``), ``index.html`` and
``files/NNN-name``. The same input gives the same bytes: fixed timestamps and attributes, no
extra fields or comments, and Ed25519 signatures are deterministic. Files are streamed into the
ZIP in 1 MiB chunks, each byte read once and hashed once: on the way through, or by the opener
itself when it checks what it streams (``BundleFile.checks_itself``, the vault's attachments); a
file whose hash differs from the manifest aborts the write and the partial output is deleted.
See docs/bundle-format.md.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import re
import sys
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwcrypto import jwk, jws

from vrmshare.errors import BundleError
from vrmshare.fileutil import ByteSink, HashingWriter, fsync_dir, open_regular
from vrmshare.identity import canonical_public_jwk, thumbprint
from vrmshare.layout import (
    AGE_SUFFIX,
    CHUNK,
    FORMAT,
    INDEX_NAME,
    JWS_TYPE,
    MANIFEST_NAME,
    MAX_ENTRIES,
    MAX_RATIO,
    NS,
    RATIO_MIN_SIZE,
    SIGNATURE_NAME,
    SUFFIX,
    check_name,
)

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer
    from pyrage import x25519

ProgressFn = Callable[[int, int, str], None]
SigningKey = jwk.JWK | Ed25519PrivateKey

_DEFLATE_TYPES = {
    "application/json",
    "application/xml",
    "application/javascript",
    "application/rtf",
    "application/x-ndjson",
    "application/csv",
}
_DEFLATE_IMAGES = {"image/svg+xml", "image/bmp", "image/x-ms-bmp", "image/tiff"}


@dataclass(frozen=True)
class BundleFile:
    """One file to put in a bundle; ``opener(writer)`` streams its plaintext into ``writer``."""

    path_in_zip: str  # "index.html" or "files/NNN-safe-name"
    media_type: str
    size: int
    sha256: str
    opener: Callable[[ByteSink], object]
    name: str | None = None  # the original file name
    about: str | None = None  # the @id of the record it belongs to
    #: the opener raises itself when what it streams differs from ``sha256`` (the attachment
    #: store checks every content it decrypts), so the writer need not hash it a second time
    checks_itself: bool = False

    def entry(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path_in_zip,
            "media_type": self.media_type,
            "size": self.size,
            "sha256": self.sha256,
        }
        if self.about:
            out["about"] = self.about
        if self.name:
            out["name"] = self.name
        return out

    @classmethod
    def from_bytes(
        cls,
        path_in_zip: str,
        data: bytes,
        media_type: str,
        *,
        name: str | None = None,
        about: str | None = None,
    ) -> BundleFile:
        """A small file held in memory (index.html, a test file)."""
        return cls(
            path_in_zip,
            media_type,
            len(data),
            hashlib.sha256(data).hexdigest(),
            lambda writer: writer.write(data),
            name,
            about,
        )

    @classmethod
    def from_path(
        cls,
        path_in_zip: str,
        path: Path,
        media_type: str,
        *,
        name: str | None = None,
        about: str | None = None,
    ) -> BundleFile:
        """A regular file on disk, hashed now (one streaming pass), streamed again when written."""
        with open_regular(path, BundleError, "the file") as handle:
            digest, size = sha256_of(handle)

        def opener(writer: ByteSink) -> None:
            with open_regular(path, BundleError, "the file") as source:
                while chunk := source.read(CHUNK):
                    writer.write(chunk)

        return cls(path_in_zip, media_type, size, digest, opener, name, about)


@dataclass(frozen=True)
class WrittenBundle:
    """A bundle on disk; an export adds what it logged (:class:`.export.ExportResult`)."""

    path: Path
    sha256: str  # of the file written (the .age file when encrypted)
    bundle_id: str
    size: int


# -- names and ids --------------------------------------------------------------------------
def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """The exact bytes of manifest.json for ``manifest`` (what the signature covers).

    Raises ValueError for text that is not Unicode (a lone surrogate: bytes that were not
    UTF-8, smuggled in through a command-line argument or a file name).
    """
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(
            "the manifest would hold text that is not valid Unicode (bytes that are not UTF-8?)"
        ) from None


def output_path(out_path: Path, encrypted: bool) -> Path:
    """Where a bundle asked for at ``out_path`` is written: exactly there, if the name has a
    suffix (``b.age``, ``enc.vrmshare``, ``claim.vrmshare.age``); a name without one gets
    ``.vrmshare`` (``.vrmshare.age`` when encrypted). A reader tells an encrypted bundle by its
    first bytes, never by its name. Raises ValueError for a path that names no file (``/``,
    ``.``, ``..``, a name of only spaces).
    """
    out_path = Path(out_path).expanduser()
    name = out_path.name
    if not name.strip() or name in (".", ".."):
        raise ValueError(f"{str(out_path)!r} is not a file name to write the bundle to")
    if Path(name).suffix:
        return out_path
    return out_path.with_name(name + (AGE_SUFFIX if encrypted else SUFFIX))


def bundle_id_for(manifest: dict[str, Any], sender_thumbprint: str) -> str:
    """``urn:uuid:`` + uuid5(NS, thumbprint + "\\n" + SHA-256 of the manifest without bundle_id)."""
    rest = {k: v for k, v in manifest.items() if k != "bundle_id"}
    digest = hashlib.sha256(manifest_bytes(rest)).hexdigest()
    return f"urn:uuid:{uuid.uuid5(NS, sender_thumbprint + chr(10) + digest)}"


def _private_key(key: SigningKey) -> Ed25519PrivateKey:
    if isinstance(key, Ed25519PrivateKey):
        return key
    pyca = key.get_op_key("sign")
    if not isinstance(pyca, Ed25519PrivateKey):
        raise ValueError("a vrmshare bundle is signed with an Ed25519 key")
    return pyca


def public_jwk_of(key: SigningKey) -> dict[str, Any]:
    """The public JWK (kty, crv, x, kid, use, alg) of an Ed25519 signing key."""
    return canonical_public_jwk(
        _private_key(key)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign_manifest(data: bytes, key: SigningKey) -> str:
    """Compact JWS with detached payload: ``<protected>..<signature>`` (RFC 7515 app. F)."""
    private = _private_key(key)
    token = jws.JWS(data)
    header = {"alg": "EdDSA", "kid": public_jwk_of(private)["kid"], "typ": JWS_TYPE}
    token.add_signature(
        jwk.JWK.from_pyca(private),
        alg="EdDSA",
        protected=json.dumps(header, sort_keys=True, separators=(",", ":")),
    )
    protected, _payload, signature = token.serialize(compact=True).split(".")
    return f"{protected}..{signature}"


# -- writing --------------------------------------------------------------------------------
ZipTime = tuple[int, int, int, int, int, int]
#: a ZipInfo's deflate level: compress_level from Python 3.13 on, _compresslevel before
_LEVEL = "compress_level" if sys.version_info >= (3, 13) else "_compresslevel"


def _zip_time(created: str) -> ZipTime:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z", created)
    if not m:
        raise ValueError(f"manifest.created must be YYYY-MM-DDTHH:MM:SSZ, not {created!r}")
    year, month, day, hour, minute, second = (int(p) for p in m.groups())
    return max((year, month, day, hour, minute, second), (1980, 1, 1, 0, 0, 0))


def _stored(media_type: str) -> bool:
    """Deflate what compresses well (text, JSON, XML, uncompressed images); store the rest.

    Deflating already-compressed or unknown binary data costs seconds per hundred megabytes
    and saves nothing.
    """
    base = media_type.split(";")[0].strip().lower()
    if base.startswith("text/") or base.endswith(("+json", "+xml")) or base in _DEFLATE_IMAGES:
        return False
    return base not in _DEFLATE_TYPES


def _info(name: str, date_time: ZipTime, stored: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.create_system = 3
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    setattr(info, _LEVEL, 6)
    return info


#: how much of a file over RATIO_MIN_SIZE is held back to decide whether to deflate it
SAMPLE = 256 * 1024


def _saves_little(sample: bytes) -> bool:
    """Would deflate save under 5% of ``sample``? (already-compressed data: deflating it again
    only costs time). Depends only on the bytes, so the output stays deterministic."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    compressed = len(compressor.compress(sample)) + len(compressor.flush())
    return compressed * 20 >= len(sample) * 19


def _bomb_like(size: int, compressed: int) -> bool:
    """Would a reader's ratio rule (zipcheck ``_check_ratio``: over RATIO_MIN_SIZE, at most
    MAX_RATIO times) come near refusing this entry? Half the cap, so it never does."""
    return size > RATIO_MIN_SIZE and size > (MAX_RATIO // 2) * max(compressed, 1)


class _Entry(io.RawIOBase):
    """What an opener writes into: counts and (unless the file checks itself) hashes the chunks
    and passes them to the ZIP entry.

    With ``sample``, the entry is opened only once the first :data:`SAMPLE` bytes are in: they
    decide whether it is deflated or stored (:func:`_saves_little`), so no file is read twice
    to measure it.
    """

    def __init__(
        self,
        zf: zipfile.ZipFile,
        info: zipfile.ZipInfo,
        item: BundleFile,
        on_bytes: Callable[[int], None],
        *,
        sample: bool,
    ) -> None:
        super().__init__()
        self.zf = zf
        self.info = info
        self.limit = item.size
        self.size = 0
        self.digest = None if item.checks_itself else hashlib.sha256()
        self.on_bytes = on_bytes
        self.pending: bytearray | None = bytearray() if sample else None
        self.dest: BinaryIO | None = None if sample else self._open(b"")

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        view = memoryview(data).cast("B")
        self.size += len(view)
        if self.size > self.limit:
            raise BundleError("A file grew while the bundle was written; nothing was written.")
        if self.digest is not None:
            self.digest.update(view)
        if self.dest is not None:
            self.dest.write(view)
        else:
            assert self.pending is not None
            self.pending += view
            if len(self.pending) >= SAMPLE:
                self._decide()
        self.on_bytes(len(view))
        return len(view)

    def _decide(self) -> None:
        assert self.pending is not None
        held, self.pending = bytes(self.pending), None
        if _saves_little(held[:SAMPLE]):
            self.info.compress_type = zipfile.ZIP_STORED
        self.dest = self._open(held)

    def _open(self, held: bytes) -> BinaryIO:
        dest: BinaryIO = self.zf.open(self.info, "w", force_zip64=True)  # type: ignore[assignment]
        if held:
            dest.write(held)
        return dest

    def finish(self) -> None:
        """The entry closed: what is still held back written, the local header completed."""
        if self.dest is None:
            self._decide()
        assert self.dest is not None
        self.dest.close()

    def abandon(self) -> None:
        """Close an entry an error stopped (so the ZIP can close; the output is deleted).

        A second error closing it (the disk that filled up) is dropped: the first one tells.
        """
        if self.dest is not None:
            with contextlib.suppress(Exception):
                self.dest.close()


def _rewind(zf: zipfile.ZipFile, raw: BinaryIO, info: zipfile.ZipInfo) -> None:
    """Take the last entry written (``info``) out of the ZIP again, as if never written."""
    assert zf.filelist[-1] is info
    zf.filelist.pop()
    del zf.NameToInfo[info.filename]
    zf.start_dir = info.header_offset  # where the next entry goes
    raw.seek(info.header_offset)
    raw.truncate()


def prepare_manifest(
    manifest: dict[str, Any], files: list[BundleFile], signing_key: SigningKey
) -> dict[str, Any]:
    """The manifest as it will be written: sender.key, files and bundle_id filled in.

    ``files`` (from the BundleFile list) and ``sender.key`` (from the signing key) are set here;
    a ``bundle_id`` already present must be the one :func:`bundle_id_for` gives.
    """
    out: dict[str, Any] = json.loads(json.dumps(manifest))  # a deep copy, proven plain JSON
    public = public_jwk_of(signing_key)
    sender = out.setdefault("sender", {})
    if "key" in sender and thumbprint(sender["key"]) != public["kid"]:
        raise ValueError("manifest.sender.key is not the signing key's public key")
    sender["key"] = public
    out["format"] = FORMAT
    paths = [f.path_in_zip for f in files]
    if len(set(paths)) != len(paths) or {MANIFEST_NAME, SIGNATURE_NAME} & set(paths):
        raise ValueError("bundle file paths must be unique and not manifest.json/.jws")
    if len(files) > MAX_ENTRIES - 2:
        raise ValueError(f"at most {MAX_ENTRIES - 2} files fit in a bundle")
    for path in paths:
        check_name(path)
    # index.html first, then the attachments in path order
    ordered = sorted(files, key=lambda f: (f.path_in_zip != INDEX_NAME, f.path_in_zip))
    out["files"] = [f.entry() for f in ordered]
    computed = bundle_id_for(out, public["kid"])
    if out.get("bundle_id") not in (None, computed):
        raise ValueError("manifest.bundle_id differs from bundle_id_for(manifest)")
    out["bundle_id"] = computed
    return out


def write_bundle(
    manifest: dict[str, Any],
    files: list[BundleFile],
    signing_key: SigningKey,
    out_path: Path,
    *,
    encrypt_to: str | None = None,
    progress: ProgressFn | None = None,
) -> WrittenBundle:
    """Build, sign and (optionally) encrypt a bundle at ``out_path``, atomically.

    ``manifest`` holds everything but ``files`` (made from ``files``), ``sender.key`` (from
    ``signing_key``) and ``bundle_id`` (computed when absent). With ``encrypt_to`` (an
    ``age1…`` recipient) the finished ZIP is streamed through age (:func:`output_path` gives
    the conventional name). ``out_path`` is written as it is. ``progress(done_bytes,
    total_bytes, text)`` is called per chunk.
    Each file's ``opener`` is called once; only a file over 1 MiB that deflates more than 100
    times (see :func:`_bomb_like`) is streamed a second time, stored, so no entry looks like a
    zip bomb to a reader.
    """
    out_path = Path(out_path)
    final = prepare_manifest(manifest, files, signing_key)
    recipient = None
    if encrypt_to:
        import pyrage

        try:
            recipient = pyrage.x25519.Recipient.from_str(encrypt_to.strip())
        except Exception:
            raise BundleError(f"{encrypt_to!r} is not an age recipient (age1…).") from None
    data = manifest_bytes(final)
    signature = sign_manifest(data, signing_key).encode("ascii")
    total = sum(f.size for f in files)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total, "")

    by_path = {f.path_in_zip: f for f in files}
    # Unencrypted, the ZIP is the output: written under a temporary name, renamed when whole.
    # Encrypted, the ZIP is only an intermediate: an anonymous temporary file (no name, freed
    # by the OS even if the process is killed), so no plaintext bundle is ever left behind.
    tmp_zip = None if recipient is not None else _temp_in(out_path.parent, out_path.name)
    tmp_out: Path | None = None
    hashed: tuple[str, int] | None = None
    try:
        with _zip_target(tmp_zip, out_path.parent) as raw:
            _write_zip(
                raw, final, [(MANIFEST_NAME, data), (SIGNATURE_NAME, signature)], by_path, advance
            )
            if recipient is not None:
                tmp_out = _temp_in(out_path.parent, out_path.name)
                hashed = _encrypt(raw, recipient, tmp_out)
            else:
                os.fsync(raw.fileno())
        finished = tmp_out if tmp_out is not None else tmp_zip
        assert finished is not None  # the age file, or (not encrypted) the ZIP itself
        os.replace(finished, out_path)
    except BaseException:
        if tmp_zip is not None:
            tmp_zip.unlink(missing_ok=True)
        if tmp_out is not None:
            tmp_out.unlink(missing_ok=True)
        raise
    fsync_dir(out_path.parent)
    # age's output is hashed as it is written; a plain ZIP's local headers are completed after
    # each entry's data (a seek back), so its bytes are final only now: read once, from cache
    digest, size = hashed if hashed is not None else sha256_file(out_path)
    return WrittenBundle(out_path, digest, final["bundle_id"], size)


def _zip_target(tmp_zip: Path | None, folder: Path) -> BinaryIO:
    """The file the ZIP is written into: ``tmp_zip``, or an anonymous one in ``folder``."""
    if tmp_zip is not None:
        return open(tmp_zip, "w+b")
    return tempfile.TemporaryFile(dir=folder)


def _write_zip(
    raw: BinaryIO,
    manifest: dict[str, Any],
    signed: list[tuple[str, bytes]],
    by_path: dict[str, BundleFile],
    advance: Callable[[int], None],
) -> None:
    """The ZIP: the manifest and its signature, then every listed file, checked as it streams."""
    date_time = _zip_time(manifest["created"])
    with zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
        for name, blob in signed:
            with zf.open(_info(name, date_time, False), "w", force_zip64=True) as dest:
                dest.write(blob)
        for entry in manifest["files"]:
            item = by_path[entry["path"]]
            stored = _stored(item.media_type)
            info = _write_entry(zf, item, _info(item.path_in_zip, date_time, stored), advance)
            if info.compress_type == zipfile.ZIP_DEFLATED and _bomb_like(
                info.file_size, info.compress_size
            ):
                _rewind(zf, raw, info)
                _write_entry(zf, item, _info(item.path_in_zip, date_time, True), lambda n: None)
    raw.flush()


def _write_entry(
    zf: zipfile.ZipFile, item: BundleFile, info: zipfile.ZipInfo, advance: Callable[[int], None]
) -> zipfile.ZipInfo:
    """Stream ``item`` into the ZIP as ``info``, checking its size and SHA-256 on the way."""
    sample = info.compress_type == zipfile.ZIP_DEFLATED and item.size > RATIO_MIN_SIZE
    sink = _Entry(zf, info, item, advance, sample=sample)
    try:
        item.opener(sink)
    except BaseException:
        sink.abandon()
        raise
    sink.finish()
    digest = item.sha256 if sink.digest is None else sink.digest.hexdigest()
    if sink.size != item.size or digest != item.sha256:
        raise BundleError(
            f"{item.name or item.path_in_zip} changed since it was listed (its size or "
            "SHA-256 differs); no bundle was written."
        )
    return info


def _encrypt(raw: BinaryIO, recipient: x25519.Recipient, target_path: Path) -> tuple[str, int]:
    """The finished ZIP in ``raw``, encrypted with age to ``recipient`` into ``target_path``;
    returns the SHA-256 (hex) and size of what was written."""
    import pyrage

    raw.seek(0)
    with open(target_path, "wb") as target:
        hashed = HashingWriter(target)  # age's output, hashed as it goes: not read again
        try:
            pyrage.encrypt_io(raw, hashed, [recipient])
        except pyrage.EncryptError:
            if hashed.error is not None:
                raise hashed.error from None  # the OSError (a full disk) pyrage gives as text
            raise
        target.flush()
        os.fsync(target.fileno())
    return hashed.sha256.hexdigest(), hashed.size


def _temp_in(folder: Path, name: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
    os.close(fd)
    return Path(tmp)


def sha256_of(handle: BinaryIO) -> tuple[str, int]:
    """The SHA-256 (hex) and size of what is left to read in ``handle``, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def sha256_file(path: Path) -> tuple[str, int]:
    with open(path, "rb") as handle:
        return sha256_of(handle)
