"""A throwaway PostgreSQL server for tests: `initdb` + `pg_ctl start` in a temp dir.

The server listens on a Unix socket in its own folder and on 127.0.0.1 at a free
port, with password (SCRAM) authentication over TCP, so tests can use real URLs,
wrong passwords and a stopped server. When the PostgreSQL binaries are missing
the fixture fails with a message saying what to install (no silent skip).
Running as root (CI containers), the server runs as the `postgres` user (or
`nobody`) via `runuser`, since `initdb` refuses root.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SUPERUSER = "postgres"
PASSWORD = "s3cret-pw"


def find_bindir() -> Path | None:
    if shutil.which("pg_ctl") and shutil.which("initdb"):
        return Path(shutil.which("pg_ctl") or "").resolve().parent
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if out.returncode == 0 and (Path(out.stdout.strip()) / "pg_ctl").exists():
            return Path(out.stdout.strip())
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    bindir: Path
    root: Path
    port: int
    run_as: str | None

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def sockdir(self) -> Path:
        return self.root / "sock"

    def url(self, db: str = "postgres", password: str = PASSWORD, user: str = SUPERUSER) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{db}"

    def _cmd(self, args: list[str]) -> list[str]:
        return ["runuser", "-u", self.run_as, "--", *args] if self.run_as else args

    def ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._cmd([str(self.bindir / "pg_ctl"), "-D", str(self.data), *args]),
            capture_output=True, text=True, check=check, cwd=self.root,
        )

    def start(self) -> None:
        opts = (
            f"-p {self.port} -k {self.sockdir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=40"
        )
        self.ctl("-w", "-t", "60", "-l", str(self.root / "log"), "-o", opts, "start")

    def stop(self) -> None:
        self.ctl("-w", "-m", "fast", "stop", check=False)

    def running(self) -> bool:
        return self.ctl("status", check=False).returncode == 0

    def create_db(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_server() -> PgServer:
    bindir = find_bindir()
    if bindir is None:
        pytest.fail(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: install them "
            "(Debian/Ubuntu: apt-get install -y postgresql) to run the sync tests",
            pytrace=False,
        )
    run_as = None
    if os.geteuid() == 0:
        for user in ("postgres", "nobody"):
            try:
                pwd.getpwnam(user)
                run_as = user
                break
            except KeyError:
                continue
        if run_as is None or not shutil.which("runuser"):
            pytest.fail("running as root needs a `postgres` user and runuser to start PostgreSQL")
    root = Path(tempfile.mkdtemp(prefix="surveykit-pg-"))
    root.chmod(0o755)
    (root / "sock").mkdir()
    pwfile = root / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if run_as:
        entry = pwd.getpwnam(run_as)
        for p in (root, root / "sock", pwfile):
            os.chown(p, entry.pw_uid, entry.pw_gid)
    server = PgServer(bindir=bindir, root=root, port=free_port(), run_as=run_as)
    init = subprocess.run(
        server._cmd([
            str(bindir / "initdb"), "-D", str(server.data), "-U", SUPERUSER, "-E", "UTF8",
            "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256",
            f"--pwfile={pwfile}", "--no-sync",
        ]),
        capture_output=True, text=True, cwd=root,
    )
    if init.returncode != 0:
        pytest.fail(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
    server.start()
    return server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = start_server()
    try:
        yield server
    finally:
        server.stop()
        deadline = time.monotonic() + 10
        while server.running() and time.monotonic() < deadline:
            time.sleep(0.1)
        shutil.rmtree(server.root, ignore_errors=True)
