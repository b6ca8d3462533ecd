"""A real PostgreSQL server for the class server's tests and benchmark, started from nothing:
initdb into a temporary folder, trust authentication on 127.0.0.1, a free loopback port and
its unix socket in that folder. PostgreSQL refuses to run as root: as root, its commands run
as the ``postgres`` system user (Debian's package makes it), else as ``dg-postgres``, made
here with ``useradd --system``. The binaries are looked for on PATH, then in
/usr/lib/postgresql/NN/bin (newest first); scripts/test.sh installs Debian's ``postgresql``
when neither has them.

>>> server = PostgresServer().start()  # doctest: +SKIP
>>> server.url("class")  # doctest: +SKIP
'postgresql+psycopg://postgres@127.0.0.1:41234/class'
>>> server.stop()  # ends it, removing its folder  # doctest: +SKIP

For fault tests, ``stop_for(seconds)`` (or ``kill()`` then ``start()``) takes the server away
and brings it back on the same port with the same data.
"""

from __future__ import annotations

import atexit
import getpass
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

USER_MADE_HERE = "dg-postgres"
_SEARCHED = ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin")


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def find_binaries() -> Path:
    """The folder holding initdb and pg_ctl: PATH's, else the newest of Debian's (or RPM's)."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        folder = Path(initdb).resolve().parent
        return folder if (folder / "pg_ctl").exists() else Path(initdb).parent
    found = [
        folder
        for pattern in _SEARCHED
        for folder in Path("/").glob(pattern.lstrip("/"))
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists()
    ]
    if not found:
        raise PostgresUnavailable(
            "no PostgreSQL server binaries (initdb, pg_ctl) on PATH nor in "
            "/usr/lib/postgresql/*/bin: scripts/test.sh installs Debian's postgresql"
        )
    return max(found, key=_version_key)


def _version_key(folder: Path) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", str(folder))) or (0,)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder. ``durable=False`` (the tests') turns fsync
    off: a killed server still loses no committed transaction (its WAL was written to the
    kernel, which keeps it), only a machine's crash would."""

    def __init__(self, *, durable: bool = False, user: str | None = None, base: str | None = None):
        self.bin = find_binaries()
        self.durable = durable
        self.user = user or _server_user()
        self.folder = Path(tempfile.mkdtemp(prefix="dg-postgres-", dir=base))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = free_port()
        self.startup_s: dict[str, float] = {}  # initdb, start: seconds each took
        self._initialised = False
        atexit.register(self.stop)

    # -- life ----------------------------------------------------------------------------------
    def start(self, timeout: float = 60.0) -> PostgresServer:
        if not self._initialised:
            began = time.monotonic()
            self._initdb()
            self.startup_s["initdb"] = time.monotonic() - began
            self._initialised = True
        began = time.monotonic()
        for attempt in range(3):
            run = self._as_user(
                [self.bin / "pg_ctl", "start", "-w", "-t", str(int(timeout))]
                + ["-D", self.data, "-l", self.log],
                check=False,
            )
            if run.returncode == 0:
                break
            if attempt < 2 and self._port_taken():  # someone took the free port: another one
                self.port = free_port()
                self._configure()
                continue
            raise RuntimeError(f"PostgreSQL did not start: {run.stdout}{run.stderr}{self.logs()}")
        self.startup_s["start"] = time.monotonic() - began
        return self

    def stop(self, remove: bool = True) -> None:
        """A fast shutdown (open sessions end); with ``remove``, the folder goes too."""
        if self.data.exists() and self.pid() is not None:
            self._as_user([self.bin / "pg_ctl", "stop", "-w", "-m", "fast", "-D", self.data])
        if remove:
            shutil.rmtree(self.folder, ignore_errors=True)
            self._initialised = False

    def kill(self) -> None:
        """SIGKILL to the postmaster and every backend (each its own process group, so one at a
        time): a crash. start() brings it back, recovering from its WAL."""
        processes = self.processes()
        for pid in processes:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in processes) and time.monotonic() < deadline:
            time.sleep(0.02)
        # Its lock files stay, naming a process that may linger as a zombie (its parent, pg_ctl,
        # is gone; init reaps it when it will): PostgreSQL would take that for a live server.
        (self.data / "postmaster.pid").unlink(missing_ok=True)
        (self.folder / f".s.PGSQL.{self.port}.lock").unlink(missing_ok=True)

    def processes(self) -> list[int]:
        """The postmaster and its children (backends, checkpointer, WAL writer...), running."""
        postmaster = self.pid()
        if postmaster is None:
            return []
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if fields[0] != "Z" and int(fields[1]) == postmaster:
                    children.append(int(entry.name))
        return [postmaster, *children]

    def stop_for(self, seconds: float, *, kill: bool = False) -> None:
        """Away for ``seconds`` (a fast shutdown, or a SIGKILL with ``kill``), then started
        again on the same port with the same data."""
        self.kill() if kill else self.stop(remove=False)
        time.sleep(seconds)
        self.start()

    def pid(self) -> int | None:
        """The running postmaster's process id, None when it is not running."""
        try:
            pid = int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) else None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- use -----------------------------------------------------------------------------------
    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def dsn(self, dbname: str = "postgres") -> str:
        """The same database as libpq (psycopg.connect) spells it."""
        return f"host=127.0.0.1 port={self.port} user={self.user} dbname={dbname}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        self._admin(f"CREATE DATABASE {_identifier(name)}")
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drops it even while clients are still connected (their sessions end)."""
        self._admin(f"DROP DATABASE IF EXISTS {_identifier(name)} WITH (FORCE)")

    def logs(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    # -- inside --------------------------------------------------------------------------------
    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True, connect_timeout=10) as connection:
            connection.execute(statement)

    def _initdb(self) -> None:
        if os.geteuid() == 0:
            uid, gid = pwd.getpwnam(self.user)[2:4]
            os.chown(self.folder, uid, gid)
        self.folder.chmod(0o700)
        self._as_user(
            [self.bin / "initdb", "-D", self.data, "-U", self.user, "--auth=trust"]
            + ["--no-locale", "-E", "UTF8", "--no-sync", "--no-instructions"]
        )
        self._configure()

    def _configure(self) -> None:
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.folder}'",
            "max_connections": "300",
            "fsync": "on" if self.durable else "off",
            # on even for tests: off, a commit answers before its WAL is written, and a killed
            # server would lose what it acknowledged.
            "synchronous_commit": "on",
            "full_page_writes": "on" if self.durable else "off",
            "logging_collector": "off",
        }
        text = "".join(f"{key} = {value}\n" for key, value in settings.items())
        # postgresql.auto.conf is read last: these win over postgresql.conf's defaults.
        conf = self.data / "postgresql.auto.conf"
        conf.write_text(text)
        if os.geteuid() == 0:
            uid, gid = pwd.getpwnam(self.user)[2:4]
            os.chown(conf, uid, gid)

    def _as_user(self, command: list, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(part) for part in command]
        if os.geteuid() == 0:
            command = ["runuser", "-u", self.user, "--", *command]
        run = subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd=self.folder,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
        )
        if check and run.returncode != 0:
            raise RuntimeError(f"{' '.join(command)}: {run.stdout}{run.stderr}{self.logs()}")
        return run

    def _port_taken(self) -> bool:
        return "could not bind" in self.logs() or "Address already in use" in self.logs()


def _server_user() -> str:
    if os.geteuid() != 0:
        return getpass.getuser()
    for name in ("postgres", USER_MADE_HERE):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            pass
    subprocess.run(
        ["useradd", "--system", "--user-group", "--no-create-home"]
        + ["--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", USER_MADE_HERE],
        check=True,
        capture_output=True,
    )
    return USER_MADE_HERE


def _identifier(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_]{1,63}", name):
        raise ValueError(f"a database name of letters, digits and _ (up to 63): {name!r}")
    return f'"{name}"'


def _alive(pid: int) -> bool:
    """Running and not a zombie (a postmaster's parent is pg_ctl, gone: nobody may reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
