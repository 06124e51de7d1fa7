"""Medical insurance (医保): the citizen's account and recent claims."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlalchemy import select

from ..deps import ReadSessionDep
from ..identity import Caller, citizen_for
from ..money import fen_to_yuan
from ..responses import json_response
from ..schemas.benefits import ClaimOut, MedicalAccountOut
from ..schemas.errors import error_responses
from ..tables import MedicalAccount, MedicalClaim

router = APIRouter(prefix="/medical-insurance", tags=["medical insurance"])

RECENT_CLAIMS = 5
"""How many of the newest claims the account shows."""

MedicalCaller = Annotated[Caller, Depends(citizen_for("medical_insurance_query"))]


@router.get("/account", response_model=MedicalAccountOut, responses=error_responses(403))
def get_account(session: ReadSessionDep, caller: MedicalCaller) -> Response:
    """Balance, paid-until date, status and the newest claims (every citizen has an account)."""
    account = session.get(MedicalAccount, caller.citizen_id)
    claims = session.execute(
        select(MedicalClaim)
        .where(MedicalClaim.citizen_id == caller.citizen_id)
        .order_by(MedicalClaim.claim_date.desc(), MedicalClaim.id.desc())
        .limit(RECENT_CLAIMS)
    ).scalars()
    return json_response(
        MedicalAccountOut(
            balance=fen_to_yuan(account.balance_fen),
            paid_until=account.paid_until,
            status=account.status,
            recent_claims=[
                ClaimOut(
                    date=claim.claim_date,
                    hospital=claim.hospital,
                    total=fen_to_yuan(claim.total_fen),
                    reimbursed=fen_to_yuan(claim.reimbursed_fen),
                )
                for claim in claims
            ],
        )
    )
