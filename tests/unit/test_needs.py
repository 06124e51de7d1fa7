"""tests.needs: a missing part skips a test on a developer's machine and fails it under CI=true."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from banshi import paths

TINY_TESTS = """
import pytest

from tests.needs import need


@pytest.fixture
def frobnicator():
    need(False, "the frobnicator", "apt-get install frobnicator")


def test_has_what_it_needs():
    need(True, "the frobnicator", "apt-get install frobnicator")


def test_needs_it_itself():
    need(None, "the frobnicator", "apt-get install frobnicator")


def test_needs_it_through_a_fixture(frobnicator):
    pass
"""


def run_tiny_tests(tmp_path: Path, *, ci: str | None) -> subprocess.CompletedProcess[str]:
    """pytest on :data:`TINY_TESTS` in a child process, with ``CI`` set to ``ci`` or unset."""
    (tmp_path / "test_tiny.py").write_text(TINY_TESTS, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", "-c",
         str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=paths.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("ci", [None, "false", "1"])
def test_a_missing_part_skips_outside_ci(tmp_path: Path, ci: str | None) -> None:
    result = run_tiny_tests(tmp_path, ci=ci)
    summary = result.stdout.splitlines()[-1]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 2 skipped" in summary, result.stdout
    assert result.stdout.count("the frobnicator is missing: apt-get install frobnicator\n") == 2, (
        result.stdout
    )


def test_a_missing_part_fails_under_ci_true(tmp_path: Path) -> None:
    result = run_tiny_tests(tmp_path, ci="true")
    summary = result.stdout.splitlines()[-1]
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 1 passed, 1 error" in summary, result.stdout
    assert "skipped" not in summary
    reason = "Failed: the frobnicator is missing: apt-get install frobnicator (CI=true"
    assert f"test_tiny.py::test_needs_it_itself - {reason}" in result.stdout
    assert f"test_tiny.py::test_needs_it_through_a_fixture - {reason}" in result.stdout


def test_no_test_skips_on_its_own() -> None:
    """Every skip goes through tests.needs, so CI=true turns it into a failure."""
    own = Path(__file__).resolve()
    needs = paths.ROOT / "tests" / "needs.py"
    words = ("pytest.skip", "skipif", "importorskip", "mark.skip", "xfail")
    offenders = [
        f"{path.relative_to(paths.ROOT)}: {word}"
        for path in sorted((paths.ROOT / "tests").rglob("*.py"))
        if path.resolve() not in (own, needs)
        for word in words
        if word in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
