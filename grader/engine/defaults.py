"""Defaults the command line shows without importing the Docker SDK (``--help`` stays quick)."""

API_TIMEOUT_S = 15.0  # each Engine API call
DEFAULT_PROBE_IMAGE = "busybox"  # the trusted image probes run in
