"""Authorizations an agent holds, and what a verification code is for.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05

``proxy_authorizations.client_id``: the calling system that recorded the authorization; an
agent's authorizations are listed (and given up) only through that system
(``GET /v1/agent-authorizations``, platform_client/CONTRACT.md). Authorizations recorded
before this revision have none and are listed to no one. ``verifications.purpose``: a code
sent for a proxy binding says so in its SMS text.
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
    with op.batch_alter_table("proxy_authorizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_id", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_proxy_authorizations_agent"),
            ["client_id", "agent_kind", "agent_id"],
            unique=False,
        )
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purpose", sa.String(length=20), nullable=True))


def downgrade() -> None:
    """Revert this migration."""
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.drop_column("purpose")
    with op.batch_alter_table("proxy_authorizations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proxy_authorizations_agent"))
        batch_op.drop_column("client_id")
