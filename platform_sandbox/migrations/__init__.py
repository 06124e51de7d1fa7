"""Alembic migrations of the sandbox database (run by :mod:`platform_sandbox.migrate`)."""
