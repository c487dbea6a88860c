#!/usr/bin/env bash
# Set up chaingraph in ./.venv on a fresh machine (Debian 12, Python 3.11, root).
#   bash scripts/bootstrap.sh        the tool itself
#   bash scripts/bootstrap.sh test   the tool and everything its test suite needs
set -euo pipefail
cd "$(dirname "$0")/.."

want=${1:-run}
python=${PYTHON:-python3}

# Debian's python3 has no venv module until python3-venv is installed.
if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  echo "bootstrap: installing python3-venv" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null

case "$want" in
  run)  .venv/bin/python -m pip install -q -e . ;;
  test) .venv/bin/python -m pip install -q -e '.[test]'
        # the browser tests drive Debian's Chromium (Playwright's own browser download does not
        # work offline); the CJK fonts let screenshots show Chinese labels
        if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -q 'Noto Sans CJK'; then
          echo "bootstrap: installing chromium and fonts-noto-cjk" >&2
          apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
        fi ;;
  *)    echo "usage: bash scripts/bootstrap.sh [run|test]" >&2; exit 2 ;;
esac
