"""Realistic sample data for the demo vault: a household and a freelancer's suppliers.

Dates are relative to the day the demo is made, so some warranties always expire soon, a
follow-up is always due and an agreement's notice deadline is always near.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from vrmdesk.store import models as m
from vrmdesk.store.attachments import AttachmentStore
from vrmdesk.store.services import records, rules, tags
from vrmdesk.store.services import settings as vault_settings

# name, kind, website, since (years ago), contact policy (offers/year, channels), notes
VENDORS: list[tuple[str, str, str, int, int | None, list[str], str]] = [
    (
        "Bosch Home Appliances",
        "maker",
        "bosch-home.example",
        6,
        2,
        ["email"],
        "Dishwasher and oven. Customer service is good on the phone, slow by e-mail.",
    ),
    (
        "Miele",
        "maker",
        "miele.example",
        8,
        2,
        ["email", "letter"],
        "Washing machine; registered for the 10-year parts promise.",
    ),
    (
        "Samsung Electronics",
        "maker",
        "samsung.example",
        4,
        4,
        ["email"],
        "Fridge and phone. Support chat answers at night too.",
    ),
    ("Sony", "maker", "sony.example", 3, None, [], "Television."),
    ("Apple", "maker", "apple.example", 5, 6, ["email"], "Laptop (also used for work)."),
    (
        "Dyson",
        "maker",
        "dyson.example",
        2,
        2,
        ["email"],
        "Vacuum cleaner. Sends offers by text message although I only allowed e-mail.",
    ),
    ("De'Longhi", "maker", "delonghi.example", 3, 0, [], "Coffee machine."),
    ("Philips", "maker", "philips.example", 1, None, [], "Air purifier; filter every six months."),
    (
        "MediaMarkt",
        "retailer",
        "mediamarkt.example",
        7,
        4,
        ["email"],
        "Bought the dishwasher, the TV and the extended warranties here.",
    ),
    ("Amazon", "retailer", "amazon.example", 10, None, [], "Vacuum, coffee machine, purifier."),
    (
        "Hansen Haustechnik",
        "service_provider",
        "hansen-haustechnik.example",
        9,
        0,
        [],
        "Plumber and heating engineer; services the boiler every autumn.",
    ),
    (
        "Toyota Autohaus Krüger",
        "service_provider",
        "toyota-krueger.example",
        4,
        2,
        ["email", "letter"],
        "Sold the car and services it every year.",
    ),
    ("Vaillant", "maker", "vaillant.example", 9, None, [], "Gas boiler."),
    # the freelancer's side
    ("Hetzner Online", "supplier", "hetzner.example", 5, 0, [], "Servers for client projects."),
    (
        "Adobe",
        "supplier",
        "adobe.example",
        6,
        2,
        ["email"],
        "Creative Cloud, annual plan billed monthly.",
    ),
    ("Fastmail", "supplier", "fastmail.example", 7, 0, [], "Business mail and calendar."),
    (
        "Berg & Partner Steuerberatung",
        "service_provider",
        "berg-partner.example",
        5,
        0,
        [],
        "Accountant: annual accounts and VAT returns.",
    ),
    (
        "Factory Works Coworking",
        "supplier",
        "factoryworks.example",
        2,
        None,
        [],
        "Desk, three days a week.",
    ),
    (
        "Telekom",
        "supplier",
        "telekom.example",
        11,
        2,
        ["email", "letter"],
        "Mobile and fibre contracts.",
    ),
    ("Finanzamt Mitte", "public_body", "", 11, None, [], "Tax office."),
]

# vendor, contact name, role, email, phone
CONTACTS = [
    (
        "Bosch Home Appliances",
        "Service hotline",
        "Customer service",
        "service@bosch-home.example",
        "+49 89 6900 835 90",
    ),
    (
        "Hansen Haustechnik",
        "Jens Hansen",
        "Owner",
        "jens@hansen-haustechnik.example",
        "+49 30 4471 220",
    ),
    (
        "Berg & Partner Steuerberatung",
        "Dr. Katrin Berg",
        "Tax adviser",
        "k.berg@berg-partner.example",
        "+49 30 8812 4410",
    ),
    (
        "Toyota Autohaus Krüger",
        "Martina Voss",
        "Service desk",
        "service@toyota-krueger.example",
        "+49 30 6677 1200",
    ),
    ("Samsung Electronics", "Support chat", "Online support", "", ""),
]

# vendor, channel, value, label
CHANNELS = [
    ("Bosch Home Appliances", "web_portal", "https://bosch-home.example/service", "Repair request"),
    ("Samsung Electronics", "web_portal", "https://samsung.example/support", "Support and chat"),
    ("Telekom", "postal", "Telekom Deutschland, Kundenservice, 99091 Erfurt", "Notice letters"),
    ("Hetzner Online", "email", "support@hetzner.example", ""),
    ("Miele", "phone", "+49 5241 89 89 89", "Service line"),
]

# vendor, label, number
ACCOUNTS = [
    ("Telekom", "Customer number", "5500 1234 987"),
    ("Hetzner Online", "Client", "K0731842"),
    ("Amazon", "Account e-mail", "me@home.example"),
    ("Toyota Autohaus Krüger", "Customer", "TK-20931"),
    ("Adobe", "Adobe ID", "studio@freelance.example"),
]

# name, category, maker, seller, model, serial, bought (days ago), price, currency, order, location
ASSETS: list[tuple[str, str, str | None, str | None, str, str, int, str, str, str, str]] = [
    (
        "Dishwasher",
        "Kitchen",
        "Bosch Home Appliances",
        "MediaMarkt",
        "SMS6ZCI49E",
        "FD 0204 123456",
        705,
        "749.00",
        "EUR",
        "MM-88410233",
        "Kitchen",
    ),
    (
        "Oven",
        "Kitchen",
        "Bosch Home Appliances",
        "MediaMarkt",
        "HBG7741B1",
        "FD 0111 654321",
        1500,
        "899.00",
        "EUR",
        "MM-71200944",
        "Kitchen",
    ),
    (
        "Washing machine",
        "Laundry",
        "Miele",
        "Miele",
        "WWD 320 WPS",
        "000/176543210",
        2200,
        "1199.00",
        "EUR",
        "ML-30211",
        "Utility room",
    ),
    (
        "Fridge freezer",
        "Kitchen",
        "Samsung Electronics",
        "MediaMarkt",
        "RB38T776CS9",
        "0K8R4BAT900123",
        540,
        "1099.00",
        "EUR",
        "MM-90311271",
        "Kitchen",
    ),
    (
        "Television",
        "Electronics",
        "Sony",
        "MediaMarkt",
        "XR-55A80L",
        "5012345",
        1080,
        "1599.00",
        "EUR",
        "MM-81177602",
        "Living room",
    ),
    (
        "Laptop",
        "Electronics",
        "Apple",
        "Apple",
        "MacBook Air 13 M2",
        "C02FX1ABQ6LR",
        690,
        "1349.00",
        "EUR",
        "W1048823751",
        "Office",
    ),
    (
        "Vacuum cleaner",
        "Cleaning",
        "Dyson",
        "Amazon",
        "V15 Detect",
        "SF3-EU-RAA1234A",
        330,
        "699.00",
        "EUR",
        "302-1189910-4471207",
        "Hallway",
    ),
    (
        "Coffee machine",
        "Kitchen",
        "De'Longhi",
        "Amazon",
        "Magnifica Evo ECAM290",
        "2231-0045-11",
        410,
        "449.00",
        "EUR",
        "302-7719928-1120934",
        "Kitchen",
    ),
    (
        "Air purifier",
        "Home",
        "Philips",
        "Amazon",
        "AC2889/10",
        "PH-AC2889-778120",
        200,
        "299.00",
        "EUR",
        "302-5512983-0092113",
        "Bedroom",
    ),
    (
        "Gas boiler",
        "Heating",
        "Vaillant",
        "Hansen Haustechnik",
        "ecoTEC plus VC 206/5-5",
        "21183400100234",
        3100,
        "4200.00",
        "EUR",
        "HH-2017-118",
        "Cellar",
    ),
    (
        "Car",
        "Vehicle",
        None,
        "Toyota Autohaus Krüger",
        "Corolla 1.8 Hybrid",
        "SB1Z93BE70E123456",
        1400,
        "27990.00",
        "EUR",
        "TK-V-4471",
        "Garage",
    ),
    (
        "Phone",
        "Electronics",
        "Samsung Electronics",
        "Telekom",
        "Galaxy S23",
        "R5CW31ABCDE",
        600,
        "899.00",
        "EUR",
        "TD-22918871",
        "Personal",
    ),
    (
        "Work monitor",
        "Office",
        None,
        "Amazon",
        "Dell U2723QE",
        "CN-0ABC12-74261",
        900,
        "629.00",
        "EUR",
        "302-6619201-1187720",
        "Office",
    ),
]

# asset, provider, title, months, start offset from purchase (days), coverage, how to claim
WARRANTIES = [
    (
        "Dishwasher",
        "Bosch Home Appliances",
        "Maker's warranty",
        24,
        0,
        "parts_and_labour",
        "Book a repair at bosch-home.example/service with the serial number and the receipt.",
    ),
    (
        "Dishwasher",
        "MediaMarkt",
        "Extended warranty (MediaMarkt Plus)",
        60,
        0,
        "parts_and_labour",
        "Call the MediaMarkt Plus line; they send a technician.",
    ),
    ("Oven", "Bosch Home Appliances", "Maker's warranty", 24, 0, "parts_and_labour", ""),
    (
        "Washing machine",
        "Miele",
        "Miele 10-year parts promise",
        120,
        0,
        "parts",
        "Registered; parts free, labour charged.",
    ),
    (
        "Fridge freezer",
        "Samsung Electronics",
        "Maker's warranty",
        24,
        0,
        "parts_and_labour",
        "Online support form or chat; keep the serial number ready.",
    ),
    ("Fridge freezer", "Samsung Electronics", "Compressor warranty", 240, 0, "parts", ""),
    (
        "Television",
        "MediaMarkt",
        "Extended warranty",
        36,
        0,
        "parts_and_labour",
        "Bring it to the store.",
    ),
    ("Laptop", "Apple", "AppleCare+", 24, 0, "accidental", "Book at the Genius Bar or online."),
    ("Vacuum cleaner", "Dyson", "Maker's warranty (registered)", 24, 0, "parts_and_labour", ""),
    ("Coffee machine", "De'Longhi", "Maker's warranty", 24, 0, "parts_and_labour", ""),
    ("Air purifier", "Philips", "Maker's warranty", 24, 0, "parts_and_labour", ""),
    (
        "Car",
        "Toyota Autohaus Krüger",
        "Toyota Relax (renewed at each service)",
        12,
        1095,
        "parts_and_labour",
        "Valid as long as the car is serviced at an authorised dealer.",
    ),
    ("Phone", "Samsung Electronics", "Maker's warranty", 24, 0, "parts_and_labour", ""),
]

# asset, vendor, days after purchase, ref, data given, marketing consent
REGISTRATIONS = [
    (
        "Washing machine",
        "Miele",
        3,
        "MIELE-REG-7781200",
        "Name, address, e-mail, serial number",
        False,
    ),
    ("Vacuum cleaner", "Dyson", 1, "DY-4471-88120", "Name, e-mail, phone, serial number", True),
    ("Laptop", "Apple", 0, "Apple ID", "Apple ID, serial number", False),
    ("Television", "Sony", 10, "SONY-EU-559912", "Name, e-mail, model", False),
    (
        "Fridge freezer",
        "Samsung Electronics",
        5,
        "SA-RB38-22910",
        "Name, e-mail, address, serial number",
        False,
    ),
]

# asset, vendor, days ago, who, what, cost, interval months
SERVICE_EVENTS = [
    ("Gas boiler", "Hansen Haustechnik", 370, "Jens Hansen", "Annual boiler service", "189.00", 12),
    ("Gas boiler", "Hansen Haustechnik", 735, "Jens Hansen", "Annual boiler service", "179.00", 12),
    (
        "Car",
        "Toyota Autohaus Krüger",
        300,
        "Service desk",
        "Annual inspection and oil change",
        "412.50",
        12,
    ),
    ("Fridge freezer", None, 190, "Me", "Replace water filter", "39.00", 6),
    ("Coffee machine", None, 95, "Me", "Descale", "", 3),
    ("Air purifier", None, 170, "Me", "Replace HEPA filter", "49.99", 6),
]

# vendor, title, start (days ago), renews in (days), notice days, cost, period
AGREEMENTS = [
    ("Hetzner Online", "Dedicated server AX42", 900, 8, 0, "46.41", "month"),
    ("Adobe", "Creative Cloud All Apps (annual, billed monthly)", 700, 49, 30, "66.45", "month"),
    ("Fastmail", "Business plan, 2 users", 1200, 160, 0, "120.00", "year"),
    (
        "Berg & Partner Steuerberatung",
        "Annual accounts and VAT returns",
        1800,
        75,
        90,
        "2400.00",
        "year",
    ),
    ("Factory Works Coworking", "Flex desk, 3 days a week", 500, 25, 14, "210.00", "month"),
    ("Telekom", "MagentaMobil M", 600, 130, 30, "39.95", "month"),
    ("Telekom", "MagentaZuhause Glasfaser 500", 1000, 40, 30, "59.95", "month"),
]


def _at(days_ago: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(date.today() - timedelta(days=days_ago), time(hour, minute))


DEMO_SENDER = "Alex Morgan"


def build(session: Session, attachments: AttachmentStore) -> dict[str, int]:
    """Fill an empty vault with the demo records (receipts go into ``attachments``, the vault's
    store); returns counts by kind."""
    today = date.today()
    vendor: dict[str, m.Vendor] = {}
    for name, kind, site, years, max_offers, channels, notes in VENDORS:
        vendor[name] = records.create(
            session,
            m.Vendor,
            name=name,
            vendor_kind=kind,
            website=f"https://{site}" if site else "",
            since=today.replace(year=today.year - years, day=1),
            max_offers_per_year=max_offers,
            allowed_channels=channels,
            notes=notes,
        )
    for name, contact, role, email, phone in CONTACTS:
        records.create(
            session,
            m.Contact,
            vendor_id=vendor[name].id,
            name=contact,
            role=role,
            email=email,
            phone=phone,
        )
    for name, channel, value, label in CHANNELS:
        records.create(
            session, m.Channel, vendor_id=vendor[name].id, channel=channel, value=value, label=label
        )
    for name, label, number in ACCOUNTS:
        records.create(session, m.Account, vendor_id=vendor[name].id, label=label, number=number)

    asset: dict[str, m.Asset] = {}
    bought: dict[str, date] = {}
    for name, cat, maker, seller, model, serial, days, price, cur, order, room in ASSETS:
        bought[name] = today - timedelta(days=days)
        asset[name] = records.create(
            session,
            m.Asset,
            name=name,
            category=cat,
            maker_id=vendor[maker].id if maker else None,
            seller_id=vendor[seller].id if seller else None,
            model=model,
            serial_number=serial,
            purchase_date=bought[name],
            price_minor=rules.parse_amount(price),
            currency=cur,
            order_number=order,
            location=room,
        )
    for a, provider, title, months, offset, coverage, claim in WARRANTIES:
        starts_on = bought[a] + timedelta(days=offset)
        records.create(
            session,
            m.Warranty,
            asset_id=asset[a].id,
            provider_id=vendor[provider].id,
            title=title,
            starts_on=starts_on,
            months=months,
            coverage=coverage,
            how_to_claim=claim,
        )
    for a, v, after, ref, given, consent in REGISTRATIONS:
        records.create(
            session,
            m.Registration,
            asset_id=asset[a].id,
            vendor_id=vendor[v].id,
            registered_on=bought[a] + timedelta(days=after),
            registration_ref=ref,
            data_given=given,
            marketing_consent=consent,
        )
    for a, by_vendor, days, who, what, cost, interval in SERVICE_EVENTS:
        records.create(
            session,
            m.ServiceEvent,
            asset_id=asset[a].id,
            vendor_id=vendor[by_vendor].id if by_vendor else None,
            performed_on=today - timedelta(days=days),
            performed_by=who,
            description=what,
            cost_minor=rules.parse_amount(cost),
            currency="EUR" if cost else None,
            interval_months=interval,
        )
    for v, title, started, renews, notice, cost, period in AGREEMENTS:
        records.create(
            session,
            m.Agreement,
            vendor_id=vendor[v].id,
            title=title,
            started_on=today - timedelta(days=started),
            renews_on=today + timedelta(days=renews),
            notice_days=notice,
            cost_minor=rules.parse_amount(cost),
            currency="EUR",
            period=period,
        )

    _tickets_and_conversations(session, vendor, asset)
    _offers(session, vendor)
    for name in (
        "Hetzner Online",
        "Adobe",
        "Fastmail",
        "Berg & Partner Steuerberatung",
        "Factory Works Coworking",
    ):
        tags.add_tag(session, vendor[name], "business")
    for name in ("Dishwasher", "Fridge freezer", "Oven", "Coffee machine"):
        tags.add_tag(session, asset[name], "kitchen")
    _receipts(session, attachments, asset)
    session.flush()
    vault_settings.set_sender_name(session, DEMO_SENDER)  # the demo person, as vendors see them
    return {cls.kind: session.query(cls).count() for cls in m.RECORD_TYPES}


def _conversation(
    session: Session,
    vendor: m.Vendor,
    ticket: m.Ticket | None,
    asset: m.Asset | None,
    exchanges: list[tuple[int, str, str, str, str]],
) -> None:
    for days_ago, direction, channel, subject, body in exchanges:
        records.create(
            session,
            m.Interaction,
            vendor_id=vendor.id,
            ticket_id=ticket.id if ticket else None,
            asset_id=asset.id if asset else None,
            occurred_at=_at(days_ago, 9 + days_ago % 8, (days_ago * 7) % 60),
            direction=direction,
            channel=channel,
            subject=subject,
            body=body,
        )


def _tickets_and_conversations(
    session: Session, vendor: dict[str, m.Vendor], asset: dict[str, m.Asset]
) -> None:
    today = date.today()
    bosch, dishwasher = vendor["Bosch Home Appliances"], asset["Dishwasher"]
    t1 = records.create(
        session,
        m.Ticket,
        vendor_id=bosch.id,
        asset_id=dishwasher.id,
        title="Dishwasher stops with error E24",
        reference="BSH-4471-2291-08",
        status="waiting_on_vendor",
        opened_on=today - timedelta(days=19),
        follow_up_on=today - timedelta(days=1),
        notes="Drain pump suspected. Warranty ends soon: get it fixed under warranty.",
    )
    _conversation(
        session,
        bosch,
        t1,
        dishwasher,
        [
            (
                19,
                "outbound",
                "email",
                "Repair request: E24 after every programme",
                "Hello, since last week our dishwasher (SMS6ZCI49E, FD 0204 123456) stops "
                "mid-programme with error E24 and water stays in the bottom. The filter is clean. "
                "It is under warranty; please send a technician. Receipt attached.",
            ),
            (
                18,
                "inbound",
                "email",
                "Your service request BSH-4471-2291-08",
                "Thank you for contacting Bosch customer service. Your case number is "
                "BSH-4471-2291-08. A technician will contact you within 5 working days to arrange "
                "a visit.",
            ),
            (
                11,
                "outbound",
                "phone",
                "Called about the technician visit",
                "Nobody had called. The hotline said the regional partner is busy; promised a call "
                "back within two days.",
            ),
            (
                9,
                "inbound",
                "phone",
                "Technician appointment offered",
                "Partner company offered a visit in three weeks. Accepted, but asked for an "
                "earlier slot because the warranty ends soon.",
            ),
            (
                4,
                "outbound",
                "email",
                "Please confirm the repair is covered after the warranty date",
                "The appointment is after my warranty end date. Please confirm in writing that the "
                "repair is covered because the fault was reported in time.",
            ),
        ],
    )
    samsung, fridge = vendor["Samsung Electronics"], asset["Fridge freezer"]
    t2 = records.create(
        session,
        m.Ticket,
        vendor_id=samsung.id,
        asset_id=fridge.id,
        title="Ice builds up behind the freezer drawer",
        reference="SEG-2211-903771",
        status="waiting_on_me",
        opened_on=today - timedelta(days=12),
        follow_up_on=today + timedelta(days=2),
        notes="They want photos and a video of the back panel.",
    )
    _conversation(
        session,
        samsung,
        t2,
        fridge,
        [
            (
                12,
                "outbound",
                "chat",
                "Ice on the back wall of the freezer",
                "Chat with support: thick ice forms behind the bottom drawer every two weeks; the "
                "drawer no longer closes. Model RB38T776CS9.",
            ),
            (
                12,
                "inbound",
                "chat",
                "Support: try a manual defrost",
                "Agent suggested a full manual defrost for 24 hours and checking the door seal.",
            ),
            (
                5,
                "outbound",
                "email",
                "Ice is back after the defrost",
                "I defrosted for 24 hours as advised; the ice is back after six days. Please "
                "arrange a repair.",
            ),
            (
                3,
                "inbound",
                "email",
                "Please send photos and a video",
                "To assess the fault, please reply with photos of the back panel and a short video "
                "of the drawer, plus a photo of the rating plate.",
            ),
        ],
    )
    hetzner = vendor["Hetzner Online"]
    t3 = records.create(
        session,
        m.Ticket,
        vendor_id=hetzner.id,
        title="Server unreachable after maintenance",
        reference="#2024110433001187",
        status="resolved",
        opened_on=today - timedelta(days=65),
        closed_on=today - timedelta(days=64),
    )
    _conversation(
        session,
        hetzner,
        t3,
        None,
        [
            (
                65,
                "outbound",
                "email",
                "AX42 not reachable since 06:10",
                "The server does not answer since the announced maintenance window. Client site is "
                "down.",
            ),
            (
                65,
                "inbound",
                "email",
                "Re: AX42 not reachable since 06:10",
                "A network card did not come back after the maintenance. We replaced it; the "
                "server is reachable again. Sorry for the inconvenience.",
            ),
            (
                64,
                "outbound",
                "email",
                "Thanks — please credit the downtime",
                "Thanks for the quick fix. Per the SLA, please credit the 3 hours of downtime.",
            ),
        ],
    )
    telekom = vendor["Telekom"]
    t4 = records.create(
        session,
        m.Ticket,
        vendor_id=telekom.id,
        title="Billed twice for the fibre line in October",
        reference="TD-CASE-88172",
        status="waiting_on_vendor",
        opened_on=today - timedelta(days=30),
        follow_up_on=today,
    )
    _conversation(
        session,
        telekom,
        t4,
        None,
        [
            (
                30,
                "outbound",
                "letter",
                "Objection to invoice 2025-10",
                "The October invoice charges the Glasfaser 500 line twice (59.95 EUR). Please "
                "refund one charge.",
            ),
            (
                21,
                "inbound",
                "letter",
                "Acknowledgement of your objection",
                "We have received your objection and will review it.",
            ),
        ],
    )
    berg = vendor["Berg & Partner Steuerberatung"]
    _conversation(
        session,
        berg,
        None,
        None,
        [
            (
                40,
                "inbound",
                "email",
                "Documents for the annual accounts",
                "Please upload all invoices and bank statements for the year by the end of next "
                "month.",
            ),
            (
                33,
                "outbound",
                "email",
                "Documents uploaded",
                "All documents are in the shared folder.",
            ),
            (
                2,
                "outbound",
                "visit",
                "Meeting on next year's advance payments",
                "Agreed to lower the quarterly income tax advance payments.",
            ),
        ],
    )
    hansen, boiler = vendor["Hansen Haustechnik"], asset["Gas boiler"]
    _conversation(
        session,
        hansen,
        None,
        boiler,
        [
            (
                372,
                "outbound",
                "phone",
                "Booked the annual boiler service",
                "Appointment agreed for Tuesday.",
            ),
            (
                370,
                "inbound",
                "visit",
                "Boiler serviced",
                "Burner cleaned, flue gas measured, all fine.",
            ),
        ],
    )
    miele = vendor["Miele"]
    _conversation(
        session,
        miele,
        None,
        asset["Washing machine"],
        [
            (
                200,
                "inbound",
                "letter",
                "Your product registration",
                "Thank you for registering your Miele washing machine.",
            ),
        ],
    )


def _offers(session: Session, vendor: dict[str, m.Vendor]) -> None:
    offers: list[tuple[str, int, str, str]] = [
        ("MediaMarkt", 300, "email", "Black Friday: up to 40 % off TVs"),
        ("MediaMarkt", 200, "email", "Extend your warranty now"),
        ("MediaMarkt", 120, "email", "New coffee machines in store"),
        ("MediaMarkt", 60, "email", "Your personal voucher: 10 EUR"),
        ("MediaMarkt", 20, "email", "Dishwasher tabs three for two"),
        ("MediaMarkt", 5, "email", "Christmas deals start today"),
        ("Dyson", 90, "social", "Meet the new V16"),
        ("Dyson", 30, "phone", "Text message: exclusive owner upgrade offer"),
        ("Dyson", 10, "phone", "Text message: filter subscription"),
        ("Adobe", 45, "email", "Save 40 % on your renewal"),
        ("Telekom", 80, "letter", "Upgrade to MagentaMobil L"),
        ("Samsung Electronics", 15, "email", "Trade in your phone for a Galaxy S25"),
    ]
    for name, days, channel, content in offers:
        records.create(
            session,
            m.Offer,
            vendor_id=vendor[name].id,
            received_at=_at(days, 8),
            channel=channel,
            content=content,
        )


def _receipts(session: Session, store: AttachmentStore, asset: dict[str, m.Asset]) -> None:
    for name in ("Dishwasher", "Television", "Laptop"):
        a = asset[name]
        seller = a.seller.name if a.seller else ""
        text = (
            f"{seller}\nRECEIPT {a.order_number}\nDate: {a.purchase_date}\n\n"
            f"1 x {a.name} {a.model}\n   serial {a.serial_number}\n\n"
            f"TOTAL {rules.format_amount(a.price_minor, a.currency)}\n"
            "Paid by card. Keep this receipt for warranty claims.\n"
        )
        store.add(
            session,
            a,
            io.BytesIO(text.encode()),
            name=f"receipt-{a.order_number}.txt",
            media_type="text/plain",
        )


def summary(counts: dict[str, Any]) -> str:
    shown = {
        "vendor": "vendors",
        "asset": "things",
        "warranty": "warranties",
        "ticket": "tickets",
        "interaction": "interactions",
        "offer": "offers",
        "agreement": "agreements",
    }
    return ", ".join(f"{counts[k]} {label}" for k, label in shown.items())
