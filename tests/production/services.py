"""PostgreSQL and Redis for the tests: Debian's packages installed when missing, and throwaway servers on free
loopback ports in a temporary directory (a cluster of our own, never the machine's).

``python -m tests.production.services ensure`` is what ``make test`` runs first (apt-get as root). The
fixtures in conftest.py start one PostgreSQL and one Redis per test run; PANLESS_TEST_DATABASE_URL and
PANLESS_TEST_REDIS_URL point the tests at existing servers instead.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support import free_port

PACKAGES = ["postgresql", "redis-server"]




def pg_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian keeps initdb and pg_ctl off PATH)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def redis_server() -> str | None:
    return shutil.which("redis-server") or (Path("/usr/bin/redis-server").exists() and "/usr/bin/redis-server") or None


def missing() -> list[str]:
    return [name for name, found in (("postgresql", pg_bin()), ("redis-server", redis_server())) if not found]


def ensure() -> int:
    """Install what is missing from Debian's packages (as root), once."""
    absent = missing()
    if not absent:
        print(f"services: PostgreSQL in {pg_bin()}, Redis at {redis_server()}")
        return 0
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(f"services: {', '.join(absent)} missing; as root run `apt-get install -y {' '.join(absent)}`",
              file=sys.stderr)
        return 1
    print(f"services: installing {', '.join(absent)} with apt-get", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *absent], check=False, env=env)
    still = missing()
    if still:
        print(f"services: could not install {', '.join(still)}", file=sys.stderr)
        return 1
    return 0


def wait_for(check, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up")
        time.sleep(0.1)


class Postgres:
    """A throwaway cluster: initdb in a temp dir, trust auth on 127.0.0.1, no fsync (tests only).
    PostgreSQL refuses to run as root, so as root it runs as the `postgres` user Debian's package made."""

    def __init__(self):
        self.bin = pg_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (python -m tests.production.services ensure)")
        self.dir = Path(tempfile.mkdtemp(prefix="panless-pg-"))
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.user = None
        if os.geteuid() == 0:
            self.user = "postgres"
            account = pwd.getpwnam(self.user)
            os.chown(self.dir, account.pw_uid, account.pw_gid)

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, cwd=self.dir)
        if done.returncode:
            raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}")

    def start(self) -> Postgres:
        data = self.dir / "data"
        self._run(str(self.bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.dir / "log"), "-w",
                  "-t", "60", "start")
        return self

    def create_database(self, name: str) -> str:
        """A fresh, empty database on this cluster; its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + "/" + name

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    """redis-server on a free port, nothing written to disk."""

    def __init__(self):
        self.binary = redis_server()
        if self.binary is None:
            raise RuntimeError("Redis is not installed (python -m tests.production.services ensure)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Redis:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--protected-mode", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def answers() -> bool:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")

        wait_for(answers, "redis-server")
        return self

    def flush(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"FLUSHALL\r\n")
            s.recv(16)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


if __name__ == "__main__":
    if sys.argv[1:] == ["ensure"]:
        sys.exit(ensure())
    print("usage: python -m tests.production.services ensure", file=sys.stderr)
    sys.exit(2)
