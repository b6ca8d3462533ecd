"""A student's Dockerfile, read with Red Hat's ``dockerfile-parse``, and the course rubric's lint.

Why dockerfile-parse: it is pure Python, so ``pip install`` works everywhere students are (macOS
with Docker Desktop, Linux arm64, Windows); the former parser, the ``dockerfile`` wheel wrapping
BuildKit's Go code, exists only for Linux x86_64 and Windows.

Its ``structure`` gives each instruction's keyword, start line and value, with continuation
lines joined, comments between them dropped and the ``# escape=`` directive applied. This module
reads the value as BuildKit does: leading ``--flags`` (``--chown=node:node``, ``--link``), the
exec form (a valid JSON array of strings; ``CMD ['node']`` is shell form) and each instruction's
arguments. It also supplies what dockerfile-parse lacks: heredocs (``RUN <<EOF``: the body is
skipped, up to its delimiter line), blank lines inside a continuation (skipped, not ending the
instruction), a continuation left open at the end of the file, and the rejection of an invalid
``# escape=``. Then it groups instructions into stages and rejects what ``docker build`` would
(an unknown instruction, one before the first FROM, a malformed FROM, a COPY without
destination, an unterminated heredoc, a JSON array of non-strings).

>>> dockerfile = parse_dockerfile(Path("Dockerfile"))          # doctest: +SKIP
>>> [stage.name for stage in dockerfile.stages]                # doctest: +SKIP
['build', None]
>>> [(f.rule, f.line) for f in lint(dockerfile) if f.blocking]  # doctest: +SKIP
[('copy-dest-not-dir', 4)]
"""

from __future__ import annotations

import ast
import io
import json
import shlex
from dataclasses import dataclass, field, replace
from pathlib import Path

from dockerfile_parse import DockerfileParser

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

KEYWORDS = frozenset(
    "ADD ARG CMD COPY ENTRYPOINT ENV EXPOSE FROM HEALTHCHECK LABEL MAINTAINER ONBUILD RUN SHELL"
    " STOPSIGNAL USER VOLUME WORKDIR".split()
)
_COPIES = ("COPY", "ADD")
_WILDCARDS = ("*", "?", "[")
_HEREDOC_KEYWORDS = ("RUN", "COPY", "ADD")
# How BuildKit splits what follows the flags, by instruction (the rest: words on whitespace).
_EXEC_OR_SHELL = frozenset({"CMD", "ENTRYPOINT", "RUN", "SHELL"})  # JSON array, or one string
_EXEC_OR_WORDS = frozenset({"ADD", "COPY", "VOLUME"})  # JSON array, or words
_ONE_STRING = frozenset({"MAINTAINER", "STOPSIGNAL", "USER", "WORKDIR"})
_NAME_VALUES = frozenset({"ENV", "LABEL"})  # name=value pairs, or the legacy "name value"
_EXEC_FORM = _EXEC_OR_SHELL | _EXEC_OR_WORDS


class DockerfileError(Exception):
    """A Dockerfile that cannot be read or parsed; the message is one line and names the path.

    >>> str(DockerfileError("Dockerfile:3: unknown instruction COPPY"))
    'Dockerfile:3: unknown instruction COPPY'
    """


@dataclass(frozen=True)
class Instruction:
    """One instruction, as ``docker build`` reads it.

    ``arguments`` are the words after the flags (the exec form's JSON strings when
    ``json_form``); ``flags`` maps ``--chown=node:node`` to ``{"chown": "node:node"}`` (a bare
    ``--link`` gives ``"true"``); ``original`` is the instruction's text, continuation lines
    joined and comments between them dropped (a heredoc's body follows, on its own lines);
    ``line`` is the 1-based line where it starts.

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
    # Like docker build, skip a byte-order mark and tolerate stray non-UTF-8 bytes (a Latin-1
    # accent in a comment).
    text = data.decode("utf-8-sig", errors="replace")
    if not text.strip():
        raise DockerfileError(f"{path}: the file is empty")
    return Dockerfile(path=path, stages=_stages(path, _commands(path, text)))


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


class _Malformed(Exception):
    """An instruction docker build would reject; the caller prefixes the path and line."""


@dataclass(frozen=True)
class _Command:
    """One instruction of dockerfile-parse's structure: the keyword as written, the 1-based
    line, the value (continuations joined), the text, and the 0-based index of its last line."""

    written: str
    line: int
    value: str
    original: str
    last: int

    @property
    def keyword(self) -> str:
        return self.written.upper()


def _commands(path: Path, text: str) -> list[_Command]:
    """The instructions, in order, each heredoc's body skipped and kept in ``original``."""
    structure = DockerfileParser(fileobj=io.BytesIO(_parser_input(text))).structure
    _check_escape_directive(path, structure)
    entries = [_command(entry) for entry in structure if not _is_comment(entry)]
    lines = text.split("\n")
    commands: list[_Command] = []
    index = 0
    while index < len(entries):
        command, end = entries[index], index
        for name, chomp in _heredocs(command):
            end = _heredoc_end(entries, lines, end, name, chomp)
            if end is None:
                message = f"unterminated heredoc: no line {name} ends <<{name}"
                raise DockerfileError(f"{path}:{command.line}: {message}")
        if end > index:
            body = "\n".join(lines[command.last + 1 : entries[end].last + 1])
            command = replace(command, original=f"{command.original}\n{body}\n")
        commands.append(command)
        index = end + 1
    return commands


