"""Service catalog (事项), agency points (办事地点) and the reference lists: districts and
schools."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy import select

from .. import catalog
from ..deps import ReadSessionDep
from ..errors import INVALID_DISTRICT, ApiError
from ..responses import json_response
from ..schemas.catalog import AgencyPointOut, DistrictOut, SchoolOut, ServiceOut
from ..schemas.errors import error_responses
from ..synthetic.geography import AREA_CODES, DISTRICTS, schools
from ..tables import AgencyPoint

router = APIRouter(tags=["catalog"])


def check_district(district: str | None) -> str | None:
    """``district`` stripped, None when empty; ``invalid_district`` when not of the city."""
    if district is None or not district.strip():
        return None
    name = district.strip()
    if name not in DISTRICTS:
        raise ApiError(INVALID_DISTRICT)
    return name


@router.get("/services", response_model=list[ServiceOut], responses=error_responses(422))
def get_services(
    q: str | None = Query(None, max_length=50, description="Words of the service's name."),
    district: str | None = Query(None, max_length=20, description="District of the city."),
) -> Response:
    """Services whose code, name or usual words contain ``q`` (all when empty).

    Every service is offered in every district; an unknown district is ``invalid_district``.
    """
    check_district(district)
    return Response(_services_json(q or ""), media_type="application/json")


@lru_cache(maxsize=512)
def _services_json(q: str) -> bytes:
    """The answer for ``q``, serialised once (the catalog never changes in a process)."""
    services = [
        ServiceOut(
            code=s.code,
            name=s.name,
            department=s.department,
            requires_identity=s.requires_identity,
            accepts_commitment=s.accepts_commitment,
            materials=list(s.materials),
            channels=list(s.channels),
            proxy_allowed=s.proxy_allowed,
        )
        for s in catalog.search(q)
    ]
    return bytes(json_response(services).body)


@router.get("/agency-points", response_model=list[AgencyPointOut], responses=error_responses(422))
def get_agency_points(
    session: ReadSessionDep,
    district: str | None = Query(None, max_length=20, description="District of the city."),
) -> Response:
    """Halls and community agency points, of one district or of the whole city."""
    name = check_district(district)
    query = select(AgencyPoint).order_by(AgencyPoint.point_id)
    if name is not None:
        query = query.where(AgencyPoint.district == name)
    return json_response([point_out(point) for point in session.execute(query).scalars()])


def point_out(point: AgencyPoint) -> AgencyPointOut:
    """The response form of a point."""
    return AgencyPointOut(
        point_id=point.point_id,
        name=point.name,
        address=point.address,
        district=point.district,
        kind=point.kind,
        opening_hours=point.opening_hours,
        services=[code for code in point.services.split(",") if code],
    )


@router.get("/districts", response_model=list[DistrictOut])
def get_districts() -> Response:
    """The districts of the city with their administrative area codes."""
    return Response(_districts_json(), media_type="application/json")


@lru_cache(maxsize=1)
def _districts_json() -> bytes:
    districts = [DistrictOut(code=AREA_CODES[name], name=name) for name in DISTRICTS]
    return bytes(json_response(districts).body)


@router.get("/schools", response_model=list[SchoolOut], responses=error_responses(422))
def get_schools(
    district: str | None = Query(None, max_length=20, description="District of the city."),
) -> Response:
    """Schools and kindergartens, of one district or of the whole city (district by
    district); an unknown district is ``invalid_district``."""
    return Response(_schools_json(check_district(district)), media_type="application/json")


@lru_cache(maxsize=16)
def _schools_json(district: str | None) -> bytes:
    """The answer for ``district``, serialised once (the schools never change in a process)."""
    found = [
        SchoolOut(
            school_id=f"SC{number:02d}",
            name=school.name,
            district=school.district,
            kind=school.kind,  # type: ignore[arg-type]  # one of SCHOOL_KINDS, checked by pydantic
        )
        for number, school in enumerate(schools(), start=1)
        if district is None or school.district == district
    ]
    return bytes(json_response(found).body)
