"""quote requests: one request for quotes sent to several vendors, and the quotes they sign

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quote_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("constraints", sa.JSON(), nullable=False),
        sa.Column("budget_minor", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("wanted_by", sa.Date(), nullable=True),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("asset_ids", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("accepted_quote_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_requests")),
        sa.UniqueConstraint("uid", name=op.f("uq_quote_requests_uid")),
    )
    op.create_index(op.f("ix_quote_requests_state"), "quote_requests", ["state"], unique=False)
    op.create_table(
        "quote_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("bundle_id", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["quote_requests.id"],
            name=op.f("fk_quote_recipients_request_id_quote_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendors.id"],
            name=op.f("fk_quote_recipients_vendor_id_vendors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_recipients")),
        sa.UniqueConstraint("bundle_id", name=op.f("uq_quote_recipients_bundle_id")),
        sa.UniqueConstraint("request_id", "vendor_id", name=op.f("uq_quote_recipients_request_id")),
    )
    op.create_index(
        op.f("ix_quote_recipients_request_id"), "quote_recipients", ["request_id"], unique=False
    )
    op.create_index(
        op.f("ix_quote_recipients_vendor_id"), "quote_recipients", ["vendor_id"], unique=False
    )
    op.create_table(
        "quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("price_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("bundle_id", sa.String(length=64), nullable=False),
        sa.Column("uid", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["quote_requests.id"],
            name=op.f("fk_quotes_request_id_quote_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendors.id"],
            name=op.f("fk_quotes_vendor_id_vendors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotes")),
        sa.UniqueConstraint("uid", name=op.f("uq_quotes_uid")),
    )
    op.create_index(op.f("ix_quotes_bundle_id"), "quotes", ["bundle_id"], unique=False)
    op.create_index(op.f("ix_quotes_request_id"), "quotes", ["request_id"], unique=False)
    op.create_index(op.f("ix_quotes_vendor_id"), "quotes", ["vendor_id"], unique=False)


def downgrade() -> None:
    op.drop_table("quotes")
    op.drop_table("quote_recipients")
    op.drop_index(op.f("ix_quote_requests_state"), table_name="quote_requests")
    op.drop_table("quote_requests")
