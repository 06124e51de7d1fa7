# banshi — the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PROFILE ?= embedded
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export BANSHI_PROFILE := $(PROFILE)
# Rasa's anonymous usage reporting stays off for every Rasa command run from here.
export RASA_TELEMETRY_ENABLED := false

.PHONY: help setup system-packages system-packages-test tools-env run test lint typecheck validate train eval bench doctor clean

help:
	@echo "make run      start banshi (PROFILE=embedded|scale), Ctrl-C stops it"
	@echo "make test     lint, type-check and run every test"
	@echo "make train    train the Rasa model if its inputs changed"
	@echo "make eval     NLU cross-validation, test stories, held-out dialogues -> var/reports/"
	@echo "make bench    benchmarks (JSON) -> var/bench/"
	@echo "make doctor   check this machine and say how to fix what is missing"

# The environment: Python 3.10, pinned by requirements.lock; reinstalled only when they change.
# uv installs the same pinned versions as pip, in seconds instead of minutes (a clean clone's
# `make test` builds the environment each time). --compile-bytecode, as pip does: with
# PYTHONDONTWRITEBYTECODE set, every process would otherwise compile Rasa and TensorFlow anew.
UV := uv==0.9.17
# pipefail: a failed pip install fails the target even though its output goes through grep.
$(STAMP): pyproject.toml requirements.lock
	@set -e -o pipefail; PYTHON_BIN=$$(scripts/find-python.sh); \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	  echo "creating $(VENV) with $$PYTHON_BIN"; rm -rf $(VENV); $$PYTHON_BIN -m venv $(VENV); \
	fi; \
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3" 2>&1 \
	  | { grep -v "^WARNING: Location" || true; }; \
	$(PY) -m pip install --quiet --disable-pip-version-check "$(UV)" 2>&1 \
	  | { grep -v "^WARNING: Location" || true; }; \
	echo "installing Python packages from requirements.lock with $(UV)"; \
	$(PY) -m uv pip install --quiet --compile-bytecode --python $(PY) -c requirements.lock -e '.[dev]'; \
	$(PY) -m pip check >/dev/null || { $(PY) -m pip check; exit 1; }; \
	$(PY) -c 'import rasa, fastapi, banshi' ; touch $(STAMP)

setup: $(STAMP) system-packages

system-packages:
	@scripts/system-packages.sh run

system-packages-test:
	@scripts/system-packages.sh test

# Second environment for tools that clash with Rasa's pins (schemathesis); see scripts/tools-env.sh.
tools-env:
	@scripts/tools-env.sh

train: $(STAMP)
	@$(PY) -m banshi train

run: setup
	@$(PY) -m banshi run --profile $(PROFILE)

doctor: $(STAMP)
	@$(PY) -m banshi doctor --profile $(PROFILE)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# The training data, domain and rules agree: any warning fails.
validate: $(STAMP)
	$(VENV)/bin/rasa data validate --domain bot/domain --data nlu_data bot/data \
		--config config.yml --fail-on-warnings --quiet

test: setup system-packages-test tools-env lint typecheck validate train
	$(PY) -m pytest -q -p no:cacheprovider --durations=25

eval: $(STAMP)
	$(PY) -m bench.nlu_eval
	$(PY) -m bench.dialogues_eval

BENCHES := bench.turn_latency bench.sandbox_latency bench.handoff_latency \
	bench.voice_tts bench.voice_stt bench.voice_kiosk bench.wechat_latency \
	bench.phone_session bench.phone_calls bench.scale_load bench.soak bench.faults
bench: setup train
	@mkdir -p var/bench
	@for b in $(BENCHES); do echo "== $$b"; $(PY) -m $$b || exit 1; done

clean:
	rm -rf var/logs var/bench var/reports .pytest_cache .mypy_cache .ruff_cache
