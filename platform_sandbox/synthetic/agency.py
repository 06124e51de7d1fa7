"""Agency points (one hall and two community points per district) and their appointment
slots from the dataset's ``today`` on, for :data:`SLOT_HORIZON_DAYS` days: weekdays, four
one-hour slots a day.

Slot ids read ``AP01-20261201-0900`` (point, Beijing date, Beijing start time). ``booked``
counts bookings already made on other channels; a few slots start full. The 9 o'clock slots
of the demo point on the first three weekdays after ``today`` are fixed (:func:`demo_slots`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .. import catalog
from . import geography
from .calendar import weekdays_after
from .records import AgencyPoint, AppointmentSlot, Dataset

SLOT_HORIZON_DAYS = 30
"""Slots exist from ``today`` to ``today`` plus this many days (weekdays only)."""

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

DEMO_POINT_ID = "AP01"
"""姑苏区政务服务中心 (a hall, capacity 6), whose demo slots are fixed for every seed."""

DEMO_DISTRICT_POINTS = ("AP01", "AP02", "AP03")
"""The hall and the two community points of 姑苏区 (home visits go out from a community
point)."""


@dataclass(frozen=True)
class DemoSlots:
    """The demo point's 9 o'clock slots on the first three weekdays after ``today``.

    On those three days every slot of the demo district's points (the hall and its two
    community points) is fixed, so that demos and tests find the same free times on any day:
    all empty, except the hall's 9:00 of the first day (full) and 14:00 of that day (three
    places left), and the hall's 9:00 of the third day (one place left).
    """

    full: str
    """The first weekday's: full (``slot_full``)."""
    open: str
    """The second weekday's: empty, six places."""
    last_place: str
    """The third weekday's: one place left."""

    def fixed_bookings(self) -> dict[str, int]:
        """Bookings already made in every slot that is fixed, by slot id."""
        capacity = CAPACITY["hall"]
        demo_days = [slot.split("-")[1] for slot in (self.full, self.open, self.last_place)]
        fixed = {
            f"{point}-{day}-{hour:02d}{minute:02d}": 0
            for point in DEMO_DISTRICT_POINTS
            for day in demo_days
            for hour, minute in SLOT_TIMES
        }
        fixed[self.full] = capacity
        fixed[self.full.replace("-0900", "-1400")] = 3
        fixed[self.last_place] = capacity - 1
        return fixed


def demo_slots(today: date) -> DemoSlots:
    """The demo slots of the dataset laid out around ``today``."""
    full, open_, last_place = (
        f"{DEMO_POINT_ID}-{day:%Y%m%d}-0900" for day in weekdays_after(today, 3)
    )
    return DemoSlots(full=full, open=open_, last_place=last_place)


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
    fixed = demo_slots(dataset.today).fixed_bookings()
    for point in dataset.agency_points:
        _slots(rng, dataset, point, fixed)


def _slots(rng: random.Random, dataset: Dataset, point: AgencyPoint, fixed: dict[str, int]) -> None:
    capacity = CAPACITY[point.kind]
    day = dataset.today
    while day <= dataset.today + timedelta(days=SLOT_HORIZON_DAYS):
        if day.weekday() < 5:
            for hour, minute in SLOT_TIMES:
                local = datetime(day.year, day.month, day.day, hour, minute)
                booked = capacity if rng.random() < FULL_SHARE else rng.randint(0, capacity - 1)
                slot_id = f"{point.point_id}-{local:%Y%m%d-%H%M}"
                booked = fixed.get(slot_id, booked)
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
