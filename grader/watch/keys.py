"""Single keys from the terminal while ``watch`` runs (``h``: ask for help).

The terminal is put in cbreak mode (keys arrive one at a time, not echoed; Ctrl-C still
interrupts) and read in a daemon thread; leaving the ``with`` block restores it as it was.
Nothing happens when the input is not a terminal (a pipe, an editor, ``--format json-lines``).

>>> with Keys(lambda key: print("pressed", key)):      # doctest: +SKIP
...     watcher.run(view, stop)
"""

from __future__ import annotations

import os
import select
import sys
import threading
from typing import Callable, TextIO

POLL_S = 0.2


class Keys:
    def __init__(self, on_key: Callable[[str], None], stream: TextIO | None = None):
        self.on_key = on_key
        self.stream = stream if stream is not None else sys.stdin
        self.active = False
        self._saved = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Keys:
        try:
            import termios
            import tty

            fd = self.stream.fileno()
            if not os.isatty(fd):
                return self
            self._saved = termios.tcgetattr(fd)
            tty.setcbreak(fd, termios.TCSANOW)  # ISIG stays: Ctrl-C is still SIGINT
        except (ImportError, OSError, ValueError, AttributeError):  # no termios, no real fd
            self._saved = None
            return self
        self.active = True
        self._thread = threading.Thread(target=self._read, args=(fd,), name="keys", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(POLL_S * 2)
        if self._saved is not None:
            import termios

            try:
                termios.tcsetattr(self.stream.fileno(), termios.TCSADRAIN, self._saved)
            except (OSError, ValueError):
                pass
            self._saved = None
        self.active = False

    def _read(self, fd: int) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([fd], [], [], POLL_S)
                if not ready:
                    continue
                data = os.read(fd, 32)
            except (OSError, ValueError):
                return
            if not data:  # the terminal went away
                return
            for key in data.decode("utf-8", errors="ignore"):
                try:
                    self.on_key(key)
                except Exception:  # noqa: BLE001 (a key's handler must not end the reading)
                    pass
