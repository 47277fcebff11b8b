"""terms agreements: the MyTerms (IEEE 7012) agreements proffered to vendors, and their answers

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "terms_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.String(length=64), nullable=False),
        sa.Column("agreement_version", sa.String(length=32), nullable=False),
        sa.Column("agreement_title", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("alternative_id", sa.String(length=64), nullable=True),
        sa.Column("proffered_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("proffer_bundle_id", sa.String(length=64), nullable=False),
        sa.Column("answer_bundle_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendors.id"],
            name=op.f("fk_terms_agreements_vendor_id_vendors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terms_agreements")),
        sa.UniqueConstraint("proffer_bundle_id", name=op.f("uq_terms_agreements_proffer_bundle_id")),
    )
    op.create_index(
        op.f("ix_terms_agreements_vendor_id"), "terms_agreements", ["vendor_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_terms_agreements_vendor_id"), table_name="terms_agreements")
    op.drop_table("terms_agreements")
