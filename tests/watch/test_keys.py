"""Single keys from a terminal (a pseudo-terminal here): read in cbreak mode, restored after."""

from __future__ import annotations

import os
import termios
import time

from grader.watch.keys import Keys


def _wait(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_keys_arrive_one_at_a_time_and_the_terminal_is_restored():
    leader, follower = os.openpty()
    terminal = os.fdopen(follower, "r")
    before = termios.tcgetattr(follower)
    pressed: list[str] = []
    try:
        with Keys(pressed.append, terminal) as keys:
            assert keys.active
            mode = termios.tcgetattr(follower)
            assert not mode[3] & termios.ICANON and not mode[3] & termios.ECHO
            assert mode[3] & termios.ISIG  # Ctrl-C still interrupts
            os.write(leader, b"h")  # no Enter: cbreak
            assert _wait(lambda: pressed == ["h"]), pressed
            os.write(leader, b"xh")
            assert _wait(lambda: pressed == ["h", "x", "h"]), pressed
        assert not keys.active
        assert termios.tcgetattr(follower) == before
    finally:
        terminal.close()
        os.close(leader)


def test_no_terminal_no_keys(tmp_path):
    with open(tmp_path / "input", "w+") as not_a_terminal:
        with Keys(lambda key: None, not_a_terminal) as keys:
            assert not keys.active
