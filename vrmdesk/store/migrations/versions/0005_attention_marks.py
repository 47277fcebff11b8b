"""attention marks: the home page's items acknowledged or snoozed

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attention_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("section", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("about", sa.String(length=500), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attention_marks")),
        sa.UniqueConstraint(
            "section", "kind", "record_id", name="uq_attention_marks_section_kind_record"
        ),
    )


def downgrade() -> None:
    op.drop_table("attention_marks")
