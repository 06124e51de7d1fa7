"""What a profile needs before its processes start: folders (embedded) or databases (scale)."""

from __future__ import annotations

from banshi.settings import Settings


def prepare(settings: Settings) -> None:
    """Create what the profile's processes expect to exist; in the scale profile, first wait
    (``BANSHI_WAIT_FOR_S`` at most) until PostgreSQL, Redis and RabbitMQ answer."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    if settings.profile == "scale":
        from banshi.wait_for import parse, wait_for

        services = [parse(kind, settings) for kind in ("postgres", "redis", "rabbitmq")]
        wait_for(services, timeout_s=settings.wait_for_s)
        ensure_postgres_databases(settings)


def ensure_postgres_databases(settings: Settings) -> list[str]:
    """Create the gateway's and the sandbox's PostgreSQL databases if missing; return new ones.

    (Rasa creates its own tracker database through ``login_db``.)
    """
    import psycopg2
    from psycopg2 import sql

    wanted = [settings.postgres_database, f"{settings.postgres_database}_sandbox"]
    created = []
    connection = psycopg2.connect(settings.postgres_url_for("postgres"), connect_timeout=5)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            for name in wanted:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if cursor.fetchone() is None:
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                    created.append(name)
    finally:
        connection.close()
    return created
