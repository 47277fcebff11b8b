"""The tag filters of the vendor and things lists (store services, no Qt): the ids of the
records of one kind with a tag, the tags used on a kind, and the vendor list narrowed to a tag."""

from __future__ import annotations

from vrmdesk.store import models as m
from vrmdesk.store.services import records, tags, views


def test_tagged_ids_are_the_records_of_that_kind_with_that_tag(vault):
    with vault.session() as s:
        acme = records.create(s, m.Vendor, name="Acme")
        bolt = records.create(s, m.Vendor, name="Bolt")
        records.create(s, m.Vendor, name="Calm")
        kettle = records.create(s, m.Asset, name="Kettle")
        tags.add_tag(s, acme, "Business")
        tags.add_tag(s, bolt, "business")  # one tag: names compare without case
        tags.add_tag(s, bolt, "cheap")
        tags.add_tag(s, kettle, "business")  # an asset: not among the vendors
        ids = (acme.id, bolt.id, kettle.id)
    acme_id, bolt_id, kettle_id = ids
    with vault.session() as s:
        assert tags.owners_tagged(s, "vendor", ["business"]) == {acme_id, bolt_id}
        assert tags.owners_tagged(s, "vendor", [" BUSINESS "]) == {acme_id, bolt_id}
        assert tags.owners_tagged(s, "asset", ["business"]) == {kettle_id}
        assert tags.owners_tagged(s, "vendor", ["nowhere"]) == set()
        assert tags.all_tags(s, "vendor") == ["Business", "cheap"]
        assert tags.all_tags(s, "asset") == ["Business"]
        assert tags.all_tags(s, "ticket") == []


def test_vendor_rows_narrowed_to_a_tag_with_the_name_filter_and_paging(vault):
    with vault.session() as s:
        for n in range(7):
            vendor = records.create(s, m.Vendor, name=f"Shop {n}")
            if n % 2:
                tags.add_tag(s, vendor, "local")
        records.create(s, m.Vendor, name="Other shop")
    with vault.session() as s:
        assert [r.name for r in views.vendor_rows(s, tag="local")] == ["Shop 1", "Shop 3", "Shop 5"]
        assert [r.name for r in views.vendor_rows(s, "3", tag="local")] == ["Shop 3"]
        assert [r.name for r in views.vendor_rows(s, "2", tag="local")] == []
        paged = [
            r.name
            for offset in (0, 2)
            for r in views.vendor_rows(s, tag="local", sort="attention", offset=offset, limit=2)
        ]
        assert sorted(paged) == ["Shop 1", "Shop 3", "Shop 5"]
        assert len(views.vendor_rows(s, tag=None)) == 8


def test_contacts_and_channels_say_which_address_is_which(vault):
    with vault.session() as s:
        v = records.create(s, m.Vendor, name="Acme")
        records.create(
            s, m.Contact, vendor_id=v.id, name="Ann", role="Sales", email="ann@acme.example"
        )
        for channel, value in (
            ("email", "help@acme.example"),
            ("phone", "+49 30 1234"),
            ("web_portal", "https://acme.example/support"),
            ("postal", "Hauptstr. 1, Berlin"),
        ):
            records.create(s, m.Channel, vendor_id=v.id, channel=channel, value=value)
        vendor_id = v.id
    with vault.session() as s:
        (ann,) = views.vendor_items(s, vendor_id, "contact")
        assert (ann.role, ann.email, ann.phone, ann.web) == ("Sales", "ann@acme.example", "", "")
        links = {
            i.detail.split(":")[0]: (i.email, i.phone, i.web)
            for i in views.vendor_items(s, vendor_id, "channel")
        }
        assert links == {
            "Email": ("help@acme.example", "", ""),
            "Phone": ("", "+49 30 1234", ""),
            "Web portal": ("", "", "https://acme.example/support"),
            "Postal": ("", "", ""),
        }
