"""Start the action server: rasa-sdk's app plus our startup hooks and token check.

``python -m actions.server`` — reads :class:`ActionConfig` from the environment, listens on
loopback, refuses webhook calls without Rasa's token (sent by Rasa as ``?token=`` from
``bot/endpoints/*.yml``), owns the one platform client of the process and its citizen
sessions (:mod:`actions.sessions`), and masks personal numbers in its log
(:mod:`actions.logs`).
"""

from __future__ import annotations

import hmac
import logging

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions import runtime
from actions.config import ActionConfig
from actions.logs import mask_personal_numbers

logger = logging.getLogger(__name__)


def build_app(config: ActionConfig) -> Sanic:
    """The action server app for ``config``."""
    app = create_app("actions", cors_origins=[])

    @app.middleware("request")
    async def check_token(request: Request) -> HTTPResponse | None:
        if request.path in ("/health", "/readyz") or not config.action_token:
            return None
        given = request.args.get("token", "")
        if not hmac.compare_digest(given, config.action_token):
            logger.warning("actions.request.unauthorized path=%s", request.path)
            return response.json(
                {"error": {"code": "unauthorized", "message": "动作服务器需要令牌。"}}, status=401
            )
        return None

    @app.get("/readyz")
    async def readyz(_request: Request) -> HTTPResponse:
        """200 once the server runs; the citizen sessions' database is reported (``degraded``)
        but does not make it 503: it is shared by every action server, and Rasa explains a
        failed action to the citizen only if it can reach one."""
        try:
            await runtime.citizen_sessions().ping()
        except Exception as error:
            logger.warning("actions.readyz.degraded error=%s", type(error).__name__)
            return response.json(
                {"status": "degraded", "checks": {"sessions": f"error: {type(error).__name__}"}}
            )
        return response.json({"status": "ok", "checks": {"sessions": "ok"}})

    @app.listener("before_server_start")
    async def start_platform_client(_app: Sanic, _loop: object) -> None:
        runtime.start_client(config)

    @app.listener("after_server_stop")
    async def stop_platform_client(_app: Sanic, _loop: object) -> None:
        await runtime.stop_client()

    return app


def main() -> None:
    """Entry point: ``python -m actions.server``."""
    mask_personal_numbers()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    config = ActionConfig.from_env()
    app = build_app(config)
    logger.info("actions.server.start host=%s port=%s", config.host, config.port)
    app.run(host=config.host, port=config.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
