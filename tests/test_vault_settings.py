"""What the settings dialog relies on in the core: vault-wide settings (sender name, default
currency), a new recovery key, backups in a folder of one's choosing and on a schedule, and how
far ahead a follow-up is shown."""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from vrmshare.terms import Terms

from vrmdesk.errors import BackupError, ValidationError, WrongPassphrase
from vrmdesk.share import export
from vrmdesk.share import slice as sl
from vrmdesk.store import backup, keys
from vrmdesk.store import models as m
from vrmdesk.store.services import dashboard, records, views
from vrmdesk.store.services import settings as vault_settings
from vrmdesk.store.vault import Vault

PASSPHRASE = "correct horse"  # the conftest's


# -- vault-wide settings ------------------------------------------------------------------------
def test_sender_name_and_currency_are_kept_in_the_vault(vault: Vault) -> None:
    with vault.session() as s:
        assert vault_settings.vault_settings(s) == {"sender_name": "", "default_currency": "EUR"}
        vault_settings.save_vault_settings(s, sender_name="  Jo Park ", default_currency="chf")
    folder = vault.folder
    vault.close()
    with Vault.open(folder, PASSPHRASE) as again, again.session() as s:
        assert vault_settings.vault_settings(s) == {
            "sender_name": "Jo Park",
            "default_currency": "CHF",
        }


@pytest.mark.parametrize(
    ("name", "currency", "field"),
    [
        ("", "EUR", "sender_name"),
        ("Jo\x07", "EUR", "sender_name"),
        ("Jo", "EURO", "default_currency"),
    ],
)
def test_a_refused_setting_keeps_nothing(
    vault: Vault, name: str, currency: str, field: str
) -> None:
    with vault.session() as s:
        vault_settings.save_vault_settings(s, sender_name="Jo Park", default_currency="USD")
    with pytest.raises(ValidationError) as caught, vault.session() as s:
        vault_settings.save_vault_settings(s, sender_name=name, default_currency=currency)
    assert caught.value.field == field
    with vault.session() as s:
        assert vault_settings.vault_settings(s) == {
            "sender_name": "Jo Park",
            "default_currency": "USD",
        }


def test_no_name_given_leaves_it_unset(vault: Vault) -> None:
    with vault.session() as s:
        vault_settings.save_vault_settings(s, sender_name=None, default_currency="GBP")
        assert vault_settings.sender_name(s) == ""


def _thing_with_a_vendor(vault: Vault) -> int:
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Acme")
        records.create(s, m.Asset, name="Kettle", maker_id=vendor.id)
        return vendor.id


def _export(vault: Vault, vendor_id: int, out: Path) -> export.ExportResult:
    with vault.session() as s:
        selection = sl.narrowed(s, vendor_id)
    return export.export_bundle(vault, selection, Terms(purpose="other"), out)


def test_a_bundle_carries_the_name_set_and_refuses_without_one(
    vault: Vault, tmp_path: Path
) -> None:
    vendor_id = _thing_with_a_vendor(vault)
    with pytest.raises(ValidationError, match="Settings") as caught:
        _export(vault, vendor_id, tmp_path / "a.vrmshare")
    assert caught.value.field == "sender_name"
    assert not (tmp_path / "a.vrmshare").exists()
    with vault.session() as s:
        vault_settings.set_sender_name(s, "Jo Park")
    result = _export(vault, vendor_id, tmp_path / "b.vrmshare")
    with zipfile.ZipFile(result.path) as z:
        manifest = json.loads(z.read("manifest.json"))
        page = z.read("index.html").decode()
    assert manifest["sender"]["name"] == "Jo Park"
    assert "Jo Park" in page and "vrmdesk user" not in page


# -- a new recovery key -------------------------------------------------------------------------
def test_a_new_recovery_key_opens_the_vault_and_the_old_one_no_longer(
    vault_and_recovery_key: tuple[Vault, str],
) -> None:
    vault, old = vault_and_recovery_key
    backup.make_backup(vault)  # its header copy must not keep the old key working either
    with pytest.raises(WrongPassphrase):
        vault.new_recovery_key("not the passphrase")
    new = vault.new_recovery_key(PASSPHRASE)
    assert new != old and keys.normalize_recovery_key(new) == new
    folder = vault.folder
    vault.close()
    with pytest.raises(WrongPassphrase):
        Vault.open(folder, recovery_key=old)
    for info in backup.list_backups(folder):
        copy = keys.Header.load(info.header_copy, "")
        with pytest.raises(WrongPassphrase):
            copy.unlock_with_recovery_key(old)
        copy.unlock_with_recovery_key(new)
    with Vault.open(folder, recovery_key=new) as again:
        assert again.is_open
    with Vault.open(folder, PASSPHRASE) as again:  # the passphrase is as it was
        assert again.is_open


