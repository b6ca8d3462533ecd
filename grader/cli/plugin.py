"""``docker-grade plugin install|uninstall``: ``docker grade ...`` as a Docker CLI plugin.

The plugin is one file, ``docker-grade`` in the docker CLI's ``cli-plugins`` folder
(``$DOCKER_CONFIG/cli-plugins``, else ``~/.docker/cli-plugins``). The docker CLI runs it
(docs/extend/cli_plugins.md of docker/cli) as

- ``docker-grade docker-cli-plugin-metadata``: it prints its metadata as JSON;
- ``docker-grade [DOCKER'S GLOBAL OPTIONS] grade ARGS``: it runs ``docker-grade ARGS``, with
  ``DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND`` set. The docker CLI passes nothing else about its
  engine: its global options (``--context``, ``-H``, ``--config``, ``--tls*``) become here the
  environment the grader reads (grader.engine.contexts), so ``docker grade`` grades the engine
  ``docker`` uses, by the docker CLI's own order.

The file runs the Python that installed it (an absolute path), so the grader it runs is this
installation's; it carries a marker line, so ``install`` never overwrites a file of someone
else's (unless ``--force``) and ``uninstall`` removes only a file it wrote.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, MutableMapping

import click

from grader.cli.output import write_atomically
from grader.errors import UsageError

PLUGIN_NAME = "grade"  # the docker CLI's subcommand: ^[a-z][a-z0-9]*$
FILE_NAME = f"docker-{PLUGIN_NAME}"
METADATA = {
    "SchemaVersion": "0.1.0",
    "Vendor": "docker-grade",
    "ShortDescription": "Grade the Docker course's exercises",
}  # + Version, read at run
MARKER = "# docker-grade-cli-plugin: written by `docker-grade plugin install`"
ORIGINAL_CLI_ENV = "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND"  # set by the docker CLI when it runs us
# `docker grade <TAB>`: the docker CLI runs `docker-grade __complete grade ARGS... INCOMPLETE`
# (cli-plugins/manager/cobra.go) and prints what we print: candidates, then cobra's directive.
COMPLETION_REQUEST = "__complete"
_COBRA_FILE_COMPLETION, _COBRA_NO_FILE_COMPLETION = 0, 4

# The docker CLI's global options that take a value (`docker --help`); the others are flags.
_VALUED_OPTIONS = {
    "--config",
    "-c",
    "--context",
    "-H",
    "--host",
    "-l",
    "--log-level",
    "--tlscacert",
    "--tlscert",
    "--tlskey",
}
_TLS_FILES = {"--tlscacert": "ca.pem", "--tlscert": "cert.pem", "--tlskey": "key.pem"}

# A file both sh and Python read (the way pip's launchers do): sh execs the Python named in it
# on the file itself, Python sees a string. Asked for its metadata on every `docker grade`, the
# plugin imports only the `grader` package for that (the whole CLI takes half a second).
_LAUNCHER = """#!/bin/sh
'''exec' {python} "$0" "$@"
' '''
{marker}, removed by `docker-grade plugin uninstall`.
# `docker grade ARGS` runs `docker-grade ARGS` with the Python above, on the engine docker uses.
import sys

if sys.argv[1:] == ["docker-cli-plugin-metadata"]:
    import json
    import grader
    print(json.dumps({{**{metadata}, "Version": grader.__version__}}))
else:
    from grader.cli.plugin import run_as_docker_plugin
    run_as_docker_plugin(sys.argv[1:])
"""


@click.group()
def plugin() -> None:
    """Install or remove `docker grade`, the Docker CLI plugin that runs docker-grade."""


@plugin.command()
@click.option(
    "--force",
    is_flag=True,
    help="Replace a docker-grade plugin file that docker-grade did not write.",
)
def install(*, force: bool) -> None:
    """Install `docker grade` for this docker-grade (in DOCKER_CONFIG/cli-plugins)."""
    target = plugin_file()
    content = launcher(sys.executable)
    existing = _read_head(target)
    if existing is not None and MARKER not in existing and not force:
        raise UsageError(
            f"{target} exists and was not written by docker-grade: "
            "`docker-grade plugin install --force` replaces it"
        )
    if existing is not None and _read(target) == content:
        click.echo(f"already installed: {target}")
        return
    _write_executable(target, content)
    verb = "installed" if existing is None else "replaced" if MARKER not in existing else "updated"
    click.echo(f"{verb}: {target} (`docker grade` runs docker-grade with {sys.executable})")


@plugin.command()
def uninstall() -> None:
    """Remove the `docker grade` plugin, if docker-grade wrote it."""
    target = plugin_file()
    existing = _read_head(target)
    if existing is None:
        click.echo(f"not installed: no {target}")
        return
    if MARKER not in existing:
        raise UsageError(f"{target} was not written by docker-grade: left in place")
    try:
        target.unlink()
    except OSError as error:
        raise UsageError(f"cannot remove {target}: {error.strerror}") from None
    click.echo(f"removed: {target}")


def plugin_file(environ: Mapping[str, str] | None = None) -> Path:
    """Where the docker CLI looks for the user's plugins."""
    if _on_windows():  # the docker CLI runs only docker-grade.exe there, which we do not build
        raise UsageError(
            "the docker CLI on Windows runs only .exe plugins: use the grader's "
            "image instead (README: Without Python)"
        )
    environ = os.environ if environ is None else environ
    config = Path(environ.get("DOCKER_CONFIG") or Path.home() / ".docker")
    return config / "cli-plugins" / FILE_NAME


def _on_windows() -> bool:
    return os.name == "nt"


