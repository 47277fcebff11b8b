"""Mutating valid bundles byte by byte (and truncating them): every outcome is a clean refusal
(a BundleError) or a bundle that verifies, never another exception."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyrage import x25519

from share_helpers import make_bundle, sample_files
from vrmdesk.share.errors import BundleError
from vrmdesk.share.verify import verify_bundle

_DIR = Path(tempfile.mkdtemp(prefix="vrmshare-fuzz-"))
atexit.register(shutil.rmtree, _DIR, True)
KEY = Ed25519PrivateKey.from_private_bytes(bytes(32))
PLAIN = make_bundle(_DIR / "stored.vrmshare", KEY,
                    files=sample_files({"photo.jpg": b"\xff\xd8" + bytes(range(256)) * 2})).path.read_bytes()
DEFLATED = make_bundle(_DIR / "deflated.vrmshare", KEY,
                       files=sample_files({"notes.txt": b"line of text\n" * 40})).path.read_bytes()
IDENTITY = x25519.Identity.generate()
ENCRYPTED = make_bundle(_DIR / "e.vrmshare.age", KEY, encrypt_to=str(IDENTITY.to_public())).path.read_bytes()
TARGET = _DIR / "mutated.vrmshare"


def outcome(data: bytes, identities: list | None = None) -> None:  # type: ignore[type-arg]
    TARGET.write_bytes(data)
    try:
        verified = verify_bundle(TARGET, identities=identities)
    except BundleError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert verified.manifest["format"] == "vrmshare/1"


mutations = st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=4)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from([PLAIN, DEFLATED]), changes=mutations,
       cut=st.one_of(st.none(), st.integers(min_value=0)))
def test_mutated_bundles_are_refused_cleanly(base: bytes, changes: list[tuple[int, int]], cut: int | None) -> None:
    data = bytearray(base)
    for position, value in changes:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    outcome(bytes(data))


@settings(max_examples=60, deadline=None)
@given(base=st.sampled_from([PLAIN, DEFLATED]), cut=st.integers(min_value=0))
def test_truncated_bundles_are_refused(base: bytes, cut: int) -> None:
    outcome(base[: cut % len(base)])


@settings(max_examples=40, deadline=None)
@given(changes=mutations, cut=st.one_of(st.none(), st.integers(min_value=0)))
def test_mutated_encrypted_bundles_are_refused_cleanly(changes: list[tuple[int, int]], cut: int | None) -> None:
    data = bytearray(ENCRYPTED)
    for position, value in changes:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    outcome(bytes(data), [IDENTITY])


def test_the_originals_verify() -> None:
    for data in (PLAIN, DEFLATED):
        outcome(data)
