"""The CSV exports of other inventory programs, read as those programs write them.

**HomeBox** (sysadminsmedia/homebox, ``backend/internal/core/services/reporting/io_row.go``):
comma-separated, every column named ``HB.*``. ``HB.import_ref`` is HomeBox's own id for an item
(the update key); locations are paths joined by ``" / "`` (``Home / Kitchen``); labels (up to
v0.22 ``HB.labels``, from v0.23 ``HB.tags``) are joined by ``"; "``; v0.26 renamed
``HB.purchase_time`` to ``HB.purchase_date``; an unset price is written as ``0``.

**Warracker**: its CSV import and export name the columns ``ProductName``, ``PurchaseDate``,
``IsLifetime``, ``PurchasePrice``, ``SerialNumber``, ``ProductURL``, ``Tags`` (comma-separated),
``Vendor`` (where it was bought), ``WarrantyType``, ``WarrantyDurationYears``, ``…Months``,
``…Days`` and, in its export, ``ExpirationDate`` and ``Notes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from vrmdesk.interchange.fields import ImportKind, guess


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    kind: ImportKind
    #: header (as the program writes it) -> target key
    columns: dict[str, str]
    #: the separator of a tags cell
    tag_separator: str = ";"
    #: a price of exactly 0 means "not set"
    zero_price_is_unset: bool = False
    #: headers that must be there for a file to be this program's
    signature: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


HOMEBOX = Preset(
    name="homebox",
    label="HomeBox",
    kind="assets",
    columns={
        "HB.import_ref": "import_ref",
        "HB.name": "name",
        "HB.description": "description",
        "HB.notes": "notes",
        "HB.manufacturer": "maker",
        "HB.purchase_from": "seller",
        "HB.model_number": "model",
        "HB.serial_number": "serial_number",
        "HB.purchase_date": "purchase_date",
        "HB.purchase_time": "purchase_date",
        "HB.purchase_price": "price",
        "HB.location": "location",
        "HB.tags": "tags",
        "HB.labels": "tags",
        "HB.warranty_expires": "warranty_ends",
        "HB.warranty_details": "warranty_details",
        "HB.lifetime_warranty": "warranty_lifetime",
        "HB.url": "url",
        "HB.archived": "archived",
        "HB.sold_date": "sold_date",
        "HB.sold_time": "sold_date",
    },
    tag_separator=";",
    zero_price_is_unset=True,
    signature=("HB.name",),
)

WARRACKER = Preset(
    name="warracker",
    label="Warracker",
    kind="assets",
    columns={
        "ProductName": "name",
        "PurchaseDate": "purchase_date",
        "IsLifetime": "warranty_lifetime",
        "PurchasePrice": "price",
        "SerialNumber": "serial_number",
        "ProductURL": "url",
        "Tags": "tags",
        "Vendor": "seller",
        "WarrantyType": "warranty_details",
        "WarrantyDurationYears": "warranty_years",
        "WarrantyDurationMonths": "warranty_months",
        "WarrantyDurationDays": "warranty_days",
        "ExpirationDate": "warranty_ends",
        "Notes": "notes",
        "ModelNumber": "model",
    },
    tag_separator=",",
    signature=("ProductName", "PurchaseDate"),
)

PRESETS: dict[str, Preset] = {p.name: p for p in (HOMEBOX, WARRACKER)}


def detect(headers: Sequence[str]) -> Preset | None:
    """The program whose export this header row is, if it is one of the presets'."""
    present = set(headers)
    for preset in PRESETS.values():
        if all(h in present for h in preset.signature):
            return preset
    return None


def columns_for(preset: Preset | None, kind: ImportKind, headers: Sequence[str]) -> dict[str, str]:
    """The mapping of ``headers``: the preset's where it has one, guessed for the other columns."""
    guessed = guess(kind, headers)
    if preset is None or preset.kind != kind:
        return guessed
    out: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        key = preset.columns.get(header)
        if key is not None and key not in taken:
            out[header] = key
            taken.add(key)
    for header, key in guessed.items():
        if header not in out and key not in taken and not header.startswith("HB."):
            out[header] = key
            taken.add(key)
    return out
