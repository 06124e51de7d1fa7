"""``/api/docs``: the Swagger UI of the gateway's API, from files on this machine only.

FastAPI's own docs page loads Swagger UI from a CDN and starts it with an inline script; both
are refused by the gateway's Content-Security-Policy, and a citizen-facing server should not
make browsers fetch code from a third party. So the page is served only when the Swagger UI
files are here (the ``swagger-ui-bundle`` package, or a folder given in the configuration):
the page, its starter script and the files all come from the gateway. Without them
``/api/docs`` is a 404; ``/api/openapi.json`` is always served.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css")
_PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <title>banshi gateway API</title>
  <link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/api/docs/start.js"></script>
</body>
</html>
"""
_START = 'window.ui = SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#swagger-ui"});\n'


def installed_swagger_ui() -> str:
    """The folder of the ``swagger-ui-bundle`` package's files, or "" when it is not installed."""
    try:
        bundle = importlib.import_module("swagger_ui_bundle")
    except ImportError:
        return ""
    return str(getattr(bundle, "swagger_ui_path", ""))


def mount_docs(app: FastAPI, assets_dir: str) -> bool:
    """Serve ``/api/docs`` from ``assets_dir`` if it holds the Swagger UI files; whether it does."""
    folder = Path(assets_dir) if assets_dir else None
    if folder is None or not all((folder / name).is_file() for name in ASSETS):
        return False
    app.mount("/api/docs/assets", StaticFiles(directory=folder), name="api-docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    async def docs_page() -> HTMLResponse:
        return HTMLResponse(_PAGE)

    @app.get("/api/docs/start.js", include_in_schema=False)
    async def docs_start() -> Response:
        return Response(_START, media_type="text/javascript; charset=utf-8")

    return True
