"""Exercise parameters: typed, with a default, overridable with ``--set name=value``.

The ``type`` field picks the model (a discriminated union), and each model knows how to parse
a value given on the command line:

>>> SubnetParam(type="subnet", name="subnet", default="192.168.0.0/24",
...             description={"en": "subnet", "fr": "sous-réseau"}).parse("10.0.0.0/8")
'10.0.0.0/8'
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from grader.i18n import Localized

_SIZE = re.compile(r"^(\d+)([bkmg]?)$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


class _Param(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: Localized

    def parse(self, raw: str):
        """Parses a command-line value; raises ValueError with a readable reason."""
        return raw


class StrParam(_Param):
    type: Literal["str"]
    default: str


class OptionalStrParam(_Param):
    """A name the course does not impose (containers "A" and "B"): discovered when unset."""

    type: Literal["optional-str"]
    default: Optional[str] = None


class PathParam(_Param):
    """A path on the grader's machine, relative to the current folder."""

    type: Literal["path"]
    default: str


class PortParam(_Param):
    type: Literal["port"]
    default: int = Field(ge=1, le=65535)

    def parse(self, raw: str) -> int:
        if not raw.isdigit() or not 1 <= int(raw) <= 65535:
            raise ValueError(f"{raw!r} is not a port number (1-65535)")
        return int(raw)


class SubnetParam(_Param):
    type: Literal["subnet"]
    default: str

    def parse(self, raw: str) -> str:
        try:
            return str(ipaddress.ip_network(raw, strict=True))
        except ValueError as error:
            raise ValueError(f"{raw!r} is not a subnet in CIDR form ({error})") from None


class SizeParam(_Param):
    """A memory size as Docker writes it (``512m``); parsed to bytes."""

    type: Literal["size"]
    default: str

    def parse(self, raw: str) -> str:
        parse_size(raw)
        return raw


def parse_size(raw: str) -> int:
    """``512m`` -> 536870912, as ``docker run --memory`` reads it.

    >>> parse_size("1g")
    1073741824
    """
    match = _SIZE.match(raw.strip())
    if not match:
        raise ValueError(f"{raw!r} is not a size (a number with an optional b, k, m or g)")
    return int(match.group(1)) * _SIZE_UNITS[match.group(2).lower()]


ParamSpec = Annotated[
    Union[StrParam, OptionalStrParam, PathParam, PortParam, SubnetParam, SizeParam],
    Field(discriminator="type"),
]
