"""App factories for uvicorn (``--factory``): the composition root hands each part its config."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from banshi.settings import Settings, get_settings

if TYPE_CHECKING:
    from banshi.gateway import GatewayConfig
    from channels.phone.config import PhoneConfig


def gateway_app() -> FastAPI:
    """The gateway, configured from the settings."""
    from banshi.gateway import create_app

    settings = get_settings()
    if settings.profile != "embedded":
        # Started on its own (a container), not by `banshi run`: refuse placeholder secrets.
        settings.require_secrets("rasa_token", "service_token", "platform_client_key")
    return create_app(gateway_config(settings))


def phone_config(settings: Settings) -> PhoneConfig:
    """The phone channel's configuration for the settings."""
    from channels.phone.config import PhoneConfig

    return PhoneConfig(
        enabled=bool(settings.phone_enabled),
        sip_host=settings.sip_host,
        sip_port=settings.sip_port,
        sip_public_host=settings.sip_public_host,
        rtp_port_min=settings.sip_rtp_port_min,
        rtp_port_max=settings.sip_rtp_port_max,
        rtp_timeout_s=settings.sip_rtp_timeout_s,
        sip_allowed_peers=tuple(
            p.strip() for p in settings.sip_allowed_peers.split(",") if p.strip()
        ),
        register_uri=settings.sip_register_uri,
        register_user=settings.sip_register_user,
        register_password=settings.sip_register_password,
        silence_s=settings.phone_silence_s,
        key_gap_s=settings.phone_key_gap_s,
        speech_rate_cpm=settings.speech_rate_cpm,
        slow_speech_rate_cpm=settings.slow_speech_rate_cpm,
        recordings=settings.phone_recordings,
        recordings_dir=settings.recordings_dir,
        recording_days=settings.phone_recording_days,
        refer_to=settings.phone_refer_to,
    )


def gateway_config(settings: Settings) -> GatewayConfig:
    """The gateway's configuration for the settings."""
    from banshi.gateway import GatewayConfig
    from channels.kiosk.config import KioskConfig
    from channels.wechat.config import WeChatConfig
    from handoff.config import HandoffConfig

    return GatewayConfig(
        database_url=settings.effective_gateway_database_url,
        rasa_url=settings.rasa_url,
        rasa_token=settings.rasa_token,
        service_token=settings.service_token,
        max_text_chars=settings.max_text_chars,
        max_body_bytes=settings.max_body_bytes,
        rasa_timeout_s=settings.rasa_timeout_s,
        rasa_start_within_s=settings.rasa_start_within_s,
        rasa_turns_in_flight=settings.rasa_turns_in_flight,
        sandbox_docs_url=f"{settings.sandbox_url}/docs",
        today=settings.today,
        kiosk=KioskConfig(
            vosk_model_path=settings.vosk_model_path,
            idle_s=settings.kiosk_idle_s,
            warning_s=settings.kiosk_warning_s,
            speech_rate_cpm=settings.speech_rate_cpm,
            slow_speech_rate_cpm=settings.slow_speech_rate_cpm,
            end_of_speech_s=settings.end_of_speech_s,
            answer_settle_s=settings.answer_settle_s,
            no_input_s=settings.no_input_s,
            district=settings.kiosk_district,
        ),
        wechat=WeChatConfig(
            app_id=settings.wechat_app_id,
            token=settings.wechat_token,
            aes_key=settings.wechat_aes_key,
            app_secret=settings.wechat_app_secret,
            api_base=settings.wechat_api_base,
            reply_budget_s=settings.wechat_reply_budget_s,
            idle_s=settings.wechat_idle_s,
            redis_url=settings.redis_url if settings.profile == "scale" else "",
        ),
        handoff=HandoffConfig(
            claim_timeout_s=settings.handoff_claim_timeout_s,
            working_hours=settings.handoff_working_hours,
            timezone=settings.handoff_timezone,
            presence_s=settings.handoff_presence_s,
            session_hours=settings.staff_session_hours,
            cookie_secure=settings.staff_cookie_secure,
            demo_accounts=settings.demo and settings.profile == "embedded",
            demo_password=settings.demo_password,
            max_text_chars=settings.max_text_chars,
            platform_url=settings.effective_platform_url,
            platform_client_key=settings.platform_client_key,
            console_redis_url=settings.redis_url if settings.profile == "scale" else "",
            trusted_proxies=tuple(
                part.strip() for part in settings.trusted_proxies.split(",") if part.strip()
            ),
        ),
        phone=phone_config(settings),
        shutdown_drain_s=settings.shutdown_drain_s,
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
            today=settings.today,
        )
    )
