"""A student's Dockerfile, read with BuildKit's own parser, and the course rubric's lint rules.

The parsing is BuildKit's (the PyPI package ``dockerfile`` wraps its Go parser), so continuation
lines, comments between them, ``# syntax=`` / ``# escape=`` directives, heredocs, flags and the
exec (JSON) form are read exactly as ``docker build`` reads them. On top of it this module only
groups instructions into stages and rejects what BuildKit's next step would reject (an unknown
instruction, an instruction before the first FROM, a malformed FROM, a COPY without destination).

>>> dockerfile = parse_dockerfile(Path("Dockerfile"))          # doctest: +SKIP
>>> [stage.name for stage in dockerfile.stages]                # doctest: +SKIP
['build', None]
>>> [(f.rule, f.line) for f in lint(dockerfile) if f.blocking]  # doctest: +SKIP
[('copy-dest-not-dir', 4)]
"""

from __future__ import annotations

import ast
import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import dockerfile as buildkit

from grader.i18n import Localized, t

__all__ = [
    "Dockerfile",
    "DockerfileError",
    "Finding",
    "Instruction",
    "Stage",
    "lint",
    "parse_dockerfile",
]

KEYWORDS = frozenset(keyword.upper() for keyword in buildkit.all_cmds())
_COPIES = ("COPY", "ADD")
_WILDCARDS = ("*", "?", "[")


class DockerfileError(Exception):
    """A Dockerfile that cannot be read or parsed; the message is one line and names the path.

    >>> str(DockerfileError("Dockerfile:3: unknown instruction COPPY"))
    'Dockerfile:3: unknown instruction COPPY'
    """


@dataclass(frozen=True)
class Instruction:
    """One instruction, as BuildKit parsed it.

    ``arguments`` are the words after the flags (the exec form's JSON strings when
    ``json_form``); ``flags`` maps ``--chown=node:node`` to ``{"chown": "node:node"}`` (a bare
    ``--link`` gives ``"true"``); ``original`` is the instruction's text, continuation lines
    joined and comments between them dropped; ``line`` is the 1-based line where it starts.

    >>> i = Instruction("COPY", ("/a", "/a"), {"from": "b"}, False, 12, "COPY --from=b /a /a")
    >>> i.flags["from"], i.arguments[-1]
    ('b', '/a')
    """

    keyword: str
    arguments: tuple[str, ...]
    flags: dict[str, str] = field(hash=False)
    json_form: bool
    line: int
    original: str


@dataclass(frozen=True)
class Stage:
    """A build stage: its ``FROM`` (image ``base``, optional ``name``, lowercased as BuildKit
    does) and the instructions after it, up to the next ``FROM``. ``line`` is the FROM's line.

    >>> Stage(index=0, name="build", base="node:lts-alpine", instructions=()).name
    'build'
    """

    index: int
    name: str | None
    base: str
    instructions: tuple[Instruction, ...]
    line: int = 0


@dataclass(frozen=True)
class Dockerfile:
    """A parsed Dockerfile: its stages in order (ARGs before the first FROM are not kept).

    >>> Dockerfile(Path("Dockerfile"), stages=()).is_multistage
    False
    """

    path: Path
    stages: tuple[Stage, ...]

    @property
    def is_multistage(self) -> bool:
        """Two FROMs or more."""
        return len(self.stages) >= 2

    def copies_from_earlier_stage(self) -> bool:
        """Whether the last stage has a COPY (or ADD) whose ``--from=`` names an earlier stage,
        by name or by index; ``--from=nginx:alpine`` (an external image) does not count.

        >>> copy = Instruction("COPY", ("/a", "/a"), {"from": "0"}, False, 5, "COPY --from=0 /a /a")
        >>> stages = (Stage(0, None, "node:22", ()), Stage(1, None, "node:22", (copy,)))
        >>> Dockerfile(Path("Dockerfile"), stages).copies_from_earlier_stage()
        True
        """
        if not self.is_multistage:
            return False
        last = self.stages[-1]
        earlier_names = {stage.name for stage in self.stages[:-1] if stage.name}
        for instruction in last.instructions:
            source = instruction.flags.get("from") if instruction.keyword in _COPIES else None
            if not source:
                continue
            if source.isdigit() and int(source) < last.index:
                return True
            if source.lower() in earlier_names:
                return True
        return False


@dataclass(frozen=True)
class Finding:
    """A lint finding: a stable ``rule`` id, whether it stops the build (``blocking``), the line,
    and what is wrong and how to fix it, in English and French.

    >>> Finding("from-latest", False, 1, t("a", "a"), t("b", "b")).blocking
    False
    """

    rule: str
    blocking: bool
    line: int
    message: Localized
    fix: Localized


