"""An index on ``conversations.updated_at``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05

The supervisors' live view (``GET /api/conversations/live``) asks for the conversations that
moved in the last minutes, newest first. Without an index every request reads and sorts every
conversation ever held, and that table grows with every citizen who writes.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_index("ix_conversations_updated_at", "conversations", ["updated_at"])


def downgrade() -> None:
    """Undo this migration."""
    op.drop_index("ix_conversations_updated_at", table_name="conversations")
