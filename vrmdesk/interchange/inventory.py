"""The insurer's pack: an inventory of things as a PDF, and the same selection as a signed bundle.

:func:`preview` counts the things a filter selects and totals their prices per location and
overall, in each currency (amounts in different currencies are never added together).
:func:`write_pdf` writes the report: per thing a thumbnail of its first image attachment (a photo
or a photographed receipt, decrypted through the vault's attachment store and shrunk with
Pillow), maker, model, serial, purchase date, price, location and warranty state, then the
totals. :func:`write_bundle` writes the signed ``vrmshare/1`` bundle (purpose
``insurance_claim``) of the same things with their files, addressed to the insurer (a vendor of
the vault), so the insurer can check that nothing was altered.

Memory: things are read in batches of :data:`BATCH` (with their warranties and images, one
query each per batch), an image is decoded one at a time and only a small JPEG thumbnail of it is
kept; what grows with the number of things is fpdf2's compressed page content (a few hundred
bytes a thing) and the thumbnails.

Text is set in DejaVu Sans where it is installed (any Latin, Greek or Cyrillic name), else in
the core Helvetica (Latin-1; other characters become "?"); a line too wide is shortened with
"...". An empty selection is refused (:class:`NothingToList`): an
insurer gains nothing from a report that lists nothing.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from vrmdesk.errors import AttachmentError, ValidationError
from vrmdesk.interchange.output import atomic_output
from vrmdesk.pdffonts import close_fonts, printable_in, use_unicode_font
from vrmdesk.store import models as m
from vrmdesk.store.services import rules, things

if TYPE_CHECKING:
    from vrmdesk.share.export import ExportResult
    from vrmdesk.store.vault import Vault

S = TypeVar("S", bound="Select[*tuple[Any, ...]]")

BATCH = 200
#: an image larger than this (encrypted content) is not decoded for a thumbnail
IMAGE_LIMIT = 32 * 1024 * 1024
THUMB_PIXELS = 160
THUMB_MM = 20.0
ROW_MM = 24.0

#: ``progress(done, total)``; whatever it raises (a cancel) stops the writing, leaving no file
Progress = Callable[[int, int], None]

STATE_WORDS: dict[m.WarrantyState, str] = {
    m.WarrantyState.ACTIVE: "active",
    m.WarrantyState.EXPIRING: "expiring soon",
    m.WarrantyState.NOT_STARTED: "not started",
    m.WarrantyState.EXPIRED: "expired",
    m.WarrantyState.VOID: "void",
}


class NothingToList(ValidationError):
    """The filters select no thing: no report is written."""


@dataclass(frozen=True)
class Filters:
    """Which things: all, or those at one location and/or of one category (exact, any case)."""

    location: str = ""
    category: str = ""

    def describe(self) -> str:
        parts = []
        if self.location:
            parts.append(f"location {self.location!r}")
        if self.category:
            parts.append(f"category {self.category!r}")
        return " and ".join(parts) or "all things"


@dataclass
class Totals:
    """Sums in minor units: per location, then per currency; and overall per currency."""

    count: int = 0
    unpriced: int = 0
    by_location: dict[str, dict[str, int]] = field(default_factory=dict)
    overall: dict[str, int] = field(default_factory=dict)

    def add(self, location: str, price_minor: int | None, currency: str) -> None:
        self.count += 1
        if price_minor is None:
            self.unpriced += 1
            return
        currency = currency or "?"
        per = self.by_location.setdefault(location, {})
        per[currency] = per.get(currency, 0) + price_minor
        self.overall[currency] = self.overall.get(currency, 0) + price_minor

    @staticmethod
    def amounts(sums: dict[str, int]) -> str:
        """``1,299.00 EUR + 40.00 GBP`` (each currency apart), or ``-`` when there is none."""
        return " + ".join(rules.format_amount(v, c) for c, v in sorted(sums.items())) or "-"

    def lines(self) -> list[str]:
        """The totals in words, per location (sorted, "no location" last) then overall."""
        out = []
        for location in sorted(self.by_location, key=lambda x: (x == "", x.casefold())):
            name = location or "(no location)"
            out.append(f"{name}: {self.amounts(self.by_location[location])}")
        out.append(f"Overall: {self.amounts(self.overall)}")
        return out


@dataclass(frozen=True)
class Line:
    """One thing as the report lists it (plain values)."""

    id: int
    name: str
    category: str
    maker: str
    model: str
    serial_number: str
    purchase_date: date | None
    price_minor: int | None
    currency: str
    location: str
    warranty: str
    image_id: int | None


@dataclass(frozen=True)
class Written:
    path: Path
    things: int
    pages: int
    totals: Totals
    #: one line per image that was skipped (``name: reason``)
    skipped_images: tuple[str, ...] = ()


# -- selecting ----------------------------------------------------------------------------------
def _filtered(query: S, filters: Filters) -> S:
    if filters.location.strip():
        query = query.where(func.lower(m.Asset.location) == filters.location.strip().lower())
    if filters.category.strip():
        query = query.where(func.lower(m.Asset.category) == filters.category.strip().lower())
    return query


def asset_ids(session: Session, filters: Filters) -> list[int]:
    """The ids of the things selected, by name."""
    query = _filtered(select(m.Asset.id), filters).order_by(m.Asset.name, m.Asset.id)
    return list(session.scalars(query))


def refuse_empty(session: Session, filters: Filters, count: int) -> None:
    """Raise :class:`NothingToList` with what there is instead, when ``count`` is 0."""
    if count:
        return
    if not (filters.location.strip() or filters.category.strip()):
        raise NothingToList("There are no things in this vault: there is nothing to list.")
    hints = []
    if filters.location.strip():
        known = things.locations(session)
        hints.append(f"locations: {', '.join(known) if known else 'none set'}")
    if filters.category.strip():
        known = things.categories(session)
        hints.append(f"categories: {', '.join(known) if known else 'none set'}")
    raise NothingToList(f"No thing matches {filters.describe()} ({'; '.join(hints)}).")


def preview(session: Session, filters: Filters) -> Totals:
    """How many things the filters select and their totals (no image is read)."""
    totals = Totals()
    query = _filtered(select(m.Asset.location, m.Asset.price_minor, m.Asset.currency), filters)
    for location, price, currency in session.execute(query):
        totals.add(location or "", price, currency or "")
    return totals


def _warranty_text(rows: list[tuple[str, m.WarrantyState, date]]) -> str:
    best = things.best_warranty(rows)
    if best is None:
        return "none"
    title, state, ends_on = best
    what = f"{title}: " if title else ""
    return f"{what}{STATE_WORDS[state]} (ends {ends_on:%Y-%m-%d})"


def lines(session: Session, filters: Filters, on: date | None = None) -> Iterator[Line]:
    """The selected things, by name, a batch at a time (warranties and images per batch)."""
    on = on or rules.today()
    ids = asset_ids(session, filters)
    maker = aliased(m.Vendor)
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        warranties: dict[int, list[tuple[str, m.WarrantyState, date]]] = {}
        query_w = select(
            m.Warranty.asset_id,
            m.Warranty.title,
            m.Warranty.void,
            m.Warranty.starts_on,
            m.Warranty.ends_on,
        )
        for w in session.execute(query_w.where(m.Warranty.asset_id.in_(batch))):
            warranties.setdefault(w.asset_id, []).append(
                (w.title, rules.warranty_state(w, on), w.ends_on)
            )
        images: dict[int, int] = {}
        query_i = (
            select(m.Attachment.owner_id, m.Attachment.id)
            .where(
                m.Attachment.owner_kind == "asset",
                m.Attachment.owner_id.in_(batch),
                m.Attachment.media_type.like("image/%"),
            )
            .order_by(m.Attachment.created_at, m.Attachment.id)
        )
        for owner_id, attachment_id in session.execute(query_i):
            images.setdefault(owner_id, attachment_id)
        query = (
            select(m.Asset, maker.name.label("maker_name"))
            .outerjoin(maker, maker.id == m.Asset.maker_id)
            .where(m.Asset.id.in_(batch))
        )
        found = {a.id: (a, maker_name) for a, maker_name in session.execute(query)}
        for asset_id in batch:
            if asset_id not in found:
                continue
            a, maker_name = found[asset_id]
            yield Line(
                id=a.id,
                name=a.name,
                category=a.category or "",
                maker=maker_name or "",
                model=a.model or "",
                serial_number=a.serial_number or "",
                purchase_date=a.purchase_date,
                price_minor=a.price_minor,
                currency=a.currency or "",
                location=a.location or "",
                warranty=_warranty_text(warranties.get(a.id, [])),
                image_id=images.get(a.id),
            )
        session.expunge_all()  # the batch's records go: memory stays flat


# -- images -------------------------------------------------------------------------------------
def thumbnail(data: bytes) -> bytes:
    """A small JPEG of an image (any format Pillow reads); raises on a broken or huge one."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (THUMB_PIXELS, THUMB_PIXELS))  # JPEG: decode at a smaller scale
        image.thumbnail((THUMB_PIXELS, THUMB_PIXELS))
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=70)
    return out.getvalue()


