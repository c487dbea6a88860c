"""scripts/bootstrap.sh, run for real against stand-ins for apt-get and python that record how
they are called: apt waits for the lock instead of failing, and progress shows on a terminal only."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from terminal import run_with_terminal_stderr

ROOT = Path(__file__).resolve().parents[1]

# python3 without the venv module, as on a fresh Debian: the script must install python3-venv
FAKE_PYTHON = """#!/bin/sh
echo "python $*" >> "$LOG"
case "$*" in
  "-c import ensurepip, venv") exit 1 ;;
  "-m venv .venv") mkdir -p .venv/bin && cp "$0" .venv/bin/python ;;
esac
"""
FAKE_APT = """#!/bin/sh
echo "apt-get $*" >> "$LOG"
echo "Reading package lists..."
"""
FAKE_FC_LIST = """#!/bin/sh
echo "/usr/share/fonts/NotoSansCJK-Regular.ttc: Noto Sans CJK SC"
"""


@pytest.fixture
def sandbox(tmp_path: Path) -> tuple[Path, dict]:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "bootstrap.sh", repo / "scripts")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in {"python3": FAKE_PYTHON, "apt-get": FAKE_APT, "fc-list": FAKE_FC_LIST}.items():
        (bin_dir / name).write_text(text, encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "LOG": str(tmp_path / "calls.log"),
           "PYTHON": str(bin_dir / "python3")}
    return repo, env


def calls(env: dict) -> list[str]:
    return Path(env["LOG"]).read_text(encoding="utf-8").splitlines()


def test_apt_waits_for_the_lock_and_a_pipe_gets_no_progress(sandbox):
    repo, env = sandbox
    done = subprocess.run(["bash", "scripts/bootstrap.sh", "test"], cwd=repo, env=env, capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    apt = [line for line in calls(env) if line.startswith("apt-get")]
    assert apt == ["apt-get -o DPkg::Lock::Timeout=300 -qq update",
                   "apt-get -o DPkg::Lock::Timeout=300 -qq install -y python3-venv"]
    assert "python -m pip install -q -e .[test]" in calls(env)
    assert calls(env)[-1] == "python -m compileall -q chaingraph"  # the editable install's modules compiled


def test_a_terminal_gets_progress_on_stderr(sandbox):
    repo, env = sandbox
    out, err, code = run_with_terminal_stderr(["bash", "scripts/bootstrap.sh", "run"], cwd=repo, env=env)
    assert (code, out) == (0, "")
    lines = err.splitlines()
    assert [line for line in lines if line.startswith("bootstrap:")] == [
        "bootstrap: installing python3-venv with apt", "bootstrap: creating .venv", "bootstrap: upgrading pip",
        "bootstrap: installing chaingraph (editable) and its dependencies", "bootstrap: compiling chaingraph's modules",
        "bootstrap: done: .venv is ready"]
    assert "Reading package lists..." in lines  # apt's own progress, shown on the terminal
    assert [line for line in calls(env) if line.startswith("apt-get")][0] == (
        "apt-get -o DPkg::Lock::Timeout=300 -q update")


def test_unknown_argument(sandbox):
    repo, env = sandbox
    done = subprocess.run(["bash", "scripts/bootstrap.sh", "tset"], cwd=repo, env=env, capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (2, "usage: bash scripts/bootstrap.sh [run|test]\n")
