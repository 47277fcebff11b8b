"""Phone numbers and web addresses are checked where contacts, channels and vendors are saved:
a clear refusal naming the field, and nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from vrmdesk.errors import ValidationError
from vrmdesk.store import models as m
from vrmdesk.store.services import records, rules


@pytest.mark.parametrize(
    "text",
    [
        "+49 30 4471 220",
        "(030) 4471-220",
        "030/4471220",
        "+1 555 0100 ext. 12",
        "+1-555-555-5555;ext=102",
        "0800 123 456 #5",
    ],
)
def test_numbers_as_people_write_them_are_phone_numbers(text: str) -> None:
    assert rules.is_phone_number(text)


@pytest.mark.parametrize("text", ["12", "call me", "1+2", "+49 30 ++1", "0" * 21, "030 4471 22O"])
def test_other_text_is_no_phone_number(text: str) -> None:
    assert not rules.is_phone_number(text)


def _vendor(session) -> int:  # type: ignore[no-untyped-def]
    return records.create(session, m.Vendor, name="Acme").id


def test_a_contact_with_a_bad_phone_is_refused_and_not_saved(vault) -> None:  # type: ignore[no-untyped-def]
    with vault.session() as s:
        vendor_id = _vendor(s)
    with pytest.raises(ValidationError) as caught, vault.session() as s:
        records.create(s, m.Contact, vendor_id=vendor_id, name="Jo", phone="ask at the desk")
    assert caught.value.field == "phone" and "not a phone number" in str(caught.value)
    with vault.session() as s:
        assert s.scalars(select(m.Contact)).all() == []
        records.create(s, m.Contact, vendor_id=vendor_id, name="Jo", phone="+49 30 4471 220")


@pytest.mark.parametrize(
    ("kind", "value", "words"),
    [("phone", "not a number", "not a phone number"), ("web_portal", "portal", "not a web")],
)
def test_a_channel_is_checked_by_its_kind(vault, kind, value, words) -> None:  # type: ignore[no-untyped-def]
    with vault.session() as s:
        vendor_id = _vendor(s)
    with pytest.raises(ValidationError) as caught, vault.session() as s:
        records.create(s, m.Channel, vendor_id=vendor_id, channel=kind, value=value)
    assert caught.value.field == "value" and words in str(caught.value)
    with vault.session() as s:
        assert s.scalars(select(m.Channel)).all() == []
        # a forum or social handle stays free text
        records.create(s, m.Channel, vendor_id=vendor_id, channel="social", value="@acme")
