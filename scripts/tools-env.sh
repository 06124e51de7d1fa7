#!/usr/bin/env bash
# Create or update .venv-tools, the second environment for tools that clash with Rasa's pins
# (schemathesis needs jsonschema/packaging newer than Rasa 3.6 allows; kubernetes-validate and
# pip-audit check deploy/k8s and requirements.lock from outside). Idempotent: does
# nothing when .venv-tools already holds exactly requirements-tools.lock.
# Python: $TOOLS_PYTHON if set, else the first python3.11 or python3.10 that really runs.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-tools
LOCK=requirements-tools.lock
STAMP="$VENV/.installed"

want=$(sha256sum "$LOCK" | cut -d' ' -f1)
if [ -x "$VENV/bin/schemathesis" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi

ok_version='import sys; sys.exit(0 if sys.version_info[:2] in ((3, 10), (3, 11)) else 1)'
candidates=()
[ -n "${TOOLS_PYTHON:-}" ] && candidates+=("$TOOLS_PYTHON")
candidates+=(python3.11 python3.10 /usr/bin/python3.11 /usr/bin/python3.10)
for root in "${PYENV_ROOT:-$HOME/.pyenv}" /root/.pyenv; do
  for p in "$root"/versions/3.11*/bin/python3.11 "$root"/versions/3.10*/bin/python3.10; do
    candidates+=("$p")
  done
done
python_bin=""
for p in "${candidates[@]}"; do
  if "$p" -c "$ok_version" >/dev/null 2>&1; then python_bin="$p"; break; fi
done
if [ -z "$python_bin" ]; then
  echo "tools-env: needs Python 3.11 or 3.10 (e.g. 'apt-get install python3.11-venv'," >&2
  echo "or point TOOLS_PYTHON at one)." >&2
  exit 1
fi

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "$ok_version" 2>/dev/null; then
  echo "tools-env: creating $VENV with $python_bin"
  rm -rf "$VENV"
  "$python_bin" -m venv "$VENV"
fi
echo "tools-env: installing $LOCK"
# uv (the Makefile's pin) installs the lock's versions as pip would, in seconds.
uv_pin=$(sed -n 's/^UV := //p' Makefile)
if ! { "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$uv_pin" &&
  "$VENV/bin/python" -m uv pip install --quiet --compile-bytecode --python "$VENV/bin/python" \
    -r "$LOCK"; } \
  >"$VENV/install.log" 2>&1; then
  grep -v "^WARNING: Location" "$VENV/install.log" >&2
  exit 1
fi
"$VENV/bin/python" -m pip check >/dev/null || { "$VENV/bin/python" -m pip check; exit 1; }
"$VENV/bin/schemathesis" --version >/dev/null
"$VENV/bin/kubernetes-validate" --version >/dev/null
"$VENV/bin/pip-audit" --version >/dev/null
echo "$want" > "$STAMP"
