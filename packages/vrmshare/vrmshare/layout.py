"""What a bundle (``vrmshare/1``) is made of: its names, suffixes and the limits a reader keeps.

Both sides of the format use these: the writer (:mod:`vrmshare.format`) and the reader's
check of every byte of the ZIP (:mod:`vrmshare.zipcheck`). :func:`check_name` is the one
rule for an entry's name, so a writer never makes a bundle that a reader refuses.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from vrmshare.errors import BundleMalformed

FORMAT = "vrmshare/1"
NS = uuid.uuid5(uuid.NAMESPACE_URL, "urn:vrmshare:1")
JWS_TYPE = "vrmshare+jws"
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.jws"
INDEX_NAME = "index.html"
FILES_DIR = "files/"
SUFFIX = ".vrmshare"
AGE_SUFFIX = ".vrmshare.age"
AGE_MAGIC = b"age-encryption.org/v1\n"
AGE_ARMOR = b"-----BEGIN AGE ENCRYPTED FILE-----"

CHUNK = 1024 * 1024
# -- limits a reader enforces (and a writer stays within) -----------------------------------
MAX_MANIFEST_BYTES = 8 * 1024**2
MAX_SIGNATURE_BYTES = 4096
MAX_ENTRIES = 10_002  # manifest.json, manifest.jws and up to 10,000 listed files
MAX_TOTAL_UNCOMPRESSED = 8 * 1024**3
MAX_RATIO = 200  # uncompressed / compressed, refused above this ...
RATIO_MIN_SIZE = 1024**2  # ... for entries over 1 MiB
MAX_BUNDLE_BYTES = 16 * 1024**3

_FILE_NAME = re.compile(r"files/[A-Za-z0-9][A-Za-z0-9._ ()+,=@-]{0,199}")


def check_name(name: str) -> None:
    """Refuse any name a careless extractor could turn into a path outside its folder."""
    if not name or len(name) > 250:
        raise BundleMalformed(f"The bundle holds an entry with an unusable name ({name[:40]!r}).")
    if "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ":" in name:
        raise BundleMalformed(
            f"The bundle holds an unsafe entry name {name!r} (absolute, drive letter or backslash)."
        )
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise BundleMalformed(
            f"The bundle holds an unsafe entry name {name!r} ('..' or empty parts)."
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise BundleMalformed(f"The bundle holds an entry name with control characters {name!r}.")
    if name not in (MANIFEST_NAME, SIGNATURE_NAME, INDEX_NAME) and not _FILE_NAME.fullmatch(name):
        raise BundleMalformed(
            f"The bundle holds an entry {name!r} outside its layout (manifest.json, manifest.jws, "
            "index.html, files/NAME)."
        )


def record_uid(vault_id: str, kind: str, record_id: int | str) -> str:
    """A record's stable @id: the same record gets the same @id in every bundle."""
    return f"urn:uuid:{uuid.uuid5(NS, f'{vault_id}:{kind}:{record_id}')}"


def safe_file_name(index: int, name: str) -> str:
    """``files/NNN-name``, the name reduced to safe characters (no separators, no dots first)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name.replace("\\", "/")).name).lstrip("._")
    return f"{FILES_DIR}{index:03d}-{(stem or 'file')[:150]}"
