"""record identity and the change log: a gid (UUIDv7) on every synced record, sync_log, sync_fields

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

``gid`` is added with ALTER TABLE ADD COLUMN (no table is rebuilt, so the full-text triggers
stay), NOT NULL with an empty server default, then every existing row is given its own UUIDv7
before the unique index is made. The vault's device id (32 hex, vault_meta ``sync.device``) is
made by the change log on its first write (not here: a repair copies vault_meta into a schema
made by these migrations, and must not meet a second one).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vrmdesk.store.gid import new_gid

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "vendors",
    "contacts",
    "channels",
    "accounts",
    "assets",
    "warranties",
    "registrations",
    "service_events",
    "tickets",
    "interactions",
    "offers",
    "agreements",
    "attachments",
    "unsorted_mail",
    "tags",
    "taggings",
)


def upgrade() -> None:
    conn = op.get_bind()
    for table in TABLES:
        op.add_column(
            table, sa.Column("gid", sa.String(length=36), nullable=False, server_default="")
        )
        ids = [row[0] for row in conn.execute(sa.text(f'SELECT id FROM "{table}" ORDER BY id'))]
        if ids:
            conn.execute(
                sa.text(f'UPDATE "{table}" SET gid = :gid WHERE id = :id'),
                [{"gid": new_gid(), "id": i} for i in ids],
            )
        op.create_index(f"ix_{table}_gid", table, ["gid"], unique=True)
    op.create_table(
        "sync_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hlc", sa.String(length=60), nullable=False),
        sa.Column("device", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("gid", sa.String(length=36), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("base", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_log")),
        sa.UniqueConstraint("device", "seq", name="uq_sync_log_device_seq"),
    )
    op.create_index("ix_sync_log_gid", "sync_log", ["gid", "hlc"], unique=False)
    op.create_index(op.f("ix_sync_log_hlc"), "sync_log", ["hlc"], unique=False)
    op.create_table(
        "sync_fields",
        sa.Column("gid", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("hlc", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("gid", "field", name=op.f("pk_sync_fields")),
    )


def downgrade() -> None:
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM vault_meta WHERE key LIKE 'sync.%'"))
    op.drop_table("sync_fields")
    op.drop_index(op.f("ix_sync_log_hlc"), table_name="sync_log")
    op.drop_index("ix_sync_log_gid", table_name="sync_log")
    op.drop_table("sync_log")
    for table in reversed(TABLES):
        op.drop_index(f"ix_{table}_gid", table_name=table)
        op.drop_column(table, "gid")
