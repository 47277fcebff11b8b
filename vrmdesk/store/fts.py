"""The full-text index: one SQLite FTS5 table over every kind of record, kept in step by triggers.

Each record owns exactly one row of ``search_index`` whose rowid is ``id * 16 + kind_code``, so a
trigger finds and replaces it without a scan. The DDL lives here because both the migrations
and the benchmark's plain-SQLite twin create it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from vrmdesk.store import models as m

ROWID_SPAN = 16

#: table -> (kind class, SQL expression for the title, SQL expression for the body)
INDEXED: dict[str, tuple[type[m.Record], str, str]] = {
    "vendors": (m.Vendor, "name", "concat_ws(' ', website, notes)"),
    "contacts": (m.Contact, "name", "concat_ws(' ', role, email, phone, notes)"),
    "channels": (m.Channel, "value", "label"),
    "accounts": (m.Account, "number", "label"),
    "assets": (
        m.Asset,
        "name",
        "concat_ws(' ', category, model, serial_number, order_number, location, notes)",
    ),
    "warranties": (m.Warranty, "title", "concat_ws(' ', how_to_claim, notes)"),
    "registrations": (m.Registration, "registration_ref", "data_given"),
    "service_events": (m.ServiceEvent, "performed_by", "description"),
    "tickets": (m.Ticket, "title", "concat_ws(' ', reference, notes)"),
    "interactions": (m.Interaction, "subject", "body"),
    "offers": (m.Offer, "''", "content"),
    "agreements": (m.Agreement, "title", "notes"),
    "attachments": (m.Attachment, "name", "media_type"),
}

CREATE_INDEX = (
    "CREATE VIRTUAL TABLE search_index USING fts5("
    "kind UNINDEXED, title, body, tokenize = 'unicode61 remove_diacritics 2', "
    # prefix indexes: the search box matches the last word as a prefix while one types
    "prefix = '2 3')"
)
DROP_INDEX = "DROP TABLE IF EXISTS search_index"


def trigger_statements() -> Iterator[str]:
    """CREATE TRIGGER statements that keep ``search_index`` in step with every table."""
    for table, (cls, title, body) in INDEXED.items():
        code = cls.kind_code
        new_row = f"new.id * {ROWID_SPAN} + {code}"
        old_row = f"old.id * {ROWID_SPAN} + {code}"
        values = (
            f"({new_row}, '{cls.kind}', "
            f"coalesce((SELECT {title} FROM {table} WHERE id = new.id), ''), "
            f"coalesce((SELECT {body} FROM {table} WHERE id = new.id), ''))"
        )
        insert = f"INSERT INTO search_index(rowid, kind, title, body) VALUES {values};"
        yield (f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN {insert} END")
        yield (
            f"CREATE TRIGGER {table}_fts_update AFTER UPDATE ON {table} BEGIN "
            f"DELETE FROM search_index WHERE rowid = {old_row}; {insert} END"
        )
        yield (
            f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN "
            f"DELETE FROM search_index WHERE rowid = {old_row}; END"
        )


def drop_trigger_statements() -> Iterator[str]:
    for table in INDEXED:
        for event in ("insert", "update", "delete"):
            yield f"DROP TRIGGER IF EXISTS {table}_fts_{event}"


def create_all(execute: Callable[[str], object]) -> None:
    """Create the index and its triggers through ``execute(sql)``."""
    execute(CREATE_INDEX)
    for statement in trigger_statements():
        execute(statement)


def rebuild(execute: Callable[[str], object]) -> None:
    """Fill the index from the tables (after a bulk load with triggers off)."""
    execute("DELETE FROM search_index")
    for table, (cls, title, body) in INDEXED.items():
        execute(
            f"INSERT INTO search_index(rowid, kind, title, body) "
            f"SELECT id * {ROWID_SPAN} + {cls.kind_code}, '{cls.kind}', "
            f"coalesce({title}, ''), coalesce({body}, '') FROM {table}"
        )
