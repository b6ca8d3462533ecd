"""docker-grade: grades a Docker course's exercises against a real Docker engine."""

import importlib.abc
import importlib.util
import sys

__version__ = "0.1.0"


class _LazyParamiko(importlib.abc.MetaPathFinder):
    """Makes ``import paramiko`` lazy: the Docker SDK imports it at start (0.12 s, with invoke
    and unittest.mock) for ssh:// engines only; it loads the day one of its names is used."""

    def find_spec(self, name, path, target=None):
        if name != "paramiko":
            return None
        sys.meta_path.remove(self)  # once: the real finders find it
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


if "paramiko" not in sys.modules:
    sys.meta_path.insert(0, _LazyParamiko())
