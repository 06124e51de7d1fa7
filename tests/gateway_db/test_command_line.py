"""The command lines on the gateway's database: ``banshi staff`` migrates a new database before
it adds an account, and alembic's own command line (``banshi/alembic.ini``) finds the database
the settings name and the models in step with it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from banshi import paths
from banshi.migrate import current_revision
from tests.gateway_db import kit
from tests.handoff.kit import PASSWORD


def _run(*command: str, url: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *command],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "BANSHI_GATEWAY_DATABASE_URL": url},
        cwd=paths.ROOT,
        timeout=120,
        check=False,
    )


async def test_banshi_staff_add_migrates_a_new_database_first(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    added = _run(
        "-m", "banshi", "staff", "add", "wang.li", "--role", "staff", "--district", "姑苏区",
        "--password-stdin", url=url, stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert await current_revision(url) == kit.head()
    assert [row[1] for row in kit.all_rows(url)["staff"]] == ["wang.li"]
    assert kit.differences(url) == []


async def test_the_alembic_command_line_sees_the_database_in_step_with_the_models(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    config = str(paths.ROOT / "banshi" / "alembic.ini")
    upgraded = _run("-m", "alembic", "-c", config, "upgrade", "head", url=url)
    assert upgraded.returncode == 0, upgraded.stderr
    current = _run("-m", "alembic", "-c", config, "current", url=url)
    assert current.stdout.split() == [kit.head(), "(head)"], current.stderr
    checked = _run("-m", "alembic", "-c", config, "check", url=url)
    assert checked.returncode == 0, checked.stderr