def _parser_input(text: str) -> bytes:
    """The file for dockerfile-parse, line for line (line numbers hold), with two BuildKit rules
    it lacks. Inside a continuation BuildKit skips a blank line where dockerfile-parse ends the
    instruction: blank lines become ``#``, a comment both skip. The end of the file ends an open
    continuation where dockerfile-parse drops the instruction: a blank line is added at the end.
    """
    lines = [line if line.strip() else "#" for line in text.split("\n")]
    return ("\n".join(lines) + "\n\n").encode()


def _is_comment(entry: dict) -> bool:
    return entry["content"].lstrip().startswith("#")


def _command(entry: dict) -> _Command:
    written = entry["content"].split(None, 1)[0]
    value = entry["value"].strip()
    original = f"{written} {value}" if value else written
    return _Command(written, entry["startline"] + 1, value, original, entry["endline"])


def _check_escape_directive(path: Path, structure: list[dict]) -> None:
    """BuildKit rejects ``# escape=`` other than \\ or `; dockerfile-parse takes it as a comment.
    Directives are the comments on the first lines, up to the first line that is not one."""
    for index, entry in enumerate(structure):
        if not _is_comment(entry) or entry["startline"] != index:
            return
        name, equals, value = (part.strip() for part in entry["value"].partition("="))
        if not (equals and name.isascii() and name.isalnum() and name[0].isalpha()):
            return
        if name.lower() == "escape" and value not in ("\\", "`"):
            message = f"invalid escape directive {value!r}: the escape is \\ or `"
            raise DockerfileError(f"{path}:{index + 1}: {message}")


def _heredocs(command: _Command) -> list[tuple[str, bool]]:
    """The heredocs a RUN, COPY or ADD opens (``<<EOF``, ``<<-"EOF"``, ``2<<EOF``): their
    delimiters, each with whether leading tabs are stripped before comparing (``<<-``)."""
    keyword, rest = command.keyword, command.value
    if keyword == "ONBUILD":
        keyword, rest = _head(rest)
    rest = _split_flags(rest)[1]
    if keyword.upper() not in _HEREDOC_KEYWORDS or _json_array(rest) is not None:
        return []
    heredocs = []
    for word in _words(rest):
        marker = word.lstrip("0123456789")
        if not marker.startswith("<<"):
            continue
        chomp = marker.startswith("<<-")
        name = _dequote(marker[3 if chomp else 2 :])
        if name and "<" not in name:
            heredocs.append((name, chomp))
    return heredocs


def _heredoc_end(
    entries: list[_Command], lines: list[str], after: int, name: str, chomp: bool
) -> int | None:
    """The index of the first entry after ``after`` whose last line, as written, is exactly the
    delimiter ``name`` (leading tabs stripped for ``<<-``), as BuildKit ends a heredoc."""
    for index in range(after + 1, len(entries)):
        last = entries[index].last
        last_line = lines[last].rstrip("\r") if last < len(lines) else ""
        if (last_line.lstrip("\t") if chomp else last_line) == name:
            return index
    return None


def _stages(path: Path, commands: list[_Command]) -> tuple[Stage, ...]:
    stages: list[Stage] = []
    for command in commands:
        where = f"{path}:{command.line}"
        if command.keyword not in KEYWORDS:
            raise DockerfileError(f"{where}: unknown instruction {command.written}")
        if command.keyword == "FROM":
            stages.append(_stage(where, command, stages))
        elif stages:
            instructions = (*stages[-1].instructions, _checked_instruction(where, command))
            stages[-1] = replace(stages[-1], instructions=instructions)
        elif command.keyword != "ARG":  # a global ARG, usable in FROM lines, is not kept
            raise DockerfileError(f"{where}: {command.keyword} before the first FROM")
    if not stages:
        raise DockerfileError(f"{path}: no FROM instruction")
    return tuple(stages)


def _stage(where: str, command: _Command, earlier: list[Stage]) -> Stage:
    base, name = _from_arguments(where, _split_flags(command.value)[1].split())
    if name is not None and name in {stage.name for stage in earlier}:
        raise DockerfileError(f"{where}: duplicate stage name {name!r}")
    return Stage(index=len(earlier), name=name, base=base, instructions=(), line=command.line)


def _from_arguments(where: str, value: list[str]) -> tuple[str, str | None]:
    if len(value) == 1:
        return value[0], None
    if len(value) == 3 and value[1].upper() == "AS":
        return value[0], value[2].lower()
    raise DockerfileError(f"{where}: expected FROM <image> [AS <name>]")


