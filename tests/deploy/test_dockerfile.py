"""The image description (``deploy/Dockerfile``), read without building it (building needs a
registry): the base, the system packages, the pinned install, a non-root user that matches the
manifests, and a build context that holds everything the image copies and nothing private."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

import pytest
import tomli

from banshi import paths
from tests.deploy.manifests import Manifests

DOCKERFILE = paths.ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = paths.ROOT / "deploy" / "Dockerfile.dockerignore"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


def parse(text: str) -> list[list[Instruction]]:
    """The Dockerfile's instructions, one list per build stage (continuations joined)."""
    stages: list[list[Instruction]] = []
    logical = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not logical and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        logical += " " + stripped.removesuffix("\\")
        if stripped.endswith("\\"):
            continue
        keyword, _, arguments = logical.strip().partition(" ")
        instruction = Instruction(keyword.upper(), " ".join(arguments.split()))
        logical = ""
        if instruction.keyword == "FROM":
            stages.append([])
        assert stages, f"{instruction.keyword} before FROM"
        stages[-1].append(instruction)
    return stages


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether the build context leaves ``path`` out (last matching pattern wins; a pattern
    that matches a folder covers what is in it)."""
    parts = PurePosixPath(path).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        body = pattern.removeprefix("!").rstrip("/")
        if any(fnmatch.fnmatchcase(prefix, body) for prefix in prefixes):
            result = not negate
    return result


@pytest.fixture(scope="module")
def stages() -> list[list[Instruction]]:
    return parse(DOCKERFILE.read_text())


@pytest.fixture(scope="module")
def patterns() -> list[str]:
    lines = DOCKERIGNORE.read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _all(stage: list[Instruction], keyword: str) -> list[str]:
    return [i.arguments for i in stage if i.keyword == keyword]


def test_the_parser_sees_a_missing_continuation() -> None:
    text = "FROM python:3.10-slim\nRUN apt-get update \\\n && apt-get install x\nUSER 1\n"
    assert parse(text)[0][1] == Instruction("RUN", "apt-get update && apt-get install x")
    with pytest.raises(AssertionError):
        parse("RUN true\nFROM python:3.10-slim\n")


def test_every_stage_is_python_3_10_slim(stages: list[list[Instruction]]) -> None:
    assert len(stages) >= 1
    for stage in stages:
        image = stage[0].arguments.split()[0]
        assert re.fullmatch(r"python:3\.10-slim(-\w+)?", image), image


def test_the_image_has_speech_and_the_pinned_packages(stages: list[list[Instruction]]) -> None:
    final = stages[-1]
    installs = " ".join(_all(final, "RUN"))
    assert re.search(r"apt-get install [^&]*\bespeak-ng\b", installs)
    assert re.search(r"apt-get install [^&]*\bffmpeg\b", installs)
    everything = " ".join(i.arguments for stage in stages for i in stage if i.keyword == "RUN")
    assert re.search(r"pip install (-\S+ )*-c requirements\.lock", everything)


def test_it_runs_as_the_user_the_manifests_require(stages: list[list[Instruction]]) -> None:
    users = _all(stages[-1], "USER")
    assert users, "no USER: the image would run as root"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "USER must be numeric for runAsNonRoot"
    for deployment in Manifests.load().of_kind("Deployment"):
        pod = deployment["spec"]["template"]["spec"]["securityContext"]
        assert pod["runAsUser"] == int(uid), deployment["metadata"]["name"]


def test_the_model_is_copied_where_rasa_loads_it(stages: list[list[Instruction]]) -> None:
    final = stages[-1]
    assert "MODEL" in _all(final, "ARG")
    model_copies = [c for c in _all(final, "COPY") if c.startswith("${MODEL}")]
    assert model_copies == ["${MODEL} /app/models/"]
    for name, container in Manifests.load().containers():
        if name == "banshi-rasa":
            command = container["command"]
            assert command[command.index("--model") + 1] == "/app/models"


def test_the_build_context_holds_what_is_copied_and_nothing_private(
    stages: list[list[Instruction]], patterns: list[str]
) -> None:
    copied: set[str] = set()
    for stage in stages:
        for arguments in _all(stage, "COPY"):
            if arguments.startswith("--from") or arguments.startswith("${"):
                continue
            *sources, _destination = arguments.split()
            copied.update(source.rstrip("/") for source in sources)
    for source in copied:
        assert (paths.ROOT / source).exists(), f"COPY {source}: not in the repository"
        assert not ignored(source, patterns), f"COPY {source}: left out of the build context"
    assert not ignored("var/models/banshi-0123456789abcdef.tar.gz", patterns)
    for private in (".env", ".venv/bin/python", "var/gateway.db", "tests/conftest.py", ".git"):
        assert ignored(private, patterns), private
    # Every package the project installs, and the files banshi/paths.py finds beside them.
    project = tomli.loads((paths.ROOT / "pyproject.toml").read_text())
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert packages | {"config.yml", "bot", "nlu_data", "requirements.lock"} <= copied
