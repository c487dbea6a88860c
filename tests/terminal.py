"""Run a program with stderr on a pseudo-terminal (as in an interactive shell) and stdout on a pipe."""
from __future__ import annotations

import os
import pty
import subprocess

__all__ = ["run_with_terminal_stderr"]


def run_with_terminal_stderr(args: list[str], **popen: object) -> tuple[str, str, int]:
    """(stdout, what the terminal received on stderr, exit code); `popen` goes to subprocess.Popen."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=follower, **popen)
    os.close(follower)
    out = process.stdout.read()
    err = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        err += chunk
    os.close(leader)
    return out.decode(), err.decode().replace("\r\n", "\n"), process.wait()
