"""The sandbox's FastAPI application factory.

``uvicorn platform_sandbox.app:create_app --factory --port 8100``
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from starlette.concurrency import run_in_threadpool

from .auth import require_client
from .clock import pin_today, today
from .config import SandboxConfig
from .db import open_database
from .error_handlers import install_error_handlers
from .faults import Faults
from .middleware import GuardMiddleware
from .ratelimit import RateLimiter
from .routers import (
    applications,
    appointments,
    catalog,
    certificates,
    complaints,
    education,
    health,
    identity,
    medical,
    payments,
    pension,
    proxies,
    sandbox,
    utilities,
)
from .schemas.errors import error_responses
from .seed import seed_if_stale

API_PREFIX = "/v1"

CONTRACT_ROUTERS = (
    identity.router,
    catalog.router,
    education.router,
    payments.router,
    pension.router,
    medical.router,
    utilities.router,
    applications.router,
    certificates.router,
    appointments.router,
    complaints.router,
    proxies.router,
    proxies.agents_router,
)
"""Routers of the platform contract, in the order of PLATFORM_API.md."""


def create_app(config: SandboxConfig | None = None) -> FastAPI:
    """Build the app; the database is migrated (and seeded when empty) in its lifespan.

    ``config`` defaults to :class:`SandboxConfig` read from ``BANSHI_SANDBOX_*`` now.
    """
    settings = config if config is not None else SandboxConfig()
    pin_today(settings.today)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = await run_in_threadpool(open_database, settings.database_url)
        try:
            await run_in_threadpool(
                seed_if_stale, database=database, seed=settings.seed, today=today()
            )
            app.state.database = database
            yield
        finally:
            database.dispose()

    app = FastAPI(
        title="Platform sandbox",
        description="Stand-in for the provincial government-service platform API (contract v1).",
        version="1.0.0",
        lifespan=lifespan,
    )
    app.state.config = settings
    app.state.faults = Faults()
    app.state.limiter = RateLimiter(settings.rate_limit_per_s, settings.rate_limit_burst)
    app.add_middleware(GuardMiddleware, limiter=app.state.limiter, faults=app.state.faults)
    install_error_handlers(app)
    app.include_router(health.router)
    authenticated = [Depends(require_client)]
    common = error_responses(401, 422, 429, 503)
    for router in CONTRACT_ROUTERS:
        app.include_router(router, prefix=API_PREFIX, dependencies=authenticated, responses=common)
    if settings.helpers_enabled:
        app.include_router(
            sandbox.router,
            prefix=API_PREFIX,
            dependencies=authenticated,
            responses=error_responses(401, 422),
        )
    return app
