"""The checked-in pattern files are what ``banshi nlu-patterns`` makes from the platform.

The command runs as a subprocess against a real sandbox process, writing into a temporary
directory; every file it writes must equal the checked-in one, and no other pattern file may
be checked in (the extractor loads every ``*.jsonl`` of ``nlu_data/patterns/``).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.platform_sandbox.sandbox_testkit import CLIENT_KEY, RunningSandbox, start_sandbox

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
REGENERATE = "banshi nlu-patterns --platform-url <the sandbox> --client-key <its key>"


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    yield from start_sandbox(tmp_path_factory.mktemp("nlu-patterns-sandbox"))


def nlu_patterns(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "banshi", "nlu-patterns", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _files(root: Path) -> set[Path]:
    return {path.relative_to(root) for path in (root / "nlu_data").rglob("*") if path.is_file()}


def test_the_checked_in_files_are_made_from_the_platform(
    platform: RunningSandbox, tmp_path: Path
) -> None:
    result = nlu_patterns(
        "--platform-url", platform.base_url, "--client-key", CLIENT_KEY, "--output", str(tmp_path)
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    made = _files(tmp_path)
    assert Path("nlu_data/lookups.yml") in made
    assert Path("nlu_data/jieba/entities.txt") in made
    checked_in = {
        Path("nlu_data/patterns") / p.name for p in (ROOT / "nlu_data/patterns").iterdir()
    }
    assert {p for p in made if p.parent == Path("nlu_data/patterns")} == checked_in
    for relative in sorted(made):
        assert (tmp_path / relative).read_text("utf-8") == (ROOT / relative).read_text("utf-8"), (
            f"{relative} is out of date: run `{REGENERATE}`"
        )


def test_a_refused_key_writes_nothing_and_names_the_code(
    platform: RunningSandbox, tmp_path: Path
) -> None:
    result = nlu_patterns(
        "--platform-url", platform.base_url, "--client-key", "wrong-key", "--output", str(tmp_path)
    )  # fmt: skip
    assert result.returncode == 1
    assert "unauthorized" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "nlu_data").exists()


def test_an_unreachable_platform_is_said_plainly(tmp_path: Path) -> None:
    from tests.platform_sandbox.sandbox_testkit import free_port

    url = f"http://127.0.0.1:{free_port()}"
    result = nlu_patterns("--platform-url", url, "--client-key", "k", "--output", str(tmp_path))
    assert result.returncode == 1
    assert f"cannot reach the platform at {url}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "nlu_data").exists()
