#!/usr/bin/env bash
# Set up chaingraph in ./.venv on a fresh machine (Debian 12, Python 3.11, root).
#   bash scripts/bootstrap.sh        the tool itself
#   bash scripts/bootstrap.sh test   the tool and everything its test suite needs
# On a terminal it says what it is doing and shows pip's and apt's progress (on stderr); in a
# pipe or a log it prints nothing but errors.
set -euo pipefail
cd "$(dirname "$0")/.."

want=${1:-run}
python=${PYTHON:-python3}

if [ -t 2 ]; then
  say() { echo "bootstrap: $*" >&2; }
  pip_quiet=()
  apt_quiet=(-q)
  show() { "$@" >&2; }          # progress to the terminal, on stderr
else
  say() { :; }
  pip_quiet=(-q)
  apt_quiet=(-qq)
  show() { "$@" >/dev/null; }   # errors still reach stderr
fi

# Another apt or dpkg run (an unattended upgrade, a second bootstrap) holds the lock: wait for
# it, at most 5 minutes, instead of failing with "Could not get lock".
apt_get() { show env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "${apt_quiet[@]}" "$@"; }

case "$want" in
  run|test) ;;
  *) echo "usage: bash scripts/bootstrap.sh [run|test]" >&2; exit 2 ;;
esac

# Debian's python3 has no venv module until python3-venv is installed.
if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  say "installing python3-venv with apt"
  apt_get update && apt_get install -y python3-venv
fi
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  "$python" -m venv .venv
fi
say "upgrading pip"
show .venv/bin/python -m pip install "${pip_quiet[@]}" --upgrade pip

case "$want" in
  run)  say "installing chaingraph (editable) and its dependencies"
        show .venv/bin/python -m pip install "${pip_quiet[@]}" -e . ;;
  test) say "installing chaingraph (editable) with its test dependencies"
        show .venv/bin/python -m pip install "${pip_quiet[@]}" -e '.[test]'
        # the browser tests drive Debian's Chromium (Playwright's own browser download does not
        # work offline); the CJK fonts let screenshots show Chinese labels
        if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -q 'Noto Sans CJK'; then
          say "installing chromium and fonts-noto-cjk with apt"
          apt_get update && apt_get install -y chromium fonts-noto-cjk
        fi ;;
esac
# an editable install leaves the package uncompiled (a wheel's install compiles it): compile it now,
# so that no command compiles its modules again where bytecode is not written (PYTHONDONTWRITEBYTECODE)
say "compiling chaingraph's modules"
.venv/bin/python -m compileall -q chaingraph >/dev/null
say "done: .venv is ready"
