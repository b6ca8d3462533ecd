"""What `check` prints by default, in a terminal and out of one, on a real engine."""

from __future__ import annotations

import errno
import fcntl
import os
import pty
import struct
import termios

from support.cli import EXECUTABLE, docker_grade


def in_terminal(*args: str, columns: int, **variables: str) -> str:
    """The output of ``docker-grade ARGS`` run in a pseudo-terminal ``columns`` wide."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in ("COLUMNS", "LINES", "NO_COLOR")
    }
    environ.update(variables)
    pid, fd = pty.fork()
    if pid == 0:  # the child: its stdin, stdout and stderr are the terminal
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
        os.execve(EXECUTABLE, [EXECUTABLE, *args], environ)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError as error:  # EIO: the child closed the terminal
            assert error.errno == errno.EIO
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.waitpid(pid, 0)
    os.close(fd)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_in_a_terminal_colour_within_its_width_and_none_with_no_color(student):
    coloured = in_terminal("check", "custom-bridge", "--lang", "en", columns=60)
    plain = in_terminal("check", "custom-bridge", "--lang", "en", columns=60, NO_COLOR="1")

    assert "\x1b[" in coloured and "\x1b" not in plain
    assert plain.startswith("custom-bridge  0/5  ░░░░░░░░░░  A bridge network with a cho…\n")
    assert "  ✗ network-exists: no such network; expected: a network\n" in plain
    assert max(len(line) for line in plain.splitlines()) <= 60


def test_out_of_a_terminal_plain_text_at_80_columns(student):
    run = docker_grade(
        "check", "custom-bridge", "--lang", "en", env={**os.environ, "COLUMNS": "200"}
    )
    assert run.exit_code == 1 and "\x1b" not in run.stdout
    assert "  4 more checks wait on network-exists\n" in run.stdout
    assert max(len(line) for line in run.stdout.splitlines()) <= 80
    assert run.stdout.endswith(
        "Total: 0 / 5\n"
        "Next: custom-bridge/network-exists: Create it: docker network create\n"
        "      --driver=bridge --subnet=192.168.0.0/24 mybridge\n"
    )


def test_quiet_and_verbose(student):
    student.network("mybridge", subnet="192.168.0.0/24")
    quiet = docker_grade("check", "custom-bridge", "--quiet", "--lang", "en")
    verbose = docker_grade("check", "custom-bridge", "-v", "--lang", "fr")
    both = docker_grade("check", "-v", "-q")

    assert (quiet.exit_code, quiet.stdout) == (1, "Total: 3 / 5\n")
    assert "┃ vérification" in verbose.stdout and "network-driver" in verbose.stdout
    assert both.exit_code == 2 and "choose one" in both.stderr
