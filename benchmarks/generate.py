"""Generate synthetic vaults for the benchmarks: an encrypted vault and/or its plain SQLite twin.

    python benchmarks/generate.py --size decade --out DIR            # encrypted vault in DIR
    python benchmarks/generate.py --size decade --out DIR --plain    # plain SQLite twin in DIR
    python benchmarks/generate.py --size decade --out DIR --twin DIR2  # both in one pass
    python benchmarks/generate.py --scale 5 --out DIR                # decade x5 (1,000,000 mails)

Sizes:

- ``household``: about 300 assets, 40 vendors, warranties, 150 tickets, 4,000 interactions;
- ``decade``: 1,000 vendors, 5,000 assets, 10,000 tickets, 200,000 interactions with bodies of
  about 600 bytes (one vendor has 20,000 of them), 2,000 attachments, and around them
  warranties (some expiring soon), registrations, service events, offers, agreements with notice
  deadlines, contacts, channels, accounts and tags.

``--scale K`` multiplies every count of the size (``decade`` unless ``--size`` says otherwise) by
``K``: vendors, assets, tickets, interactions, the big vendor's share, attachments, offers,
agreements, tags and taggings; what hangs off them (contacts, warranties, service events, ...)
follows, since it is drawn per vendor or per asset. The span of years stays the same, so a
scaled vault is a denser decade, as a bigger household would make.

The content depends only on ``--seed`` and ``--today`` (default: today's date, which the dates
are spread around so that the dashboard has something to show), so the encrypted vault and the
plain twin hold the same rows whether made in one run or two.

Rows go in with SQLAlchemy Core ``insert()`` executemany in batches inside a few transactions.
The full-text index is filled either by its triggers as rows go in (``--fts triggers``) or by
dropping the triggers, loading, running ``fts.rebuild`` and recreating the triggers
(``--fts rebuild``, the default: it was faster here, see benchmarks/README.md). Attachments of the
encrypted vault go through ``vault.attachments.add`` (age-encrypted files); the plain twin has the
same attachment and blob rows but no files.

The encrypted vault's passphrase is :data:`PASSPHRASE` (fast KDF profile); ``bench.json`` in the
output folder records what was made (counts, the vendor with the big timeline, search queries and
the ids the edit benchmark touches).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import io
import json
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus
from common import make_plain_engine
from corpus import TextMaker, Vocabulary
from sqlalchemy import Connection, DateTime, Engine, bindparam, insert, update

from vrmdesk.store import fts, keys, migrate
from vrmdesk.store import models as m
from vrmdesk.store.services.rules import add_months
from vrmdesk.store.vault import Vault

PASSPHRASE = "vrmdesk benchmark vault"
INFO_NAME = "bench.json"
DEFAULT_SEED = 20261123
BATCH = 10_000
ROWS_PER_TRANSACTION = 100_000
LOAD_CACHE_KIB = 256 * 1024


@dataclass(frozen=True)
class Scale:
    vendors: int
    assets: int
    tickets: int
    interactions: int
    big_vendor_interactions: int
    attachments: int
    offers: int
    agreements: int
    tags: int
    taggings: int
    years: int = 10

    def times(self, factor: int) -> Scale:
        """Every count multiplied by ``factor``; the span of years kept."""
        counts = {k: v * factor for k, v in asdict(self).items() if k != "years"}
        return Scale(**counts, years=self.years)


SIZES: dict[str, Scale] = {
    "household": Scale(
        vendors=40,
        assets=300,
        tickets=150,
        interactions=4_000,
        big_vendor_interactions=800,
        attachments=150,
        offers=500,
        agreements=20,
        tags=15,
        taggings=300,
        years=6,
    ),
    "decade": Scale(
        vendors=1_000,
        assets=5_000,
        tickets=10_000,
        interactions=200_000,
        big_vendor_interactions=20_000,
        attachments=2_000,
        offers=20_000,
        agreements=400,
        tags=60,
        taggings=6_000,
        years=10,
    ),
}

#: topic of a vendor -> relative share among vendors
VENDOR_TOPICS = {
    "appliances": 14,
    "electronics": 16,
    "car": 6,
    "telecom": 5,
    "energy": 4,
    "insurance": 6,
    "software": 12,
    "home": 15,
    "shipping": 22,
}
ASSET_TOPICS = {"appliances": 35, "electronics": 35, "home": 20, "car": 10}
MARKETING_TOPICS = ("shipping", "telecom", "energy", "software", "insurance", "electronics")
AGREEMENT_TOPICS = ("telecom", "energy", "insurance", "software", "home")


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())[:24]


def _at(day: date, rng: random.Random) -> datetime:
    return datetime(
        day.year, day.month, day.day, rng.randrange(7, 22), rng.randrange(60), rng.randrange(60)
    )


# -- the data set --------------------------------------------------------------------------------


@dataclass
class AttachmentSpec:
    owner_kind: str
    owner_id: int
    name: str
    media_type: str
    content: bytes
    created_at: datetime


class Dataset:
    """Yields rows table by table in foreign-key order; everything from one seeded RNG."""

    def __init__(
        self, size: str, seed: int = DEFAULT_SEED, today: date | None = None, factor: int = 1
    ) -> None:
        self.size = size if factor == 1 else f"{size}x{factor}"
        self.factor = factor
        self.scale = SIZES[size].times(factor)
        self.seed = seed
        self.today = today or date.today()
        self.now = datetime.combine(self.today, datetime.min.time()).replace(hour=12)
        self.rng = random.Random(seed)
        self.vocab = Vocabulary(random.Random(seed + 1))
        self.text = TextMaker(self.vocab)
        self.start = self.today - timedelta(days=365 * self.scale.years)
        self.counts: dict[str, int] = {}
        self.attachment_specs: list[AttachmentSpec] = []

    # helpers
    def _day(
        self, lo: date | None = None, hi: date | None = None, recent_bias: float = 1.0
    ) -> date:
        lo = lo or self.start
        hi = hi or self.today
        span = max(0, (hi - lo).days)
        # recent_bias > 1 puts more dates near ``hi`` (a vault grows over the years)
        u = self.rng.random() ** (1 / recent_bias)
        return lo + timedelta(days=int(u * span))

    def tables(self) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
        """(table, rows) in an order the foreign keys accept; rows come in batches."""
        yield from self._vendors()
        yield from self._assets()
        yield from self._tickets_and_interactions()
        yield from self._offers()
        yield from self._agreements()
        yield from self._tags()
        self._attachments()

    def _emit(
        self, table: Any, rows: list[dict[str, Any]]
    ) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        for i in range(0, len(rows), BATCH):
            yield table, rows[i : i + BATCH]

    # vendors and what hangs off them ------------------------------------------------------------
    def _vendors(self) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
        rng, sc = self.rng, self.scale
        names: set[str] = set()
        vendors, contacts, channels, accounts = [], [], [], []
        self.vendor_topic: dict[int, str] = {}
        self.vendor_name: dict[int, str] = {}
        self.vendor_kind: dict[int, str] = {}
        big_id = min(7, sc.vendors)
        for vid in range(1, sc.vendors + 1):
            if vid == big_id:
                topic, name = "telecom", "Northwind Telecom GmbH"
            else:
                topic = _pick(rng, VENDOR_TOPICS)
                while True:
                    stem = rng.choice(corpus.VENDOR_STEMS)
                    tail = rng.choice(corpus.VENDOR_TAILS[topic])
                    form = rng.choice(corpus.LEGAL_FORMS)
                    name = " ".join(p for p in (stem, tail, form) if p)
                    if name.lower() in names:
                        name = f"{name} {rng.choice(corpus.PLACES).title()}"
                    if name.lower() not in names:
                        break
            names.add(name.lower())
            if topic in ("appliances", "electronics", "car"):
                kind = "maker" if rng.random() < 0.65 else "retailer"
            elif topic == "shipping":
                kind = "retailer"
            elif topic == "home":
                kind = rng.choice(["service_provider", "supplier"])
            else:
                kind = "service_provider"
            if rng.random() < 0.02:
                kind = "public_body" if rng.random() < 0.5 else "other"
            self.vendor_topic[vid] = topic
            self.vendor_name[vid] = name
            self.vendor_kind[vid] = kind
            slug = _slug(name)
            since = self._day(self.start - timedelta(days=365 * 5), self.today, recent_bias=0.8)
            created = datetime.combine(max(since, self.start), datetime.min.time()) + timedelta(
                hours=9
            )
            allowed: list[str] = []
            if rng.random() < 0.15:
                allowed = rng.choice(
                    [["email"], ["email", "letter"], ["letter"], ["email", "phone"]]
                )
            vendors.append(
                {
                    "id": vid,
                    "name": name,
                    "vendor_kind": kind,
                    "website": f"https://www.{slug}.example",
                    "since": since,
                    "status": rng.choices(["active", "dormant", "ended"], [85, 10, 5])[0],
                    "max_offers_per_year": rng.randrange(2, 13) if rng.random() < 0.12 else None,
                    "allowed_channels": allowed,
                    "notes": self.text.note(rng, topic) if rng.random() < 0.5 else "",
                    "age_recipient": "",
                    "created_at": created,
                    "updated_at": created,
                }
            )
            for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5])):
                first, last = rng.choice(corpus.FIRST_NAMES), rng.choice(corpus.LAST_NAMES)
                contacts.append(
                    {
                        "id": len(contacts) + 1,
                        "vendor_id": vid,
                        "name": f"{first.title()} {last.title()}",
                        "role": rng.choice(
                            [
                                "Account manager",
                                "Customer support",
                                "Billing",
                                "Technician",
                                "Sales",
                                "Complaints",
                                "",
                            ]
                        ),
                        "email": f"{first}.{last}@{slug}.example",
                        "phone": f"+49 {rng.randrange(30, 999)} {rng.randrange(100000, 9999999)}",
                        "notes": self.text.note(rng, topic, (4, 14)) if rng.random() < 0.3 else "",
                        "created_at": created,
                        "updated_at": created,
                    }
                )
            for ch in rng.sample(
                ["email", "phone", "web_portal", "forum", "social", "postal"], rng.randrange(1, 5)
            ):
                value = {
                    "email": f"support@{slug}.example",
                    "phone": f"+49 800 {rng.randrange(1000000, 9999999)}",
                    "web_portal": f"https://support.{slug}.example/cases",
                    "forum": f"https://community.{slug}.example",
                    "social": f"@{slug}",
                    "postal": (
                        f"{corpus.person(rng)}, {rng.randrange(1, 200)} Hauptstrasse, "
                        f"{rng.choice(corpus.PLACES).title()}"
                    ),
                }[ch]
                channels.append(
                    {
                        "id": len(channels) + 1,
                        "vendor_id": vid,
                        "channel": ch,
                        "value": value,
                        "label": rng.choice(["", "support", "billing", "complaints", "sales"]),
                        "created_at": created,
                        "updated_at": created,
                    }
                )
            for _ in range(rng.choice([0, 1, 1, 1, 2])):
                accounts.append(
                    {
                        "id": len(accounts) + 1,
                        "vendor_id": vid,
                        "label": rng.choice(
                            ["Customer number", "Contract", "Loyalty card", "Member id"]
                        ),
                        "number": (
                            f"{rng.choice('KCMV')}{rng.choice('DNA')}-{rng.randrange(10**6, 10**9)}"
                        ),
                        "created_at": created,
                        "updated_at": created,
                    }
                )
        self.big_vendor_id = big_id
        self.vendors_by_topic: dict[str, list[int]] = {}
        for vid, topic in self.vendor_topic.items():
            self.vendors_by_topic.setdefault(topic, []).append(vid)
        # how busy each vendor is (a few are busy, most are quiet): Zipf over a shuffled order
        order = [v for v in self.vendor_topic if v != big_id]
        rng.shuffle(order)
        self.activity = {v: 1.0 / (i + 2) ** 0.9 for i, v in enumerate(order)}
        yield from self._emit(m.Vendor.__table__, vendors)
        yield from self._emit(m.Contact.__table__, contacts)
        yield from self._emit(m.Channel.__table__, channels)
        yield from self._emit(m.Account.__table__, accounts)

    def _vendor_of(self, topic: str, kind: str | None = None) -> int:
        pool = self.vendors_by_topic.get(topic) or list(self.vendor_topic)
        if kind:
            narrowed = [v for v in pool[:200] if self.vendor_kind[v] == kind]
            pool = narrowed or pool
        return self.rng.choice(pool)

    # assets, warranties, registrations, service events -------------------------------------------
    def _assets(self) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
        rng, sc = self.rng, self.scale
        assets, warranties, registrations, services = [], [], [], []
        self.asset_info: dict[int, tuple[str, str, str, int]] = {}  # topic, product, model, maker
        self.assets_by_vendor: dict[int, list[int]] = {}
        self.models: list[str] = []
        for aid in range(1, sc.assets + 1):
            topic = _pick(rng, ASSET_TOPICS)
            product = rng.choice(corpus.PRODUCTS[topic])
            maker = self._vendor_of(topic if topic != "home" else "appliances", "maker")
            seller = self._vendor_of("shipping") if rng.random() < 0.7 else maker
            purchased = self._day(recent_bias=1.3)
            model = corpus.model_number(rng)
            self.models.append(model)
            age_days = (self.today - purchased).days
            status = "in_use"
            if age_days > 365 * 4 and rng.random() < 0.35:
                status = rng.choice(["sold", "disposed", "disposed"])
            base = {"appliances": 600, "electronics": 500, "home": 1500, "car": 18000}[topic]
            location = rng.choice(corpus.LOCATIONS)
            name = product if rng.random() < 0.6 else f"{product} ({location.lower()})"
            created = _at(purchased, rng)
            assets.append(
                {
                    "id": aid,
                    "name": name,
                    "category": corpus.CATEGORIES[topic],
                    "maker_id": maker,
                    "seller_id": seller,
                    "model": model,
                    "serial_number": corpus.serial_number(rng),
                    "purchase_date": purchased,
                    "price_minor": int(base * rng.lognormvariate(0, 0.6) * 100),
                    "currency": rng.choices(["EUR", "GBP", "USD", "CHF"], [85, 7, 5, 3])[0],
                    "order_number": f"{rng.randrange(10**7, 10**9)}" if rng.random() < 0.7 else "",
                    "location": location,
                    "status": status,
                    "notes": self.text.note(rng, topic) if rng.random() < 0.4 else "",
                    "created_at": created,
                    "updated_at": created,
                }
            )
            self.asset_info[aid] = (topic, product, model, maker)
            self.assets_by_vendor.setdefault(maker, []).append(aid)
            if seller != maker:
                self.assets_by_vendor.setdefault(seller, []).append(aid)
            # the maker's warranty, sometimes an extended one from the seller
            plans = [(maker, "Manufacturer warranty", rng.choice([12, 24, 24, 24, 36, 60]))]
            if rng.random() < 0.2:
                plans.append((seller, "Extended warranty", rng.choice([36, 48, 60])))
            for provider, title, months in plans:
                explicit = rng.random() < 0.2
                ends = add_months(purchased, months)
                warranties.append(
                    {
                        "id": len(warranties) + 1,
                        "asset_id": aid,
                        "provider_id": provider,
                        "title": title,
                        "starts_on": purchased,
                        "end_date": ends if explicit else None,
                        "months": None if explicit else months,
                        "ends_on": ends,
                        "coverage": rng.choices(
                            ["parts_and_labour", "parts", "labour", "accidental", "other"],
                            [70, 12, 5, 10, 3],
                        )[0],
                        "how_to_claim": self.text.note(rng, "warranty", (8, 25))
                        if rng.random() < 0.6
                        else "",
                        "void": rng.random() < 0.01,
                        "notes": "",
                        "created_at": created,
                        "updated_at": created,
                    }
                )
            if rng.random() < 0.3:
                on = purchased + timedelta(days=rng.randrange(0, 30))
                registrations.append(
                    {
                        "id": len(registrations) + 1,
                        "asset_id": aid,
                        "vendor_id": maker,
                        "registered_on": on,
                        "registration_ref": f"REG-{rng.randrange(10**6, 10**8)}",
                        "data_given": rng.choice(
                            [
                                "name, email, postcode",
                                "name, address, serial number",
                                "email, model, serial number, date of purchase",
                            ]
                        ),
                        "marketing_consent": rng.random() < 0.3,
                        "created_at": _at(on, rng),
                        "updated_at": _at(on, rng),
                    }
                )
            # recurring maintenance for boilers, heat pumps, cars and the like
            if topic in ("home", "car") and rng.random() < 0.7 and status == "in_use":
                interval = rng.choice([12, 12, 12, 24, 6])
                description = (
                    f"{'Annual' if interval == 12 else 'Regular'} service of the {product.lower()}"
                )
                servicer = self._vendor_of("home" if topic == "home" else "car")
                on = add_months(purchased, interval)
                while on <= self.today:
                    nxt = add_months(on, interval)
                    services.append(
                        {
                            "id": len(services) + 1,
                            "asset_id": aid,
                            "vendor_id": servicer,
                            "performed_on": on,
                            "performed_by": corpus.person(rng),
                            "description": description,
                            "cost_minor": rng.randrange(80, 450) * 100,
                            "currency": "EUR",
                            "interval_months": interval,
                            "next_due": nxt,
                            "created_at": _at(on, rng),
                            "updated_at": _at(on, rng),
                        }
                    )
                    on = nxt
            if rng.random() < 0.08:
                on = self._day(purchased, self.today)
                services.append(
                    {
                        "id": len(services) + 1,
                        "asset_id": aid,
                        "vendor_id": self._vendor_of("home"),
                        "performed_on": on,
                        "performed_by": corpus.person(rng),
                        "description": f"Repair: {rng.choice(corpus.PARTS)} replaced. "
                        + self.text.note(rng, topic, (5, 20)),
                        "cost_minor": rng.randrange(40, 900) * 100,
                        "currency": "EUR",
                        "interval_months": None,
                        "next_due": None,
                        "created_at": _at(on, rng),
                        "updated_at": _at(on, rng),
                    }
                )
        yield from self._emit(m.Asset.__table__, assets)
        yield from self._emit(m.Warranty.__table__, warranties)
        yield from self._emit(m.Registration.__table__, registrations)
        yield from self._emit(m.ServiceEvent.__table__, services)

    # tickets and the conversation ---------------------------------------------------------------
    def _tickets_and_interactions(self) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
        rng, sc = self.rng, self.scale
        big = self.big_vendor_id
        vendors = list(self.activity)
        weights = [self.activity[v] for v in vendors]
        tickets = []
        # (occurred_at, vendor, ticket, asset, direction, channel, ctx) — text comes later
        plan: list[tuple[datetime, int, int | None, int | None, str, str, dict[str, str]]] = []
        big_tickets = max(1, sc.tickets // 25)
        for tid in range(1, sc.tickets + 1):
            vendor = (
                big
                if tid % (sc.tickets // big_tickets or 1) == 0
                else rng.choices(vendors, weights)[0]
            )
            topic = self.vendor_topic[vendor]
            asset = None
            if self.assets_by_vendor.get(vendor) and rng.random() < 0.6:
                asset = rng.choice(self.assets_by_vendor[vendor])
            opened = self._day(recent_bias=1.2)
            age = (self.today - opened).days
            if (age > 45 and rng.random() > 0.006) or (age <= 45 and rng.random() < 0.55):
                status = rng.choices(["closed", "resolved"], [80, 20])[0]
            else:
                status = rng.choice(
                    ["open", "waiting_on_vendor", "waiting_on_vendor", "waiting_on_me"]
                )
            duration = max(1, int(rng.expovariate(1 / 12)))
            closed = (
                min(self.today, opened + timedelta(days=duration))
                if status in ("closed", "resolved")
                else None
            )
            follow_up = None
            if closed is None and rng.random() < 0.7:
                follow_up = self.today + timedelta(days=rng.randrange(-20, 21))
            ctx = {
                "vendor": self.vendor_name[vendor],
                "year": str(opened.year),
                "ref": corpus.reference(rng, rng.choice(["CS", "TK", "CAS", "SR"]), opened.year),
            }
            if asset is not None:
                _topic, product, model, _maker = self.asset_info[asset]
                ctx.update(product=product.lower(), model=model)
            title = rng.choice(
                [
                    "{issue} on {product}",
                    "{product} {model}: {issue}",
                    "Refund for order {order}",
                    "Warranty claim {model}",
                    "Billing: {issue}",
                    "{issue}",
                    "Cancel contract",
                    "Repair of {product}",
                    "Replacement {part} for {model}",
                ]
            ).format(**self.text._slots(rng, ctx))
            title = title[0].upper() + title[1:]
            last_seen = closed or self.today
            n = 1 + int(rng.expovariate(1 / 7))
            moments = sorted(
                _at(opened, rng)
                + timedelta(
                    seconds=rng.randrange(0, max(1, (last_seen - opened).days) * 86400 + 3600)
                )
                for _ in range(n)
            )
            if status == "waiting_on_vendor" and rng.random() < 0.6:
                # no word from the vendor for weeks: the dashboard's "waiting too long"
                moments = [t for t in moments if t < self.now - timedelta(days=20)] or [
                    self.now - timedelta(days=25)
                ]
            for i, when in enumerate(moments):
                direction = "outbound" if i % 2 == 0 else "inbound"
                channel = rng.choices(
                    ["email", "phone", "chat", "letter", "visit", "note"], [60, 18, 12, 4, 2, 4]
                )[0]
                plan.append(
                    (when, vendor, tid, asset, direction, channel, dict(ctx, subject_of=title))
                )
            updated = moments[-1] if moments else _at(opened, rng)
            tickets.append(
                {
                    "id": tid,
                    "vendor_id": vendor,
                    "asset_id": asset,
                    "title": title[:200],
                    "reference": ctx["ref"],
                    "status": status,
                    "opened_on": opened,
                    "closed_on": closed,
                    "follow_up_on": follow_up,
                    "notes": self.text.note(rng, topic) if rng.random() < 0.3 else "",
                    "created_at": _at(opened, rng),
                    "updated_at": updated,
                }
            )
        yield from self._emit(m.Ticket.__table__, tickets)

        # the rest of the conversation: bills, notices, calls, notes; the big vendor up to its total
        linked_big = sum(1 for p in plan if p[1] == big)
        general_big = max(0, sc.big_vendor_interactions - linked_big)
        general_other = max(0, sc.interactions - len(plan) - general_big)
        others = rng.choices(vendors, weights, k=general_other)
        for vendor in [big] * general_big + others:
            day = self._day(recent_bias=1.15)
            when = _at(day, rng)
            direction = "inbound" if rng.random() < 0.7 else "outbound"
            channel = rng.choices(
                ["email", "phone", "chat", "letter", "social", "forum", "note"],
                [62, 12, 6, 8, 3, 2, 7],
            )[0]
            ctx = {"vendor": self.vendor_name[vendor], "year": str(day.year)}
            assets = self.assets_by_vendor.get(vendor)
            asset = rng.choice(assets) if assets and rng.random() < 0.25 else None
            if asset is not None:
                _topic, product, model, _maker = self.asset_info[asset]
                ctx.update(product=product.lower(), model=model)
            plan.append((when, vendor, None, asset, direction, channel, ctx))
        plan.sort(key=lambda p: p[0])  # ids follow time, as in a vault that grew over the years
        rows: list[dict[str, Any]] = []
        for iid, (when, vendor, tid, asset, direction, channel, ctx) in enumerate(plan, start=1):
            topic = self.vendor_topic[vendor]
            if "subject_of" in ctx:
                subject = ("Re: " if rng.random() < 0.7 else "") + ctx["subject_of"]
            else:
                subject = self.text.subject(rng, topic, ctx)
            if channel == "phone":
                body = (
                    f"Call with {corpus.person(rng)} ({rng.randrange(2, 45)} min). "
                    + self.text.body(rng, topic, ctx)
                )
            else:
                body = self.text.body(rng, topic, ctx)
            rows.append(
                {
                    "id": iid,
                    "vendor_id": vendor,
                    "ticket_id": tid,
                    "asset_id": asset,
                    "occurred_at": when,
                    "direction": direction,
                    "channel": channel,
                    "subject": subject[:500],
                    "body": body,
                    "created_at": when,
                    "updated_at": when,
                }
            )
            if len(rows) == BATCH:
                self.counts["interactions"] = self.counts.get("interactions", 0) + len(rows)
                yield m.Interaction.__table__, rows
                rows = []
        if rows:
            self.counts["interactions"] = self.counts.get("interactions", 0) + len(rows)
            yield m.Interaction.__table__, rows
        self.n_interactions = len(plan)

    def _offers(self) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
        rng, sc = self.rng, self.scale
        senders = [v for v, t in self.vendor_topic.items() if t in MARKETING_TOPICS]
        weights = [self.activity.get(v, 0.2) for v in senders]
        rows = []
        for oid in range(1, sc.offers + 1):
            vendor = rng.choices(senders, weights)[0]
            when = _at(self._day(recent_bias=1.6), rng)
            rows.append(
                {
                    "id": oid,
                    "vendor_id": vendor,
                    "received_at": when,
                    "channel": rng.choices(
                        ["email", "letter", "phone", "social", "chat"], [75, 10, 6, 7, 2]
                    )[0],
                    "content": self.text.offer(
                        rng,
                        {
                            "vendor": self.vendor_name[vendor],
                            "year": str(when.year),
                            "product": rng.choice(corpus.PRODUCTS["electronics"]).lower(),
                        },
                    ),
                    "created_at": when,
                    "updated_at": when,
                }
            )
        yield from self._emit(m.Offer.__table__, rows)

    def _agreements(self) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
        rng, sc = self.rng, self.scale
        pool = [v for v, t in self.vendor_topic.items() if t in AGREEMENT_TOPICS]
        rows = []
        for aid in range(1, sc.agreements + 1):
            vendor = self.big_vendor_id if aid == 1 else rng.choice(pool)
            topic = self.vendor_topic[vendor]
            started = self._day(recent_bias=0.9)
            period = rng.choices(["month", "quarter", "year", "one_off"], [55, 5, 35, 5])[0]
            term = rng.choice([12, 24, 12, 12, 36])
            renews = None
            if period != "one_off" and rng.random() < 0.85:
                renews = add_months(started, term)
                while renews < self.today:
                    renews = add_months(renews, 12)
            notice = rng.choice([14, 30, 30, 60, 90, 0])
            title = {
                "telecom": "Broadband and mobile contract",
                "energy": "Electricity supply",
                "insurance": "Home contents insurance",
                "software": "Software subscription",
                "home": "Maintenance plan",
            }[topic]
            created = _at(started, rng)
            rows.append(
                {
                    "id": aid,
                    "vendor_id": vendor,
                    "title": f"{title} {rng.randrange(1, 99)}",
                    "started_on": started,
                    "renews_on": renews,
                    "notice_days": notice,
                    "notice_deadline": renews - timedelta(days=notice) if renews else None,
                    "cost_minor": rng.randrange(5, 150) * 100 + 99,
                    "currency": "EUR",
                    "period": period,
                    "notes": self.text.note(rng, topic) if rng.random() < 0.5 else "",
                    "created_at": created,
                    "updated_at": created,
                }
            )
        yield from self._emit(m.Agreement.__table__, rows)

    def _tags(self) -> Iterator[tuple[Any, list[dict[str, Any]]]]:
        rng, sc = self.rng, self.scale
        names = [
            "tax",
            "home office",
            "kitchen",
            "claim",
            "important",
            "move 2019",
            "car",
            "insurance",
            "renovation",
            "gift",
            "business",
            "follow up",
            "disputed",
            "kids",
            "garden",
            "holiday",
        ]
        while len(names) < sc.tags:
            names.append(f"{rng.choice(self.vocab.by_rank(150, 1200))} {len(names)}")
        names = names[: sc.tags]
        yield from self._emit(
            m.Tag.__table__, [{"id": i + 1, "name": n} for i, n in enumerate(names)]
        )
        owners = {
            "asset": self.scale.assets,
            "ticket": self.scale.tickets,
            "vendor": self.scale.vendors,
            "interaction": self.n_interactions,
        }
        seen: set[tuple[int, str, int]] = set()
        rows = []
        while len(rows) < sc.taggings:
            kind = rng.choices(list(owners), [40, 30, 10, 20])[0]
            key = (rng.randrange(1, sc.tags + 1), kind, rng.randrange(1, owners[kind] + 1))
            if key not in seen:
                seen.add(key)
                rows.append(
                    {"id": len(rows) + 1, "tag_id": key[0], "owner_kind": kind, "owner_id": key[2]}
                )
        yield from self._emit(m.Tagging.__table__, rows)

    # attachments (stored afterwards, through the attachment store) ------------------------------
    def _attachments(self) -> None:
        rng, sc = self.rng, self.scale
        specs = []
        for _i in range(sc.attachments):
            roll = rng.random()
            when = _at(self._day(recent_bias=1.2), rng)
            if roll < 0.45:
                owner_kind, owner_id = "asset", rng.randrange(1, sc.assets + 1)
                _t, _product, model, _m = self.asset_info[owner_id]
                kind = rng.choice(["receipt", "manual", "photo"])
                name = {
                    "receipt": f"receipt-{model}-{when:%Y%m%d}.pdf",
                    "manual": f"manual-{model}.pdf",
                    "photo": f"IMG_{rng.randrange(1000, 9999)}.jpg",
                }[kind]
            elif roll < 0.8:
                owner_kind, owner_id = "ticket", rng.randrange(1, sc.tickets + 1)
                kind = rng.choice(["photo", "letter"])
                name = (
                    f"IMG_{rng.randrange(1000, 9999)}.jpg"
                    if kind == "photo"
                    else f"letter-{when:%Y-%m-%d}.pdf"
                )
            else:
                owner_kind, owner_id = "interaction", rng.randrange(1, self.n_interactions + 1)
                kind = "invoice"
                name = f"invoice-{rng.randrange(10**6, 10**7)}.pdf"
            if kind == "photo":
                content = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(
                    rng.randrange(1500, 6000)
                )
            else:
                words = " ".join(self.vocab.sample(rng, rng.randrange(150, 700)))
                content = b"%PDF-1.7\n% benchmark\n" + words.encode() + b"\n%%EOF\n"
            if specs and rng.random() < 0.04:
                content = rng.choice(specs).content  # the same file attached twice: stored once
            media = "image/jpeg" if name.endswith(".jpg") else "application/pdf"
            specs.append(AttachmentSpec(owner_kind, owner_id, name, media, content, when))
        self.attachment_specs = specs
        self.counts["attachments"] = len(specs)

    # what run.py needs --------------------------------------------------------------------------
    def queries(self) -> list[dict[str, str]]:
        """100 search queries in classes: common, mid and rare words, pairs, prefixes, models and
        names."""
        rng = random.Random(self.seed + 2)
        vocab = self.vocab
        out: list[dict[str, str]] = []

        def add(kind: str, items: list[str]) -> None:
            out.extend({"kind": kind, "q": q} for q in items)

        content_common = [w for w in vocab.by_rank(0, 400) if w not in corpus.COMMON[:60]]
        add("common word", rng.sample(content_common, 15))
        add("mid word", rng.sample(vocab.by_rank(400, len(vocab) // 2), 15))
        add("rare word", rng.sample(vocab.by_rank(len(vocab) * 2 // 3, len(vocab)), 15))
        pairs = [
            "door seal",
            "direct debit",
            "washing machine",
            "heating element",
            "broadband fault",
            "meter reading",
            "warranty claim",
            "factory reset",
            "drain pump",
            "price increase",
            "courtesy car",
            "boiler pressure",
            "engineer visit",
            "credit note",
            "data export",
        ]
        add("two words", rng.sample(pairs, 10))
        add("two words", [" ".join(rng.sample(vocab.by_rank(100, 1500), 2)) for _ in range(5)])
        prefixes = []
        for w in rng.sample([w for w in vocab.by_rank(60, 1500) if len(w) >= 6], 15):
            prefixes.append(w[: rng.randrange(3, 6)])
        add("prefix", prefixes)
        models = rng.sample(self.models, 10)
        add("model number", models[:6] + [mn[: max(3, len(mn) - 3)] for mn in models[6:]])
        add("name", [corpus.person(rng) for _ in range(5)])
        add(
            "vendor",
            [self.vendor_name[v].split()[0] for v in rng.sample(list(self.vendor_name), 5)],
        )
        return out[:100]

    def summary(self) -> dict[str, Any]:
        rng = random.Random(self.seed + 3)
        return {
            "size": self.size,
            "factor": self.factor,
            "seed": self.seed,
            "today": self.today.isoformat(),
            "passphrase": PASSPHRASE,
            "counts": self.counts,
            "big_vendor_id": self.big_vendor_id,
            "big_vendor_name": self.vendor_name[self.big_vendor_id],
            "vocabulary_words": len(self.vocab),
            "queries": self.queries(),
            "edit_interaction_ids": rng.sample(range(1, self.n_interactions + 1), 200),
            "edit_vendor_ids": rng.sample(
                range(1, self.scale.vendors + 1), min(50, self.scale.vendors)
            ),
            "scale": asdict(self.scale),
        }


# -- writing -------------------------------------------------------------------------------------


class Target:
    """Where rows go: an encrypted vault (through Vault) or a plain SQLite twin."""

    def __init__(self, folder: Path, plain: bool, kdf: str = "fast") -> None:
        self.folder = Path(folder)
        self.plain = plain
        self.vault: Vault | None = None
        if plain:
            self.folder.mkdir(parents=True, exist_ok=True)
            db = self.folder / "vault.db"
            if db.exists():
                raise SystemExit(f"{db} exists already; choose an empty folder")
            self.engine: Engine = make_plain_engine(db)
            migrate.create_schema(self.engine)
        else:
            params = keys.fast_params_for_tests() if kdf == "fast" else keys.calibrate()
            self.vault, _recovery = Vault.create(self.folder, PASSPHRASE, kdf=params)
            self.engine = self.vault.engine
        self.conn: Connection | None = None

    @property
    def label(self) -> str:
        return "plain" if self.plain else "encrypted"

    def open_bulk(self, fts_mode: str) -> None:
        self.conn = self.engine.connect()
        self.conn.exec_driver_sql(f"PRAGMA cache_size = -{LOAD_CACHE_KIB}")  # autobegins
        if fts_mode == "rebuild":
            for statement in fts.drop_trigger_statements():
                self.conn.exec_driver_sql(statement)

    def write(self, table: Any, rows: list[dict[str, Any]]) -> None:
        assert self.conn is not None
        self.conn.execute(insert(table), rows)

    def commit(self) -> None:
        assert self.conn is not None
        self.conn.commit()  # the next statement begins the next transaction

    def finish_bulk(self, fts_mode: str) -> None:
        assert self.conn is not None
        if fts_mode == "rebuild":
            fts.rebuild(self.conn.exec_driver_sql)
            for statement in fts.trigger_statements():
                self.conn.exec_driver_sql(statement)
        self.conn.commit()
        self.conn.exec_driver_sql(f"PRAGMA cache_size = -{64 * 1024}")
        self.conn.close()
        self.conn = None

    def add_attachments(self, specs: list[AttachmentSpec]) -> None:
        if self.vault is not None:
            self._vault_attachments(specs)
        else:
            self._plain_attachments(specs)

    def _vault_attachments(self, specs: list[AttachmentSpec]) -> None:
        assert self.vault is not None
        classes = {"asset": m.Asset, "ticket": m.Ticket, "interaction": m.Interaction}
        for start in range(0, len(specs), 500):
            with self.vault.session() as session:
                for spec in specs[start : start + 500]:
                    owner = session.get(classes[spec.owner_kind], spec.owner_id)
                    self.vault.attachments.add(
                        session,
                        owner,
                        io.BytesIO(spec.content),
                        name=spec.name,
                        media_type=spec.media_type,
                    )
        # the same timestamps as the plain twin (the store stamps "now")
        table = m.Attachment.__table__
        stamp = bindparam("stamp", type_=DateTime())
        with self.engine.begin() as conn:
            conn.execute(
                update(table)
                .where(table.c.id == bindparam("aid"))
                .values(created_at=stamp, updated_at=stamp),
                [{"aid": i, "stamp": s.created_at} for i, s in enumerate(specs, start=1)],
            )

    def _plain_attachments(self, specs: list[AttachmentSpec]) -> None:
        blobs: dict[str, dict[str, Any]] = {}
        rows = []
        for i, spec in enumerate(specs, start=1):
            name = hmac.new(b"plain twin", spec.content, hashlib.sha256).hexdigest()
            sha = hashlib.sha256(spec.content).hexdigest()
            blobs.setdefault(
                name,
                {
                    "name": name,
                    "size": len(spec.content),
                    "sha256": sha,
                    "created_at": spec.created_at,
                },
            )
            rows.append(
                {
                    "id": i,
                    "owner_kind": spec.owner_kind,
                    "owner_id": spec.owner_id,
                    "blob_name": name,
                    "name": spec.name,
                    "media_type": spec.media_type,
                    "size": len(spec.content),
                    "sha256": sha,
                    "created_at": spec.created_at,
                    "updated_at": spec.created_at,
                }
            )
        with self.engine.begin() as conn:
            conn.execute(insert(m.Blob.__table__), list(blobs.values()))
            conn.execute(insert(m.Attachment.__table__), rows)

    def close(self) -> None:
        if self.vault is not None:
            self.vault.close()  # checkpoints the WAL
        else:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            self.engine.dispose()


def generate(
    size: str,
    out: Path | None = None,
    *,
    plain_out: Path | None = None,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    fts_mode: str = "rebuild",
    verbose: bool = True,
    factor: int = 1,
    kdf: str = "fast",
) -> dict[str, Any]:
    """Write the data set into an encrypted vault at ``out`` and/or a plain twin at
    ``plain_out``; ``factor`` multiplies every count of ``size``. ``kdf`` is ``fast`` (the test
    profile: any command opens the vault at once) or ``calibrated`` (what ``vrmdesk init`` picks
    on this machine, for figures that include key derivation)."""
    started = time.perf_counter()
    timings: dict[str, float] = {}
    targets = []
    if out is not None:
        targets.append(Target(out, plain=False, kdf=kdf))
    if plain_out is not None:
        targets.append(Target(plain_out, plain=True))
    if not targets:
        raise ValueError("nothing to write")
    data = Dataset(size, seed, today, factor)

    def say(message: str) -> None:
        if verbose:
            print(f"  [{time.perf_counter() - started:7.1f} s] {message}", flush=True)

    for t in targets:
        t.open_bulk(fts_mode)
    since_commit = 0
    write_time = {t.label: 0.0 for t in targets}
    current = None
    for table, rows in data.tables():
        if table.name != current:
            current = table.name
            say(f"{table.name} …")
        for t in targets:
            t0 = time.perf_counter()
            t.write(table, rows)
            write_time[t.label] += time.perf_counter() - t0
        since_commit += len(rows)
        if since_commit >= ROWS_PER_TRANSACTION:
            for t in targets:
                t0 = time.perf_counter()
                t.commit()
                write_time[t.label] += time.perf_counter() - t0
            since_commit = 0
    say(
        f"rows written ({sum(data.counts.values()):,}); "
        f"finishing the full-text index ({fts_mode}) …"
    )
    for t in targets:
        t0 = time.perf_counter()
        t.finish_bulk(fts_mode)
        timings[f"index_{t.label}"] = time.perf_counter() - t0
        write_time[t.label] += timings[f"index_{t.label}"]
    say(f"{len(data.attachment_specs)} attachments …")
    for t in targets:
        t0 = time.perf_counter()
        t.add_attachments(data.attachment_specs)
        timings[f"attachments_{t.label}"] = time.perf_counter() - t0
    for t in targets:
        t0 = time.perf_counter()
        t.close()
        timings[f"close_{t.label}"] = time.perf_counter() - t0
    info = data.summary()
    info["fts_mode"] = fts_mode
    info["kdf"] = kdf
    info["generation_seconds"] = round(time.perf_counter() - started, 1)
    info["write_seconds"] = {k: round(v, 1) for k, v in write_time.items()}
    info["timings"] = {k: round(v, 2) for k, v in timings.items()}
    for t in targets:
        info_t = dict(info, kind=t.label)
        (t.folder / INFO_NAME).write_text(json.dumps(info_t, indent=1) + "\n")
    say("done")
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size",
        choices=sorted(SIZES),
        help="household (the default) or decade; with --scale, decade unless given",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=1,
        metavar="K",
        help="multiply every count of the size by K (--scale 5: five decade vaults' worth)",
    )
    parser.add_argument(
        "--kdf",
        choices=["fast", "calibrated"],
        default="fast",
        help="the encrypted vault's Argon2id parameters: the test profile (default) or "
        "calibrated on this machine as vrmdesk init does",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="folder for the vault (must not hold one; default: a fresh temporary folder)",
    )
    parser.add_argument(
        "--plain", action="store_true", help="write the plain SQLite twin to --out instead"
    )
    parser.add_argument(
        "--twin", type=Path, help="also write the plain twin to this folder, in the same pass"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        help="the date the data is spread around (default: today)",
    )
    parser.add_argument(
        "--fts",
        choices=["rebuild", "triggers"],
        default="rebuild",
        help="how the full-text index is filled",
    )
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be 1 or more")
    if args.size is None:
        args.size = "decade" if args.scale > 1 else "household"
    if args.plain and args.twin:
        parser.error("--plain and --twin do not go together")
    if args.out is None:
        args.out = Path(tempfile.mkdtemp(prefix="vrmdesk-bench-vault-")) / "vault"
    out = None if args.plain else args.out
    plain_out = args.out if args.plain else args.twin
    info = generate(
        args.size,
        out,
        plain_out=plain_out,
        seed=args.seed,
        today=args.today,
        fts_mode=args.fts,
        factor=args.scale,
        kdf=args.kdf,
    )
    counts = ", ".join(f"{k} {v:,}" for k, v in info["counts"].items())
    print(f"{info['size']}: {counts}")
    print(f"written to {args.out}" + (f" and {args.twin}" if args.twin else ""))
    print(
        f"generation took {info['generation_seconds']:.1f} s (writing: {info['write_seconds']}, "
        f"{info['timings']})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
