"""Agency points (one hall and two community points per district) and their December 2026
appointment slots: weekdays, four one-hour slots a day.

Slot ids read ``AP01-20261201-0900`` (point, Beijing date, Beijing start time). ``booked``
counts bookings already made on other channels; a few slots start full.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from .. import catalog
from . import geography
from .records import AgencyPoint, AppointmentSlot, Dataset

SLOT_DAYS = (date(2026, 12, 1), date(2026, 12, 31))
"""First and last day with slots (weekdays only)."""

SLOT_TIMES = ((9, 0), (10, 0), (14, 0), (15, 0))
"""Beijing start times; each slot lasts one hour."""

CAPACITY = {"hall": 6, "community_point": 3}
FULL_SHARE = 0.15

HALL_HOURS = "周一至周五 9:00-12:00 13:30-17:00"
COMMUNITY_HOURS = "周一至周五 8:30-11:30 14:00-17:00"

_COMMUNITIES: dict[str, tuple[str, str]] = {
    "姑苏区": ("平江街道", "双塔街道"),
    "吴中区": ("长桥街道", "木渎镇"),
    "相城区": ("元和街道", "黄桥街道"),
    "虎丘区": ("狮山街道", "枫桥街道"),
    "吴江区": ("松陵街道", "同里镇"),
    "工业园区": ("娄葑街道", "斜塘街道"),
}
_BEIJING = timedelta(hours=8)

DEMO_SLOT_BOOKED: dict[str, int] = {
    "AP01-20261201-0900": 6,  # full
    "AP01-20261202-0900": 0,  # empty
    "AP01-20261203-0900": 5,  # one place left
}
"""Bookings of the demo slots of 姑苏区政务服务中心 (capacity 6), fixed for every seed."""


def generate_agency(rng: random.Random, dataset: Dataset) -> None:
    """Points of every district, then the slots of every point."""
    hall_services = tuple(s.code for s in catalog.SERVICES if s.bookable)
    community_services = tuple(s.code for s in catalog.SERVICES if s.community_point)
    for district in geography.DISTRICTS:
        street = geography.STREETS[district][0]
        number = len(dataset.agency_points) + 1
        dataset.agency_points.append(
            AgencyPoint(
                point_id=f"AP{number:02d}",
                name=f"{district}政务服务中心",
                address=f"{geography.CITY}{district}{street}{rng.randint(1, 300)}号",
                district=district,
                kind="hall",
                opening_hours=HALL_HOURS,
                services=hall_services,
            )
        )
        for community in _COMMUNITIES[district]:
            street = rng.choice(geography.STREETS[district])
            number = len(dataset.agency_points) + 1
            dataset.agency_points.append(
                AgencyPoint(
                    point_id=f"AP{number:02d}",
                    name=f"{community}党群服务中心代办点",
                    address=f"{geography.CITY}{district}{street}{rng.randint(1, 300)}号",
                    district=district,
                    kind="community_point",
                    opening_hours=COMMUNITY_HOURS,
                    services=community_services,
                )
            )
    for point in dataset.agency_points:
        _slots(rng, dataset, point)


def _slots(rng: random.Random, dataset: Dataset, point: AgencyPoint) -> None:
    capacity = CAPACITY[point.kind]
    day = SLOT_DAYS[0]
    while day <= SLOT_DAYS[1]:
        if day.weekday() < 5:
            for hour, minute in SLOT_TIMES:
                local = datetime(day.year, day.month, day.day, hour, minute)
                booked = capacity if rng.random() < FULL_SHARE else rng.randint(0, capacity - 1)
                slot_id = f"{point.point_id}-{local:%Y%m%d-%H%M}"
                booked = DEMO_SLOT_BOOKED.get(slot_id, booked)
                dataset.slots.append(
                    AppointmentSlot(
                        slot_id=slot_id,
                        point_id=point.point_id,
                        start=local - _BEIJING,
                        end=local + timedelta(hours=1) - _BEIJING,
                        capacity=capacity,
                        booked=booked,
                    )
                )
        day += timedelta(days=1)
