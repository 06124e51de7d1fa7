"""The reference lists of platform_client/CONTRACT.md through the client: districts and schools
(``PlatformClient.districts``, ``PlatformClient.schools``)."""

from __future__ import annotations

import pytest

from platform_client import errors as e
from platform_client.results import District, School
from tests.platform_client.kit import platform_client
from tests.platform_sandbox.sandbox_testkit import RunningSandbox

pytestmark = pytest.mark.integration


async def test_districts(sandbox: RunningSandbox) -> None:
    async with platform_client(sandbox.base_url) as client:
        districts = await client.districts()
    assert districts[0] == District(code="320508", name="姑苏区")
    assert len({d.name for d in districts}) == len(districts) == 6


async def test_schools_of_the_city_and_of_one_district(sandbox: RunningSandbox) -> None:
    async with platform_client(sandbox.base_url) as client:
        every = await client.schools()
        mine = await client.schools(district="吴中区")
        with pytest.raises(e.InvalidDistrict):
            await client.schools(district="海淀区")
    assert every[0] == School(
        school_id="SC01", name="姑苏区平江幼儿园", district="姑苏区", kind="kindergarten"
    )
    assert mine == [school for school in every if school.district == "吴中区"]
    assert [school.kind for school in mine] == ["kindergarten", "primary", "junior", "senior"]
