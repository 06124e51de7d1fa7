"""The action server's citizen sessions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05

The platform's citizen token of a conversation is kept here by the action server
(:mod:`actions.sessions`), keyed by the conversation, with its expiry, instead of in Rasa's
tracker store. Every action server replica reaches the same table.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "citizen_sessions",
        sa.Column("sender_id", sa.String(length=64), nullable=False),
        sa.Column("citizen_token", sa.String(length=256), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sender_id"),
    )
    op.create_index("ix_citizen_sessions_expires_at", "citizen_sessions", ["expires_at"])


def downgrade() -> None:
    """Undo this migration."""
    op.drop_index("ix_citizen_sessions_expires_at", table_name="citizen_sessions")
    op.drop_table("citizen_sessions")
