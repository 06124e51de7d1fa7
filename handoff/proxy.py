"""Proxy cases (代办): staff do a service for the citizen, with the citizen's recorded consent.

Flow: staff open a case for a service → the citizen is asked and answers "我同意" (said, typed
or tapped; the exact words, the message and the way are recorded) → staff complete the service
and write the result → the citizen is told it is done. Every step is in the case history and
the audit log.

With the consent on record, staff identify the citizen from their ID card (read at the agency
point or on a home visit) and the gateway creates the platform's proxy authorization for that
staff member through the one platform client (:mod:`handoff.proxy_grant`); calls made with it
are recorded on the platform with both identities. A refusal or failure of the platform is
shown to staff in Chinese with its code. Without a configured platform the case goes from
consent to done directly.
"""

from __future__ import annotations

import logging
from typing import Any

from conversation.errors import ApiError
from conversation.masking import mask_text
from conversation.service import MessageItem
from conversation.store import StoredMessage
from handoff import notices, replies
from handoff.audit import Actor, AuditLog
from handoff.clock import Clock, utc_now
from handoff.events import ConsoleEvent, EventHub
from handoff.models import Handoff, ProxyCase, ProxyStatus, Staff, Status
from handoff.proxy_grant import authorize_staff, staff_error
from handoff.proxy_store import ProxyStore, case_json
from handoff.service import HandoffService
from handoff.topics import SERVICES
from platform_client import PlatformClient, PlatformError

logger = logging.getLogger(__name__)


