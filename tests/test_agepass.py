"""Streaming age files to a passphrase: opened by pyrage and by the age command itself, and
opening what they write; every damage refused."""

from __future__ import annotations

import io
import os
import shutil

import pyrage
import pytest
from agetool import age_decrypt_with_passphrase

from vrmdesk.interchange import agepass

SIZES = [0, 1, agepass.CHUNK - 1, agepass.CHUNK, agepass.CHUNK + 1, 3 * agepass.CHUNK + 17]


def encrypt(data: bytes, passphrase: str = "correct horse", work: int = 10) -> bytes:
    out = io.BytesIO()
    with agepass.encrypting(out, passphrase, work_factor=work) as stream:
        for i in range(0, len(data), 7000):  # written in pieces, as an archive writer does
            stream.write(data[i : i + 7000])
    return out.getvalue()


def decrypt(data: bytes, passphrase: str = "correct horse") -> bytes:
    out = io.BytesIO()
    agepass.decrypt(io.BytesIO(data), out, passphrase)
    return out.getvalue()


@pytest.mark.parametrize("size", SIZES)
def test_pyrage_opens_what_is_written_and_it_opens_back(size):
    data = os.urandom(size)
    assert pyrage.passphrase.decrypt(encrypt(data), "correct horse") == data
    assert decrypt(encrypt(data)) == data


def test_what_pyrage_writes_is_opened():
    data = os.urandom(100_000)
    assert decrypt(pyrage.passphrase.encrypt(data, "correct horse")) == data


@pytest.mark.skipif(shutil.which("age") is None, reason="the age command is not installed")
def test_the_age_command_opens_it_with_the_passphrase(tmp_path):
    data = os.urandom(200_000)
    source = tmp_path / "archive.age"
    source.write_bytes(encrypt(data, "tiger lantern"))
    target = tmp_path / "out.bin"
    assert age_decrypt_with_passphrase(source, target, "tiger lantern") == 0
    assert target.read_bytes() == data


def test_a_wrong_passphrase_is_told():
    with pytest.raises(agepass.AgeError, match="passphrase is not right"):
        decrypt(encrypt(b"secret"), "wrong")


def test_any_changed_byte_or_a_cut_is_refused():
    data = os.urandom(agepass.CHUNK * 2 + 100)
    sealed = encrypt(data)
    for position in range(0, len(sealed), max(1, len(sealed) // 97)):
        damaged = bytearray(sealed)
        damaged[position] ^= 0x01
        with pytest.raises(agepass.AgeError):
            decrypt(bytes(damaged))
    for cut in (10, len(sealed) // 2, len(sealed) - agepass.CHUNK - 16, len(sealed) - 1):
        with pytest.raises(agepass.AgeError):
            decrypt(sealed[:cut])
    with pytest.raises(agepass.AgeError):
        decrypt(sealed + b"more")


def test_a_file_for_a_key_not_a_passphrase_says_so():
    identity = pyrage.x25519.Identity.generate()
    sealed = pyrage.encrypt(b"x", [identity.to_public()])
    with pytest.raises(agepass.AgeError, match="encrypted to a key"):
        decrypt(sealed)
    assert not agepass.is_passphrase_file(sealed) and agepass.is_passphrase_file(encrypt(b"x"))


def test_an_absurd_work_factor_is_refused_before_any_work():
    sealed = encrypt(b"x", work=10).replace(b" 10\n", b" 40\n", 1)
    with pytest.raises(agepass.AgeError, match="work factor of 40"):
        decrypt(sealed)


def test_an_empty_passphrase_is_refused():
    with pytest.raises(agepass.AgeError, match="needs a passphrase"):
        encrypt(b"x", "")


def test_not_an_age_file():
    with pytest.raises(agepass.AgeError, match="not an age file"):
        decrypt(b"PK\x03\x04 a zip")
