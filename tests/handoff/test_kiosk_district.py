"""A kiosk stands in an agency point: a citizen who asks for a person there is queued for that
district's staff (``BANSHI_KIOSK_DISTRICT``), on the real system."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from websockets.legacy.client import connect as ws_connect

from tests.conftest import RunningSystem, running_system, system_settings
from tests.handoff.kit import Console, add_staff, new_district
from tests.kiosk.test_kiosk_ws import Kiosk, url

pytestmark = pytest.mark.integration
POINT = new_district()


@pytest.fixture(scope="module")
def agency_point(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """The whole system with the kiosk placed in the district ``POINT``."""
    var_dir = tmp_path_factory.mktemp("agency-point")
    settings = system_settings(var_dir, kiosk_district=POINT).with_secrets()
    with running_system(settings) as running:
        yield running


async def test_a_kiosk_handoff_goes_to_its_agency_points_district(
    agency_point: RunningSystem,
) -> None:
    local, foreign, boss = add_staff(
        agency_point, ("staff", POINT), ("staff", new_district()), ("supervisor", new_district())
    )
    with (
        Console(agency_point.gateway, local) as mine,
        Console(agency_point.gateway, foreign) as other,
        Console(agency_point.gateway, boss) as supervisor,
    ):
        async with ws_connect(url(agency_point), max_size=None) as socket:
            kiosk = Kiosk(socket)
            conversation_id = (await kiosk.next("ready"))["conversation_id"]
            await kiosk.send({"type": "text", "text": "转人工"})
            answer = await kiosk.next("messages")
            assert "正在为您转接工作人员" in "".join(m["text"] for m in answer["messages"])

        def waiting(console: Console) -> list[str]:
            listed = console.get("/api/handoffs", status="waiting").json()["handoffs"]
            return [h["conversation_id"] for h in listed if h["district"] == POINT]

        assert conversation_id in waiting(mine)
        assert conversation_id in waiting(supervisor)
        assert conversation_id not in waiting(other)
