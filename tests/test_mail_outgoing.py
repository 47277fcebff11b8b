"""What the desktop side of mail needs from the core: "Write e-mail" as a mailto: URL, an import
that stops after a batch when cancelled, a preview of unsorted mail, and a vendor's case
reference pattern checked like every other field."""

from __future__ import annotations

import mailbox
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import mail_corpus as corpus
import pytest

from vrmdesk.errors import ValidationError
from vrmdesk.mail import capture, outgoing, sorting, sources
from vrmdesk.store import models as m
from vrmdesk.store.services import records
from vrmdesk.store.vault import Vault


def test_mailto_url_is_percent_encoded_as_rfc_6068_asks():
    url = outgoing.mailto_url("support+eu@bosch.example", "Re: Pumpe & Ablauf? 50% [Case #1]")
    assert url == (
        "mailto:support%2Beu@bosch.example"
        "?subject=Re%3A%20Pumpe%20%26%20Ablauf%3F%2050%25%20%5BCase%20%231%5D"
    )
    parts = urlsplit(url)
    assert unquote(parts.path) == "support+eu@bosch.example"
    assert parse_qs(parts.query)["subject"] == ["Re: Pumpe & Ablauf? 50% [Case #1]"]
    assert (
        outgoing.mailto_url("a@b.example", "Grüße") == "mailto:a@b.example?subject=Gr%C3%BC%C3%9Fe"
    )
    assert outgoing.mailto_url() == "mailto:"


def test_subjects_carry_the_case_reference_once():
    assert outgoing.with_reference("Re: Pump", "12345") == "Re: Pump [Case #12345]"
    assert outgoing.with_reference("Re: Pump [Case #12345]", "12345") == "Re: Pump [Case #12345]"
    assert outgoing.with_reference("Re: Pump", "SR 1-234") == "Re: Pump [SR 1-234]"
    assert outgoing.with_reference("Re: Pump", "") == "Re: Pump"
    assert outgoing.reply_subject("RE: AW: Pump") == "Re: Pump"


@pytest.fixture
def bosch(vault: Vault) -> int:
    with vault.session() as s:
        vendor = records.create(s, m.Vendor, name="Bosch")
        records.create(s, m.Channel, vendor_id=vendor.id, channel="email", value="@bosch.example")
        records.create(
            s, m.Channel, vendor_id=vendor.id, channel="email", value="service@bosch.example"
        )
        return vendor.id


def test_a_draft_goes_to_the_first_address_not_a_domain(vault, bosch):
    with vault.session() as s:
        ticket = records.create(s, m.Ticket, vendor_id=bosch, title="Pump", reference="12345")
        message = records.create(
            s,
            m.Interaction,
            vendor_id=bosch,
            ticket_id=ticket.id,
            channel="email",
            direction="inbound",
            subject="Your repair",
        )
        vendor = outgoing.draft_for(s, "vendor", bosch)
        on_ticket = outgoing.draft_for(s, "ticket", ticket.id)
        on_message = outgoing.draft_for(s, "interaction", message.id)
    assert (vendor.to, vendor.subject) == ("service@bosch.example", "")
    assert on_ticket.subject == "Re: Your repair [Case #12345]"
    assert on_message.url == (
        "mailto:service@bosch.example?subject=Re%3A%20Your%20repair%20%5BCase%20%2312345%5D"
    )


def test_a_vendor_without_an_address_is_written_to_where_it_wrote_from(vault):
    with vault.session() as s:
        miele = records.create(s, m.Vendor, name="Miele")
        message = records.create(
            s, m.Interaction, vendor_id=miele.id, channel="email", direction="inbound", subject="Hi"
        )
        message.correspondent = "anna@miele.example"
        s.flush()
        assert outgoing.draft_for(s, "vendor", miele.id).to == "anna@miele.example"
        with pytest.raises(ValidationError):
            outgoing.draft_for(s, "asset", 1)


def write_mbox(path: Path, count: int) -> Path:
    box = mailbox.mbox(path)
    for n in range(count):
        box.add(corpus.raw(sender=f"a{n}@nobody.example", message_id=f"<n{n}@x>"))
    box.close()
    return path


def test_a_cancelled_import_stops_after_the_batch_it_is_in(vault, tmp_path):
    path = write_mbox(tmp_path / "Inbox", 25)
    seen: list[int] = []
    outcome = capture.import_messages(
        vault,
        sources.messages_of(path),
        batch=10,
        on_message=seen.append,
        cancelled=lambda: len(seen) >= 3,
    )
    assert outcome.stopped and outcome.stored == 10 and seen[-1] == 10
    again = capture.import_messages(vault, sources.messages_of(path), batch=10)
    assert (again.duplicates, again.unsorted, again.stopped) == (10, 15, False)


def test_unsorted_rows_carry_a_preview_of_the_text(vault, tmp_path):
    path = tmp_path / "a.eml"
    path.write_bytes(corpus.raw(sender="x@nobody.example", body="Hello,\n\n" + "word " * 100))
    capture.import_messages(vault, sources.messages_of(path))
    with vault.session() as s:
        (row,) = sorting.unsorted(s)
    assert row.preview.startswith("Hello, word word")
    assert len(row.preview) == sorting.PREVIEW_CHARS and row.preview.endswith("…")


def test_the_case_reference_pattern_is_edited_like_any_field(vault, bosch):
    with vault.session() as s:
        records.update(s, m.Vendor, bosch, case_reference_pattern=r"BSH-(\d+)")
        assert records.get(s, m.Vendor, bosch).case_reference_pattern == r"BSH-(\d+)"
    with vault.session() as s, pytest.raises(ValidationError) as refused:
        records.update(s, m.Vendor, bosch, case_reference_pattern="BSH-(")
    assert refused.value.field == "case_reference_pattern"
