"""Liveness and readiness probes (no authentication)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from ..deps import DatabaseDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """``{"status": "ok"}`` while the process serves requests."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "The database does not answer."}})
def readyz(database: DatabaseDep) -> JSONResponse:
    """``{"status": "ok"}`` when the sandbox's database answers, else 503."""
    try:
        with database.reading() as session:
            session.execute(text("SELECT 1"))
    except Exception as error:
        return JSONResponse(
            {"status": "degraded", "checks": {"database": f"error: {type(error).__name__}"}},
            status_code=503,
        )
    return JSONResponse({"status": "ok", "checks": {"database": "ok"}})
