"""Other tools read our bundles: PyJWT verifies the signature, the age CLI decrypts."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwcrypto import jwk, jws
from pyrage import x25519
from share_helpers import make_bundle
from vrmshare.verify import verify_bundle

KEY = Ed25519PrivateKey.generate()


def parts(path: Path) -> tuple[bytes, str, dict]:  # type: ignore[type-arg]
    with zipfile.ZipFile(path) as zf:
        raw = zf.read("manifest.json")
        token = zf.read("manifest.jws").decode()
    return raw, token, json.loads(raw)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def attach(token: str, payload: bytes) -> str:
    """RFC 7515 appendix F: put the base64url payload back between the two dots."""
    header, empty, signature = token.split(".")
    assert empty == ""
    return f"{header}.{b64url(payload)}.{signature}"


def test_pyjwt_verifies_the_detached_signature(tmp_path: Path) -> None:
    # PyJWT's detached_payload= is for RFC 7797 (b64: false) only; vrmshare uses RFC 7515
    # appendix F (b64 payload left out), which any JOSE library verifies once it is put back.
    raw, token, manifest = parts(make_bundle(tmp_path / "b.vrmshare", KEY).path)
    public = jwt.PyJWK(manifest["sender"]["key"]).key
    decoded = jwt.api_jws.PyJWS().decode_complete(attach(token, raw), public, algorithms=["EdDSA"])
    assert decoded["payload"] == raw
    assert decoded["header"] == {
        "alg": "EdDSA",
        "kid": manifest["sender"]["key"]["kid"],
        "typ": "vrmshare+jws",
    }
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.api_jws.PyJWS().decode_complete(
            attach(token, raw.replace(b"Alex", b"Alix")), public, algorithms=["EdDSA"]
        )
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.api_jws.PyJWS().decode_complete(attach(token, raw), public, algorithms=["HS256"])


def test_jwcrypto_verifies_too(tmp_path: Path) -> None:
    raw, token, manifest = parts(make_bundle(tmp_path / "b.vrmshare", KEY).path)
    obj = jws.JWS()
    obj.deserialize(token)
    obj.verify(jwk.JWK(**manifest["sender"]["key"]), alg="EdDSA", detached_payload=raw)


def test_pyjwt_signed_reply_header_verifies_with_us(tmp_path: Path) -> None:
    """A manifest signed by another JOSE library (as a vendor would) passes our verifier."""
    written = make_bundle(tmp_path / "b.vrmshare", KEY)
    raw, _, manifest = parts(written.path)
    attached = jwt.api_jws.PyJWS().encode(
        raw,
        KEY,
        algorithm="EdDSA",
        headers={"kid": manifest["sender"]["key"]["kid"], "typ": "vrmshare+jws"},
    )
    header, _, signature = attached.split(".")
    token = f"{header}..{signature}"
    with zipfile.ZipFile(written.path) as src, zipfile.ZipFile(tmp_path / "o.vrmshare", "w") as dst:
        for info in src.infolist():
            data = token.encode() if info.filename == "manifest.jws" else src.read(info)
            dst.writestr(info.filename, data)
    verify_bundle(tmp_path / "o.vrmshare")


@pytest.mark.skipif(
    shutil.which("age") is None, reason="the age CLI is not installed (Debian package age)"
)
def test_age_cli_decrypts(tmp_path: Path) -> None:
    identity = x25519.Identity.generate()
    (tmp_path / "id.txt").write_text(f"{identity}\n")
    plain = make_bundle(tmp_path / "p.vrmshare", KEY)
    enc = make_bundle(tmp_path / "e.vrmshare.age", KEY, encrypt_to=str(identity.to_public()))
    subprocess.run(
        ["age", "-d", "-i", str(tmp_path / "id.txt"), "-o", str(tmp_path / "d.zip"), str(enc.path)],
        check=True,
        capture_output=True,
    )
    assert hashlib.sha256((tmp_path / "d.zip").read_bytes()).hexdigest() == plain.sha256
    # and we read what the age CLI wrote, armored too
    armored = tmp_path / "a.vrmshare.age"
    subprocess.run(
        ["age", "-a", "-r", str(identity.to_public()), "-o", str(armored), str(plain.path)],
        check=True,
        capture_output=True,
    )
    assert verify_bundle(armored, identities=[identity]).bundle_id == plain.bundle_id