def test_a_failed_save_keeps_the_old_recovery_key(
    vault_and_recovery_key: tuple[Vault, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    vault, old = vault_and_recovery_key

    def refuse(self: keys.Header, path: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(keys.Header, "save", refuse)
    with pytest.raises(Exception, match=r"space|full"):
        vault.new_recovery_key(PASSPHRASE)
    monkeypatch.undo()
    vault.header.unlock_with_recovery_key(old)  # the one in use is unchanged
    folder = vault.folder
    vault.close()
    with Vault.open(folder, recovery_key=old) as again:
        assert again.is_open


# -- backups elsewhere, on a schedule -----------------------------------------------------------
def test_folder_problems_are_named(tmp_path: Path) -> None:
    assert backup.folder_problem(tmp_path) == ""
    assert "does not exist" in backup.folder_problem(tmp_path / "nope")
    (tmp_path / "file").write_text("x")
    assert "is a file" in backup.folder_problem(tmp_path / "file")
    assert "whole path" in backup.folder_problem(Path("relative"))
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.geteuid() != 0:  # root writes anywhere
        assert "cannot be written" in backup.folder_problem(locked)


def _attach(vault: Vault, data: bytes) -> tuple[int, str]:
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Acme")
        asset = records.create(s, m.Asset, name="Kettle", maker_id=vendor.id)
        attachment = vault.attachments.add(
            s, asset, io.BytesIO(data), name="r.bin", media_type="application/octet-stream"
        )
        return attachment.id, attachment.blob_name


def test_backups_in_another_folder(vault: Vault, tmp_path: Path) -> None:
    chosen = tmp_path / "usb"
    chosen.mkdir()
    attachment_id, blob = _attach(vault, b"receipt" * 100)
    made = [backup.make_backup(vault, "scheduled", into=chosen, keep=2) for _ in range(3)]
    sub = backup.folder_for(chosen, vault.paths)
    assert sub.parent == chosen and sub.name.startswith("vrmdesk-v-")
    assert all(info.path.parent == sub for info in made)
    assert [b.path for b in backup.list_backups_in(sub)] == [made[2].path, made[1].path]
    assert backup.list_backups(vault) == []  # none beside the vault
    assert backup.other_folders(vault) == [sub]
    # the attachment's content stays while a backup elsewhere refers to it
    with vault.session() as s:
        vault.attachments.remove(s, attachment_id)
    vault.attachments.recover()
    assert vault.attachments.path_of(blob).exists()
    # a new passphrase reaches the header copies there too
    vault.change_passphrase(PASSPHRASE, "another one", kdf=keys.fast_params_for_tests())
    copy = keys.Header.load(made[2].header_copy, "")
    copy.unlock_with_passphrase("another one")
    with pytest.raises(WrongPassphrase):
        copy.unlock_with_passphrase(PASSPHRASE)


def test_a_backup_into_a_missing_folder_is_refused(vault: Vault, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="does not exist"):
        backup.make_backup(vault, into=tmp_path / "gone")
    assert backup.other_folders(vault) == []


def test_when_a_backup_is_due() -> None:
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert not backup.backup_due(None, "off", now)
    assert backup.backup_due(None, "daily", now)
    assert not backup.backup_due(now - timedelta(hours=23), "daily", now)
    assert backup.backup_due(now - timedelta(hours=24), "daily", now)
    assert not backup.backup_due(now - timedelta(days=6), "weekly", now)
    assert backup.backup_due(now - timedelta(days=7), "weekly", now)


# -- how far ahead a follow-up shows ------------------------------------------------------------
def test_follow_ups_show_as_far_ahead_as_asked(vault: Vault) -> None:
    today = date.today()
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Acme")
        records.create(
            s,
            m.Ticket,
            vendor_id=vendor.id,
            title="Ask again",
            follow_up_on=today + timedelta(days=3),
        )
        near = dashboard.Lead(follow_up_days=0)
        far = dashboard.Lead(follow_up_days=5)
        assert dashboard.dashboard(s, near).follow_ups_due == []
        assert [t.title for t in dashboard.dashboard(s, far).follow_ups_due] == ["Ask again"]
        assert dashboard.attention(s, near).follow_ups == ()
        assert len(dashboard.attention(s, far).follow_ups) == 1
        rows = views.vendor_rows(s, lead=far)
        assert [r.follow_ups_due for r in rows] == [1]
        assert [r.follow_ups_due for r in views.vendor_rows(s, lead=near)] == [0]


def test_a_change_of_key_removes_the_backups_elsewhere_it_no_longer_opens(
    vault: Vault, tmp_path: Path
) -> None:
    chosen = tmp_path / "usb"
    chosen.mkdir()
    old = backup.make_backup(vault, into=chosen)
    vault.rotate_key("a new one", kdf=keys.fast_params_for_tests())
    assert not old.path.exists() and not old.header_copy.exists()
    fresh = backup.make_backup(vault, into=chosen)  # a new one there opens with the new key
    backup.check_backup(fresh.path, vault.data_key)


def test_the_command_line_asks_for_a_name_then_remembers_it(
    vault: Vault,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from vrmdesk import cli

    _thing_with_a_vendor(vault)
    folder = vault.folder
    vault.close()
    monkeypatch.setenv(cli.PASSPHRASE_ENV, PASSPHRASE)
    base = ["share", "export", "--vault", str(folder), "--vendor", "Acme"]
    assert cli.main([*base, "--out", str(tmp_path / "a")]) == 1
    assert "--sender-name" in capsys.readouterr().err
    assert list(tmp_path.glob("a*")) == []
    assert cli.main([*base, "--out", str(tmp_path / "b"), "--sender-name", "Jo Park"]) == 0
    assert cli.main([*base, "--out", str(tmp_path / "c")]) == 0  # remembered
    with zipfile.ZipFile(tmp_path / "c.vrmshare") as z:
        assert json.loads(z.read("manifest.json"))["sender"]["name"] == "Jo Park"


def test_a_backup_elsewhere_is_offered_and_restored(vault: Vault, tmp_path: Path) -> None:
    chosen = tmp_path / "usb"
    chosen.mkdir()
    beside = backup.make_backup(vault)
    with vault.session() as s:
        records.create(s, m.Vendor, name="Kept elsewhere")
    elsewhere = backup.make_backup(vault, into=chosen)
    with vault.session() as s:
        records.create(s, m.Vendor, name="After both")
    folder = vault.folder
    vault.close()
    found = backup.backups_to_restore(folder, chosen)
    assert [b.path for b in found] == [elsewhere.path, beside.path]
    assert backup.backups_to_restore(folder, None) == [beside]
    backup.restore(folder, elsewhere.path, passphrase=PASSPHRASE)
    with Vault.open(folder, PASSPHRASE) as again, again.session() as s:
        names = set(s.scalars(select(m.Vendor.name)))
    assert "Kept elsewhere" in names and "After both" not in names


def test_an_archive_does_not_carry_the_folders_backed_up_to(vault: Vault, tmp_path: Path) -> None:
    from vrmdesk.interchange import archive

    chosen = tmp_path / "usb"
    chosen.mkdir()
    backup.make_backup(vault, into=chosen)
    with vault.session() as s:
        vault_settings.set_sender_name(s, "Jo Park")
    archive.export_archive(vault, tmp_path / "all.zip")
    with zipfile.ZipFile(tmp_path / "all.zip") as zf:
        meta = zf.read("tables/vault_meta.jsonl").decode()
    assert backup.OTHER_FOLDERS_KEY not in meta and str(chosen) not in meta
    assert "Jo Park" in meta  # the vault's own settings do go


def test_a_spreadsheet_price_without_a_currency_is_in_the_default(
    vault: Vault, tmp_path: Path
) -> None:
    from vrmdesk.interchange import csv_import

    sheet = tmp_path / "things.csv"
    sheet.write_text("Name,Price\nKettle,12.50\n", encoding="utf-8")
    with vault.session() as s:
        vault_settings.set_default_currency(s, "CHF")
    outcome = csv_import.import_csv(vault, csv_import.prepare(sheet, "assets"))
    assert outcome.committed and outcome.problems == []
    with vault.session() as s:
        kettle = s.scalars(select(m.Asset).where(m.Asset.name == "Kettle")).one()
        assert (kettle.price_minor, kettle.currency) == (1250, "CHF")
