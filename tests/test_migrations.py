"""Schema versions: the code's idea of the head matches Alembic's; open() migrates after a
backup."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from vrmdesk.errors import VaultDamaged
from vrmdesk.store import backup, keys, migrate
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault


def test_schema_head_constant_matches_the_migration_scripts():
    assert migrate.script_head() == migrate.SCHEMA_HEAD
    assert migrate.SCHEMA_HEAD in migrate.KNOWN_REVISIONS


def test_models_and_migrations_agree(tmp_path: Path):
    """Autogenerate against a migrated database finds nothing to do."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    vault, _ = Vault.create(tmp_path / "v", "pw", kdf=keys.fast_params_for_tests())
    with vault, vault.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": migrate.include_name})
        diff = compare_metadata(context, m.Base.metadata)
    assert diff == []


def test_an_old_schema_is_backed_up_then_upgraded_on_open(tmp_path: Path):
    folder = tmp_path / "v"
    vault, _ = Vault.create(folder, "pw", kdf=keys.fast_params_for_tests())
    with vault:
        from alembic import command

        with vault.engine.begin() as conn:
            command.downgrade(migrate._config(conn), "base")
    with Vault.open(folder, "pw") as vault:
        with vault.session() as s:
            records.create(s, m.Vendor, name="after upgrade")
        (taken,) = backup.list_backups(vault)
        assert taken.reason.startswith("before-migration")


def test_a_vault_from_a_newer_vrmdesk_is_refused(tmp_path: Path):
    folder = tmp_path / "v"
    vault, _ = Vault.create(folder, "pw", kdf=keys.fast_params_for_tests())
    with vault, vault.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(VaultDamaged, match="newer vrmdesk"):
        Vault.open(folder, "pw")


FIXTURES = Path(__file__).parent / "fixtures"


def test_a_vault_from_schema_0001_upgrades_with_its_data(tmp_path: Path):
    """A real vault written by the 0001 release (demo data, attachments), opened by this one."""
    import shutil

    folder = tmp_path / "old"
    shutil.copytree(FIXTURES / "vault-0001", folder)
    with Vault.open(folder, "fixture passphrase") as vault:
        (taken,) = backup.list_backups(vault)
        assert taken.reason == "before-migration-from-0001"
        with vault.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD
        with vault.session() as s:
            assert records.find_vendor(s, "Bosch Home Appliances").vendor_kind == m.VendorKind.MAKER
            assert s.query(m.Disclosure).count() == 0  # the new tables are there
            receipt = s.query(m.Attachment).first()
            assert b"RECEIPT" in vault.attachments.read_bytes(receipt)
    # the backup taken before the upgrade is the old schema, and opens as such
    with Vault.open(folder, "fixture passphrase") as vault:
        assert len(backup.list_backups(vault)) == 1


def test_a_vault_from_schema_0002_upgrades_with_its_data(tmp_path: Path):
    """A real vault written by the 0002 release (demo data, attachments), opened by this one."""
    import shutil

    folder = tmp_path / "old"
    shutil.copytree(FIXTURES / "vault-0002", folder)
    with Vault.open(folder, "fixture passphrase") as vault:
        (taken,) = backup.list_backups(vault)
        assert taken.reason == "before-migration-from-0002"
        with vault.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD
        with vault.session() as s:
            assert records.find_vendor(s, "Bosch Home Appliances").vendor_kind == m.VendorKind.MAKER
            assert s.query(m.ImportRef).count() == 0  # the new table is there
            receipt = s.query(m.Attachment).first()
            assert receipt is not None and vault.attachments.read_bytes(receipt)


def test_a_vault_from_schema_0003_upgrades_with_its_data(tmp_path: Path):
    """A real vault written by the 0003 release (demo data, attachments), opened by this one:
    its interactions and offers keep their text and searchability, and take mail's columns."""
    import shutil

    from vrmdesk.store.services import search

    folder = tmp_path / "old"
    shutil.copytree(FIXTURES / "vault-0003", folder)
    with Vault.open(folder, "fixture passphrase") as vault:
        (taken,) = backup.list_backups(vault)
        assert taken.reason == "before-migration-from-0003"
        with vault.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD
        with vault.session() as s:
            assert s.query(m.UnsortedMail).count() == 0  # the new tables are there
            interaction = s.query(m.Interaction).first()
            assert interaction is not None and interaction.message_id is None
            assert interaction.capture_notes == ""
            assert s.query(m.Offer).filter(m.Offer.message_id.is_(None)).count() > 0
            word = interaction.subject.split()[0]
            assert search.search(s, word)  # the triggers survived the new columns
            receipt = s.query(m.Attachment).first()
            assert receipt is not None and vault.attachments.read_bytes(receipt)


