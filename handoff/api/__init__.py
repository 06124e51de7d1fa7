"""The console API and page: one router for the gateway to include, and the static files."""

from __future__ import annotations

from fastapi import APIRouter

from handoff.api import auth_routes, console_routes, conversation_routes, handoff_routes

STATIC_DIR = console_routes.STATIC_DIR

router = APIRouter()
router.include_router(auth_routes.router)
router.include_router(handoff_routes.router)
router.include_router(conversation_routes.router)
router.include_router(console_routes.router)