def _thumbnail_of(vault: Vault, session: Session, attachment_id: int) -> tuple[bytes | None, str]:
    """(the thumbnail, "") or (None, why it was skipped)."""
    attachment = session.get(m.Attachment, attachment_id)
    if attachment is None:
        return None, "the image is gone"
    if attachment.size > IMAGE_LIMIT:
        return None, f"{attachment.name} is too large for a thumbnail"
    if not vault.attachments.path_of(attachment.blob_name).exists():
        return None, f"{attachment.name}: image skipped (its content is missing)"
    try:
        data = vault.attachments.read_bytes(attachment, IMAGE_LIMIT)
    except AttachmentError:
        return None, f"{attachment.name}: image skipped (its content is damaged)"
    try:
        return thumbnail(data), ""
    except Exception:  # a broken, truncated or unknown picture: noted, never a crash
        return None, f"{attachment.name}: image skipped (unreadable)"


# -- the PDF ------------------------------------------------------------------------------------
def _fit(pdf: Any, text: str, width: float) -> str:
    """``text`` shortened with "..." to fit ``width`` in the current font (in Latin-1 when the
    font is a core one)."""
    text = printable_in(pdf, text)
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[: max(len(text) - max(len(text) // 8, 1), 0)]
    return text + "..."


def _detail(line: Line) -> tuple[str, str, str]:
    made = " | ".join(
        part
        for part in (
            f"Maker: {line.maker}" if line.maker else "",
            f"Model: {line.model}" if line.model else "",
            f"Serial: {line.serial_number}" if line.serial_number else "",
        )
        if part
    )
    bought = " | ".join(
        part
        for part in (
            f"Bought {line.purchase_date:%Y-%m-%d}" if line.purchase_date else "Bought: unknown",
            f"Price: {rules.format_amount(line.price_minor, line.currency)}"
            if line.price_minor is not None
            else "Price: unknown",
            f"Location: {line.location}" if line.location else "Location: none",
        )
    )
    return made or "Maker, model, serial: unknown", bought, f"Warranty: {line.warranty}"


def write_pdf(
    vault: Vault,
    filters: Filters,
    out_path: Path,
    *,
    progress: Progress | None = None,
    on: date | None = None,
) -> Written:
    """Write the inventory to ``out_path`` (via a partial file renamed when whole)."""
    from fpdf import FPDF

    if not out_path.parent.is_dir():
        raise ValidationError(f"The folder {out_path.parent} does not exist.", field="out")
    on = on or rules.today()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title("Inventory")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(15, 15, 15)
    totals = Totals()
    skipped: list[str] = []
    width = pdf.w - pdf.l_margin - pdf.r_margin
    family = use_unicode_font(pdf)

    def heading() -> None:
        pdf.add_page()
        pdf.set_font(family, "B", 14)
        pdf.cell(
            width,
            8,
            _fit(pdf, f"Inventory: {filters.describe()}", width),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font(family, "", 8)
        pdf.cell(
            width, 5, f"As of {on:%Y-%m-%d}; page {pdf.page_no()}", new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(2)

    try:
        with vault.session() as session:
            total = preview(session, filters).count
            refuse_empty(session, filters, total)
            heading()
            for done, line in enumerate(lines(session, filters, on), start=1):
                if pdf.get_y() + ROW_MM > pdf.h - pdf.b_margin:
                    heading()
                top = pdf.get_y()
                note = ""
                if line.image_id is not None:
                    thumb, note = _thumbnail_of(vault, session, line.image_id)
                    if thumb is not None:
                        pdf.image(
                            io.BytesIO(thumb),
                            x=pdf.l_margin,
                            y=top,
                            w=THUMB_MM,
                            keep_aspect_ratio=True,
                            h=THUMB_MM,
                        )
                text_x = pdf.l_margin + THUMB_MM + 3
                pdf.set_xy(text_x, top)
                pdf.set_font(family, "B", 10)
                title = f"{line.name} ({line.category})" if line.category else line.name
                text_w = width - THUMB_MM - 3
                pdf.cell(text_w, 5, _fit(pdf, title, text_w), new_x="LEFT", new_y="NEXT")
                pdf.set_font(family, "", 8)
                for text in (*_detail(line), note):
                    if text:
                        pdf.cell(text_w, 4, _fit(pdf, text, text_w), new_x="LEFT", new_y="NEXT")
                if note:
                    skipped.append(f"{line.name}: {note}")
                pdf.set_xy(pdf.l_margin, top + ROW_MM)
                totals.add(line.location, line.price_minor, line.currency)
                if progress is not None:
                    progress(done, total)
        _totals_page(pdf, width, totals, family)
        with atomic_output(out_path, what="the inventory") as handle:  # whole or none
            handle.write(bytes(pdf.output()))
    finally:
        close_fonts(pdf)
    return Written(out_path, totals.count, pdf.page_no(), totals, tuple(skipped))


def _totals_page(pdf: object, width: float, totals: Totals, family: str) -> None:
    from fpdf import FPDF

    assert isinstance(pdf, FPDF)
    pdf.add_page()
    pdf.set_font(family, "B", 14)
    pdf.cell(width, 8, "Totals", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    pdf.cell(width, 6, f"Things listed: {totals.count}", new_x="LMARGIN", new_y="NEXT")
    if totals.unpriced:
        pdf.cell(width, 6, f"Without a price: {totals.unpriced}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(family, "B", 10)
    pdf.cell(width, 6, "Per location, in each currency", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    for text in totals.lines():
        if pdf.get_y() + 6 > pdf.h - pdf.b_margin:
            pdf.add_page()
        pdf.cell(width, 6, _fit(pdf, text, width), new_x="LMARGIN", new_y="NEXT")


# -- the signed bundle --------------------------------------------------------------------------
def write_bundle(
    vault: Vault,
    filters: Filters,
    insurer: str,
    out_path: Path,
    *,
    note: str = "",
    created: str | None = None,
    sender: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ExportResult:
    """The selected things with their files, as a bundle of purpose ``insurance_claim`` signed
    with the vault's key and addressed to ``insurer`` (a vendor's name); logged as a disclosure."""
    from vrmshare.terms import Terms

    from vrmdesk.share import export
    from vrmdesk.share.slice import Selection
    from vrmdesk.store.services import records

    with vault.session() as session:
        vendor_id = records.find_vendor(session, insurer).id
        ids = asset_ids(session, filters)
        refuse_empty(session, filters, len(ids))
    selection = Selection(vendor_id=vendor_id, asset_ids=tuple(ids), include_files=True)
    terms = Terms(
        purpose="insurance_claim",
        purpose_note=note or f"Inventory for an insurance claim ({filters.describe()}).",
    )
    return export.export_bundle(
        vault, selection, terms, out_path, created=created, sender=sender, progress=progress
    )


def check_bundle(session: Session, insurer: str, sender: str | None = None) -> None:
    """Refuse before anything is written: an insurer that is not a vendor of the vault, or no
    sender name to sign as."""
    from vrmdesk.share import export
    from vrmdesk.store.services import records

    records.find_vendor(session, insurer)
    if not (sender or "").strip() and not export.sender_name(session):
        raise ValidationError(export.NO_SENDER, field="sender_name")


def insurer_choices(session: Session) -> Sequence[str]:
    """The names of the vendors a bundle can go to (for a picker)."""
    return list(session.scalars(select(m.Vendor.name).order_by(m.Vendor.name)))
