"""Address books in and out: exports of Thunderbird, Google Contacts, macOS Contacts and GNOME
(vCard 3.0 and 4.0), refused cards, and a round trip through vrmdesk's own export."""

from __future__ import annotations

from pathlib import Path

import pytest
import vobject

from vrmdesk.interchange import vcard
from vrmdesk.store import demo, keys
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault

FIXTURES = Path(__file__).parent / "fixtures" / "vcard"


def vendor(vault: Vault, name: str) -> tuple[m.Vendor, list[tuple[str, str]], list[m.Contact]]:
    with vault.session() as s:
        found = records.find_vendor(s, name)
        channels = sorted((str(c.channel.value), c.value) for c in found.channels)
        return found, channels, list(found.contacts)


def test_a_thunderbird_card_becomes_a_vendor_its_contact_and_channels(vault):
    outcome = vcard.import_vcards(vault, FIXTURES / "thunderbird.vcf")
    assert outcome.committed and outcome.created == 1
    assert any("no organisation" in note for note in outcome.notes)  # the private card
    _, channels, (anna,) = vendor(vault, "Bosch Home Appliances")
    assert channels == [
        ("email", "anna.schmidt@bosch-home.example"),
        ("phone", "+49 89 1234 5678"),
        ("postal", "Carl-Wery-Straße 34 München, 81739 Germany"),
    ]
    assert (anna.name, anna.role, anna.email, anna.notes) == (
        "Anna Schmidt",
        "Service desk",
        "anna.schmidt@bosch-home.example",
        "Handles E24 errors, quickly",
    )


@pytest.mark.parametrize(
    ("name", "org"),
    [("google.vcf", "Miele"), ("macos.vcf", "Telekom"), ("gnome-v4.vcf", "MediaMarkt")],
)
def test_other_address_books(vault, name, org):
    outcome = vcard.import_vcards(vault, FIXTURES / name)
    assert outcome.committed and outcome.created == 1 and not outcome.problems
    _, channels, contacts = vendor(vault, org)
    assert any(kind == "email" for kind, _ in channels)
    if name == "macos.vcf":
        assert contacts == []  # a company card: the vendor itself, no person
    if name == "gnome-v4.vcf":
        assert ("phone", "+49-40-555-0101") in channels


def test_importing_the_same_address_book_again_adds_nothing(vault):
    vcard.import_vcards(vault, FIXTURES / "thunderbird.vcf")
    again = vcard.import_vcards(vault, FIXTURES / "thunderbird.vcf")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    _, channels, contacts = vendor(vault, "Bosch Home Appliances")
    assert len(channels) == 3 and len(contacts) == 1


def test_a_card_is_matched_to_a_vendor_by_its_e_mail_domain(vault):
    with vault.session() as s:
        records.create(s, m.Vendor, name="Bosch", website="https://www.bosch-home.example")
    vcard.import_vcards(vault, FIXTURES / "thunderbird.vcf")
    with vault.session() as s:
        assert s.query(m.Vendor).count() == 1
    _, _, (anna,) = vendor(vault, "Bosch")
    assert anna.name == "Anna Schmidt"


@pytest.mark.parametrize(
    ("name", "reason"),
    [("broken-folding.vcf", "not folded"), ("unknown-charset.vcf", "unknown character set")],
)
def test_an_unreadable_card_is_refused_and_nothing_is_imported(vault, name, reason):
    with pytest.raises(vcard.VcardError, match=reason):
        vcard.import_vcards(vault, FIXTURES / name)
    with vault.session() as s:
        assert s.query(m.Vendor).count() == 0


def test_a_file_that_is_not_an_address_book(vault, tmp_path):
    path = tmp_path / "x.vcf"
    path.write_text("just some text\n")
    with pytest.raises(vcard.VcardError, match="not an address book"):
        vcard.import_vcards(vault, path)


def test_the_export_is_read_by_vobject_and_imports_back_unchanged(vault, tmp_path):
    with vault.session() as s:
        demo.build(s, vault.attachments)
    out = tmp_path / "contacts.vcf"
    with vault.session() as s:
        cards = vcard.export_vcards(s, vault.header.vault_id, out)
        vendors, contacts = s.query(m.Vendor).count(), s.query(m.Contact).count()
    assert cards == vendors + contacts
    parsed = list(vobject.readComponents(out.read_text(encoding="utf-8")))
    assert len(parsed) == cards and all(c.version.value == "3.0" for c in parsed)
    fresh, _ = Vault.create(tmp_path / "fresh", "pw", kdf=keys.fast_params_for_tests())
    with fresh:
        first = vcard.import_vcards(fresh, out)
        assert first.created == vendors and not first.problems
        with fresh.session() as s:
            assert s.query(m.Contact).count() == contacts
        again = vcard.import_vcards(fresh, out)
        assert (again.created, again.updated) == (0, 0)
