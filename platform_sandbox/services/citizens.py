"""Citizens as the API shows them: age today, masked numbers, ``*_full`` for themselves."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ..clock import today
from ..errors import CITIZEN_TOKEN_INVALID, ApiError
from ..masking import mask_id_number, mask_phone
from ..schemas.identity import CitizenOut
from ..synthetic.citizens import age_on
from ..tables import Citizen


def age_today(birth_date: date) -> int:
    """Age in whole years on the platform's today (:func:`platform_sandbox.clock.today`)."""
    return age_on(birth_date, today())


def citizen_out(citizen: Citizen, *, full: bool) -> CitizenOut:
    """The response form of a citizen; ``full`` adds ``id_number_full`` and ``phone_full``."""
    return CitizenOut(
        citizen_id=citizen.citizen_id,
        name=citizen.name,
        masked_id=mask_id_number(citizen.id_number),
        age=age_today(citizen.birth_date),
        district=citizen.district,
        phone_masked=mask_phone(citizen.phone),
        id_number_full=citizen.id_number if full else None,
        phone_full=citizen.phone if full else None,
    )


def get_citizen(session: Session, citizen_id: str) -> Citizen:
    """The citizen row (it exists: ids come from tokens and authorizations)."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:  # only if the data was reset under a live token
        raise ApiError(CITIZEN_TOKEN_INVALID)
    return citizen
