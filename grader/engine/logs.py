"""A container's log, read through the Engine API as a stream that stops as soon as it has
what it needs: a log may hold gigabytes."""

from __future__ import annotations

import codecs
import time

MAX_LINE = 200  # characters kept of a line
_READ_LIMIT = 64 * 1024  # past this without a line break, the text so far is the line


def first_line(api, container_id: str, *, until: float | None = None) -> str | None:
    """The first non-blank line the container wrote up to ``until`` (a float: a datetime would
    be cut to the second by docker-py; None: up to now), or None when it wrote nothing. Raises
    docker's APIError when the log cannot be read.

    Chunks are joined until a line ends: over ssh:// they arrive a few bytes at a time.
    """
    stream = api.logs(
        container_id,
        stdout=True,
        stderr=True,
        stream=True,
        follow=False,  # docker-py follows streams by default
        **({"until": until} if until is not None else {}),
    )
    decoder, text = codecs.getincrementaldecoder("utf-8")(errors="replace"), ""
    try:
        for chunk in stream:
            text += decoder.decode(chunk)
            complete, _, _ = text.rpartition("\n")
            line = _first_non_blank(complete)
            if line is not None or len(text) > _READ_LIMIT:
                return line if line is not None else _first_non_blank(text)
        return _first_non_blank(text + decoder.decode(b"", final=True))
    finally:
        _close(stream)


def first_line_within(api, container_id: str, seconds: float) -> str | None:
    """The first line, waiting up to ``seconds`` for one while the log is empty: an app may
    write its line for a request just after answering it."""
    deadline = time.monotonic() + seconds
    while True:
        line = first_line(api, container_id)
        if line is not None or time.monotonic() >= deadline:
            return line
        time.sleep(min(_POLL_S, max(0.0, deadline - time.monotonic())))


_POLL_S = 0.1


def _first_non_blank(text: str) -> str | None:
    return next((line.strip()[:MAX_LINE] for line in text.splitlines() if line.strip()), None)


def _close(stream) -> None:
    """Ends the stream without reading the rest. docker-py's own close fails on an ssh://
    connection (its socket is not one it knows: UnboundLocalError); the HTTP response is then
    closed directly."""
    try:
        stream.close()
    except Exception:
        response = getattr(stream, "_response", None)
        if response is not None:
            response.close()
