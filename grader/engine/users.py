"""Users as Docker writes them (``--user``, ``USER``, ``Config.User``): ``name|uid[:group|gid]``."""

from __future__ import annotations


def is_root(user: str) -> bool:
    """Whether ``user`` runs as uid 0: unset, ``root``, or any spelling of the number 0.

    >>> [is_root(u) for u in ("", "root", "0", "00", "0:0", "root:1000", " 0 ", ":1000")]
    [True, True, True, True, True, True, True, True]
    >>> [is_root(u) for u in ("node", "1000", "1000:0", "node:root", "10")]
    [False, False, False, False, False]
    """
    name = user.split(":", 1)[0].strip()
    if name.isdigit():
        return int(name) == 0
    return name in ("", "root")
