"""Education fees (教育缴费): ``GET /v1/education/bills``."""

from __future__ import annotations

import re

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ..deps import ClientDep, ReadSessionDep
from ..errors import INVALID_STUDENT_ID, ApiError
from ..identity import CredentialsDep, resolve_caller
from ..responses import json_response
from ..schemas.education import BillOut
from ..schemas.errors import error_responses
from ..services.education import list_bills, list_family_bills

STUDENT_ID_PATTERN = r"^[0-9]{10}$"
"""A student number (学籍号): exactly 10 ASCII digits."""

_STUDENT_ID = re.compile(r"[0-9]{10}")

router = APIRouter(prefix="/education", tags=["education"])


@router.get("/bills", response_model=list[BillOut], responses=error_responses(401, 403, 422))
def get_bills(
    request: Request,
    session: ReadSessionDep,
    client: ClientDep,
    given: CredentialsDep,
    student_id: str | None = Query(
        None, regex=STUDENT_ID_PATTERN, description="10-digit student number (学籍号)."
    ),
) -> Response:
    """The education bills of a student (``[]`` for an unknown one), or — without
    ``student_id`` but with a citizen token or proxy — of the citizen's grandchildren and
    children who are students.

    A student number that is not 10 digits, or neither a number nor a citizen, is
    ``invalid_student_id`` (422).
    """
    if student_id is None:
        if not given.present:
            raise ApiError(INVALID_STUDENT_ID)
        caller = resolve_caller(
            database=request.app.state.database,
            client=client,
            given=given,
            service_code="education_fee",
            method=request.method,
            path=request.url.path,
        )
        return json_response(list_family_bills(session=session, citizen_id=caller.citizen_id))
    if not _STUDENT_ID.fullmatch(student_id):  # ``$`` of the pattern accepts a final "\n"
        raise ApiError(INVALID_STUDENT_ID)
    return json_response(list_bills(session=session, student_id=student_id))
