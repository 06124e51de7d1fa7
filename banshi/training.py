"""Train the Rasa model only when its inputs changed.

The model is named after a content hash of everything Rasa trains from (``config.yml``, the
domain, rules and stories, the NLU data and jieba dictionary, the code of our NLU components
in ``nlu/`` and of the ``zhtext/`` helpers they call) and of the Rasa version, so a trained
model is reused until one of them changes, and a stale one is never served.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from banshi import paths
from banshi.runner import die_with_parent
from banshi.settings import NO_TELEMETRY

logger = logging.getLogger(__name__)
MODEL_PREFIX = "banshi-"
KEEP_MODELS = 3


def training_inputs() -> list[Path]:
    """Every file the model is trained from, in a stable order."""
    files = [paths.CONFIG]
    for folder in (paths.DOMAIN_DIR, paths.DIALOGUE_DATA_DIR, paths.NLU_DIR):
        files += sorted(p for p in folder.rglob("*") if p.is_file())
    for package in paths.NLU_CODE_DIRS:
        files += sorted(package.rglob("*.py"))
    return files


def content_hash() -> str:
    """A hash of the training inputs (names and bytes) and the Rasa version."""
    digest = hashlib.sha256()
    digest.update(metadata.version("rasa").encode())
    for path in training_inputs():
        digest.update(str(path.relative_to(paths.ROOT)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(models_dir: Path) -> Path:
    """Where the model for the current inputs is (or will be) stored."""
    return models_dir / f"{MODEL_PREFIX}{content_hash()}.tar.gz"


def ensure_model(models_dir: Path, *, force: bool = False) -> Path:
    """Return the up-to-date model, training it first when it is missing or ``force`` is set."""
    target = model_path(models_dir)
    if target.exists() and not force:
        logger.info("train.skip model=%s (inputs unchanged)", target.name)
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "--config",
        str(paths.CONFIG),
        "--domain",
        str(paths.DOMAIN_DIR),
        "--data",
        str(paths.DIALOGUE_DATA_DIR),
        str(paths.NLU_DIR),
        "--out",
        str(models_dir),
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
        "--quiet",
    ]
    print(f"training the Rasa model ({target.name}); this takes one to two minutes…", flush=True)
    started = time.monotonic()
    # the training stops with its parent: a killed test run leaves no trainer behind
    result = subprocess.run(
        command,
        cwd=paths.ROOT,
        env={**os.environ, **NO_TELEMETRY},
        check=False,
        preexec_fn=die_with_parent,
    )
    if result.returncode != 0 or not target.exists():
        raise RuntimeError(f"rasa train failed (exit {result.returncode}); see the output above")
    print(f"trained in {time.monotonic() - started:.0f} s: {target}", flush=True)
    _prune(models_dir, keep=target)
    return target


def _prune(models_dir: Path, *, keep: Path) -> None:
    """Delete old banshi models, keeping the newest few."""
    models = sorted(models_dir.glob(f"{MODEL_PREFIX}*.tar.gz"), key=lambda p: p.stat().st_mtime)
    for old in models[:-KEEP_MODELS]:
        if old != keep:
            old.unlink(missing_ok=True)
