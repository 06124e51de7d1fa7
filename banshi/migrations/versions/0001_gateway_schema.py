"""The gateway's schema as ``create_all`` made it before the migrations (first migration).

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-05

Every table of the conversation core (``conversations``, ``conversation_settings``,
``messages``) and of the staff desk (staff and their sessions, handoffs, notes, call-backs,
proxy cases and their events, the audit log), with their indexes and constraints, and the
triggers that make the audit log append-only. The gateway's tables have no server defaults
(every default is given by the code that inserts).

A database made by ``create_all`` is adopted by ``banshi.migrate``: this revision then runs with
the tables it already has left alone (``pre_alembic_tables``), creating only the missing ones,
as ``create_all`` did.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import context, op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)
APPEND_ONLY_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
)


def _when(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _conversations() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id"),
    )


def _conversation_settings() -> None:
    op.create_table(
        "conversation_settings",
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"]),
        sa.PrimaryKeyConstraint("conversation_id", "key"),
    )


def _messages() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("party", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        _when("created_at"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_messages_conversation_id_id", "messages", ["conversation_id", "id"])


def _audit_log() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _when("at"),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=False),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("target_kind", sa.String(length=24), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_log_target", "audit_log", ["target_kind", "target_id"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in APPEND_ONLY_SQLITE:
            op.execute(statement)
    elif dialect == "postgresql":
        for statement in APPEND_ONLY_POSTGRESQL:
            op.execute(statement)


def _staff() -> None:
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )


def _handoffs() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("citizen_age", sa.Integer(), nullable=True),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("collected", sa.Text(), nullable=False),
        sa.Column("accessibility", sa.Text(), nullable=False),
        sa.Column("assigned_to", sa.Integer(), nullable=True),
        _when("created_at"),
        _when("claimed_at", nullable=True),
        _when("ended_at", nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("callback_state", sa.String(length=16), nullable=False),
        sa.Column("callback_phone", sa.String(length=32), nullable=True),
        _when("callback_offered_at", nullable=True),
        _when("last_notice_at", nullable=True),
        sa.Column("last_position", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"]),
        sa.ForeignKeyConstraint(["assigned_to"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handoffs_conversation_id", "handoffs", ["conversation_id"])
    op.create_index("ix_handoffs_status_created", "handoffs", ["status", "created_at"])
    # At most one open handoff per conversation.
    op.create_index(
        "ux_handoffs_open_conversation",
        "handoffs",
        ["conversation_id"],
        unique=True,
        sqlite_where=sa.text("status != 'closed'"),
        postgresql_where=sa.text("status != 'closed'"),
    )


def _staff_sessions() -> None:
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        _when("created_at"),
        _when("expires_at"),
        _when("last_seen_at"),
        _when("ended_at", nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_staff_sessions_seen", "staff_sessions", ["last_seen_at"])


def _handoff_notes() -> None:
    op.create_table(
        "handoff_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("handoff_id", sa.String(length=32), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _when("created_at"),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handoff_notes_handoff_id", "handoff_notes", ["handoff_id"])


def _callbacks() -> None:
    op.create_table(
        "callbacks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("handoff_id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("district", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _when("created_at"),
        _when("due_at"),
        _when("done_at", nullable=True),
        sa.Column("done_by", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"]),
        sa.ForeignKeyConstraint(["done_by"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_callbacks_status", "callbacks", ["status", "due_at"])


def _proxy_cases() -> None:
    op.create_table(
        "proxy_cases",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("handoff_id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("service_code", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("consent_prompt_seq", sa.Integer(), nullable=True),
        sa.Column("consent_seq", sa.Integer(), nullable=True),
        sa.Column("consent_method", sa.String(length=16), nullable=True),
        sa.Column("consent_text", sa.Text(), nullable=True),
        _when("consent_at", nullable=True),
        sa.Column("platform_authorization_id", sa.String(length=64), nullable=True),
        sa.Column("platform_note", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_proxy_cases_conversation_id", "proxy_cases", ["conversation_id"])


def _proxy_case_events() -> None:
    op.create_table(
        "proxy_case_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        _when("at"),
        sa.ForeignKeyConstraint(["case_id"], ["proxy_cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_proxy_case_events_case_id", "proxy_case_events", ["case_id"])


TABLES: tuple[tuple[str, Callable[[], None]], ...] = (
    ("conversations", _conversations),
    ("conversation_settings", _conversation_settings),
    ("messages", _messages),
    ("audit_log", _audit_log),
    ("staff", _staff),
    ("handoffs", _handoffs),
    ("staff_sessions", _staff_sessions),
    ("handoff_notes", _handoff_notes),
    ("callbacks", _callbacks),
    ("proxy_cases", _proxy_cases),
    ("proxy_case_events", _proxy_case_events),
)
"""Every table with the function that creates it (and its indexes), referenced tables first."""


def upgrade() -> None:
    """Apply this migration."""
    existing = context.config.attributes.get("pre_alembic_tables", frozenset())
    for name, create in TABLES:
        if name not in existing:
            create()


def downgrade() -> None:
    """Undo this migration (every table, with its data; the triggers go with ``audit_log``)."""
    for name, _create in reversed(TABLES):
        op.drop_table(name)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
