"""The handoff tables, in the gateway's database beside ``conversations`` and ``messages``.

Made and changed by the gateway's migrations (``banshi/migrations``), like the core's; the
definitions here are what the code reads and writes, and what a new migration is generated
against. The audit log is append-only in the database itself: triggers that the first migration
creates refuse UPDATE and DELETE (SQLite and PostgreSQL).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from conversation.store import conversations

metadata = MetaData()


def _when(name: str, *, nullable: bool = False) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable)


staff = Table(
    "staff",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("district", String(64), nullable=False, default=""),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    _when("created_at"),
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    _when("created_at"),
    _when("expires_at"),
    _when("last_seen_at"),
    _when("ended_at", nullable=True),
    Index("ix_staff_sessions_seen", "last_seen_at"),
)

handoffs = Table(
    "handoffs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "conversation_id", String(64), ForeignKey(conversations.c.id), nullable=False, index=True
    ),
    Column("status", String(16), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("priority", String(8), nullable=False, default="normal"),
    Column("citizen_age", Integer, nullable=True),
    Column("district", String(64), nullable=False, default=""),
    Column("channel", String(16), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Column("collected", Text, nullable=False, default="{}"),
    Column("accessibility", Text, nullable=False, default="{}"),
    Column("assigned_to", Integer, ForeignKey("staff.id"), nullable=True),
    _when("created_at"),
    _when("claimed_at", nullable=True),
    _when("ended_at", nullable=True),
    Column("outcome", String(32), nullable=True),
    Column("summary", Text, nullable=True),
    Column("callback_state", String(16), nullable=False, default="none"),
    Column("callback_phone", String(32), nullable=True),
    _when("callback_offered_at", nullable=True),
    _when("last_notice_at", nullable=True),
    Column("last_position", Integer, nullable=True),
    Index("ix_handoffs_status_created", "status", "created_at"),
    # At most one open handoff per conversation, whoever asks for it at the same moment.
    Index(
        "ux_handoffs_open_conversation",
        "conversation_id",
        unique=True,
        sqlite_where=text("status != 'closed'"),
        postgresql_where=text("status != 'closed'"),
    ),
)

notes = Table(
    "handoff_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("handoff_id", String(32), ForeignKey("handoffs.id"), nullable=False, index=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("text", Text, nullable=False),
    _when("created_at"),
)

callbacks = Table(
    "callbacks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("handoff_id", String(32), ForeignKey("handoffs.id"), nullable=False),
    Column("conversation_id", String(64), nullable=False),
    Column("phone", String(32), nullable=False),
    Column("district", String(64), nullable=False, default=""),
    Column("reason", String(32), nullable=False),
    Column("status", String(16), nullable=False, default="open"),
    _when("created_at"),
    _when("due_at"),
    _when("done_at", nullable=True),
    Column("done_by", Integer, ForeignKey("staff.id"), nullable=True),
    Column("outcome", String(32), nullable=True),
    Index("ix_callbacks_status", "status", "due_at"),
)

proxy_cases = Table(
    "proxy_cases",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("handoff_id", String(32), ForeignKey("handoffs.id"), nullable=False),
    Column("conversation_id", String(64), nullable=False, index=True),
    Column("service_code", String(32), nullable=False),
    Column("status", String(24), nullable=False),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("consent_prompt_seq", Integer, nullable=True),
    Column("consent_seq", Integer, nullable=True),
    Column("consent_method", String(16), nullable=True),
    Column("consent_text", Text, nullable=True),
    _when("consent_at", nullable=True),
    Column("platform_authorization_id", String(64), nullable=True),
    Column("platform_note", Text, nullable=True),
    Column("result", Text, nullable=True),
    _when("created_at"),
    _when("updated_at"),
)

proxy_case_events = Table(
    "proxy_case_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(32), ForeignKey("proxy_cases.id"), nullable=False, index=True),
    Column("actor", String(64), nullable=False),
    Column("event", String(32), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    _when("at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _when("at"),
    Column("actor_kind", String(16), nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("actor_name", String(64), nullable=False, default=""),
    Column("action", String(48), nullable=False),
    Column("target_kind", String(24), nullable=False, default=""),
    Column("target_id", String(64), nullable=False, default=""),
    Column("detail", Text, nullable=False, default="{}"),
    Column("client", String(64), nullable=False, default=""),
    Index("ix_audit_log_target", "target_kind", "target_id"),
)
