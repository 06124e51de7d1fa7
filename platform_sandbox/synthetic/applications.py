"""Applications made in the hundred days before the dataset's ``today``, in every status,
each with its timeline (which ends before ``today``)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .citizens import CENSUS_DATE, age_on
from .demo import profile_of
from .records import Application, ApplicationEvent, Citizen, Dataset

APPLICATION_COUNT = 72
FIRST_DAY_BEFORE_TODAY = 100
"""Applications are made from this many days before ``today``, over 80 days; a timeline adds
at most 18 days and 18 hours, so every event lies before ``today``."""
STATUSES = ("submitted", "reviewing", "approved", "rejected", "needs_info")

_NOTES = {
    "submitted": "申请已提交",
    "reviewing": "街道（镇）正在审核",
    "approved": "审核通过",
    "rejected": "不符合条件，未通过",
    "needs_info": "材料不全，请补充材料",
}
MISSING_MATERIALS = {
    "senior_card": "近期一寸免冠照片",
    "elderly_allowance": "户口本首页和本人页",
    "social_assistance": "家庭收入证明",
    "hukou_transfer": "迁入地的住房证明",
}
"""What an application waiting for materials still lacks, named in its last note."""
_PATH = {
    "submitted": ("submitted",),
    "reviewing": ("submitted", "reviewing"),
    "approved": ("submitted", "reviewing", "approved"),
    "rejected": ("submitted", "reviewing", "rejected"),
    "needs_info": ("submitted", "reviewing", "needs_info"),
}
_BEIJING = timedelta(hours=8)


def generate_applications(rng: random.Random, dataset: Dataset) -> None:
    """Applications of ordinary citizens in every status, plus the demo's pending allowance."""
    for citizen in dataset.citizens:
        profile = profile_of(citizen.citizen_id)
        if profile is not None and profile.allowance_under_review:
            dataset.applications.append(
                _application(rng, dataset, citizen, "elderly_allowance", "reviewing")
            )
    ordinary = [c for c in dataset.citizens if profile_of(c.citizen_id) is None]
    for index in range(APPLICATION_COUNT):
        citizen = rng.choice(ordinary)
        status = STATUSES[index % len(STATUSES)]
        service_code = _service_for(rng, citizen)
        if any(
            a.citizen_id == citizen.citizen_id and a.service_code == service_code
            for a in dataset.applications
        ):
            continue
        dataset.applications.append(_application(rng, dataset, citizen, service_code, status))


def _service_for(rng: random.Random, citizen: Citizen) -> str:
    age = age_on(citizen.birth_date, CENSUS_DATE)
    choices = ["social_assistance", "hukou_transfer"]
    if age >= 60:
        choices.append("senior_card")
    if age >= 80:
        choices += ["elderly_allowance", "elderly_allowance"]
    return rng.choice(choices)


def _application(
    rng: random.Random, dataset: Dataset, citizen: Citizen, service_code: str, status: str
) -> Application:
    first = dataset.today - timedelta(days=FIRST_DAY_BEFORE_TODAY)
    local_created = datetime(first.year, first.month, first.day, 8, 30) + timedelta(
        days=rng.randrange(0, 80), minutes=rng.randrange(0, 9 * 60)
    )
    events: list[ApplicationEvent] = []
    at = local_created
    for step in _PATH[status]:
        note = _NOTES[step]
        if step == "needs_info":
            note = f"还缺{MISSING_MATERIALS[service_code]}，请补交"
        events.append(ApplicationEvent(at=at - _BEIJING, status=step, note=note))
        at += timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 6))
    number = len(dataset.applications) + 1
    commitment = service_code in ("elderly_allowance", "senior_card") and rng.random() < 0.5
    return Application(
        application_number=f"SQ{local_created:%Y%m%d}{number:06d}",
        citizen_id=citizen.citizen_id,
        service_code=service_code,
        status=status,
        commitment=commitment,
        form=_form(rng, service_code, citizen),
        created_at=local_created - _BEIJING,
        events=tuple(events),
    )


def _form(rng: random.Random, service_code: str, citizen: Citizen) -> dict[str, object]:
    if service_code == "social_assistance":
        return {"kind": rng.choice(("subsistence", "temporary")), "monthly_income_per_person": 900}
    if service_code == "hukou_transfer":
        return {"from_address": citizen.address, "to_address": "苏州市姑苏区人民路100号"}
    return {}
