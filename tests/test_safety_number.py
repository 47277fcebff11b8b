"""The safety number: a key's thumbprint as 12 groups of 5 digits, to read aloud."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from vrmshare.identity import canonical_public_jwk, safety_number, thumbprint

from vrmdesk.cli import main


def _thumb(seed: int) -> str:
    return thumbprint(canonical_public_jwk(bytes([seed]) * 32))


def test_it_is_twelve_groups_of_five_digits_and_nothing_else() -> None:
    number = safety_number(_thumb(1))
    assert re.fullmatch(r"\d{5}( \d{5}){11}", number)


def test_it_is_the_thumbprints_number_and_tells_keys_apart() -> None:
    thumb = _thumb(7)
    digest = base64.urlsafe_b64decode(thumb + "=")
    expected = f"{int.from_bytes(digest, 'big') % 10**60:060d}"
    assert safety_number(thumb).replace(" ", "") == expected
    assert safety_number(thumb) == safety_number(thumb)  # both sides compute the same
    assert len({safety_number(_thumb(seed)) for seed in range(1, 40)}) == 39


def test_what_is_no_thumbprint_is_refused() -> None:
    with pytest.raises(ValueError):
        safety_number("AAAA")


def test_keygen_prints_it_beside_the_fingerprint(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["share", "keygen", "--out", str(tmp_path / "k.jwk")]) == 0
    out = capsys.readouterr().out
    kid = json.loads(out[out.index("{") :])["kid"]
    assert "Fingerprint: " in out  # the existing field stays as it was
    assert f"Safety number: {safety_number(kid)}" in out