def test_a_vault_from_schema_0004_upgrades_with_its_data(tmp_path: Path):
    """A real vault written by the 0004 release (demo data, attachments), opened by this one:
    its home page is as it was (nothing acknowledged or snoozed) and takes marks."""
    import shutil

    from vrmdesk.store.services import dashboard, marks

    folder = tmp_path / "old"
    shutil.copytree(FIXTURES / "vault-0004", folder)
    with Vault.open(folder, "fixture passphrase") as vault:
        (taken,) = backup.list_backups(vault)
        assert taken.reason == "before-migration-from-0004"
        with vault.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD
        made = date(2026, 12, 1)  # the day the fixture was written: its warranties end soon
        with vault.session() as s:
            assert s.query(m.AttentionMark).count() == 0  # the new table is there
            before = dashboard.attention(s, on=made)
            (warranty, *_) = before.warranties
            marks.done(s, "warranties", warranty.id, on=made)
        with vault.session() as s:
            after = dashboard.attention(s, on=made)
            assert after.count("warranties") == before.count("warranties") - 1
            receipt = s.query(m.Attachment).first()
            assert receipt is not None and vault.attachments.read_bytes(receipt)


def _fixture_at(tmp_path: Path, revision: str, new_table: str) -> Path:
    """The fixture vault (demo data) copied and downgraded to ``revision``, before ``new_table``."""
    import shutil

    from alembic import command
    from sqlalchemy import inspect

    folder = tmp_path / "old"
    shutil.copytree(FIXTURES / "vault-0004", folder)
    with Vault.open(folder, "fixture passphrase") as vault:
        with vault.engine.begin() as conn:
            command.downgrade(migrate._config(conn), revision)
        with vault.engine.connect() as conn:
            assert migrate.current_revision(conn) == revision
            assert new_table not in inspect(conn).get_table_names()
    return folder


def test_a_vault_at_schema_0005_upgrades_and_takes_rights_requests(tmp_path: Path):
    """A vault at 0005 (the demo data, downgraded) opened by this one: the backup is taken, the
    new table is there, and its vendors' tickets stay as they were beside a new rights request."""
    from vrmdesk.store.services import rights

    folder = _fixture_at(tmp_path, "0005", "rights_requests")
    with Vault.open(folder, "fixture passphrase") as vault:
        assert "before-migration-from-0005" in [b.reason for b in backup.list_backups(vault)]
        with vault.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.SCHEMA_HEAD
        with vault.session() as s:
            tickets = s.query(m.Ticket).count()
            vendor = s.query(m.Vendor).filter(m.Vendor.name == "Bosch Home Appliances").one()
            letter = rights.draft(s, vendor.id, "access", "gdpr", sent=date(2026, 11, 30))
            rights.record_sent(s, letter)
        with vault.session() as s:
            assert s.query(m.Ticket).count() == tickets + 1
            assert s.query(m.RightsRequest).one().due_on == date(2026, 12, 30)


def test_a_vault_at_schema_0006_upgrades_and_takes_terms_agreements(tmp_path: Path):
    """A vault at 0006 opened by this one: the backup is taken, terms_agreements is there and
    takes a proffer beside the vendors it had."""
    from datetime import datetime

    from vrmdesk.store.services import myterms

    folder = _fixture_at(tmp_path, "0006", "terms_agreements")
    with Vault.open(folder, "fixture passphrase") as vault:
        assert "before-migration-from-0006" in [b.reason for b in backup.list_backups(vault)]
        with vault.session() as s:
            vendor = s.query(m.Vendor).filter(m.Vendor.name == "Bosch Home Appliances").one()
            myterms.record_proffer(
                s,
                vendor.id,
                agreement_id="SD-BASE",
                version="1",
                title="Service delivery only",
                bundle_id="urn:uuid:00000000-0000-4000-8000-000000000001",
                when=datetime(2026, 12, 1, 12),
            )
        with vault.session() as s:
            assert s.query(m.TermsAgreement).one().state == "proffered"


