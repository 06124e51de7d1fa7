"""Utilities (水电燃气): bills by account number, or all of a citizen's accounts."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from ..deps import ClientDep, ReadSessionDep
from ..errors import INVALID_ACCOUNT_NUMBER, ApiError
from ..identity import Caller, CredentialsDep, resolve_caller
from ..masking import mask_account
from ..money import fen_to_yuan
from ..responses import json_response
from ..schemas.errors import error_responses
from ..schemas.utilities import UtilityBillOut, UtilityType
from ..tables import UtilityAccount, UtilityBill

router = APIRouter(prefix="/utilities", tags=["utilities"])

_ACCOUNT_NUMBER = re.compile(r"[0-9]{10}")


@router.get(
    "/bills",
    response_model=list[UtilityBillOut],
    response_model_exclude_none=True,
    responses=error_responses(403, 422),
)
def get_bills(
    request: Request,
    session: ReadSessionDep,
    client: ClientDep,
    given: CredentialsDep,
    utility_type: Annotated[
        UtilityType | None, Query(alias="type", description="water | electricity | gas")
    ] = None,
    account_number: str | None = Query(None, max_length=20, description="10-digit 户号."),
) -> Response:
    """Bills of one account (``account_number``), or of all the citizen's accounts (token).

    An unknown account number gives ``[]``; neither a number nor a citizen is
    ``invalid_account_number`` (422). ``account_full`` only for the holder themself.
    """
    caller: Caller | None = None
    if given.present:
        caller = resolve_caller(
            database=request.app.state.database,
            client=client,
            given=given,
            service_code="utility_payment",
            method=request.method,
            path=request.url.path,
        )
    elif account_number is None:
        raise ApiError(INVALID_ACCOUNT_NUMBER)
    query = select(UtilityBill, UtilityAccount).join(
        UtilityAccount, UtilityAccount.account_number == UtilityBill.account_number
    )
    if account_number is not None:
        if not _ACCOUNT_NUMBER.fullmatch(account_number):
            raise ApiError(INVALID_ACCOUNT_NUMBER)
        query = query.where(UtilityBill.account_number == account_number)
    elif caller is not None:
        query = query.where(UtilityAccount.citizen_id == caller.citizen_id)
    if utility_type is not None:
        query = query.where(UtilityBill.type == utility_type)
    rows = session.execute(
        query.order_by(UtilityBill.type, UtilityBill.account_number, UtilityBill.period.desc())
    ).all()
    return json_response(
        [
            UtilityBillOut(
                bill_id=bill.bill_id,
                type=bill.type,
                account_masked=mask_account(bill.account_number),
                account_full=bill.account_number
                if caller is not None
                and caller.is_citizen_themself
                and account.citizen_id == caller.citizen_id
                else None,
                period=bill.period,
                amount=fen_to_yuan(bill.amount_fen),
                status=bill.status,
                due_date=bill.due_date,
            )
            for bill, account in rows
        ]
    )
