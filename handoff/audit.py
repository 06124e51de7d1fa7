"""The append-only audit log: every view of personal data and every staff action, who and when.

This class can only append and read; the database refuses UPDATE and DELETE on the table
(triggers made by the gateway's first migration, ``banshi/migrations``). Details never carry raw
personal data: callers pass masked values or identifiers only.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from handoff.clock import Clock, as_utc, iso, utc_now
from handoff.models import Staff
from handoff.tables import audit_log

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """Who did something: a staff member, a calling service, the system itself, a citizen."""

    kind: str
    id: str
    name: str = ""
    client: str = ""

    @classmethod
    def of(cls, staff: Staff, client: str = "") -> Actor:
        """The actor for a logged-in staff member."""
        return cls("staff", str(staff.id), staff.username, client)


ACTION_ZH: dict[str, str] = {
    "staff.login": "登录",
    "staff.login_failed": "登录失败",
    "staff.login_locked": "登录被暂时锁定",
    "staff.logout": "退出登录",
    "staff.disable": "停用工作人员账号",
    "handoff.create": "转人工请求",
    "handoff.claim": "接入会话",
    "handoff.claim_lost": "接入晚了一步（同事已接入）",
    "handoff.message": "回复市民",
    "handoff.note": "写备注",
    "handoff.transfer": "转交同事",
    "handoff.reassign": "主管改派",
    "handoff.route": "主管分配区域",
    "handoff.release": "交还小助手",
    "handoff.close": "结束会话",
    "handoff.cancel": "市民取消等待",
    "handoff.requeue": "放回队列",
    "handoff.reveal": "查看完整信息（转人工）",
    "handoff.reveal_refused": "查看完整信息被拒绝（转人工）",
    "transcript.view": "查看对话记录",
    "transcript.reveal": "查看完整对话记录",
    "transcript.reveal_refused": "查看完整对话记录被拒绝",
    "conversation.step_in": "主管介入会话",
    "callback.create": "登记回电",
    "callback.reveal": "查看回电号码",
    "callback.reveal_refused": "查看回电号码被拒绝",
    "callback.done": "完成回电",
    "proxy.create": "发起代办",
    "proxy.consent": "市民同意代办",
    "proxy.decline": "市民不同意代办",
    "proxy.authorize": "核验身份并授权代办",
    "proxy.authorize_failed": "代办授权没有成功",
    "proxy.complete": "代办办好",
    "proxy.cancel": "取消代办",
    "proxy.view": "查看代办",
    "dashboard.view": "查看看板",
    "audit.view": "查看审计记录",
}
"""Every action the log records, as a supervisor reads it."""


def action_zh(action: str) -> str:
    """The action in Chinese (an action not listed shows as itself)."""
    return ACTION_ZH.get(action, action)


SYSTEM = Actor("system", "gateway", "system")
SERVICE = Actor("service", "actions", "action server")


@dataclass
class AuditEntry:
    """One line of the audit log."""

    id: int
    at: datetime
    actor: Actor
    action: str
    target_kind: str
    target_id: str
    detail: dict[str, Any]

    def public(self) -> dict[str, Any]:
        """The entry as the API shows it."""
        return {
            "id": self.id,
            "at": iso(self.at),
            "actor": {"kind": self.actor.kind, "id": self.actor.id, "name": self.actor.name},
            "client": self.actor.client,
            "action": self.action,
            "action_zh": action_zh(self.action),
            "target": {"kind": self.target_kind, "id": self.target_id},
            "detail": self.detail,
        }


class AuditLog:
    """Appends to and reads the audit log."""

    def __init__(self, engine: AsyncEngine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self.clock = clock

    async def append(
        self,
        actor: Actor,
        action: str,
        target_kind: str = "",
        target_id: str = "",
        detail: dict[str, Any] | None = None,
        *,
        connection: AsyncConnection | None = None,
    ) -> None:
        """Record ``actor`` doing ``action`` on a target (in ``connection``'s transaction if
        given, so that the action and its record commit together)."""
        values = {
            "at": self.clock(),
            "actor_kind": actor.kind,
            "actor_id": actor.id,
            "actor_name": actor.name,
            "action": action,
            "target_kind": target_kind,
            "target_id": target_id,
            "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
            "client": actor.client[:64],
        }
        if connection is not None:
            await connection.execute(insert(audit_log).values(**values))
        else:
            async with self._engine.begin() as own:
                await own.execute(insert(audit_log).values(**values))
        logger.info(
            "handoff.audit action=%s actor=%s:%s target=%s:%s",
            action,
            actor.kind,
            actor.id,
            target_kind,
            target_id,
        )

    async def entries(
        self,
        *,
        target_kind: str | None = None,
        target_id: str | None = None,
        action: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before: int | None = None,
        limit: int = 200,
    ) -> list[AuditEntry]:
        """The newest entries first, optionally for one target, action or actor (a name or an
        id), from ``since`` and before ``until``; ``before``: only entries older than that
        entry id (the next page)."""
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if target_kind:
            query = query.where(audit_log.c.target_kind == target_kind)
        if target_id:
            query = query.where(audit_log.c.target_id == target_id)
        if action:
            query = query.where(audit_log.c.action == action)
        if actor:
            query = query.where(or_(audit_log.c.actor_name == actor, audit_log.c.actor_id == actor))
        if since is not None:
            query = query.where(audit_log.c.at >= since)
        if until is not None:
            query = query.where(audit_log.c.at < until)
        if before is not None:
            query = query.where(audit_log.c.id < before)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [
            AuditEntry(
                row.id,
                as_utc(row.at) or self.clock(),
                Actor(row.actor_kind, row.actor_id, row.actor_name, row.client),
                row.action,
                row.target_kind,
                row.target_id,
                json.loads(row.detail or "{}"),
            )
            for row in rows
        ]