def launcher(python: str) -> str:
    quoted = shlex.quote(os.path.abspath(python))
    if "'''" in quoted:  # would end the string Python reads the sh line as
        raise UsageError(f"cannot write a plugin that runs {python}: rename its folder")
    return _LAUNCHER.format(python=quoted, marker=MARKER, metadata=json.dumps(METADATA))


def _read_head(path: Path) -> str | None:
    """The start of an existing file (enough for the marker), None when there is none."""
    if not path.exists() and not path.is_symlink():
        return None
    if path.is_dir():
        raise UsageError(f"{path} is a folder")
    try:
        with open(path, "rb") as handle:
            return handle.read(1024).decode("utf-8", errors="replace")
    except OSError as error:  # a dangling symlink, or unreadable: not ours
        return f"(unreadable: {error.strerror})"


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _write_executable(path: Path, content: str) -> None:
    write_atomically(path, content, mode=0o755)


# -- what the installed file runs -----------------------------------------------------------


@dataclass
class PluginCall:
    global_options: list[tuple[str, str | None]]  # (option, value) of the docker CLI's
    args: list[str]  # for docker-grade


def run_as_docker_plugin(argv: list[str]) -> None:
    """``docker [GLOBAL OPTIONS] grade ARGS``: docker-grade ARGS, on the engine docker uses.

    Run by hand (no docker CLI around it), the file is docker-grade itself.
    """
    from grader.cli import abort, main

    args = argv
    if argv[:2] == [COMPLETION_REQUEST, PLUGIN_NAME]:
        complete_for_docker(argv[2:-1], argv[-1] if len(argv) > 2 else "")
        return
    if os.environ.get(ORIGINAL_CLI_ENV):
        try:
            call = split_plugin_call(argv)
            apply_global_options(call.global_options, os.environ)
        except UsageError as error:
            abort(error.message, error.code)
        args = call.args
    sys.argv = [f"docker {PLUGIN_NAME}", *args]  # what click's usage lines start with
    main()


def complete_for_docker(args: list[str], incomplete: str) -> None:
    """``docker grade <TAB>``: click's completions, told the way cobra's scripts read them."""
    from click.shell_completion import ShellComplete

    from grader.cli import docker_grade

    completer = ShellComplete(docker_grade, {}, f"docker {PLUGIN_NAME}", "")
    items = completer.get_completions(args, incomplete)
    if any(item.type in ("file", "dir") for item in items):
        click.echo(f":{_COBRA_FILE_COMPLETION}")  # let the shell complete paths
        return
    for item in items:
        click.echo(f"{item.value}\t{item.help}" if item.help else item.value)
    click.echo(f":{_COBRA_NO_FILE_COMPLETION}")


def split_plugin_call(argv: list[str]) -> PluginCall:
    """``[GLOBAL OPTIONS] grade ARGS`` into the docker CLI's options and docker-grade's args."""
    options: list[tuple[str, str | None]] = []
    position = 0
    while position < len(argv):
        token = argv[position]
        if token == PLUGIN_NAME:
            return PluginCall(options, argv[position + 1 :])
        name, has_value, value = token.partition("=")
        if name in _VALUED_OPTIONS and not has_value:
            position += 1
            value = argv[position] if position < len(argv) else ""
            has_value = True
        options.append((name, value if has_value else None))
        position += 1
    raise UsageError(
        f"the docker CLI did not name the plugin's command ({PLUGIN_NAME}) in: {' '.join(argv)}"
    )


def apply_global_options(
    options: list[tuple[str, str | None]], environ: MutableMapping[str, str]
) -> None:
    """The docker CLI's options, as the environment variables that mean the same to the grader.

    The docker CLI has already refused --host with --context, and bad values.
    """
    given = dict(options)
    if "--config" in given:
        environ["DOCKER_CONFIG"] = given["--config"]
    context = given.get("--context") or given.get("-c")
    host = given.get("--host") or given.get("-H")
    if context:
        environ["DOCKER_CONTEXT"] = context
        if context != "default":  # --context beats DOCKER_HOST for the docker CLI
            environ.pop("DOCKER_HOST", None)
    if host:
        environ["DOCKER_HOST"] = host
    _apply_tls_options(given, environ)


def _apply_tls_options(given: dict[str, str | None], environ: MutableMapping[str, str]) -> None:
    """--tlsverify and --tls, and the certificates' folder (the grader reads fixed names in it)."""
    if _is_set(given, "--tlsverify"):
        environ["DOCKER_TLS_VERIFY"] = "1"
    folders = set()
    for option, file_name in _TLS_FILES.items():
        if given.get(option):
            path = Path(given[option]).expanduser().absolute()
            if path.name != file_name:
                raise UsageError(
                    f"{option} {given[option]}: docker grade needs the files named "
                    "ca.pem, cert.pem and key.pem, in one folder"
                )
            folders.add(path.parent)
    if len(folders) > 1:
        raise UsageError(
            "--tlscacert, --tlscert and --tlskey: docker grade needs them in one folder"
        )
    if folders:
        environ["DOCKER_CERT_PATH"] = str(folders.pop())
    elif (_is_set(given, "--tls") or _is_set(given, "--tlsverify")) and not environ.get(
        "DOCKER_CERT_PATH"
    ):
        # The docker CLI's certificates default to its config folder, the grader's to ~/.docker.
        environ["DOCKER_CERT_PATH"] = environ.get("DOCKER_CONFIG") or str(Path.home() / ".docker")


def _is_set(given: dict[str, str | None], flag: str) -> bool:
    if flag not in given:
        return False
    value = given[flag]
    return value is None or value.lower() in ("1", "t", "true")
