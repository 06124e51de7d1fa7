"""pip-audit over ``requirements.lock``: a known vulnerability not accepted (with its reason) in
``deploy/pip-audit-accepted.txt`` fails.

pip-audit runs from ``.venv-tools`` and asks PyPI's JSON API about each pinned version. Where
that API does not answer for versions (a mirror), nothing can be audited: the test says so in a
warning, and fails only with ``BANSHI_AUDIT_REQUIRED=true`` (release builds). That the accepted
list and a new finding work as described is checked in any case against a vulnerability
service played on loopback (pip-audit's OSV backend with ``--osv-url``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from banshi import paths
from tests.deploy.manifests import TOOLS_BIN
from tests.needs import need

AUDIT = TOOLS_BIN / "pip-audit"
LOCK = paths.ROOT / "requirements.lock"
ACCEPTED = paths.ROOT / "deploy" / "pip-audit-accepted.txt"
_LINE = re.compile(
    r"^(?P<id>\S+)\s+(?P<package>[A-Za-z0-9._-]+)==(?P<version>\S+)\s+(?P<reason>\S.*)$"
)


class AuditNotDone(UserWarning):
    """The vulnerability service answered for no pinned version: nothing was audited."""


@dataclass(frozen=True)
class Accepted:
    id: str
    package: str
    version: str
    reason: str


def read_accepted(path: Path) -> list[Accepted]:
    """The accepted findings: ``ID package==version reason`` lines; ``#`` starts a comment."""
    accepted = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line.strip())
        assert match, f"{path.name}:{number}: write `ID package==version reason`"
        accepted.append(Accepted(**match.groupdict()))
    return accepted


def audit(requirements: Path, accepted: list[Accepted], out: Path, *service: str) -> dict[str, Any]:
    """Run pip-audit on pinned ``requirements`` (no resolution, no pip), ignoring ``accepted``;
    return its JSON report with the exit status under ``"returncode"``."""
    need(AUDIT.exists(), str(AUDIT.relative_to(paths.ROOT)), "run `make tools-env`")
    out.mkdir(parents=True, exist_ok=True)
    report = out / "audit.json"
    command = [
        str(AUDIT), "-r", str(requirements), "--no-deps", "--disable-pip",
        "--progress-spinner", "off", "--format", "json", "--output", str(report),
        "--cache-dir", str(out / "cache"), "--timeout", "30", *service,
    ]  # fmt: skip
    for finding in accepted:
        command += ["--ignore-vuln", finding.id]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    assert report.exists(), result.stderr
    data: dict[str, Any] = json.loads(report.read_text())
    data["returncode"] = result.returncode
    return data


def findings(report: dict[str, Any]) -> list[str]:
    """``package==version ID (fixed in …)`` for every finding of a report."""
    return [
        f"{dep['name']}=={dep['version']} {vuln['id']} "
        f"(fixed in {', '.join(vuln['fix_versions']) or 'nothing yet'})"
        for dep in report["dependencies"]
        for vuln in dep.get("vulns", [])
    ]


def test_the_accepted_findings_are_each_explained() -> None:
    accepted = read_accepted(ACCEPTED)
    pinned = dict(line.split("==", 1) for line in LOCK.read_text().splitlines() if "==" in line)
    pinned = {name.lower().replace("_", "-"): version for name, version in pinned.items()}
    assert len({a.id for a in accepted}) == len(accepted), "an ID listed twice"
    for finding in accepted:
        # An entry for a version no longer pinned is stale: the bump fixed it, take it out.
        assert pinned.get(finding.package.lower().replace("_", "-")) == finding.version, finding
        assert len(finding.reason.split()) >= 3, f"{finding.id}: say why it is accepted"


def test_the_lock_has_no_vulnerability_beyond_the_accepted_ones(tmp_path: Path) -> None:
    report = audit(LOCK, read_accepted(ACCEPTED), tmp_path)
    new = findings(report)
    assert not new, (
        "pip-audit found vulnerabilities in requirements.lock: bump each package whose fixed "
        "version resolves with our pins, list the rest in deploy/pip-audit-accepted.txt with "
        "the reason:\n  " + "\n  ".join(new)
    )
    assert report["returncode"] == 0
    audited = [dep for dep in report["dependencies"] if "skip_reason" not in dep]
    if not audited:
        reason = report["dependencies"][0].get("skip_reason", "") if report["dependencies"] else ""
        message = (
            f"pip-audit could not audit requirements.lock: the vulnerability service answered "
            f"for none of its {len(report['dependencies'])} pinned versions (first: {reason}). "
            "Run it where PyPI's JSON API answers for versions."
        )
        if os.environ.get("BANSHI_AUDIT_REQUIRED") == "true":
            pytest.fail(message, pytrace=False)
        warnings.warn(AuditNotDone(message), stacklevel=1)


# --------------------------------------------------------------------------- a played service
KNOWN = {("aiohttp", "3.9.5"): "PYSEC-0000-TEST1", ("jinja2", "3.1.2"): "PYSEC-0000-TEST2"}
"""The vulnerabilities the played service knows: (package, version) -> id."""


class _OSV(BaseHTTPRequestHandler):
    """OSV's ``/v1/query``: the vulnerabilities of one package version."""

    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        key = (query["package"]["name"], query["version"])
        body: dict[str, Any] = {}
        if key in KNOWN:
            body = {
                "vulns": [
                    {
                        "id": KNOWN[key],
                        "summary": "played for the test",
                        "affected": [
                            {
                                "package": {"name": key[0], "ecosystem": "PyPI"},
                                "ranges": [
                                    {
                                        "type": "ECOSYSTEM",
                                        "events": [{"introduced": "0"}, {"fixed": "99.0"}],
                                    }
                                ],
                            }
                        ],
                    }
                ]
            }
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture(scope="module")
def osv() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OSV)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    finally:
        server.shutdown()
        server.server_close()


def test_a_new_finding_fails_and_an_accepted_one_does_not(tmp_path: Path, osv: str) -> None:
    requirements = tmp_path / "requirements.lock"
    requirements.write_text("aiohttp==3.9.5\njinja2==3.1.2\nidna==3.4\n")
    service = ("--vulnerability-service", "osv", "--osv-url", osv)

    report = audit(requirements, [], tmp_path / "none", *service)
    assert report["returncode"] == 1
    assert {f.split()[1] for f in findings(report)} == {"PYSEC-0000-TEST1", "PYSEC-0000-TEST2"}
    assert all("skip_reason" not in dep for dep in report["dependencies"])

    accepted_file = tmp_path / "accepted.txt"
    accepted_file.write_text(
        "# one accepted, one new\nPYSEC-0000-TEST1  aiohttp==3.9.5  pinned by Rasa 3.6 here\n"
    )
    report = audit(requirements, read_accepted(accepted_file), tmp_path / "one", *service)
    assert report["returncode"] == 1
    assert [f.split()[1] for f in findings(report)] == ["PYSEC-0000-TEST2"]

    everything = [
        *read_accepted(accepted_file),
        Accepted("PYSEC-0000-TEST2", "jinja2", "3.1.2", "x"),
    ]
    report = audit(requirements, everything, tmp_path / "all", *service)
    assert report["returncode"] == 0
    assert findings(report) == []


def test_a_malformed_accepted_line_is_refused(tmp_path: Path) -> None:
    accepted_file = tmp_path / "accepted.txt"
    accepted_file.write_text("PYSEC-0000-TEST1 aiohttp\n")
    with pytest.raises(AssertionError, match="ID package==version reason"):
        read_accepted(accepted_file)
