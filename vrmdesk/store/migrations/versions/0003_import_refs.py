"""import refs: which record a row of an imported file became

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_refs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=200), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_refs")),
        sa.UniqueConstraint("source", "kind", "ref", name="uq_import_refs_source_kind_ref"),
    )
    with op.batch_alter_table("import_refs", schema=None) as batch_op:
        batch_op.create_index("ix_import_refs_local", ["kind", "record_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("import_refs", schema=None) as batch_op:
        batch_op.drop_index("ix_import_refs_local")
    op.drop_table("import_refs")
