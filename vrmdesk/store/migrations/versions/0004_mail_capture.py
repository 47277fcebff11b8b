"""mail capture: message ids on interactions and offers, unsorted mail, accounts, senders

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

The new columns of interactions, offers and vendors are added with ALTER TABLE ADD COLUMN (no
table is rebuilt, so the full-text triggers stay); ``server_default`` fills the rows there are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from vrmdesk.store import fts

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIRECTION = sa.Enum(
    "inbound", "outbound", name="direction", native_enum=False, create_constraint=True, length=24
)


def upgrade() -> None:
    op.create_table(
        "mail_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(length=320), nullable=False),
        sa.Column("folders", sa.JSON(), nullable=False),
        sa.Column("starttls", sa.Boolean(), nullable=False),
        sa.Column("trusted_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("password", sa.Text(), nullable=False),
        sa.Column("use_keyring", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_accounts")),
        sa.UniqueConstraint("host", "user", name="uq_mail_accounts_host_user"),
    )
    op.create_table(
        "unsorted_mail",
        sa.Column("message_id", sa.String(length=500), nullable=False),
        sa.Column("in_reply_to", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("direction", DIRECTION, nullable=False),
        sa.Column("correspondent", sa.String(length=320), nullable=False),
        sa.Column("correspondent_name", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("capture_notes", sa.Text(), nullable=False),
        sa.Column("bulk", sa.Boolean(), nullable=False),
        sa.Column("dismissed", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unsorted_mail")),
        sa.UniqueConstraint("message_id", name=op.f("uq_unsorted_mail_message_id")),
    )
    with op.batch_alter_table("unsorted_mail", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unsorted_mail_correspondent"), ["correspondent"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_unsorted_mail_dismissed"), ["dismissed"], unique=False)

    op.create_table(
        "mail_folder_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("folder", sa.String(length=500), nullable=False),
        sa.Column("uidvalidity", sa.Integer(), nullable=False),
        sa.Column("last_uid", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["mail_accounts.id"],
            name=op.f("fk_mail_folder_states_account_id_mail_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_folder_states")),
        sa.UniqueConstraint("account_id", "folder", name="uq_mail_folder_states_account_folder"),
    )
    op.create_table(
        "mail_senders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320, collation="NOCASE"), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=True),
        sa.Column("offer", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendors.id"],
            name=op.f("fk_mail_senders_vendor_id_vendors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_senders")),
        sa.UniqueConstraint("address", name=op.f("uq_mail_senders_address")),
    )
    with op.batch_alter_table("mail_senders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_senders_vendor_id"), ["vendor_id"], unique=False)

    # plain ALTER TABLE (op, not batch): the tables keep their full-text triggers
    op.add_column("interactions", sa.Column("message_id", sa.String(length=500), nullable=True))
    op.add_column(
        "interactions", sa.Column("in_reply_to", sa.Text(), nullable=False, server_default="")
    )
    op.add_column(
        "interactions",
        sa.Column("correspondent", sa.String(length=320), nullable=False, server_default=""),
    )
    op.add_column(
        "interactions",
        sa.Column("capture_notes", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index(
        op.f("ix_interactions_message_id"), "interactions", ["message_id"], unique=True
    )
    op.add_column("offers", sa.Column("message_id", sa.String(length=500), nullable=True))
    op.add_column(
        "offers",
        sa.Column("correspondent", sa.String(length=320), nullable=False, server_default=""),
    )
    op.create_index(op.f("ix_offers_message_id"), "offers", ["message_id"], unique=True)
    op.add_column(
        "vendors",
        sa.Column(
            "case_reference_pattern", sa.String(length=500), nullable=False, server_default=""
        ),
    )


def downgrade() -> None:
    # dropping a column rebuilds the table, and its triggers with it: made again afterwards
    for statement in fts.drop_trigger_statements():
        op.execute(statement)
    with op.batch_alter_table("vendors", schema=None) as batch_op:
        batch_op.drop_column("case_reference_pattern")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offers_message_id"))
        batch_op.drop_column("correspondent")
        batch_op.drop_column("message_id")
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interactions_message_id"))
        batch_op.drop_column("capture_notes")
        batch_op.drop_column("correspondent")
        batch_op.drop_column("in_reply_to")
        batch_op.drop_column("message_id")
    for statement in fts.trigger_statements():
        op.execute(statement)
    with op.batch_alter_table("mail_senders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_senders_vendor_id"))
    op.drop_table("mail_senders")
    op.drop_table("mail_folder_states")
    with op.batch_alter_table("unsorted_mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unsorted_mail_dismissed"))
        batch_op.drop_index(batch_op.f("ix_unsorted_mail_correspondent"))
    op.drop_table("unsorted_mail")
    op.drop_table("mail_accounts")
