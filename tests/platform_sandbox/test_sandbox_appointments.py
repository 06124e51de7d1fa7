"""Agency slots, booking against capacity, cancelling (``routers/appointments.py``)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import httpx
import pytest
from sandbox_testkit import AUTH, RunningSandbox, assert_error, identify

from platform_sandbox.seed import (
    DEMO_ALLOWANCE_ELIGIBLE,
    DEMO_CITIZENS,
    DEMO_POINT_ID,
    DEMO_UNDER_80,
)
from tests import days

# Dated demo records, for the day the sandbox works on.
DEMO_FULL_SLOT = days.slots().full
DEMO_LAST_PLACE_SLOT = days.slots().last_place
DEMO_OPEN_SLOT = days.slots().open

pytestmark = pytest.mark.integration


def _slot(client: httpx.Client, slot_id: str) -> dict:
    day = f"{slot_id[5:9]}-{slot_id[9:11]}-{slot_id[11:13]}"
    slots = client.get(
        "/v1/appointments/slots",
        params={"service_code": "senior_card", "point_id": DEMO_POINT_ID, "date": day},
    ).json()
    return next(s for s in slots if s["slot_id"] == slot_id)


def _slots_on(client: httpx.Client, day: date) -> list[dict]:
    return client.get(
        "/v1/appointments/slots",
        params={"service_code": "senior_card", "point_id": DEMO_POINT_ID, "date": day.isoformat()},
    ).json()


def test_slots_of_a_day(client: httpx.Client) -> None:
    full_day = days.day_of(DEMO_FULL_SLOT)
    slots = _slots_on(client, full_day)
    assert [s["start"][11:16] for s in slots] == ["09:00", "10:00", "14:00", "15:00"]
    assert slots[0] == {
        "slot_id": DEMO_FULL_SLOT,
        "start": f"{full_day.isoformat()}T09:00:00+08:00",
        "end": f"{full_day.isoformat()}T10:00:00+08:00",
        "remaining": 0,
    }
    assert _slots_on(client, days.weekend_after(days.today())) == []
    every = client.get(
        "/v1/appointments/slots", params={"service_code": "senior_card", "point_id": "AP02"}
    ).json()
    today = days.today()
    weekdays = [today + timedelta(days=n) for n in range(31)]
    assert len(every) == 4 * sum(1 for day in weekdays if day.weekday() < 5)
    assert every[0]["start"][:10] == next(d for d in weekdays if d.weekday() < 5).isoformat()


def test_the_demo_slots_are_the_next_three_weekdays_at_nine() -> None:
    friday = date(2027, 1, 1)
    demo = days.slots(friday)
    assert (demo.full, demo.open, demo.last_place) == (
        "AP01-20270104-0900",
        "AP01-20270105-0900",
        "AP01-20270106-0900",
    )
    wednesday = days.slots(date(2026, 12, 2))
    assert (wednesday.full, wednesday.last_place) == ("AP01-20261203-0900", "AP01-20261207-0900")


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"service_code": "senior_card", "point_id": "AP99"}, 404, "point_not_found"),
        ({"service_code": "no_such", "point_id": "AP01"}, 404, "service_not_found"),
        ({"service_code": "hukou_transfer", "point_id": "AP02"}, 422, "service_not_offered"),
        ({"service_code": "senior_card", "point_id": "AP01", "date": "12/01"}, 422,
         "invalid_date"),
        ({"service_code": "senior_card", "point_id": "AP01", "date": "2026-13-01"}, 422,
         "invalid_date"),
    ],
)  # fmt: skip
def test_slot_errors(client: httpx.Client, params: dict, status: int, code: str) -> None:
    assert_error(client.get("/v1/appointments/slots", params=params), status, code)


def test_booking_takes_a_place_and_cancelling_frees_it(client: httpx.Client) -> None:
    headers = identify(client, DEMO_ALLOWANCE_ELIGIBLE)
    before = _slot(client, DEMO_OPEN_SLOT)["remaining"]
    response = client.post(
        "/v1/appointments",
        json={"slot_id": DEMO_OPEN_SLOT, "service_code": "senior_card"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["start"] == f"{days.day_of(DEMO_OPEN_SLOT).isoformat()}T09:00:00+08:00"
    assert body["point"] == {
        "point_id": DEMO_POINT_ID,
        "name": "姑苏区政务服务中心",
        "address": body["point"]["address"],
    }
    assert len(body["confirmation_code"]) == 6 and body["home_visit"] is False
    assert _slot(client, DEMO_OPEN_SLOT)["remaining"] == before - 1
    mine = client.get("/v1/appointments", headers=headers).json()
    assert [(a["appointment_id"], a["status"]) for a in mine] == [
        (body["appointment_id"], "booked")
    ]
    assert_error(
        client.post(
            "/v1/appointments",
            json={"slot_id": DEMO_OPEN_SLOT, "service_code": "senior_card"},
            headers=headers,
        ),
        409,
        "duplicate_appointment",
    )
    cancelled = client.delete(f"/v1/appointments/{body['appointment_id']}", headers=headers)
    assert cancelled.json() == {"appointment_id": body["appointment_id"], "status": "cancelled"}
    again = client.delete(f"/v1/appointments/{body['appointment_id']}", headers=headers)
    assert again.json() == cancelled.json()
    assert _slot(client, DEMO_OPEN_SLOT)["remaining"] == before
    other = identify(client, DEMO_UNDER_80)
    assert_error(
        client.delete(f"/v1/appointments/{body['appointment_id']}", headers=other),
        404,
        "appointment_not_found",
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"slot_id": DEMO_FULL_SLOT, "service_code": "senior_card"}, 409, "slot_full"),
        ({"slot_id": DEMO_OPEN_SLOT.replace("-0900", "-1200"), "service_code": "senior_card"},
         404, "slot_not_found"),
        ({"slot_id": DEMO_OPEN_SLOT, "service_code": "nope"}, 404, "service_not_found"),
        ({"slot_id": DEMO_OPEN_SLOT.replace("AP01", "AP02"), "service_code": "hukou_transfer"},
         422, "service_not_offered"),
        ({"slot_id": DEMO_OPEN_SLOT, "service_code": "hukou_transfer", "home_visit": True,
          "address": "苏州市姑苏区平江路1号"}, 422, "home_visit_not_available"),
        ({"slot_id": DEMO_OPEN_SLOT, "service_code": "senior_card", "home_visit": True}, 422,
         "address_required"),
        ({"slot_id": DEMO_OPEN_SLOT, "service_code": "senior_card", "address": "x"}, 422,
         "address_required"),
    ],
)  # fmt: skip
def test_booking_errors(client: httpx.Client, body: dict, status: int, code: str) -> None:
    headers = identify(client, DEMO_ALLOWANCE_ELIGIBLE)
    assert_error(client.post("/v1/appointments", json=body, headers=headers), status, code)


def test_home_visit(client: httpx.Client) -> None:
    headers = identify(client, DEMO_ALLOWANCE_ELIGIBLE)
    response = client.post(
        "/v1/appointments",
        json={
            "slot_id": DEMO_OPEN_SLOT,
            "service_code": "pension_certification",
            "home_visit": True,
            "address": "苏州市姑苏区平江路357号26幢302室",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["home_visit"] is True


def test_the_last_place_goes_to_one_of_many_at_once(sandbox: RunningSandbox) -> None:
    with httpx.Client(base_url=sandbox.base_url, headers=AUTH, timeout=30) as http:
        tokens = [identify(http, citizen) for citizen in DEMO_CITIZENS]

    async def book_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=sandbox.base_url, headers=AUTH, timeout=60) as h:
            return await asyncio.gather(
                *(
                    h.post(
                        "/v1/appointments",
                        json={"slot_id": DEMO_LAST_PLACE_SLOT, "service_code": "senior_card"},
                        headers=token,
                    )
                    for token in tokens
                )
            )

    statuses = sorted(r.status_code for r in asyncio.run(book_all()))
    assert statuses == [201] + [409] * (len(tokens) - 1)
    rows = sandbox.query("SELECT booked, capacity FROM appointment_slots WHERE slot_id = ?",
                         (DEMO_LAST_PLACE_SLOT,))  # fmt: skip
    assert rows == [(6, 6)]
