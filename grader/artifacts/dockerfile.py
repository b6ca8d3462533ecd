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
destination, an unterminated heredoc, a JSON array of non-strings, an unterminated quote or
``${`` in a word BuildKit expands).

The lint judges a COPY's destination as BuildKit sees it: after the Dockerfile's own variables
(ENV, ARG and their defaults, in the scope BuildKit gives them) and quotes are applied. A value
the Dockerfile does not fix (an ARG without default, the base image's ENV) is never guessed.

The file is read through ``student_files``: a FIFO, a device or a folder named Dockerfile, or a
huge file, is refused with the reason instead of blocking the grader.

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

from grader.artifacts.student_files import NotARegularFile, read_text
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
    """A parsed Dockerfile: its stages in order, the ARGs before the first FROM
    (``global_args``, visible in a stage only where it declares them again), and the escape
    character (``\\``, or the backtick of ``# escape=```).

    >>> Dockerfile(Path("Dockerfile"), stages=()).is_multistage
    False
    """

    path: Path
    stages: tuple[Stage, ...]
    global_args: tuple[Instruction, ...] = ()
    escape: str = "\\"

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
    text = _read(path)
    structure = DockerfileParser(fileobj=io.BytesIO(_parser_input(text))).structure
    escape = _escape_directive(path, structure)
    global_args, stages = _stages(path, _commands(path, text, structure), escape)
    return Dockerfile(path=path, stages=stages, global_args=global_args, escape=escape)


def lint(dockerfile: Dockerfile) -> list[Finding]:
    """The rubric's findings, by line: ``copy-dest-not-dir`` (blocking), ``copy-dest-unknown``
    (a warning: the destination depends on a value the Dockerfile does not fix),
    ``cmd-shell-form`` and ``from-latest`` (warnings). Each instruction is read with the
    variables in its scope, as BuildKit reads it.

    >>> [f.rule for f in lint(parse_dockerfile(Path("Dockerfile")))]  # doctest: +SKIP
    ['copy-dest-not-dir']
    """
    findings: list[Finding | None] = []
    global_values = _global_values(dockerfile)
    finished: dict[str, _Scope] = {}  # the variables of each named stage, at its end
    for stage in dockerfile.stages:
        findings.append(_from_latest(stage, set(finished)))
        scope = _starting_scope(stage, finished, dockerfile.escape)
        for instruction in stage.instructions:
            if instruction.keyword in _COPIES:
                findings.append(_copy_dest_not_dir(instruction, scope))
            elif instruction.keyword in ("CMD", "ENTRYPOINT"):
                findings.append(_cmd_shell_form(instruction))
            scope.declare(instruction, global_values)
        if stage.name:
            finished[stage.name] = scope
    return sorted((finding for finding in findings if finding), key=lambda f: f.line)


# --- reading and parsing ---------------------------------------------------------------------


def _read(path: Path) -> str:
    """The text of the Dockerfile. A student's folder may hold anything under that name: only
    a regular file of a sane size is read, and never with a read that could block (a FIFO)."""
    try:
        text = read_text(path)
    except FileNotFoundError:
        raise DockerfileError(f"{path}: no such file") from None
    except NotARegularFile as error:  # its message names the path and says what it is
        raise DockerfileError(str(error)) from None
    except OSError as error:
        raise DockerfileError(f"{path}: cannot be read: {error.strerror or error}") from None
    if "\0" in text:
        raise DockerfileError(f"{path}: a binary file, not a Dockerfile")
    # Like docker build, skip a byte-order mark; read_text already tolerates stray non-UTF-8
    # bytes (a Latin-1 accent in a comment).
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise DockerfileError(f"{path}: the file is empty")
    return text


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


def _commands(path: Path, text: str, structure: list[dict]) -> list[_Command]:
    """The instructions of dockerfile-parse's ``structure`` of ``text``, in order, each
    heredoc's body skipped and kept in ``original``."""
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


def _escape_directive(path: Path, structure: list[dict]) -> str:
    """The escape character: ``\\`` unless a ``# escape=`` directive says `. dockerfile-parse
    applies it to continuations but takes the directive as a comment: BuildKit rejects any
    other value. Directives are the comments on the first lines, up to the first that is not."""
    for index, entry in enumerate(structure):
        if not _is_comment(entry) or entry["startline"] != index:
            break
        name, equals, value = (part.strip() for part in entry["value"].partition("="))
        if not (equals and name.isascii() and name.isalnum() and name[0].isalpha()):
            break
        if name.lower() != "escape":
            continue
        if value not in ("\\", "`"):
            message = f"invalid escape directive {value!r}: the escape is \\ or `"
            raise DockerfileError(f"{path}:{index + 1}: {message}")
        return value
    return "\\"


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


def _stages(
    path: Path, commands: list[_Command], escape: str
) -> tuple[tuple[Instruction, ...], tuple[Stage, ...]]:
    """The ARGs before the first FROM, and the stages."""
    global_args: list[Instruction] = []
    stages: list[Stage] = []
    for command in commands:
        where = f"{path}:{command.line}"
        if command.keyword not in KEYWORDS:
            raise DockerfileError(f"{where}: unknown instruction {command.written}")
        if command.keyword == "FROM":
            stages.append(_stage(where, command, stages))
        elif stages:
            instruction = _checked_instruction(where, command, escape)
            stages[-1] = replace(stages[-1], instructions=(*stages[-1].instructions, instruction))
        elif command.keyword == "ARG":  # a global ARG, usable in FROM lines
            global_args.append(_checked_instruction(where, command, escape))
        else:
            raise DockerfileError(f"{where}: {command.keyword} before the first FROM")
    if not stages:
        raise DockerfileError(f"{path}: no FROM instruction")
    return tuple(global_args), tuple(stages)


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


def _checked_instruction(where: str, command: _Command, escape: str) -> Instruction:
    try:
        flags, rest = _split_flags(command.value)
        arguments, json_form = _arguments(command.keyword, rest)
        instruction = Instruction(
            keyword=command.keyword,
            arguments=arguments,
            flags=_flags(flags),
            json_form=json_form,
            line=command.line,
            original=command.original,
        )
        _check_expansions(instruction, escape)
    except _Malformed as error:
        raise DockerfileError(f"{where}: {error}") from None
    if command.keyword in _COPIES and len(arguments) < 2:
        missing = "needs at least a source and a destination"
        raise DockerfileError(f"{where}: {command.keyword} {missing}")
    return instruction


def _check_expansions(instruction: Instruction, escape: str) -> None:
    """Raises _Malformed where BuildKit could not expand a word the lint expands (an
    unterminated quote, ``${}``): docker build stops there whatever the variables hold."""
    nothing_known = _Scope(escape=escape)
    for word in _expanded_words(instruction):
        nothing_known.expand(word)


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


# --- variables -------------------------------------------------------------------------------
# BuildKit expands each word of COPY, ADD, ENV and ARG with the stage's variables (its shell
# lexer, frontend/dockerfile/shell/lex.go, ProcessWord): $NAME, ${NAME}, ${NAME:-default},
# ${NAME:+alternative} and the other modifiers; quotes are removed, the escape character keeps
# the next one literal. dockerfile-parse has a substitution too, but not BuildKit's: no ${NAME:-x},
# an ARG without default taken as empty, the ENV of a parent stage lost. So it is done here, the
# lexer's rules followed one for one, with one addition: a value the Dockerfile does not fix is
# kept as unknown instead of being guessed. Pattern trimming and replacement (${NAME%x},
# ${NAME#x}, ${NAME/x/y}) are read but not evaluated: their result counts as unknown.


@dataclass(frozen=True)
class _Unknown:
    """A piece of a word whose value the Dockerfile does not fix, named after its variable."""

    name: str


@dataclass(frozen=True)
class _Word:
    """A word after expansion: known text, and _Unknown pieces where a value cannot be known.

    >>> _Word.of(["/app", _Unknown("DIR"), "/"]).is_folder()
    True
    """

    pieces: tuple[str | _Unknown, ...]

    @classmethod
    def of(cls, pieces: list[str | _Unknown]) -> _Word:
        """Adjacent texts joined, empty ones dropped."""
        merged: list[str | _Unknown] = []
        for piece in pieces:
            if isinstance(piece, str) and merged and isinstance(merged[-1], str):
                merged[-1] += piece
            elif piece != "":
                merged.append(piece)
        return cls(tuple(merged))

    @classmethod
    def unknown(cls, name: str) -> _Word:
        return cls((_Unknown(name),))

    @property
    def text(self) -> str | None:
        """The whole word, or None when a part of it is unknown."""
        if any(isinstance(piece, _Unknown) for piece in self.pieces):
            return None
        return "".join(piece for piece in self.pieces if isinstance(piece, str))

    def unknown_names(self) -> list[str]:
        names = (piece.name for piece in self.pieces if isinstance(piece, _Unknown))
        return list(dict.fromkeys(names))

    def is_folder(self) -> bool | None:
        """Whether BuildKit copies into it as a folder: "", "." or a path ending with /. None
        when that depends on an unknown value."""
        text = self.text
        if text is not None:
            return text in ("", ".") or text.endswith("/")
        last = self.pieces[-1]
        if isinstance(last, _Unknown):
            return None
        if last.endswith("/"):
            return True
        # It ends with known text that is not a /: no folder, unless the unknown parts are
        # empty and all that remains is "." (``${DIR}.``).
        known = "".join(piece for piece in self.pieces if isinstance(piece, str))
        return None if known == "." else False

    def has_wildcard(self) -> bool | None:
        """Whether it is a pattern (``package*.json``); None when that depends on a value."""
        known = [piece for piece in self.pieces if isinstance(piece, str)]
        if any(char in piece for piece in known for char in _WILDCARDS):
            return True
        return None if self.text is None else False


@dataclass
class _Scope:
    """The variables an instruction sees, as BuildKit keeps them in a stage's state: the ENVs
    and the ARGs declared so far (a stage built FROM an earlier one starts with that one's).
    A name it does not hold is unset when nothing else can set it (``FROM scratch``), unknown
    otherwise: the base image's own ENV is not read here."""

    values: dict[str, _Word] = field(default_factory=dict)
    others_unset: bool = False
    escape: str = "\\"

    def lookup(self, name: str) -> _Word | None:
        """The value of ``name``; None when it is certainly unset."""
        if name in self.values:
            return self.values[name]
        return None if self.others_unset else _Word.unknown(name)

    def expand(self, word: str) -> _Word:
        """``word`` as BuildKit reads it in this scope; raises _Malformed where it cannot."""
        return _Expansion(word, self).word()

    def copy(self) -> _Scope:
        return _Scope(dict(self.values), self.others_unset, self.escape)

    def declare(self, instruction: Instruction, global_values: dict[str, _Word]) -> None:
        """What an ENV or an ARG adds to the scope, as BuildKit dispatches it."""
        if instruction.keyword == "ENV":
            self._declare_env(instruction.arguments)
        elif instruction.keyword == "ARG":
            self._declare_args(instruction.arguments, global_values)

    def _declare_env(self, arguments: tuple[str, ...]) -> None:
        # All the pairs of one ENV are expanded first: ``ENV A=1 B=$A`` gives B the former A.
        pairs = [
            (self.expand(name), self.expand(value))
            for name, value in zip(arguments[::2], arguments[1::2])
        ]
        for name, value in pairs:
            if name.text is None:  # ENV $X=1 may set any name: none is certain any more
                self.values = {known: _Word.unknown(known) for known in self.values}
                self.others_unset = False
            else:
                self.values[name.text] = value

    def _declare_args(self, arguments: tuple[str, ...], global_values: dict[str, _Word]) -> None:
        # ARG NAME=default: the default, expanded with what comes before it. ARG NAME: the
        # value of a global ARG NAME=default; without one, only --build-arg can set it.
        for word in arguments:
            name, has_default, default = word.partition("=")
            if has_default:
                self.values[name] = self.expand(default)
            else:
                self.values[name] = global_values.get(name, _Word.unknown(name))


class _Expansion:
    """One word read by BuildKit's lexer (``processStopOn``, ``processDollar``...), where a
    variable may be unknown: ``${DIR:-/app/}`` is unknown when DIR is."""

    _SPECIAL_PARAMETERS = "@*#?-$!0"

    def __init__(self, text: str, scope: _Scope):
        self._text = text
        self._at = 0
        self._scope = scope

    def word(self) -> _Word:
        return _Word.of(self._until(None))

    def _peek(self) -> str:
        return self._text[self._at] if self._at < len(self._text) else ""

    def _next(self) -> str:
        char = self._peek()
        self._at += len(char)
        return char

    def _until(self, stop: str | None) -> list[str | _Unknown]:
        """The pieces up to ``stop`` (consumed), or to the end of the word when None."""
        pieces: list[str | _Unknown] = []
        while self._peek():
            char = self._peek()
            if char == stop:
                self._next()
                return pieces
            if char == "$":
                pieces += self._dollar()
            elif char == "'":
                pieces.append(self._single_quoted())
            elif char == '"':
                pieces += self._double_quoted()
            else:
                self._next()
                if char == self._scope.escape:
                    char = self._next()  # kept literally; an escape ending the word is dropped
                pieces.append(char)
        if stop is not None:
            raise _Malformed(f"a ${{...}} in a word lacks its {stop}")
        return pieces

    def _single_quoted(self) -> str:
        """Everything up to the next ' as written: no escape, no variable."""
        self._next()
        end = self._text.find("'", self._at)
        if end < 0:
            raise _Malformed("a ' is not closed")
        text, self._at = self._text[self._at : end], end + 1
        return text

    def _double_quoted(self) -> list[str | _Unknown]:
        """Up to the next ", with variables; the escape quotes only ", $ and itself."""
        self._next()
        pieces: list[str | _Unknown] = []
        while self._peek() != '"':
            if not self._peek():
                raise _Malformed('a " is not closed')
            if self._peek() == "$":
                pieces += self._dollar()
                continue
            char = self._next()
            if char == self._scope.escape and self._peek() and self._peek() in '"$' + char:
                char = self._next()
            pieces.append(char)
        self._next()
        return pieces

    def _dollar(self) -> list[str | _Unknown]:
        self._next()
        if self._peek() != "{":
            name = self._name()
            return self._value(name) if name else ["$"]
        self._next()
        if self._peek() in ("", "{", "}", ":"):
            raise _Malformed("bad substitution: ${ needs a name")
        name = self._name()
        operator = self._next()
        if not operator:
            raise _Malformed("a ${...} in a word lacks its }")
        if operator == "}":
            return self._value(name)
        if operator == "/":  # ${NAME/pattern/replacement}: read, not evaluated, never guessed
            if self._peek() == "/":
                self._next()
            self._until("/")
            self._until("}")
            return [_Unknown(name)]
        null_is_unset = operator == ":"
        if null_is_unset:
            operator = self._next()
        if operator not in ("-", "+", "?", "#", "%"):
            raise _Malformed(f"unsupported modifier in ${{{name}{operator}...}}")
        operand = self._until("}")
        return self._modified(name, operator, null_is_unset, operand)

    def _modified(
        self, name: str, operator: str, null_is_unset: bool, operand: list[str | _Unknown]
    ) -> list[str | _Unknown]:
        """``${NAME-x}``, ``${NAME+x}``, ``${NAME?x}`` and their ``:`` forms (null counts as
        unset), as BuildKit evaluates them; trimming (``#``, ``%``) is not evaluated."""
        value = self._scope.lookup(name)
        if operator in ("#", "%") or (value is not None and value.text is None):
            return [_Unknown(name)]
        unset = value is None or (null_is_unset and value.text == "")
        current = list(value.pieces) if value is not None else []
        if operator == "-":
            return operand if unset else current
        if operator == "+":
            return [] if unset else operand
        # "?": an unset value stops the build, which depends on how it is run.
        return [_Unknown(name)] if unset else current

    def _value(self, name: str) -> list[str | _Unknown]:
        value = self._scope.lookup(name)
        return list(value.pieces) if value is not None else []

    def _name(self) -> str:
        """A variable's name: letters, digits and _; or digits only ($1); or one special
        parameter ($@); "" when none follows."""
        start, char = self._at, self._peek()
        if char.isdecimal():
            while self._peek().isdecimal():
                self._next()
        elif char and char in self._SPECIAL_PARAMETERS:
            self._next()
        else:
            while self._peek() and (self._peek().isalnum() or self._peek() == "_"):
                self._next()
        return self._text[start : self._at]


def _expanded_words(instruction: Instruction) -> list[str]:
    """The words BuildKit expands in the instructions the lint reads."""
    if instruction.keyword in _COPIES or instruction.keyword == "ENV":
        return list(instruction.arguments)
    if instruction.keyword == "ARG":
        return [word.partition("=")[2] for word in instruction.arguments if "=" in word]
    return []


def _global_values(dockerfile: Dockerfile) -> dict[str, _Word]:
    """The values of the ARGs before the first FROM (BuildKit also predefines some there, such
    as TARGETARCH: other names are unknown, not unset)."""
    scope = _Scope(escape=dockerfile.escape)
    for instruction in dockerfile.global_args:
        scope.declare(instruction, {})
    return scope.values


def _starting_scope(stage: Stage, finished: dict[str, _Scope], escape: str) -> _Scope:
    """A stage FROM an earlier stage starts with that one's variables; FROM scratch with none;
    FROM an image with that image's ENV, unknown here."""
    earlier = finished.get(stage.base.lower())
    if earlier is not None:
        return earlier.copy()
    return _Scope(others_unset=stage.base.lower() == "scratch", escape=escape)


# --- lint rules ------------------------------------------------------------------------------


def _copy_dest_not_dir(instruction: Instruction, scope: _Scope) -> Finding | None:
    """Several sources (or a pattern) copied into a destination that is no folder: blocking
    when both are certain once the variables are applied, a warning when the destination
    depends on a value the Dockerfile does not fix. A source whose value is unknown is not
    counted as several: nothing certain can be said then."""
    *sources, dest = instruction.arguments
    expanded_sources = [scope.expand(source) for source in sources]
    several = len(sources) > 1 or expanded_sources[0].has_wildcard() is True
    target = scope.expand(dest)
    is_folder = target.is_folder()
    if not several or is_folder:
        return None
    keyword = instruction.keyword
    needs = t(
        f"{keyword} with several sources (or a wildcard) needs a directory destination "
        "ending with /",
        f"{keyword} avec plusieurs sources (ou un joker) exige un dossier de destination "
        "terminé par /",
    )
    fixed = _with_directory_dest(instruction)
    fix = t(f"Write: {fixed}", f"Écrivez : {fixed}")
    if is_folder is None:
        return Finding(
            rule="copy-dest-unknown",
            blocking=False,
            line=instruction.line,
            message=_depends_on_unknown(needs, dest, target.unknown_names()),
            fix=fix,
        )
    # As written, with its value when variables or quotes change it (and it is all known).
    shown = dest if target.text in (None, dest) else f"{dest} (= {target.text})"
    message = t(
        f"{needs.en}, and {shown} does not end with /: Docker stops the build.",
        f"{needs.fr}, et {shown} ne se termine pas par / : Docker arrête la construction.",
    )
    return Finding(
        rule="copy-dest-not-dir", blocking=True, line=instruction.line, message=message, fix=fix
    )


def _depends_on_unknown(needs: Localized, dest: str, names: list[str]) -> Localized:
    listed = ", ".join(names)
    return t(
        f"{needs.en}; {dest} depends on {listed}, which this Dockerfile does not set (an ARG "
        "without default is set with --build-arg; an ARG before the first FROM counts in a "
        "stage only after ARG NAME there; ENV may come from the base image): if the value does "
        "not end with /, Docker stops the build.",
        f"{needs.fr} ; {dest} dépend de {listed}, que ce Dockerfile ne fixe pas (un ARG sans "
        "valeur par défaut vient de --build-arg ; un ARG d'avant le premier FROM ne compte dans "
        "une étape qu'après un ARG NOM dans celle-ci ; un ENV peut venir de l'image de base) : "
        "si la valeur ne se termine pas par /, Docker arrête la construction.",
    )


def _with_directory_dest(instruction: Instruction) -> str:
    """The instruction as written, its destination ending with a /."""
    *sources, dest = instruction.arguments
    fixed_dest = _slash_appended(dest)
    words = instruction.original.split()
    keyword_as_written = words[0] if words else instruction.keyword
    flags = [f"--{name}={value}" for name, value in instruction.flags.items()]
    if instruction.json_form:
        return " ".join([keyword_as_written, *flags, json.dumps([*sources, fixed_dest])])
    if words and words[-1] == dest:
        return " ".join([*words[:-1], fixed_dest])
    return " ".join([keyword_as_written, *flags, *sources, fixed_dest])


def _slash_appended(word: str) -> str:
    """``/app`` -> ``/app/``; a quoted word keeps its quotes around it: ``"${DIR}"`` ->
    ``"${DIR}/"``."""
    closing = word[-1:]
    if closing in ("'", '"') and word.count(closing) >= 2:
        return f"{word[:-1]}/{closing}"
    return word + "/"


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
    if image.lower() == "scratch" or image.lower() in earlier_names or "@" in image or "$" in image:
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
