"""The dataset's seed and day (``dataset_info``): the data is laid out around a day.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05

A database written before this revision has no record of its day: the sandbox lays its data
out anew at the next start (:func:`platform_sandbox.seed.seed_if_stale`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this migration."""
    op.create_table(
        "dataset_info",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("today", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_info")),
    )


def downgrade() -> None:
    """Revert this migration."""
    op.drop_table("dataset_info")