def test_a_vault_at_schema_0006_upgrades_and_takes_quote_requests(tmp_path: Path):
    """A vault at 0006 (the demo data, downgraded) opened by this one: backed up, the three
    quote tables are there, and a request can be stored against its vendors."""
    import shutil

    from alembic import command
    from sqlalchemy import inspect

    from vrmdesk.store.services import quotes

    folder = tmp_path / "old"
    shutil.copytree(FIXTURES / "vault-0004", folder)
    with Vault.open(folder, "fixture passphrase") as vault:
        with vault.engine.begin() as conn:
            command.downgrade(migrate._config(conn), "0006")
        with vault.engine.connect() as conn:
            assert migrate.current_revision(conn) == "0006"
            assert "quotes" not in inspect(conn).get_table_names()
    with Vault.open(folder, "fixture passphrase") as vault:
        assert "before-migration-from-0006" in [b.reason for b in backup.list_backups(vault)]
        with vault.engine.connect() as conn:
            names = inspect(conn).get_table_names()
        assert {"quote_requests", "quote_recipients", "quotes"} <= set(names)
        with vault.session() as s:
            checked = quotes.check(
                s, quotes.RequestDraft(subject="Boiler", vendors=["Bosch Home Appliances"])
            )
            quotes.create_request(s, checked)
        with vault.session() as s:
            assert quotes.list_requests(s)[0].subject == "Boiler"


def test_a_vault_at_schema_0008_upgrades_and_takes_sync_devices(tmp_path: Path):
    """A vault at 0008 opened by this one: backed up, sync_devices is there and takes a device."""
    import shutil

    from alembic import command
    from sqlalchemy import inspect

    from vrmdesk.sync import pairing

    folder = tmp_path / "old"
    shutil.copytree(FIXTURES / "vault-0004", folder)
    with Vault.open(folder, "fixture passphrase") as vault:
        with vault.engine.begin() as conn:
            command.downgrade(migrate._config(conn), "0008")
        with vault.engine.connect() as conn:
            assert "sync_devices" not in inspect(conn).get_table_names()
    with Vault.open(folder, "fixture passphrase") as vault:
        assert "before-migration-from-0008" in [b.reason for b in backup.list_backups(vault)]
        other, _ = Vault.create(tmp_path / "other", "pw", kdf=keys.fast_params_for_tests())
        with other, other.session() as s:
            code = pairing.own_code(s)
        with vault.session() as s:
            pairing.pair(s, pairing.read_code(code), name="Desktop")
        with vault.session() as s:
            assert [d.name for d in pairing.list_devices(s)] == ["Desktop"]


def test_a_vault_at_schema_0008_upgrades_and_its_records_get_gids(tmp_path: Path):
    """A vault at 0008 (the demo data, downgraded) opened by this one: backed up, every synced
    record has its own UUIDv7, the change log is there, and the log's baseline plus a new edit
    explain every record."""
    from sqlalchemy import inspect, select

    from vrmdesk.store import changelog
    from vrmdesk.store.gid import is_gid

    folder = _fixture_at(tmp_path, "0008", "sync_log")
    with Vault.open(folder, "fixture passphrase") as vault:
        assert "before-migration-from-0008" in [b.reason for b in backup.list_backups(vault)]
        with vault.engine.connect() as conn:
            assert {"sync_log", "sync_fields"} <= set(inspect(conn).get_table_names())
        with vault.session() as s:
            vendors = s.query(m.Vendor).count()
            assert vendors > 0
            for cls in changelog.SYNCED.values():
                gids = list(s.scalars(select(cls.gid)))  # type: ignore[attr-defined]
                assert all(is_gid(g) for g in gids) and len(set(gids)) == len(gids), cls
            assert changelog.entries(s) == []  # nothing was changed by the upgrade
            assert changelog.baseline(s) == len(changelog.snapshot(s))
        with vault.session() as s:
            records.create(s, m.Vendor, name="after upgrade")
        with vault.session() as s:
            assert changelog.verify(s) == []
            assert s.query(m.Vendor).count() == vendors + 1
