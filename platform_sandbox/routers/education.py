"""Education fees (教育缴费): ``GET /v1/education/bills``."""

from __future__ import annotations

import re

from fastapi import APIRouter, Query

from ..deps import ReadSessionDep
from ..errors import INVALID_STUDENT_ID, ApiError
from ..schemas.education import BillOut
from ..schemas.errors import error_responses
from ..services.education import list_bills

STUDENT_ID_PATTERN = r"^[0-9]{10}$"
"""A student number (学籍号): exactly 10 ASCII digits."""

_STUDENT_ID = re.compile(r"[0-9]{10}")

router = APIRouter(prefix="/education", tags=["education"])


@router.get("/bills", response_model=list[BillOut], responses=error_responses(401, 422))
def get_bills(
    session: ReadSessionDep,
    student_id: str = Query(
        ..., regex=STUDENT_ID_PATTERN, description="10-digit student number (学籍号)."
    ),
) -> list[BillOut]:
    """The education bills of a student; ``[]`` for an unknown student.

    A student number that is not 10 digits is ``invalid_student_id`` (422).
    """
    if not _STUDENT_ID.fullmatch(student_id):  # ``$`` of the pattern accepts a final "\n"
        raise ApiError(INVALID_STUDENT_ID)
    return list_bills(session=session, student_id=student_id)
