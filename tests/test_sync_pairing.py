"""Pairing (issue 15, part 2): this device's code as text and QR, reading another's (refusing
what is not a whole code of this version), the comparison string, and the devices: pair, list,
rename, revoke."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sync_helpers import Device

from vrmdesk.store import models as m
from vrmdesk.sync import device as own_device
from vrmdesk.sync import pairing
from vrmdesk.sync.pairing import PairingError


@pytest.fixture
def laptop(tmp_path: Path) -> Device:
    return Device(tmp_path / "laptop.db", "Laptop")


@pytest.fixture
def desktop(tmp_path: Path) -> Device:
    return Device(tmp_path / "desktop.db", "Desktop")


def test_a_code_is_one_line_that_reads_back_as_the_device(laptop: Device):
    code = laptop.code()
    assert code.startswith("VRMSYNC1:") and "\n" not in code and " " not in code
    read = pairing.read_code(code)
    with laptop.session() as s:
        own = own_device.ensure_device(s)
    assert read.device == own.device == laptop.id
    assert read.name == "Laptop"
    assert read.key == own.public_jwk() and read.age == own.age_recipient


def test_a_code_pasted_with_line_breaks_or_in_lower_case_still_reads(laptop: Device):
    code = laptop.code()
    split = "\n".join(code[i : i + 40] for i in range(0, len(code), 40))
    assert pairing.read_code(split).device == laptop.id
    assert pairing.read_code("  " + code.lower() + "\n").device == laptop.id


def _reencode(payload: dict[str, object]) -> str:
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return "VRMSYNC1:" + base64.b32encode(body).decode().rstrip("=")


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda c: "", "empty"),
        (lambda c: "hello world", "not a vrmdesk pairing code"),
        (lambda c: c.replace("VRMSYNC1:", "VRMSYNC2:"), "version 2"),
        (lambda c: c[:-7], "incomplete or mistyped"),
        (lambda c: c[: len(c) // 2], "incomplete or mistyped"),
        (lambda c: c[:-3] + "!!!", "characters a code never has"),
        (lambda c: c[:30] + ("A" if c[30] != "A" else "B") + c[31:], "incomplete or mistyped"),
        (lambda c: c + "A" * 3000, "too long"),
    ],
)
def test_a_malformed_truncated_or_other_version_code_is_refused_clearly(
    laptop: Device, desktop: Device, mangle, message
):
    with pytest.raises(PairingError, match=message):
        pairing.read_code(mangle(laptop.code()))
    with desktop.session() as s:
        assert pairing.list_devices(s) == []


def test_a_code_with_a_key_that_is_not_a_key_is_refused(laptop: Device):
    good = pairing.read_code(laptop.code())
    key = {"kty": "OKP", "crv": "Ed25519", "x": "A" * 42}
    bad = _reencode({"device": good.device, "name": "x", "key": key, "age": good.age})
    with pytest.raises(PairingError, match="incomplete or mistyped"):
        pairing.read_code(bad)
    bad_age = _reencode(
        {
            "device": good.device,
            "name": "x",
            "key": {"kty": "OKP", "crv": "Ed25519", "x": good.key["x"]},
            "age": "age1notarecipient",
        }
    )
    with pytest.raises(PairingError, match="incomplete or mistyped"):
        pairing.read_code(bad_age)


def test_both_devices_show_the_same_comparison_string(laptop: Device, desktop: Device):
    with laptop.session() as s:
        on_laptop = pairing.comparison_with(s, pairing.read_code(desktop.code()))
    with desktop.session() as s:
        on_desktop = pairing.comparison_with(s, pairing.read_code(laptop.code()))
    assert on_laptop == on_desktop
    groups = on_laptop.split(" ")
    assert len(groups) == 6 and all(len(g) == 4 and g.isdigit() for g in groups)


def test_a_changed_code_gives_another_comparison_string(laptop: Device, desktop: Device, tmp_path):
    mallory = Device(tmp_path / "mallory.db", "Laptop")
    real = pairing.read_code(laptop.code())
    forged = pairing.read_code(mallory.code())
    with desktop.session() as s:
        assert pairing.comparison_with(s, real) != pairing.comparison_with(s, forged)


def test_the_qr_code_is_a_png_and_an_svg_of_the_code(laptop: Device):
    code = laptop.code()
    png = pairing.qr_png(code)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = pairing.qr_svg(code)
    assert b"<svg" in svg
    import segno

    qr = segno.make(code, error="m", micro=False)
    assert qr.mode == "alphanumeric"  # the code's letters keep the QR code small
    assert qr.version <= 15


def test_pair_list_rename_and_revoke(laptop: Device, desktop: Device):
    laptop.pair(desktop)
    with laptop.session() as s:
        (paired,) = pairing.list_devices(s)
        assert (paired.device, paired.name, paired.revoked_at) == (desktop.id, "Desktop", None)
        assert paired.last_set == 0 and paired.last_sha256 is None
        assert pairing.recipients(s) == [paired.age_recipient]
        pairing.rename(s, desktop.id[:6], "  Study   desktop ")
        assert pairing.find_device(s, "Study desktop").device == desktop.id
        pairing.revoke(s, "Study desktop")
    with laptop.session() as s:
        (revoked,) = pairing.list_devices(s)
        assert revoked.revoked_at is not None
        assert pairing.list_devices(s, include_revoked=False) == []
        assert pairing.recipients(s) == []


def test_pairing_twice_with_oneself_or_again_after_revoking_is_refused(
    laptop: Device, desktop: Device
):
    with laptop.session() as s, pytest.raises(PairingError, match="own pairing code"):
        pairing.pair(s, pairing.read_code(laptop.code()))
    laptop.pair(desktop)
    with laptop.session() as s, pytest.raises(PairingError, match="already paired"):
        pairing.pair(s, pairing.read_code(desktop.code()))
    with laptop.session() as s:
        pairing.revoke(s, desktop.id)
    with laptop.session() as s, pytest.raises(PairingError, match="revoked"):
        pairing.pair(s, pairing.read_code(desktop.code()))


def test_a_device_id_paired_with_another_key_is_refused(laptop: Device, desktop: Device, tmp_path):
    laptop.pair(desktop)
    impostor = Device(tmp_path / "impostor.db", "Desktop")
    read = pairing.read_code(impostor.code())
    same_id = pairing.PairingCode(desktop.id, read.name, read.key, read.age)
    with laptop.session() as s, pytest.raises(PairingError, match="another key"):
        pairing.pair(s, same_id)


def test_unknown_or_ambiguous_devices_and_bad_names_are_refused(laptop: Device, desktop: Device):
    laptop.pair(desktop)
    with laptop.session() as s:
        with pytest.raises(pairing.NotFound, match="No paired device"):
            pairing.find_device(s, "Kitchen")
        with pytest.raises(PairingError, match="needs a name"):
            pairing.rename(s, desktop.id, "   ")
        with pytest.raises(PairingError, match="at most 200"):
            pairing.rename(s, desktop.id, "x" * 201)
        assert pairing.find_device(s, desktop.id).name == "Desktop"


def test_a_vault_keeps_its_device_and_the_devices_table(vault):
    """The real vault: the migration made sync_devices; the device is made once and kept."""
    with vault.engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("sync_devices")}
    assert {
        "device",
        "name",
        "jwk",
        "age_recipient",
        "paired_at",
        "revoked_at",
        "last_set",
        "last_sha256",
    } <= columns
    with vault.session() as s:
        first = own_device.ensure_device(s)
    with vault.session() as s:
        again = own_device.ensure_device(s)
        assert s.get(m.Meta, own_device.DEVICE_KEY_KEY) is not None
    assert (first.device, first.thumbprint, first.age_recipient) == (
        again.device,
        again.thumbprint,
        again.age_recipient,
    )
    assert len(first.device) == 32 and int(first.device, 16) >= 0