def _checked_instruction(where: str, command: _Command) -> Instruction:
    try:
        flags, rest = _split_flags(command.value)
        arguments, json_form = _arguments(command.keyword, rest)
    except _Malformed as error:
        raise DockerfileError(f"{where}: {error}") from None
    if command.keyword in _COPIES and len(arguments) < 2:
        missing = "needs at least a source and a destination"
        raise DockerfileError(f"{where}: {command.keyword} {missing}")
    return Instruction(
        keyword=command.keyword,
        arguments=arguments,
        flags=_flags(flags),
        json_form=json_form,
        line=command.line,
        original=command.original,
    )


def _split_flags(value: str) -> tuple[list[str], str]:
    """``--chown=node:node --link a /a`` -> (["--chown=node:node", "--link"], "a /a"); a bare
    ``--`` ends the flags. Quotes in a flag are removed, as BuildKit does."""
    flags: list[str] = []
    rest = value.strip()
    while rest.startswith("--"):
        word, rest = _first_word(rest)
        if word == "--":
            break
        flags.append(_dequote(word))
    return flags, rest


def _flags(raw: list[str]) -> dict[str, str]:
    flags: dict[str, str] = {}
    for flag in raw:
        name, equals, value = flag.lstrip("-").partition("=")
        flags[name] = value if equals else "true"
    return flags


def _arguments(keyword: str, rest: str) -> tuple[tuple[str, ...], bool]:
    """What follows the flags, split as BuildKit splits it for ``keyword``, and whether it is
    the exec (JSON) form."""
    if keyword in _EXEC_FORM:
        array = _json_array(rest)
        if array is not None:
            if not all(isinstance(word, str) for word in array):
                raise _Malformed("a JSON array (exec form) must hold strings only")
            return tuple(array), True
    if keyword in _EXEC_OR_SHELL | _ONE_STRING:
        return ((rest,) if rest else ()), False
    if keyword in _NAME_VALUES:
        return _name_values(keyword, rest), False
    if keyword == "ARG":
        return tuple(_words(rest)), False
    if keyword in ("HEALTHCHECK", "ONBUILD"):  # HEALTHCHECK CMD ..., ONBUILD COPY ...
        first, tail = _head(rest)
        if keyword == "ONBUILD":  # the triggered instruction's keyword comes first
            first, tail = first.upper(), _split_flags(tail)[1]
        arguments, json_form = _arguments(first.upper(), tail)
        return ((first, *arguments) if first else ()), json_form
    return tuple(rest.split()), False


def _json_array(text: str) -> list | None:
    """The JSON array ``text`` starts with, or None; like BuildKit, text after it is ignored."""
    if not text.startswith("["):
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return None
    return value if isinstance(value, list) else None


def _name_values(keyword: str, rest: str) -> tuple[str, ...]:
    """``ENV A=1 B="x y"`` -> ("A", "1", "B", '"x y"'); the legacy ``ENV A 1 2`` -> ("A", "1 2")."""
    words = _words(rest)
    if words and "=" not in words[0]:
        name, value = _head(rest)
        if not value:
            raise _Malformed(f"{keyword} {name} needs a value: {keyword} {name}=<value>")
        return name, value
    pairs: list[str] = []
    for word in words:
        name, equals, value = word.partition("=")
        if not equals:
            raise _Malformed(f"{keyword}: no = in {word!r}, write {keyword} name=value")
        pairs += [name, value]
    return tuple(pairs)


def _words(text: str) -> list[str]:
    """Words separated by whitespace, quotes and backslash escapes kept inside them."""
    words: list[str] = []
    while text.strip():
        word, text = _first_word(text)
        words.append(word)
    return words


def _first_word(text: str) -> tuple[str, str]:
    """``--chown="a b" x y`` -> ('--chown="a b"', "x y"): the first word, quotes kept, and the
    rest."""
    text = text.lstrip()
    quote = ""
    index = 0
    while index < len(text) and (quote or not text[index].isspace()):
        char = text[index]
        if char == "\\" and quote != "'":
            index += 1  # the escaped character is part of the word, even a quote or a space
        elif char == quote:
            quote = ""
        elif char in "'\"" and not quote:
            quote = char
        index += 1
    return text[:index], text[index:].lstrip()


def _head(text: str) -> tuple[str, str]:
    """``CMD curl -f x`` -> ("CMD", "curl -f x"); ("", "") when empty."""
    parts = text.split(None, 1)
    return (parts[0], parts[1].strip()) if len(parts) == 2 else (text.strip(), "")


def _dequote(word: str) -> str:
    """Quotes and backslash escapes removed, as the shell would: ``"EOF"`` -> ``EOF``."""
    try:
        words = shlex.split(word)
    except ValueError:
        return word
    return words[0] if len(words) == 1 else word


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
