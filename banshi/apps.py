"""App factories for uvicorn (``--factory``): the composition root hands each part its config."""

from __future__ import annotations

from fastapi import FastAPI

from banshi.settings import get_settings


def gateway_app() -> FastAPI:
    """The gateway, configured from the settings."""
    from channels.app import create_app
    from channels.config import GatewayConfig

    settings = get_settings()
    return create_app(
        GatewayConfig(
            database_url=settings.effective_gateway_database_url,
            rasa_url=settings.rasa_url,
            rasa_token=settings.rasa_token,
            service_token=settings.service_token,
            max_text_chars=settings.max_text_chars,
            rasa_timeout_s=settings.rasa_timeout_s,
            sandbox_docs_url=f"{settings.sandbox_url}/docs",
        )
    )


def sandbox_app() -> FastAPI:
    """The platform sandbox, configured from the settings."""
    from platform_sandbox.app import create_app
    from platform_sandbox.config import SandboxConfig

    settings = get_settings()
    return create_app(
        SandboxConfig(
            database_url=settings.sandbox_database_url,
            client_keys=settings.platform_client_key,
        )
    )