def parse_dockerfile(path: Path) -> Dockerfile:
    """Reads and parses ``path``; raises DockerfileError if it cannot be read or parsed.

    >>> parse_dockerfile(Path("Dockerfile")).stages[0].base  # doctest: +SKIP
    'node:lts-alpine'
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DockerfileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DockerfileError(f"{path}: is a directory, not a Dockerfile") from None
    except OSError as error:
        raise DockerfileError(f"{path}: cannot be read: {error.strerror or error}") from None
    if b"\0" in data:
        raise DockerfileError(f"{path}: a binary file, not a Dockerfile")
    # Like docker build, tolerate stray non-UTF-8 bytes (a Latin-1 accent in a comment).
    text = data.decode("utf-8", errors="replace")
    if not text.strip():
        raise DockerfileError(f"{path}: the file is empty")
    try:
        commands = buildkit.parse_string(text)
    except buildkit.GoParseError as error:
        raise DockerfileError(f"{path}: cannot be parsed: {_one_line(str(error))}") from None
    return Dockerfile(path=path, stages=_stages(path, commands))


def lint(dockerfile: Dockerfile) -> list[Finding]:
    """The rubric's findings, by line: ``copy-dest-not-dir`` (blocking), ``cmd-shell-form`` and
    ``from-latest`` (warnings).

    >>> [f.rule for f in lint(parse_dockerfile(Path("Dockerfile")))]  # doctest: +SKIP
    ['copy-dest-not-dir']
    """
    findings: list[Finding] = []
    earlier_names: set[str] = set()
    for stage in dockerfile.stages:
        finding = _from_latest(stage, earlier_names)
        if finding:
            findings.append(finding)
        if stage.name:
            earlier_names.add(stage.name)
        for instruction in stage.instructions:
            if instruction.keyword in _COPIES:
                finding = _copy_dest_not_dir(instruction)
            elif instruction.keyword in ("CMD", "ENTRYPOINT"):
                finding = _cmd_shell_form(instruction)
            else:
                finding = None
            if finding:
                findings.append(finding)
    findings.sort(key=lambda finding: finding.line)
    return findings


# --- parsing ---------------------------------------------------------------------------------


def _stages(path: Path, commands: tuple) -> tuple[Stage, ...]:
    stages: list[Stage] = []
    names: set[str] = set()
    current: dict | None = None

    def close() -> None:
        if current is not None:
            stages.append(Stage(**current))

    for command in commands:
        keyword = command.cmd.upper()
        where = f"{path}:{command.start_line}"
        if keyword not in KEYWORDS:
            raise DockerfileError(f"{where}: unknown instruction {command.cmd}")
        if keyword == "FROM":
            close()
            base, name = _from_arguments(where, command.value)
            if name is not None:
                if name in names:
                    raise DockerfileError(f"{where}: duplicate stage name {name!r}")
                names.add(name)
            current = dict(
                index=len(stages), name=name, base=base, instructions=(), line=command.start_line
            )
            continue
        if current is None:
            if keyword == "ARG":
                continue  # a global ARG, usable in FROM lines
            raise DockerfileError(f"{where}: {keyword} before the first FROM")
        instruction = _instruction(command, keyword)
        if keyword in _COPIES and len(instruction.arguments) < 2:
            raise DockerfileError(f"{where}: {keyword} needs at least a source and a destination")
        current["instructions"] += (instruction,)
    close()
    if not stages:
        raise DockerfileError(f"{path}: no FROM instruction")
    return tuple(stages)


def _from_arguments(where: str, value: tuple[str, ...]) -> tuple[str, str | None]:
    if len(value) == 1:
        return value[0], None
    if len(value) == 3 and value[1].upper() == "AS":
        return value[0], value[2].lower()
    raise DockerfileError(f"{where}: expected FROM <image> [AS <name>]")


def _instruction(command, keyword: str) -> Instruction:
    arguments = tuple(command.value)
    if command.sub_cmd:  # ONBUILD COPY a b: the triggered instruction's keyword comes first
        arguments = (command.sub_cmd.upper(), *arguments)
    return Instruction(
        keyword=keyword,
        arguments=arguments,
        flags=_flags(command.flags),
        json_form=bool(command.json),
        line=command.start_line,
        original=command.original,
    )


def _flags(raw: tuple[str, ...]) -> dict[str, str]:
    flags: dict[str, str] = {}
    for flag in raw:
        name, equals, value = flag.lstrip("-").partition("=")
        flags[name] = value if equals else "true"
    return flags


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- lint rules ------------------------------------------------------------------------------


def _copy_dest_not_dir(instruction: Instruction) -> Finding | None:
    *sources, dest = instruction.arguments
    several = len(sources) > 1 or any(char in source for source in sources for char in _WILDCARDS)
    if not several or dest.endswith("/") or dest == ".":
        return None
    keyword = instruction.keyword
    fixed = _with_directory_dest(instruction)
    return Finding(
        rule="copy-dest-not-dir",
        blocking=True,
        line=instruction.line,
        message=t(
            f"{keyword} with several sources (or a wildcard) needs a directory destination "
            f"ending with /, and {dest} does not end with /: Docker stops the build.",
            f"{keyword} avec plusieurs sources (ou un joker) exige un dossier de destination "
            f"terminé par /, et {dest} ne se termine pas par / : Docker arrête la construction.",
        ),
        fix=t(f"Write: {fixed}", f"Écrivez : {fixed}"),
    )


def _with_directory_dest(instruction: Instruction) -> str:
    *sources, dest = instruction.arguments
    words = instruction.original.split()
    keyword_as_written = words[0] if words else instruction.keyword
    flags = [f"--{name}={value}" for name, value in instruction.flags.items()]
    if instruction.json_form:
        return " ".join([keyword_as_written, *flags, json.dumps([*sources, dest + "/"])])
    if words and words[-1] == dest:
        return " ".join([*words[:-1], dest + "/"])
    return " ".join([keyword_as_written, *flags, *sources, dest + "/"])


def _cmd_shell_form(instruction: Instruction) -> Finding | None:
    if instruction.json_form or not instruction.arguments:
        return None
    keyword = instruction.keyword
    command = " ".join(instruction.arguments)
    written = _one_line(instruction.original)
    exec_form = _exec_form(command)
    if exec_form is not None:
        fixed = f"{keyword} {exec_form}"
        fix = t(f"Use the exec form: {fixed}", f"Utilisez la forme exec : {fixed}")
    else:
        fix = t(
            f'Use the exec form, like {keyword} ["node", "index.js"] '
            "(move shell syntax into a script).",
            f'Utilisez la forme exec, comme {keyword} ["node", "index.js"] '
            "(mettez la syntaxe shell dans un script).",
        )
    if command.lstrip().startswith("["):
        message = t(
            f"{written}: not valid JSON (use double quotes), so Docker runs it in shell form: "
            "PID 1 is /bin/sh and signals do not reach the app.",
            f"{written} : JSON invalide (il faut des guillemets doubles), Docker l'exécute donc "
            "en forme shell : le PID 1 est /bin/sh et les signaux n'atteignent pas l'application.",
        )
    else:
        message = t(
            f"{written} is in shell form: PID 1 is /bin/sh, so signals (docker stop) "
            "do not reach the app.",
            f"{written} est en forme shell : le PID 1 est /bin/sh, donc les signaux "
            "(docker stop) n'atteignent pas l'application.",
        )
    return Finding(
        rule="cmd-shell-form", blocking=False, line=instruction.line, message=message, fix=fix
    )


def _exec_form(command: str) -> str | None:
    """``node index.js`` -> ``["node", "index.js"]``; None when shell syntax is involved."""
    text = command.strip()
    if text.startswith("["):  # ['node', 'index.js']: exec form meant, with single quotes
        try:
            words = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return None
        if isinstance(words, list) and words and all(isinstance(w, str) for w in words):
            return json.dumps(words)
        return None
    if any(char in text for char in "|&;<>()$`*?\\\n"):
        return None
    try:
        words = shlex.split(text)
    except ValueError:
        return None
    return json.dumps(words) if words else None


def _from_latest(stage: Stage, earlier_names: set[str]) -> Finding | None:
    image = stage.base
    if (
        image.lower() == "scratch"
        or image.lower() in earlier_names
        or "@" in image
        or "$" in image
    ):
        return None
    repository, _, tag = _split_tag(image)
    if tag and tag != "latest":
        return None
    is_node = repository.rsplit("/", 1)[-1] == "node"
    suggested = "node:lts-alpine" if is_node else f"{repository}:<version>"
    fixed = f"FROM {suggested}" + (f" AS {stage.name}" if stage.name else "")
    written = f"FROM {image}"
    if tag:
        message = t(
            f"{written}: latest changes over time, so builds are not reproducible.",
            f"{written} : latest change avec le temps, "
            "les constructions ne sont pas reproductibles.",
        )
    else:
        message = t(
            f"{written} has no tag, so it means {image}:latest, which changes over time: "
            "builds are not reproducible.",
            f"{written} n'a pas de tag : c'est {image}:latest, qui change avec le temps, "
            "et les constructions ne sont pas reproductibles.",
        )
    return Finding(
        rule="from-latest",
        blocking=False,
        line=stage.line,
        message=message,
        fix=t(f"Pin a tag: {fixed}", f"Fixez un tag : {fixed}"),
    )


def _split_tag(image: str) -> tuple[str, str, str]:
    """``node:lts`` -> ("node", ":", "lts"); a registry port (``localhost:5000/app``) is no tag."""
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        return image[:colon], ":", image[colon + 1 :]
    return image, "", ""
