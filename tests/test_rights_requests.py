"""Data-rights requests: the laws as data, the letter, the legal deadlines on edge dates, the
ticket and the timeline, extensions (refused after the first period), reminders, complaints, and
the PDF for post."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import func, select

from vrmdesk.errors import NotFound, ValidationError
from vrmdesk.store import models as m
from vrmdesk.store.services import dashboard, records, rights
from vrmdesk.store.vault import Vault

TODAY = date(2027, 6, 1)


@pytest.fixture
def acme(vault: Vault) -> int:
    """A vendor with an e-mail address, a postal address, an account and a registration."""
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Acme Appliances")
        records.create(
            s, m.Channel, vendor_id=vendor.id, channel="email", value="privacy@acme.test"
        )
        records.create(
            s, m.Channel, vendor_id=vendor.id, channel="postal", value="1 Main St\nSpringfield"
        )
        records.create(s, m.Account, vendor_id=vendor.id, label="Customer number", number="C-4711")
        thing = records.create(s, m.Asset, name="Dishwasher")
        records.create(
            s,
            m.Registration,
            asset_id=thing.id,
            vendor_id=vendor.id,
            registered_on=date(2025, 3, 2),
            registration_ref="REG-99",
            data_given="name, e-mail",
        )
        # someone else's details, which must never reach Acme's letter
        other = records.create(s, m.Vendor, name="Other Shop")
        records.create(s, m.Account, vendor_id=other.id, label="Loyalty card", number="L-0000")
        return vendor.id


@pytest.fixture
def nowhere(vault: Vault) -> int:
    """A vendor with no e-mail, no postal address and no contact."""
    with vault.session() as s:
        return records.create(s, m.Vendor, name="Nowhere Ltd").id


# -- the laws, as data -------------------------------------------------------------------------
def test_each_law_is_one_shipped_file_and_has_every_right_or_says_why_not():
    folder = resources.files("vrmdesk.store") / "rights_laws"
    files = sorted(e.name for e in folder.iterdir() if e.name.endswith(".toml"))
    assert files == ["ccpa.toml", "gdpr.toml", "uk-gdpr.toml"]
    assert set(rights.laws()) == {"gdpr", "uk-gdpr", "ccpa"}
    for law in rights.laws().values():
        for right in rights.RIGHTS:
            assert (right in law.rights) != (right in law.missing), (law.id, right)
    gdpr = rights.law("gdpr")
    assert [gdpr.right(r).article for r in rights.RIGHTS] == [
        "Article 15",
        "Article 16",
        "Article 17",
        "Article 20",
        "Article 21(2) and (3)",
        "Article 18",
    ]
    assert "Information Commissioner" in rights.law("uk-gdpr").authority
    assert "1798.105" in rights.law("ccpa").right("erasure").article


def test_a_new_jurisdiction_is_a_new_file(monkeypatch, tmp_path):
    data = tomllib.loads(
        (resources.files("vrmdesk.store") / "rights_laws" / "gdpr.toml").read_text("utf-8")
    )
    data["id"], data["deadline"]["answer"] = "test-law", 2
    law = rights._law_from(data)
    assert law.due(date(2027, 1, 31)) == date(2027, 3, 31)


def test_the_ccpa_has_no_right_to_restriction_and_says_so(vault, acme):
    with vault.session() as s, pytest.raises(ValidationError) as refused:
        rights.draft(s, acme, "restriction", "ccpa", today=TODAY)
    assert "no right to restriction" in str(refused.value)
    assert "1798.121" in str(refused.value)


@pytest.mark.parametrize(
    ("right", "law", "says"),
    [
        ("forget-me", "gdpr", "There is no right 'forget-me'"),
        ("access", "swiss", "There is no law 'swiss'"),
    ],
)
def test_an_unknown_right_or_law_is_refused(vault, acme, right, law, says):
    with vault.session() as s, pytest.raises(ValidationError, match=says):
        rights.draft(s, acme, right, law, today=TODAY)


# -- deadlines on edge dates ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "due"),
    [
        (date(2027, 1, 31), date(2027, 2, 28)),  # a month end: no 31 February
        (date(2028, 1, 31), date(2028, 2, 29)),  # ... nor in a leap year, whose last day is 29
        (date(2028, 2, 29), date(2028, 3, 29)),  # from a leap day
        (date(2026, 12, 31), date(2027, 1, 31)),  # over a year end
        (date(2027, 3, 31), date(2027, 4, 30)),
        (date(2027, 5, 15), date(2027, 6, 15)),
    ],
)
def test_gdpr_one_month(start, due):
    assert rights.law("gdpr").due(start) == due
    assert rights.law("uk-gdpr").due(start) == due


def test_gdpr_extension_is_two_further_months_from_the_start():
    gdpr = rights.law("gdpr")
    assert gdpr.extended_due(date(2027, 1, 31)) == date(2027, 4, 30)
    assert gdpr.extended_due(date(2026, 11, 30)) == date(2027, 2, 28)
    assert gdpr.confirm_by(date(2027, 1, 31)) is None


@pytest.mark.parametrize(
    ("start", "due", "extended", "confirm"),
    [
        # Thursday 31 Dec 2026: 45 days over the year end; 10 business days skip two weekends
        (date(2026, 12, 31), date(2027, 2, 14), date(2027, 3, 31), date(2027, 1, 14)),
        # a leap year's February counts its 29th
        (date(2028, 2, 1), date(2028, 3, 17), date(2028, 5, 1), date(2028, 2, 15)),
        # a Saturday: the first business day is the Monday
        (date(2027, 1, 30), date(2027, 3, 16), date(2027, 4, 30), date(2027, 2, 12)),
    ],
)
def test_ccpa_45_days_extendable_once_by_45_and_ten_business_days(start, due, extended, confirm):
    ccpa = rights.law("ccpa")
    assert ccpa.due(start) == due
    assert ccpa.extended_due(start) == extended
    assert ccpa.confirm_by(start) == confirm


# -- the letter ---------------------------------------------------------------------------------
def test_the_letter_says_what_i_ask_the_article_my_details_and_the_deadline(vault, acme):
    with vault.session() as s:
        letter = rights.draft(s, acme, "erasure", "gdpr", sent=date(2027, 1, 31), today=TODAY)
    assert letter.sendable and letter.due_on == date(2027, 2, 28)
    text = letter.text
    assert "privacy@acme.test" in text and "1 Main St\nSpringfield" in text
    assert "Article 17" in text and "erasure of all personal data" in text
    assert "- Customer number: C-4711" in text
    assert "- Registration of Dishwasher on 2025-03-02, reference REG-99 (given: name, e-mail)" in (
        text
    )
    assert "2027-02-28" in text
    assert "L-0000" not in text and "Loyalty" not in text  # another vendor's account


def test_a_ccpa_letter_asks_for_confirmation_within_ten_business_days(vault, acme):
    with vault.session() as s:
        letter = rights.draft(s, acme, "access", "ccpa", sent=date(2026, 12, 31), today=TODAY)
    assert "within 10 business days, by 2027-01-14" in letter.text
    assert "within 45 days, by 2027-02-14" in letter.text
    assert "1798.110" in letter.text


def test_a_posted_letter_counts_from_the_day_received(vault, acme):
    with vault.session() as s:
        letter = rights.draft(
            s,
            acme,
            "access",
            "gdpr",
            sent=date(2027, 1, 29),
            received=date(2027, 1, 31),
            today=TODAY,
        )
        request = rights.record_sent(s, letter)
        assert (request.sent_on, request.counted_from) == (date(2027, 1, 29), date(2027, 1, 31))
        assert request.received and request.due_on == date(2027, 2, 28)


def test_bad_dates_are_refused(vault, acme):
    with vault.session() as s:
        with pytest.raises(ValidationError, match="in the future"):
            rights.draft(s, acme, "access", "gdpr", sent=date(2027, 6, 2), today=TODAY)
        with pytest.raises(ValidationError, match="received before it was sent"):
            rights.draft(
                s,
                acme,
                "access",
                "gdpr",
                sent=date(2027, 2, 1),
                received=date(2027, 1, 1),
                today=TODAY,
            )
        with pytest.raises(NotFound, match="no vendor 'Nobody'"):
            rights.draft(s, "Nobody", "access", "gdpr")


def test_a_vendor_with_no_address_gets_a_letter_saying_what_is_missing_and_nothing_is_sent(
    vault, nowhere
):
    with vault.session() as s:
        letter = rights.draft(s, nowhere, "access", "gdpr", sent=date(2027, 1, 1), today=TODAY)
        assert not letter.sendable
        assert "cannot be sent yet" in letter.text and "an address for Nowhere Ltd" in letter.text
        with pytest.raises(ValidationError, match="cannot be sent"):
            rights.record_sent(s, letter)
    with vault.session() as s:
        assert s.scalar(select(func.count()).select_from(m.RightsRequest)) == 0
        assert s.scalar(select(func.count()).select_from(m.Ticket)) == 0
        assert s.scalar(select(func.count()).select_from(m.Interaction)) == 0


def test_a_contacts_email_is_an_address_too(vault, nowhere):
    with vault.session() as s:
        records.create(s, m.Contact, vendor_id=nowhere, name="DPO", email="dpo@nowhere.test")
        letter = rights.draft(s, nowhere, "access", "gdpr", today=TODAY)
    assert letter.sendable and letter.email == "dpo@nowhere.test"


# -- recorded: a ticket, on the timeline ----------------------------------------------------------
def test_recording_it_sent_makes_a_rights_request_ticket_with_the_letter_on_the_timeline(
    vault, acme
):
    with vault.session() as s:
        letter = rights.draft(s, acme, "access", "gdpr", sent=date(2027, 1, 31), today=TODAY)
        request_id = rights.record_sent(s, letter).id
    with vault.session() as s:
        request = rights.get(s, request_id)
        ticket = request.ticket
        assert ticket.vendor_id == acme and ticket.title.startswith("Data-rights request: access")
        assert ticket.status == m.TicketStatus.WAITING_ON_VENDOR
        assert ticket.opened_on == date(2027, 1, 31)
        assert ticket.title == "Data-rights request: access (GDPR), due 2027-02-28"
        assert ticket.follow_up_on == date(2027, 2, 21)  # a week before the deadline
        assert rights.request_of_ticket(s, ticket.id) is not None
        (sent,) = s.scalars(select(m.Interaction).where(m.Interaction.ticket_id == ticket.id))
        assert sent.direction == m.Direction.OUTBOUND and sent.channel == "email"
        assert "Article 15" in sent.body and "C-4711" in sent.body
        (row,) = rights.list_requests(s, on=date(2027, 2, 1))
        assert row.to_json()["due"] == "2027-02-28" and row.state == "waiting"
        assert row.to_json()["extended_due"] is None


def test_the_reminder_before_the_deadline_is_among_the_follow_ups(vault, acme):
    with vault.session() as s:
        letter = rights.draft(s, acme, "access", "gdpr", sent=date(2027, 1, 31), today=TODAY)
        ticket_id = rights.record_sent(s, letter).ticket_id
    with vault.session() as s:
        assert [t.id for t in dashboard.follow_ups_due(s, on=date(2027, 2, 20))] == []
        assert [t.id for t in dashboard.follow_ups_due(s, on=date(2027, 2, 21))] == [ticket_id]


# -- extension, answer, overdue ------------------------------------------------------------------
@pytest.fixture
def sent_on_31_january(vault: Vault, acme: int) -> int:
    with vault.session() as s:
        letter = rights.draft(s, acme, "access", "gdpr", sent=date(2027, 1, 31), today=TODAY)
        return rights.record_sent(s, letter).id


def test_an_extension_within_the_first_month(vault, sent_on_31_january):
    with vault.session() as s:
        request = rights.extend(s, sent_on_31_january, on=date(2027, 2, 28))
        assert request.extended_due_on == date(2027, 4, 30)
        assert request.ticket.follow_up_on == date(2027, 4, 23)
        assert request.ticket.title.endswith("(GDPR), due 2027-04-30")
        (row,) = rights.list_requests(s, on=date(2027, 3, 15))
        assert (row.state, row.to_json()["extended_due"]) == ("extended", "2027-04-30")
        with pytest.raises(ValidationError, match="already extended on 2027-02-28"):
            rights.extend(s, sent_on_31_january, on=date(2027, 2, 28))


def test_an_extension_claimed_after_the_first_month_is_refused_with_the_reason(
    vault, sent_on_31_january
):
    with vault.session() as s, pytest.raises(ValidationError) as refused:
        rights.extend(s, sent_on_31_january, on=date(2027, 3, 1))
    assert str(refused.value) == (
        "Refused: the extension was claimed on 2027-03-01, after the first period ended on "
        "2027-02-28; under Article 12(3) of the GDPR it must be claimed within it."
    )
    with vault.session() as s:
        assert rights.get(s, sent_on_31_january).extended_due_on is None


def test_answered_resolves_the_ticket(vault, sent_on_31_january):
    with vault.session() as s:
        request = rights.answered(s, sent_on_31_january, on=date(2027, 2, 10))
        assert request.ticket.status == m.TicketStatus.RESOLVED
        assert request.ticket.follow_up_on is None
        assert rights.state(request, on=date(2027, 12, 1)) == "answered"
        with pytest.raises(ValidationError, match="already answered"):
            rights.answered(s, sent_on_31_january)
        with pytest.raises(ValidationError, match="already answered"):
            rights.extend(s, sent_on_31_january, on=date(2027, 2, 11))


def test_when_the_deadline_passes_unanswered_a_reminder_and_a_complaint_are_drafted(
    vault, sent_on_31_january
):
    with vault.session() as s:
        with pytest.raises(ValidationError, match="only once its deadline"):
            rights.follow_up_letter(s, sent_on_31_january, "reminder", on=date(2027, 2, 28))
        assert rights.state(rights.get(s, sent_on_31_january), on=date(2027, 3, 1)) == "overdue"
        subject, body = rights.follow_up_letter(
            s, sent_on_31_january, "reminder", on=date(2027, 3, 1)
        )
        assert "2027-01-31" in subject and "ended on 2027-02-28" in body
        subject, body = rights.follow_up_letter(
            s, sent_on_31_january, "complaint", on=date(2027, 3, 1)
        )
        assert "Acme Appliances did not answer" in subject
        assert body.startswith("To the data protection supervisory authority")
        assert "- Customer number: C-4711" in body


def test_ccpa_extension_once_by_45_days(vault, acme):
    with vault.session() as s:
        letter = rights.draft(s, acme, "erasure", "ccpa", sent=date(2026, 12, 31), today=TODAY)
        request = rights.record_sent(s, letter)
        assert request.confirm_by == date(2027, 1, 14)
        with pytest.raises(ValidationError, match="after the first period ended on 2027-02-14"):
            rights.extend(s, request.id, on=date(2027, 2, 15))
        assert rights.extend(s, request.id, on=date(2027, 2, 14)).extended_due_on == date(
            2027, 3, 31
        )


# -- the PDF for post ------------------------------------------------------------------------------
def test_the_letter_as_a_pdf_carries_its_text(vault, acme, tmp_path: Path):
    with vault.session() as s:
        letter = rights.draft(s, acme, "objection", "ccpa", sent=date(2027, 1, 4), today=TODAY)
    path = tmp_path / "letter.pdf"
    data = rights.letter_pdf(letter.text, path)
    assert data.startswith(b"%PDF-") and path.read_bytes() == data
    if shutil.which("pdftotext") is None:
        if os.environ.get("VRMDESK_CI"):
            pytest.fail("pdftotext (poppler-utils) is missing: scripts/setup --test installs it")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    extracted = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(extracted.split())
    assert "Acme Appliances" in flat and "privacy@acme.test" in flat
    assert "§ 1798.120" in flat and "C-4711" in flat
    assert "by 2027-02-18" in flat  # 45 days from 4 January


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        if os.environ.get("VRMDESK_CI"):
            pytest.fail("pdftotext (poppler-utils) is missing: scripts/setup --test installs it")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def test_a_letter_to_a_vendor_with_a_polish_greek_or_russian_name_prints_it(tmp_path: Path):
    from vrmdesk import pdffonts

    if pdffonts.unicode_font_files() is None:
        if os.environ.get("VRMDESK_CI"):
            pytest.fail("DejaVu Sans (fonts-dejavu-core) is missing: scripts/setup installs it")
        pytest.skip("DejaVu Sans is not installed")
    path = tmp_path / "letter.pdf"
    rights.letter_pdf("Łódź Sp. z o.o.\nΑθήνα Α.Ε.\nМосква ООО\n“quoted” — dash", path)
    text = _pdf_text(path)
    assert "Łódź Sp. z o.o." in text and "Αθήνα Α.Ε." in text and "Москва ООО" in text
    assert "“quoted” — dash" in text


def test_without_a_unicode_font_the_letter_falls_back_to_latin1(monkeypatch, tmp_path: Path):
    from vrmdesk import pdffonts

    monkeypatch.setattr(pdffonts, "FONT_DIRS", ())
    path = tmp_path / "letter.pdf"
    rights.letter_pdf("Müller GmbH “quoted” — Łódź", path)
    assert 'Müller GmbH "quoted" - ?ód?' in _pdf_text(path)
