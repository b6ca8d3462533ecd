"""Exit codes and the errors that end a run with one of them (never with a traceback)."""

from enum import IntEnum


class ExitCode(IntEnum):
    ALL_PASSED = 0
    NOT_ALL_PASSED = 1
    USAGE = 2  # unknown exercise, malformed --set, invalid spec or roster
    ENGINE = 3  # the engine is unreachable, refuses us, or times out
    INTERNAL = 4  # a bug in docker-grade itself
    INTERRUPTED = 130


class GraderError(Exception):
    """An error with a one-line message for the user and the exit code it ends the run with."""

    code = ExitCode.INTERNAL

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UsageError(GraderError):
    code = ExitCode.USAGE


class SpecError(UsageError):
    """An exercise spec that does not load: the message names the file, line and field."""


class EngineError(GraderError):
    code = ExitCode.ENGINE
