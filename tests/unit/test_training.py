"""banshi.training: the model is named by a hash of its inputs and reused until they change."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from banshi import paths, training


@pytest.fixture
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the training inputs, with banshi.paths pointing at it."""
    root = tmp_path / "project"
    shutil.copytree(paths.BOT_DIR, root / "bot")
    shutil.copytree(paths.NLU_DIR, root / "nlu_data")
    shutil.copy(paths.CONFIG, root / "config.yml")
    for package in paths.NLU_CODE_DIRS:
        shutil.copytree(package, root / package.name, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(paths, "ROOT", root)
    monkeypatch.setattr(paths, "CONFIG", root / "config.yml")
    monkeypatch.setattr(paths, "DOMAIN_DIR", root / "bot" / "domain")
    monkeypatch.setattr(paths, "DIALOGUE_DATA_DIR", root / "bot" / "data")
    monkeypatch.setattr(paths, "NLU_DIR", root / "nlu_data")
    monkeypatch.setattr(paths, "NLU_CODE_DIRS", (root / "nlu", root / "zhtext"))
    return root


def test_hash_is_stable_and_follows_every_input(project_copy: Path) -> None:
    first = training.content_hash()
    assert training.content_hash() == first
    for changed in (
        "config.yml",
        "bot/domain/core.yml",
        "bot/data/rules.yml",
        "nlu_data/core.yml",
        "nlu_data/jieba/userdict.txt",
    ):
        path = project_copy / changed
        original = path.read_bytes()
        path.write_bytes(original + b"\n# changed\n")
        assert training.content_hash() != first, changed
        path.write_bytes(original)
        assert training.content_hash() == first


def test_hash_follows_the_nlu_code_and_the_text_helpers(project_copy: Path) -> None:
    """Our NLU components run inside training (the normaliser rewrites the examples with
    zhtext.numbers), so a change to their code is a new model."""
    first = training.content_hash()
    changed = [
        "nlu/normalizer.py",
        "nlu/entity_ruler.py",
        "nlu/training_data.py",
        "zhtext/numbers.py",
        "zhtext/idcard.py",
    ]
    for name in changed:
        path = project_copy / name
        original = path.read_bytes()
        path.write_bytes(original + b"\n# changed\n")
        assert training.content_hash() != first, name
        path.write_bytes(original)
        assert training.content_hash() == first
    added = project_copy / "zhtext" / "dates.py"
    added.write_text('"""A new helper."""\n', encoding="utf-8")
    assert training.content_hash() != first
    added.unlink()
    cache = project_copy / "nlu" / "__pycache__"
    cache.mkdir()
    (cache / "normalizer.cpython-310.pyc").write_bytes(b"bytecode")
    assert training.content_hash() == first, "compiled files are no input"


def test_existing_model_is_reused_without_training(
    project_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = tmp_path / "models"
    models.mkdir()
    target = training.model_path(models)
    target.write_bytes(b"model")

    def no_training(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("must not train")

    monkeypatch.setattr(training.subprocess, "run", no_training)
    assert training.ensure_model(models) == target


def test_old_models_are_pruned(tmp_path: Path) -> None:
    models = []
    for index in range(5):
        model = tmp_path / f"banshi-{index:016x}.tar.gz"
        model.write_bytes(b"x")
        os.utime(model, (1_000_000 + index, 1_000_000 + index))
        models.append(model)
    training._prune(tmp_path, keep=models[-1])
    left = sorted(p.name for p in tmp_path.glob("banshi-*.tar.gz"))
    assert left == [m.name for m in models[-training.KEEP_MODELS :]]
