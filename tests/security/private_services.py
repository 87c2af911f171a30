"""A private PostgreSQL and Redis on free ports, for tests that break them on purpose.

The machine's shared services are never stopped or restarted: fault tests start their own.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def have_private_postgres() -> bool:
    return (PG_BIN / "initdb").exists() and shutil.which("runuser") is not None


def have_redis() -> bool:
    return shutil.which("redis-server") is not None and shutil.which("redis-cli") is not None


def _as_postgres(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", "postgres", "--", *command],  # noqa: S603
                          capture_output=True, text=True, check=False, timeout=120)


@dataclass
class PrivatePostgres:
    data_dir: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        result = _as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-w", "-t", "60",
            "-l", str(self.data_dir / "server.log"),
            "-o", f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 "
                  "-c fsync=off -c full_page_writes=off",
            "start")
        assert result.returncode == 0, result.stdout + result.stderr

    def stop(self) -> None:
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-w", "-m", "fast",
                     "stop")


@contextmanager
def private_postgres():
    root = Path(tempfile.mkdtemp(prefix="pp-pg-"))
    data_dir = root / "data"
    data_dir.mkdir()
    shutil.chown(root, "postgres")
    shutil.chown(data_dir, "postgres")
    os.chmod(data_dir, 0o700)
    result = _as_postgres(str(PG_BIN / "initdb"), "-D", str(data_dir), "-A", "trust",
                          "-U", "postgres", "--no-sync")
    assert result.returncode == 0, result.stderr
    server = PrivatePostgres(data_dir, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class PrivateRedis:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@contextmanager
def private_redis():
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = PrivateRedis(port, process)
    for _ in range(100):
        ping = subprocess.run(["redis-cli", "-p", str(port), "ping"],  # noqa: S603,S607
                              capture_output=True, text=True, check=False)
        if ping.stdout.strip() == "PONG":
            break
        time.sleep(0.1)  # waiting for a starting server, not synchronising with a request
    try:
        yield server
    finally:
        server.stop()
