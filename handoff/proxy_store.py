"""Proxy cases (代办) and their history in the gateway's database."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from handoff.clock import Clock, as_utc, iso, utc_now
from handoff.models import ProxyCase, ProxyStatus
from handoff.tables import proxy_case_events, proxy_cases


def _case(row: Any) -> ProxyCase:
    return ProxyCase(
        id=row.id,
        handoff_id=row.handoff_id,
        conversation_id=row.conversation_id,
        service_code=row.service_code,
        status=ProxyStatus(row.status),
        staff_id=row.staff_id,
        created_at=as_utc(row.created_at) or utc_now(),
        updated_at=as_utc(row.updated_at) or utc_now(),
        consent_prompt_seq=row.consent_prompt_seq,
        consent_seq=row.consent_seq,
        consent_method=row.consent_method,
        consent_text=row.consent_text,
        consent_at=as_utc(row.consent_at),
        platform_authorization_id=row.platform_authorization_id,
        platform_note=row.platform_note,
        result=row.result,
    )


class ProxyStore:
    """Reads and writes proxy cases; every change also appends to the case's history."""

    def __init__(self, engine: AsyncEngine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self.clock = clock

    async def _event(
        self, connection: AsyncConnection, case_id: str, actor: str, event: str, detail: str = ""
    ) -> None:
        await connection.execute(
            insert(proxy_case_events).values(
                case_id=case_id, actor=actor, event=event, detail=detail, at=self.clock()
            )
        )

    async def create(
        self, *, handoff_id: str, conversation_id: str, service_code: str, staff_id: int, actor: str
    ) -> ProxyCase:
        """A new case waiting for the citizen's consent."""
        case_id = uuid.uuid4().hex
        now = self.clock()
        async with self._engine.begin() as connection:
            await connection.execute(
                insert(proxy_cases).values(
                    id=case_id,
                    handoff_id=handoff_id,
                    conversation_id=conversation_id,
                    service_code=service_code,
                    status=ProxyStatus.AWAITING_CONSENT.value,
                    staff_id=staff_id,
                    created_at=now,
                    updated_at=now,
                )
            )
            await self._event(connection, case_id, actor, "created", service_code)
        case = await self.get(case_id)
        assert case is not None
        return case

    async def get(self, case_id: str) -> ProxyCase | None:
        """One case with its history."""
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(select(proxy_cases).where(proxy_cases.c.id == case_id))
            ).first()
            if row is None:
                return None
            events = (
                await connection.execute(
                    select(proxy_case_events)
                    .where(proxy_case_events.c.case_id == case_id)
                    .order_by(proxy_case_events.c.id)
                )
            ).all()
        case = _case(row)
        case.history = [
            {"at": iso(e.at), "actor": e.actor, "event": e.event, "detail": e.detail}
            for e in events
        ]
        return case

    async def for_conversation(self, conversation_id: str) -> list[ProxyCase]:
        """The conversation's cases, oldest first (without history)."""
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(proxy_cases)
                    .where(proxy_cases.c.conversation_id == conversation_id)
                    .order_by(proxy_cases.c.created_at)
                )
            ).all()
        return [_case(row) for row in rows]

    async def set_prompt(self, case_id: str, seq: int) -> None:
        """Remember which message asked for consent."""
        async with self._engine.begin() as connection:
            await connection.execute(
                update(proxy_cases)
                .where(proxy_cases.c.id == case_id)
                .values(consent_prompt_seq=seq)
            )

    async def move(
        self,
        case_id: str,
        *,
        expect: tuple[ProxyStatus, ...],
        to: ProxyStatus,
        actor: str,
        event: str,
        detail: str = "",
        **values: Any,
    ) -> bool:
        """Compare-and-set the case's status (with extra column ``values``) and log it."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(proxy_cases)
                .where(
                    proxy_cases.c.id == case_id,
                    proxy_cases.c.status.in_([s.value for s in expect]),
                )
                .values(status=to.value, updated_at=self.clock(), **values)
            )
            if result.rowcount != 1:
                return False
            await self._event(connection, case_id, actor, event, detail)
        return True

    async def log(self, case_id: str, actor: str, event: str, detail: str = "") -> None:
        """Add a history line without changing the status."""
        async with self._engine.begin() as connection:
            await self._event(connection, case_id, actor, event, detail)


def case_json(case: ProxyCase, service_name: str) -> dict[str, Any]:
    """A case as the console shows it."""
    return {
        "id": case.id,
        "handoff_id": case.handoff_id,
        "conversation_id": case.conversation_id,
        "service_code": case.service_code,
        "service_name": service_name,
        "status": case.status.value,
        "created_at": iso(case.created_at),
        "consent": (
            {
                "method": case.consent_method,
                "text": case.consent_text,
                "at": iso(case.consent_at),
                "message_seq": case.consent_seq,
                "prompt_seq": case.consent_prompt_seq,
            }
            if case.consent_at
            else None
        ),
        "platform_authorization_id": case.platform_authorization_id,
        "platform_note": case.platform_note,
        "result": case.result,
        "history": case.history,
    }


def dumps(value: Any) -> str:
    """JSON for history details."""
    return json.dumps(value, ensure_ascii=False)
