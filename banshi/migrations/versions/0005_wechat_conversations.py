"""The WeChat channel's conversation per OpenID.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05

``wechat_conversations`` binds each follower of the Official Account (by the SHA-256 of app id +
OpenID) to its current conversation, with the time of its last message (a long pause starts a
new conversation) and the numbered options of the last answer.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "wechat_conversations",
        sa.Column("openid_hash", sa.String(length=64), nullable=False),
        sa.Column("openid", sa.String(length=128), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=True),
        sa.Column("last_active_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("options", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("openid_hash"),
    )
    op.create_index(
        "ix_wechat_conversations_conversation_id",
        "wechat_conversations",
        ["conversation_id"],
    )


def downgrade() -> None:
    """Undo this migration."""
    op.drop_index("ix_wechat_conversations_conversation_id", table_name="wechat_conversations")
    op.drop_table("wechat_conversations")