class ProxyService:
    """Opens proxy cases, records consent, completes them."""

    def __init__(
        self,
        *,
        store: ProxyStore,
        handoffs: HandoffService,
        audit: AuditLog,
        hub: EventHub,
        platform: PlatformClient | None = None,
        proxy_days: int = 7,
        clock: Clock = utc_now,
    ) -> None:
        self.platform = platform
        self.proxy_days = proxy_days
        self.store = store
        self.handoffs = handoffs
        self.audit = audit
        self.hub = hub
        self.clock = clock

    def view(self, case: ProxyCase) -> dict[str, Any]:
        """The case for the console."""
        return case_json(case, SERVICES.get(case.service_code, case.service_code))

    async def _announce(self, case: ProxyCase, district: str) -> None:
        self.hub.publish(ConsoleEvent("proxy.updated", self.view(case), district=district))

    async def visible(self, case_id: str, member: Staff) -> tuple[ProxyCase, Handoff]:
        """The case (with its handoff) if ``member`` may see it."""
        case = await self.store.get(case_id)
        if case is None:
            raise ApiError(404, "proxy_case_not_found", "没有找到这个代办记录。")
        handoff = await self.handoffs.visible(case.handoff_id, member)
        return case, handoff

    async def open(
        self, handoff_id: str, member: Staff, actor: Actor, service_code: str
    ) -> ProxyCase:
        """Start a case and ask the citizen for consent."""
        if service_code not in SERVICES:
            raise ApiError(422, "service_code_invalid", "没有这个办事事项。")
        handoff = await self.handoffs.visible(handoff_id, member)
        self.handoffs.require_assignee(handoff, member)
        for existing in await self.store.for_conversation(handoff.conversation_id):
            if existing.status is ProxyStatus.AWAITING_CONSENT:
                raise ApiError(409, "consent_pending", "还在等市民对上一个代办表态。")
        case = await self.store.create(
            handoff_id=handoff.id,
            conversation_id=handoff.conversation_id,
            service_code=service_code,
            staff_id=member.id,
            actor=member.username,
        )
        asked = await self.handoffs.conversations.add(
            handoff.conversation_id,
            [notices.consent_request(SERVICES[service_code], member.display_name)],
            push=True,
        )
        await self.store.set_prompt(case.id, asked[0].seq)
        await self.audit.append(
            actor, "proxy.create", "proxy_case", case.id, {"service": service_code}
        )
        fresh = await self.store.get(case.id)
        assert fresh is not None
        await self._announce(fresh, handoff.district)
        return fresh

    async def consent_turn(self, handoff: Handoff, message: StoredMessage) -> list[MessageItem]:
        """The citizen's turn while with staff: answer a pending consent request, if any."""
        pending = [
            case
            for case in await self.store.for_conversation(handoff.conversation_id)
            if case.status is ProxyStatus.AWAITING_CONSENT
        ]
        if not pending:
            return []
        answer = replies.consent(message.text)
        if answer is None:
            return []
        case = pending[-1]
        name = SERVICES.get(case.service_code, case.service_code)
        citizen = Actor("citizen", handoff.conversation_id, "citizen")
        if answer:
            method = replies.consent_method(message.text, message.channel)
            await self.store.move(
                case.id,
                expect=(ProxyStatus.AWAITING_CONSENT,),
                to=ProxyStatus.CONSENTED,
                actor="citizen",
                event="consented",
                detail=f"{method}: {message.text}",
                consent_seq=message.seq,
                consent_method=method,
                consent_text=message.text,
                consent_at=self.clock(),
            )
            await self.audit.append(
                citizen,
                "proxy.consent",
                "proxy_case",
                case.id,
                {"method": method, "seq": message.seq},
            )
            reply = notices.consent_recorded(name)
        else:
            await self.store.move(
                case.id,
                expect=(ProxyStatus.AWAITING_CONSENT,),
                to=ProxyStatus.DECLINED,
                actor="citizen",
                event="declined",
                detail=message.text,
            )
            await self.audit.append(citizen, "proxy.decline", "proxy_case", case.id)
            reply = notices.consent_declined()
        fresh = await self.store.get(case.id)
        if fresh:
            await self._announce(fresh, handoff.district)
        return [reply]

    async def authorize(
        self, case_id: str, member: Staff, actor: Actor, *, name: str, id_number: str
    ) -> ProxyCase:
        """Identify the citizen from their ID card and create the platform's proxy
        authorization for ``member`` (only after the recorded consent)."""
        case, handoff = await self.visible(case_id, member)
        if self.platform is None:
            raise ApiError(503, "platform_not_configured", "没有配置办事平台，不能在平台上授权。")
        if case.status is not ProxyStatus.CONSENTED:
            raise ApiError(409, "consent_missing", "市民还没有同意代办，不能授权。")
        try:
            session, granted = await authorize_staff(
                self.platform,
                case_id=case.id,
                staff_id=member.username,
                scopes=[case.service_code],
                days=self.proxy_days,
                name=name,
                id_number=id_number,
            )
        except PlatformError as error:
            logger.warning(
                "handoff.proxy.authorize_failed case=%s code=%s status=%s",
                case.id,
                error.code,
                error.status,
            )
            await self.store.log(case.id, member.username, "authorize_failed", error.code)
            await self.audit.append(
                actor, "proxy.authorize_failed", "proxy_case", case_id, {"code": error.code}
            )
            raise staff_error(error) from error
        note = f"平台授权至 {granted.expires_at}，市民 {session.citizen.masked_id}"
        if not await self.store.move(
            case_id,
            expect=(ProxyStatus.CONSENTED,),
            to=ProxyStatus.AUTHORIZED,
            actor=member.username,
            event="authorized",
            detail=granted.authorization_id,
            platform_authorization_id=granted.authorization_id,
            platform_note=note,
        ):
            raise ApiError(409, "proxy_case_changed", "代办记录刚刚有变化，请刷新后再试。")
        await self.audit.append(
            actor,
            "proxy.authorize",
            "proxy_case",
            case_id,
            {"authorization": granted.authorization_id, "citizen": mask_text(id_number)},
        )
        fresh = await self.store.get(case_id)
        assert fresh is not None
        await self._announce(fresh, handoff.district)
        return fresh

    async def complete(self, case_id: str, member: Staff, actor: Actor, result: str) -> ProxyCase:
        """The service is done: record the result and tell the citizen."""
        case, handoff = await self.visible(case_id, member)
        ready = ProxyStatus.AUTHORIZED if self.platform else ProxyStatus.CONSENTED
        if case.status is ProxyStatus.AWAITING_CONSENT or case.status is ProxyStatus.DECLINED:
            raise ApiError(409, "consent_missing", "市民还没有同意代办，不能办理。")
        if case.status is not ready:
            raise ApiError(409, "authorization_missing", "还没有在平台上取得代办授权。")
        if not await self.store.move(
            case_id,
            expect=(ready,),
            to=ProxyStatus.DONE,
            actor=member.username,
            event="done",
            detail=result,
            result=result,
        ):
            raise ApiError(409, "proxy_case_changed", "代办记录刚刚有变化，请刷新后再试。")
        await self.audit.append(actor, "proxy.complete", "proxy_case", case_id)
        name = SERVICES.get(case.service_code, case.service_code)
        await self.handoffs.conversations.add(
            case.conversation_id, [notices.proxy_done(name, result)], push=True
        )
        fresh = await self.store.get(case_id)
        assert fresh is not None
        await self._announce(fresh, handoff.district)
        return fresh

    async def cancel(self, case_id: str, member: Staff, actor: Actor, why: str) -> ProxyCase:
        """Stop a case that is not done."""
        _case, handoff = await self.visible(case_id, member)
        held_by_other = handoff.status is Status.ACTIVE and handoff.assigned_to != member.id
        if held_by_other and not member.is_supervisor:
            raise ApiError(403, "not_assigned", "这个会话由其他工作人员负责。")
        if not await self.store.move(
            case_id,
            expect=(ProxyStatus.AWAITING_CONSENT, ProxyStatus.CONSENTED, ProxyStatus.AUTHORIZED),
            to=ProxyStatus.CANCELLED,
            actor=member.username,
            event="cancelled",
            detail=why,
        ):
            raise ApiError(409, "proxy_case_closed", "这个代办已经结束了。")
        await self.audit.append(actor, "proxy.cancel", "proxy_case", case_id)
        fresh = await self.store.get(case_id)
        assert fresh is not None
        await self._announce(fresh, handoff.district)
        return fresh
