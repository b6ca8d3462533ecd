"""docker-grade: grades a Docker course's exercises against a real Docker engine."""

__version__ = "0.1.0"
