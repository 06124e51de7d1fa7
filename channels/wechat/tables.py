"""The WeChat channel's table in the gateway's database: which conversation an OpenID is in.

Made by the gateway's migrations (revision ``0005``); ``banshi.migrate`` compares the database
with this metadata.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table, Text

metadata = MetaData()

wechat_conversations = Table(
    "wechat_conversations",
    metadata,
    # SHA-256 of app id + OpenID: the key, and what logs and the dialogue see.
    Column("openid_hash", String(64), primary_key=True),
    # The OpenID itself, only to send to it (staff replies, late answers); never logged.
    Column("openid", String(128), nullable=False),
    Column("conversation_id", String(64), nullable=True),
    Column("last_active_at", DateTime(timezone=True), nullable=False),
    # The numbered options of the last answer (JSON list of payloads): "1" chooses the first.
    Column("options", Text, nullable=True),
    Index("ix_wechat_conversations_conversation_id", "conversation_id"),
)
