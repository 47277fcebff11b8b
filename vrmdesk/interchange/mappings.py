"""The last mapping a person chose for a header row, remembered inside the vault.

A household that imports the same spreadsheet every few months maps its columns once: the
mapping (and the date order and decimal separator chosen) is kept per kind of record and per
set of column names, in the vault's encrypted settings, and offered again for a file with the
same header row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from vrmdesk.interchange.values import DateOrder, Reading
from vrmdesk.store import models as m

PREFIX = "csv_mapping:"


@dataclass(frozen=True)
class Remembered:
    columns: dict[str, str]
    reading: Reading


def _key(kind: str, headers: Sequence[str]) -> str:
    digest = hashlib.sha256(json.dumps([kind, list(headers)]).encode()).hexdigest()[:40]
    return f"{PREFIX}{kind}:{digest}"


def remember(
    session: Session, kind: str, headers: Sequence[str], columns: dict[str, str], reading: Reading
) -> None:
    value = json.dumps(
        {
            "columns": columns,
            "date_order": reading.date_order,
            "date_format": reading.date_format,
            "decimals": reading.decimals,
        }
    )
    row = session.get(m.Meta, _key(kind, headers))
    if row is None:
        session.add(m.Meta(key=_key(kind, headers), value=value))
    else:
        row.value = value


def recall(session: Session, kind: str, headers: Sequence[str]) -> Remembered | None:
    row = session.get(m.Meta, _key(kind, headers))
    if row is None:
        return None
    try:
        data: dict[str, Any] = json.loads(row.value)
        columns = {str(k): str(v) for k, v in dict(data["columns"]).items() if k in headers}
        orders: dict[str, DateOrder] = {"dmy": "dmy", "mdy": "mdy", "ymd": "ymd"}
        reading = Reading(
            date_order=orders.get(str(data.get("date_order"))),
            date_format=data.get("date_format") or None,
            decimals="," if data.get("decimals") == "," else ".",
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # a damaged entry is as good as none
    return Remembered(columns, reading)
