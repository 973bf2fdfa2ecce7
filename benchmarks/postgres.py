"""A throwaway PostgreSQL cluster for tests and benchmarks: Debian's server binaries, a temporary folder.

It listens on loopback only. PostgreSQL refuses to run as root, so as root the cluster belongs to the
`postgres` user (`runuser`); as anyone else it runs as them. Durability is off (fsync, synchronous
commit): tests need speed, not it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 60


def server_binaries() -> Path:
    """The folder with initdb, pg_ctl and postgres: `make tools` installs Debian's `postgresql`."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    assert initdb, "PostgreSQL's server is missing: `make test` installs it (apt-get install postgresql)"
    return Path(initdb).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Postgres:
    folder: Path
    port: int
    bin: Path

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = ("runuser", "-u", "postgres", "--") if os.geteuid() == 0 else ()
        return subprocess.run([*prefix, *command], check=check, capture_output=True, text=True,
                              timeout=START_TIMEOUT_S)

    def start(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"),
                 "-o", options, "-w", "-t", str(START_TIMEOUT_S), "start")

    def stop(self, mode: str = "fast") -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def create_database(self, name: str) -> str:
        self.run(str(self.bin / "psql") if (self.bin / "psql").exists() else "psql", "-h", "127.0.0.1",
                 "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-c", f'CREATE DATABASE "{name}"')
        return self.url(name)

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def start_postgres() -> Postgres:
    """initdb in a new folder under the system's temporary folder (the postgres user must reach it), then start."""
    folder = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = Postgres(folder, free_port(), server_binaries())
    cluster.run(str(cluster.bin / "initdb"), "-D", str(cluster.data), "-U", "postgres", "-A", "trust",
                "--no-sync", "-E", "UTF8", "--locale=C")
    cluster.start()
    return cluster
