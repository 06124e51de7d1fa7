"""The scale profile's load balancer: an nginx configuration written under ``var/nginx``.

One nginx process (``daemon off``, its pid, temporary files and configuration under
``var/nginx``, its error log on stderr, so in ``var/logs/nginx.log``) serves three ports:

- the public gateway port (``BANSHI_HOST:BANSHI_GATEWAY_PORT``) → the gateway replicas, with
  WebSocket upgrades (the staff console's feed) and ``X-Forwarded-For`` (the gateways trust
  127.0.0.1 as a proxy);
- the internal Rasa port (127.0.0.1:``BANSHI_RASA_PORT``, the gateways' Rasa URL) → the Rasa
  replicas; Rasa's Redis lock store keeps one conversation on one Rasa at a time;
- the internal action port (127.0.0.1:``BANSHI_ACTION_PORT``, Rasa's action endpoint) → the
  action servers.

Connections to the gateways are reused; to Rasa and the action servers there is one a request
(see :attr:`Upstream.keepalive`). A request goes to another replica only when the first could
not be reached (``error``, ``timeout``): nginx never sends a POST again once it reached a
replica, so a citizen's turn is never handled twice.

The access log (``var/logs/nginx-access.log``) has the path without its query (Rasa's token
travels in it), the status and the replica that answered; nginx's error lines name the request
with its query, so the runner masks ``token=`` in them (:data:`SECRET_IN_QUERY`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

NGINX = "/usr/sbin/nginx"
"""Debian's nginx (package ``nginx-light``)."""

SECRET_IN_QUERY = re.compile(rb"([?&]token=)[^&\s\"]+")
"""A token in a request's query, as nginx's error lines show it (replaced by ``***``)."""


@dataclass(frozen=True)
class Upstream:
    """One load-balanced port: where it listens and the replicas' loopback ports behind it."""

    name: str
    listen: str
    """``host:port`` nginx listens on."""
    ports: tuple[int, ...]
    websockets: bool = False
    """Pass WebSocket upgrades, keep client connections long (the public gateway port)."""
    keepalive: bool = False
    """Reuse connections to the replicas. Only for uvicorn (the gateways), which closes a
    reused connection after its current answer when it stops. Sanic (Rasa, the action server)
    keeps serving on an open connection until its graceful time is over and then cuts it:
    one connection a request lets a stopping replica finish and nginx go to the others."""


def _upstream_block(upstream: Upstream) -> str:
    servers = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in upstream.ports
    )
    keepalive = "\n        keepalive 32;" if upstream.keepalive else ""
    return f"""    upstream banshi_{upstream.name} {{
{servers}{keepalive}
    }}
"""


def _server_block(upstream: Upstream) -> str:
    if upstream.websockets:
        header = "$connection_upgrade" if upstream.keepalive else "$connection_close"
        connection = f"""            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection {header};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;"""
    else:
        header = '""' if upstream.keepalive else "close"
        connection = f"""            proxy_set_header Connection {header};
            proxy_read_timeout 120s;"""
    return f"""    server {{
        listen {upstream.listen};
        access_log ACCESS_LOG banshi buffer=32k flush=1s;
        location / {{
            proxy_pass http://banshi_{upstream.name};
            proxy_http_version 1.1;
{connection}
            proxy_buffering off;
            proxy_connect_timeout 2s;
            # Only when a replica cannot be reached; a POST already sent is never sent again.
            proxy_next_upstream error timeout;
        }}
    }}
"""


def render(upstreams: list[Upstream], *, prefix: Path, log_dir: Path, max_body_bytes: int) -> str:
    """The nginx configuration for ``upstreams``, its files under ``prefix``."""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / 'temp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    body_limit = max(max_body_bytes, 1024 * 1024) + 1024
    blocks = "".join(_upstream_block(u) for u in upstreams)
    servers = "".join(_server_block(u) for u in upstreams).replace(
        "ACCESS_LOG", str(log_dir / "nginx-access.log")
    )
    return f"""# Written by banshi.load_balancer at each start; edits are lost.
daemon off;
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log stderr warn;

events {{
    worker_connections 4096;
}}

http {{
{temp}
    # The gateway answers too large bodies itself (413 too_large, in Chinese). Bodies stay in
    # memory: nginx's workers (user nobody when started as root) may not reach var/.
    client_max_body_size {body_limit};
    client_body_buffer_size {body_limit};
    server_tokens off;
    log_format banshi '$time_iso8601 $server_port $request_method $uri $status '
                      '$upstream_addr $request_time';
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        "" "";
    }}
    map $http_upgrade $connection_close {{
        default upgrade;
        "" close;
    }}
{blocks}
{servers}}}
"""


def write_config(
    upstreams: list[Upstream], *, prefix: Path, log_dir: Path, max_body_bytes: int
) -> Path:
    """Write the configuration (and make its folders); return its path."""
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "temp" / kind).mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    path = prefix / "nginx.conf"
    path.write_text(
        render(upstreams, prefix=prefix, log_dir=log_dir, max_body_bytes=max_body_bytes)
    )
    return path


def command(config: Path) -> list[str]:
    """nginx's command line for ``config`` (no process of ours writes outside ``var/``)."""
    return [NGINX, "-p", str(config.parent), "-c", str(config), "-e", "stderr"]
