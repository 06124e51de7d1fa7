#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 needs <3.11): $PYTHON if set, else the
# first python3.10 that really runs (pyenv shims may exist without the version being active).
set -u
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
candidates+=(python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10)
for root in "${PYENV_ROOT:-$HOME/.pyenv}" /root/.pyenv; do
  for p in "$root"/versions/3.10*/bin/python3.10; do candidates+=("$p"); done
done
for p in "${candidates[@]}"; do
  if "$p" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; then
    command -v "$p" 2>/dev/null || echo "$p"
    exit 0
  fi
done
echo "banshi needs Python 3.10 (Rasa 3.6 does not run on 3.11+)." >&2
echo "Install it (e.g. 'pyenv install 3.10' or 'apt-get install python3.10 python3.10-venv')," >&2
echo "or point PYTHON at one: make run PYTHON=/path/to/python3.10" >&2
exit 1
