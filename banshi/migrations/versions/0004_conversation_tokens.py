"""Conversation tokens and turns with a client message id.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05

A conversation started over HTTP belongs to whoever holds its token: ``conversations.token_hash``
keeps the SHA-256 of the token the gateway issued (never the token). Conversations bound to a
connection, a call or an account on the server side (kiosk, phone, WeChat) have none.

``turns`` remembers each user turn sent with a client message id and the answer it got, so a
retried turn returns the first answer and is never handled twice.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("token_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "turns",
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"]),
        sa.PrimaryKeyConstraint("conversation_id", "message_id"),
    )


def downgrade() -> None:
    """Undo this migration."""
    op.drop_table("turns")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("token_hash")
