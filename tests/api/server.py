"""Run the real server (``graph-engine serve``) as a subprocess on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

__all__ = ["free_port", "start_server"]


def free_port() -> int:
    """A TCP port nobody listens on (on 127.0.0.1)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, port: int, timeout: float = 60.0) -> subprocess.Popen[bytes]:
    """Start ``graph-engine serve --db DB --port PORT`` and wait until /v1/health answers."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    log_path = db.with_suffix(".server.log")
    with log_path.open("wb") as log:  # the child keeps its own handle
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from graph_engine.cli import main; main()",
                "serve",
                "--db",
                str(db),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[2],
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start in time")
