"""Applications: eligibility, materials or informed commitment, duplicates, timelines.

Checks run in this order, so that the citizen hears the most useful reason first:
form fields → commitment allowed → eligibility (``not_eligible`` with ``reason``) →
duplicates → materials (unless ``commitment``).
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import catalog
from ..catalog import Service
from ..clock import beijing_iso, today, utc_now
from ..errors import (
    APPLICATION_NOT_FOUND,
    COMMITMENT_NOT_ACCEPTED,
    DUPLICATE_APPLICATION,
    INVALID_FORM,
    MATERIALS_REQUIRED,
    NOT_ELIGIBLE,
    ApiError,
)
from ..identity import Caller
from ..schemas.applications import (
    ApplicationCreate,
    ApplicationCreated,
    ApplicationOut,
    ApplicationSummary,
    TimelineEntry,
)
from ..tables import Application, ApplicationEvent, Certificate, Citizen
from .citizens import age_today, get_citizen

logger = logging.getLogger(__name__)

OPEN_STATUSES = ("submitted", "reviewing", "needs_info")
"""An application in one of these is still being handled."""

ONCE_ONLY = ("elderly_allowance", "senior_card")
"""Services granted once: an approved application also makes a new one a duplicate."""

_NOT_ELIGIBLE_MESSAGES = {
    "age_under_80": "高龄津贴要年满80周岁才能申请。",
    "age_under_60": "敬老卡要年满60周岁才能办理。",
    "income_above_threshold": "家庭人均月收入高于低保标准。",
}


def submit(
    *, session: Session, caller: Caller, service: Service, request: ApplicationCreate
) -> ApplicationCreated:
    """Check and record an application; raises the contract's errors."""
    form = request.form
    missing_fields = [name for name in service.form_fields if form.get(name) in (None, "")]
    if missing_fields:
        raise ApiError(INVALID_FORM, f"申请表缺少：{'、'.join(missing_fields)}。")
    if request.commitment and not service.accepts_commitment:
        raise ApiError(COMMITMENT_NOT_ACCEPTED)
    # Locking the citizen's row serialises their concurrent applications (PostgreSQL;
    # SQLite write transactions are serial anyway), so the duplicate check holds.
    session.execute(
        select(Citizen.citizen_id).where(Citizen.citizen_id == caller.citizen_id).with_for_update()
    )
    citizen = get_citizen(session, caller.citizen_id)
    reason = _ineligibility(service, age_today(citizen.birth_date), form)
    if reason is not None:
        raise ApiError(NOT_ELIGIBLE, _NOT_ELIGIBLE_MESSAGES[reason], reason=reason)
    if _is_duplicate(session, caller.citizen_id, service, form):
        raise ApiError(DUPLICATE_APPLICATION)
    if not request.commitment:
        given = form.get("materials")
        uploaded = [str(m) for m in given] if isinstance(given, list) else []
        missing = [m for m in service.materials if m not in uploaded]
        if missing:
            raise ApiError(MATERIALS_REQUIRED, f"还缺少：{'、'.join(missing)}。", missing=missing)
    now = utc_now()
    for _ in range(5):
        number = f"SQ{today():%Y%m%d}{secrets.randbelow(10**6):06d}"
        application = Application(
            application_number=number,
            citizen_id=caller.citizen_id,
            service_code=service.code,
            status="submitted",
            commitment=request.commitment,
            form=json.dumps(form, ensure_ascii=False),
            proxy_authorization_id=caller.proxy.authorization_id if caller.proxy else None,
            created_at=now,
            events=[ApplicationEvent(position=0, at=now, status="submitted", note="申请已提交")],
        )
        try:
            with session.begin_nested():
                session.add(application)
        except IntegrityError:
            continue
        logger.info("sandbox.application.submitted", extra={"service_code": service.code})
        return ApplicationCreated(
            application_number=number, status="submitted", next_steps=list(service.next_steps)
        )
    raise RuntimeError("could not draw a free application number")


def get(*, session: Session, number: str, caller: Caller | None) -> ApplicationOut:
    """An application by number; with a caller, only the caller's own."""
    application = session.get(Application, number)
    if application is None or (caller is not None and application.citizen_id != caller.citizen_id):
        raise ApiError(APPLICATION_NOT_FOUND)
    return ApplicationOut(
        application_number=application.application_number,
        service_code=application.service_code,
        status=application.status,
        timeline=[
            TimelineEntry(at=beijing_iso(event.at), status=event.status, note=event.note)
            for event in application.events
        ],
    )


def list_for(*, session: Session, caller: Caller) -> list[ApplicationSummary]:
    """The caller's applications, newest first."""
    rows = session.execute(
        select(Application)
        .where(Application.citizen_id == caller.citizen_id)
        .order_by(Application.created_at.desc())
    ).scalars()
    return [
        ApplicationSummary(
            application_number=row.application_number,
            service_code=row.service_code,
            status=row.status,
            submitted_at=beijing_iso(row.created_at),
        )
        for row in rows
    ]


def _ineligibility(service: Service, age: int, form: dict[str, Any]) -> str | None:
    if service.min_age is not None and age < service.min_age:
        return f"age_under_{service.min_age}"
    if service.code == "social_assistance":
        income = form.get("monthly_income_per_person")
        if isinstance(income, int | float) and income > catalog.SUBSISTENCE_LINE_YUAN:
            return "income_above_threshold"
    return None


def _is_duplicate(
    session: Session, citizen_id: str, service: Service, form: dict[str, Any]
) -> bool:
    statuses = OPEN_STATUSES + (("approved",) if service.code in ONCE_ONLY else ())
    existing = session.execute(
        select(Application.application_number)
        .where(
            Application.citizen_id == citizen_id,
            Application.service_code == service.code,
            Application.status.in_(statuses),
        )
        .limit(1)
    ).first()
    if existing is not None:
        return True
    if service.code == "senior_card" and not form.get("replacement"):
        card = session.execute(
            select(Certificate.id).where(
                Certificate.citizen_id == citizen_id,
                Certificate.type == "senior_card",
                Certificate.status == "valid",
            )
        ).first()
        return card is not None
    return False
