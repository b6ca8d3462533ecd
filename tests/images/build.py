#!/usr/bin/env python3
"""Build the local Docker images that the docker-grade tests run against.

Why this exists: the course's exercises use the tags ``busybox:latest``,
``nginx:alpine`` and ``node:lts-alpine``, but the machines that run the
tests cannot reach a container registry, so ``docker pull`` fails.  This
script puts together look-alike images FROM scratch out of files on the
Debian host (busybox-static, node) or from Debian's apt mirrors (nginx) and
gives them the tags the course uses.  They are test fixtures, not copies of
the real images: each has just enough for the graded exercises (a busybox
shell with its applets, nginx serving /usr/share/nginx/html on port 80, node
with a stand-in npm).

Every image gets the labels ``docker-grade.test-fixture=1`` and
``docker-grade.recipe=<sha256>``.  The hash covers this file, the image's
assets (``assets/<name>/``, copied as-is into the image) and the identity of
the host inputs (sha256 of busybox and node and their libraries, the
version and sha256 of the nginx .deb).  ``ensure_images()`` skips a tag that
already carries the current hash and rebuilds any other, so a repeat run
costs well under two seconds.

It also makes ``docker-grade-base:python3``, Debian's python3 with venv
laid out by mmdebstrap, the stand-in for ``python:3.11-slim`` that the
grader's own Dockerfile starts from (``ensure_base_image()``; cached the same
way, by the package versions it is made of).

Usage: ``python tests/images/build.py``, or import this file and call
``ensure_images()``.  The docker CLI reads DOCKER_HOST as usual.  Errors exit
non-zero with a one-line message on stderr.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ASSETS = HERE / "assets"
BUSYBOX = Path("/usr/bin/busybox")
NODE = Path("/usr/bin/node")
PATH_ENV = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
FIXTURE_LABEL = "docker-grade.test-fixture"
RECIPE_LABEL = "docker-grade.recipe"
APT_ENV = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
INSPECT_FORMAT = "{{.Id}} {{json .Config.Labels}}"  # Labels may be null: no `index`
# (name, uid, gid, home, shell); each user also gets a group of the same name and id.
BASE_USERS = [("root", 0, 0, "/root", "/bin/sh"), ("nobody", 65534, 65534, "/home", "/bin/false")]
# Debian's nginx falls back to user nobody, group nogroup when a config has no `user`.
EXTRA_GROUPS = "nogroup:x:65534:\n"
NSSWITCH = "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n"


class BuildError(Exception):
    """A failure reported as one line on stderr (no docker, apt error, ...)."""


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def run(
    cmd: list[str], *, check: bool = True, env: dict | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """Run a command quietly; on failure raise BuildError with its last line."""
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    except FileNotFoundError:
        raise BuildError(f"{cmd[0]} not found on PATH") from None
    if check and proc.returncode != 0:
        raise BuildError(f"{' '.join(cmd[:3])} failed: {last_line(proc.stderr + proc.stdout)}")
    return proc


def apt(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run an apt command; if it fails, refresh the package lists once and retry."""
    proc = run(cmd, check=False, env=APT_ENV, cwd=cwd)
    if proc.returncode == 0:
        return proc
    run(["apt-get", "update", "-qq"], env=APT_ENV)
    return run(cmd, env=APT_ENV, cwd=cwd)


def host_binary(path: Path, package: str) -> Path:
    """Return path, installing the Debian package that provides it if needed."""
    if not path.exists():
        apt(["apt-get", "install", "-y", "-qq", package])
    if not path.exists():
        raise BuildError(f"{path} still missing after installing {package}")
    return path


@functools.lru_cache(maxsize=None)
def sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def shared_libs(binary: Path) -> list[Path]:
    """The libraries (and loader) that ldd resolves for binary; [] if static."""
    proc = run(["ldd", str(binary)], check=False)
    if "not a dynamic executable" in proc.stdout + proc.stderr:
        return []
    if proc.returncode != 0:
        raise BuildError(f"ldd {binary} failed: {last_line(proc.stderr)}")
    missing = [line.split()[0] for line in proc.stdout.splitlines() if "not found" in line]
    if missing:
        raise BuildError(f"ldd {binary}: libraries not found: {', '.join(missing)}")
    return [
        Path(m.group(1))
        for line in proc.stdout.splitlines()
        if (m := re.search(r"(/\S+)\s+\(0x", line))
    ]


def busybox_applets() -> list[str]:
    out = run([str(BUSYBOX), "--list"]).stdout.split()
    return sorted(name for name in out if name != "busybox")


# --- nginx from Debian's mirror ---------------------------------------------


@functools.lru_cache(maxsize=None)
def nginx_candidate() -> dict[str, str]:
    """Version, SHA256 and Depends of the nginx .deb apt would download."""
    text = apt(["apt-cache", "show", "--no-all-versions", "nginx"]).stdout
    fields = dict(re.findall(r"^(Version|SHA256|Depends): (.*)$", text, re.M))
    if "Version" not in fields or "SHA256" not in fields:
        raise BuildError("apt-cache show nginx: no candidate version with a SHA256")
    return fields


def installed_versions(depends: str) -> list[str]:
    """Installed versions of the packages named in a Depends field (the libraries)."""
    names = {re.split(r"[\s(:]", alt.split("|")[0].strip())[0] for alt in depends.split(",")}
    proc = run(["dpkg-query", "-W", "-f", "${Package}=${Version}\n", *sorted(names)], check=False)
    return proc.stdout.split()


def fetch_nginx(scratch: Path) -> Path:
    """Download and unpack (never install) the nginx .deb; return the binary."""
    candidate = nginx_candidate()
    apt(["apt-get", "download", "-qq", f"nginx={candidate['Version']}"], cwd=scratch)
    deb = next(scratch.glob("nginx_*.deb"), None)
    if deb is None or sha256_file(deb) != candidate["SHA256"]:
        raise BuildError("apt-get download nginx: missing .deb or SHA256 mismatch")
    run(["dpkg", "-x", str(deb), str(scratch / "nginx-deb")])
    return scratch / "nginx-deb/usr/sbin/nginx"


# --- root filesystem as a tar archive (exact modes and owners for ADD) -------


class RootFS:
    """Writes an image's root filesystem into a tar that `ADD rootfs.tar /` unpacks."""

    def __init__(self, path: Path):
        self.tar = tarfile.open(path, "w")
        self.seen: set[str] = set()
        self.mtime = int(time.time())

    def close(self) -> None:
        self.tar.close()

    def _add(
        self,
        arc: str,
        kind: bytes,
        mode: int,
        uid: int = 0,
        gid: int = 0,
        data: bytes | None = None,
        link: str = "",
        mtime: int | None = None,
    ) -> None:
        name = arc.strip("/")
        if name in self.seen:
            return
        self._parents(name)
        self.seen.add(name)
        info = tarfile.TarInfo(name)
        info.type, info.mode, info.uid, info.gid = kind, mode, uid, gid
        info.linkname, info.mtime = link, mtime or self.mtime
        info.size = len(data) if data is not None else 0
        self.tar.addfile(info, io.BytesIO(data) if data is not None else None)

    def _parents(self, name: str) -> None:
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            self.dir("/".join(parts[:i]))

    def dir(self, arc: str, mode: int = 0o755, uid: int = 0, gid: int = 0) -> None:
        self._add(arc, tarfile.DIRTYPE, mode, uid, gid)

    def text(self, arc: str, content: str, mode: int = 0o644) -> None:
        self._add(arc, tarfile.REGTYPE, mode, data=content.encode())

    def symlink(self, arc: str, target: str) -> None:
        self._add(arc, tarfile.SYMTYPE, 0o777, link=target)

    def file(self, arc: str, src: Path, mode: int | None = None) -> None:
        """Copy a host file (symlinks followed) to arc."""
        st = src.stat()
        self._add(
            arc,
            tarfile.REGTYPE,
            mode if mode is not None else st.st_mode & 0o7777,
            data=src.read_bytes(),
            mtime=int(st.st_mtime),
        )

    def tree(self, src_dir: Path) -> None:
        """Copy an assets folder into / (executables 0755, other files 0644)."""
        for path in sorted(src_dir.rglob("*")):
            arc = "/" + path.relative_to(src_dir).as_posix()
            if path.is_dir():
                self.dir(arc)
            else:
                self.file(arc, path, 0o755 if os.access(path, os.X_OK) else 0o644)


def add_busybox(fs: RootFS) -> None:
    """busybox at /bin/busybox, one /bin symlink per applet, and the usual dirs."""
    fs.file("/bin/busybox", BUSYBOX, 0o755)
    for applet in busybox_applets():
        fs.symlink(f"/bin/{applet}", "busybox")
    for path, mode in (
        ("/tmp", 0o1777),
        ("/root", 0o700),
        ("/home", 0o755),
        ("/var", 0o755),
        ("/usr/local/bin", 0o755),
    ):
        fs.dir(path, mode)


def add_accounts(fs: RootFS, users: list[tuple]) -> None:
    """/etc/passwd, /etc/group (a group per user) and an nsswitch.conf for glibc."""
    fs.text("/etc/passwd", "".join(f"{n}:x:{u}:{g}:{n}:{h}:{s}\n" for n, u, g, h, s in users))
    groups = "".join(f"{n}:x:{g}:\n" for n, _, g, _, _ in users)
    fs.text("/etc/group", groups + EXTRA_GROUPS)
    fs.text("/etc/nsswitch.conf", NSSWITCH)


def add_program(fs: RootFS, src: Path, dest: str) -> None:
    """A dynamically linked program plus its libraries at the paths ldd reports."""
    fs.file(dest, src, 0o755)
    for lib in shared_libs(src):
        fs.file(str(lib), lib)


# --- the three images ---------------------------------------------------------


@dataclass
class Image:
    tag: str
    assets: str | None
    inputs: Callable[[], list[str]]  # identity of host inputs, for the recipe
    populate: Callable[[RootFS, Path], None]  # fills the rootfs; Path = scratch dir
    config: list[str]  # Dockerfile lines after `ADD rootfs.tar /`


def busybox_inputs() -> list[str]:
    return [f"busybox {sha256_file(BUSYBOX)}"]


def nginx_inputs() -> list[str]:
    candidate = nginx_candidate()
    return busybox_inputs() + [
        f"nginx {candidate['Version']} {candidate['SHA256']}",
        *installed_versions(candidate.get("Depends", "")),
    ]


def node_inputs() -> list[str]:
    files = [NODE, *shared_libs(NODE)]
    return busybox_inputs() + [f"{path} {sha256_file(path)}" for path in files]


def populate_busybox(fs: RootFS, scratch: Path) -> None:
    add_busybox(fs)
    add_accounts(fs, BASE_USERS)


def populate_nginx(fs: RootFS, scratch: Path) -> None:
    add_busybox(fs)
    add_accounts(fs, BASE_USERS + [("nginx", 101, 101, "/var/cache/nginx", "/bin/nologin")])
    add_program(fs, fetch_nginx(scratch), "/usr/sbin/nginx")
    # /var/lib/nginx: Debian's compiled-in temp paths, used if a config omits them.
    for path in ("/var/cache/nginx", "/var/lib/nginx", "/var/log/nginx", "/var/run", "/run"):
        fs.dir(path)
    fs.symlink("/var/log/nginx/access.log", "/dev/stdout")
    fs.symlink("/var/log/nginx/error.log", "/dev/stderr")
    fs.tree(ASSETS / "nginx")


def populate_node(fs: RootFS, scratch: Path) -> None:
    add_busybox(fs)
    add_accounts(fs, BASE_USERS + [("node", 1000, 1000, "/home/node", "/bin/sh")])
    fs.dir("/home/node", 0o755, 1000, 1000)
    add_program(fs, NODE, "/usr/local/bin/node")
    fs.tree(ASSETS / "node")


IMAGES = [
    Image(
        "busybox:latest",
        None,
        busybox_inputs,
        populate_busybox,
        [f"ENV PATH={PATH_ENV}", 'CMD ["sh"]'],
    ),
    Image(
        "nginx:alpine",
        "nginx",
        nginx_inputs,
        populate_nginx,
        [
            f"ENV PATH={PATH_ENV}",
            "EXPOSE 80",
            "STOPSIGNAL SIGQUIT",
            'CMD ["nginx", "-g", "daemon off;"]',
        ],
    ),
    Image(
        "node:lts-alpine",
        "node",
        node_inputs,
        populate_node,
        [f"ENV PATH={PATH_ENV}", 'CMD ["node"]'],
    ),
]


# --- recipe hashing, inspection and building ----------------------------------


def recipe_hash(image: Image) -> str:
    digest = hashlib.sha256(f"{image.tag}\n".encode())
    digest.update(Path(__file__).read_bytes())
    if image.assets:
        for path in sorted((ASSETS / image.assets).rglob("*")):
            if path.is_file():
                mode = "x" if os.access(path, os.X_OK) else "-"
                digest.update(f"\n{path.relative_to(ASSETS)} {mode}\n".encode())
                digest.update(path.read_bytes())
    for item in image.inputs():
        digest.update(f"\n{item}".encode())
    return digest.hexdigest()


def inspect(tag: str) -> dict[str, str] | None:
    """Id and labels of the local image tag, or None if there is none."""
    proc = run(["docker", "image", "inspect", "-f", INSPECT_FORMAT, tag], check=False)
    if proc.returncode != 0:
        if "no such image" in proc.stderr.lower():
            return None
        raise BuildError(f"docker image inspect {tag}: {last_line(proc.stderr)}")
    image_id, _, labels = proc.stdout.strip().partition(" ")
    labels = json.loads(labels or "null") or {}
    return {
        "id": image_id,
        "recipe": labels.get(RECIPE_LABEL, ""),
        "fixture": labels.get(FIXTURE_LABEL, ""),
    }


def build(image: Image, recipe: str) -> None:
    """docker build (legacy builder) of a FROM-scratch image from a staging dir."""
    with tempfile.TemporaryDirectory(prefix="docker-grade-image-") as tmp:
        scratch, context = Path(tmp), Path(tmp) / "context"
        context.mkdir()
        fs = RootFS(context / "rootfs.tar")
        try:
            image.populate(fs, scratch)
        finally:
            fs.close()
        lines = ["FROM scratch", "ADD rootfs.tar /", *image.config]
        (context / "Dockerfile").write_text("\n".join(lines) + "\n")
        run(
            [
                "docker",
                "build",
                "-q",
                "--force-rm",
                "-t",
                image.tag,
                "--label",
                f"{FIXTURE_LABEL}=1",
                "--label",
                f"{RECIPE_LABEL}={recipe}",
                str(context),
            ],
            env=dict(os.environ, DOCKER_BUILDKIT="0"),
        )


def drop_replaced(old: dict[str, str] | None, tag: str) -> None:
    """Remove the fixture image a rebuild untagged, if nothing else uses it."""
    new = inspect(tag)
    if old and old["fixture"] == "1" and new and new["id"] != old["id"]:
        run(["docker", "image", "rm", old["id"]], check=False)


def ensure_images(quiet: bool = False) -> dict[str, str]:
    """Build each missing or outdated image; return {tag: "built" | "cached"}."""
    if shutil.which("docker") is None:
        raise BuildError("docker CLI not found on PATH")
    host_binary(BUSYBOX, "busybox-static")
    host_binary(NODE, "nodejs")
    with ThreadPoolExecutor(max_workers=2 * len(IMAGES)) as pool:
        recipes = pool.map(recipe_hash, IMAGES)
        states = pool.map(inspect, [image.tag for image in IMAGES])
        recipes, states = list(recipes), list(states)
    results = {}
    for image, recipe, state in zip(IMAGES, recipes, states):
        started = time.monotonic()
        if state and state["recipe"] == recipe:
            results[image.tag] = "cached"
        else:
            build(image, recipe)
            drop_replaced(state, image.tag)
            results[image.tag] = "built"
        if not quiet:
            print(
                f"{image.tag}: {results[image.tag]} ({time.monotonic() - started:.1f}s)", flush=True
            )
    return results


# --- the base of the grader's own image (tests/test_grader_image.py) -----------
# The project's Dockerfile starts FROM python:3.11-slim, which no registry here serves. Its
# stand-in is Debian's own python3 with venv, laid out by mmdebstrap from the host's apt
# sources and imported: the Dockerfile only needs python3 -m venv and a shell.

BASE_TAG = "docker-grade-base:python3"
MMDEBSTRAP = Path("/usr/bin/mmdebstrap")
BASE_PACKAGES = ["python3-venv"]  # python3, its venv module and the pip wheel ensurepip uses
# Whose versions name the recipe: a new Python or libc rebuilds the base, other updates do not.
BASE_VERSIONED = ["python3", "python3-venv", "libc6"]
BASE_OPTIONS = [
    "--variant=essential",  # Debian's Essential packages (a shell, coreutils), not apt
    f"--include={','.join(BASE_PACKAGES)}",
    # /usr merged as Debian does, without the usrmerge package and the perl it brings (-45 MB)
    "--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr",
    "--skip=output/dev",  # the engine makes /dev in each container
    *(
        f"--dpkgopt=path-exclude=/usr/share/{folder}/*"
        for folder in ("doc", "man", "locale", "info")
    ),
]
BASE_CONFIG = [f"ENV PATH={PATH_ENV}", "ENV LANG=C.UTF-8", 'CMD ["python3"]']


def host_suite() -> str:
    """The host's Debian release (bookworm): the base is made of the packages apt sees."""
    fields = dict(re.findall(r"^(\w+)=\"?([^\"\n]*)", Path("/etc/os-release").read_text(), re.M))
    if not fields.get("VERSION_CODENAME"):
        raise BuildError("/etc/os-release names no VERSION_CODENAME: not a Debian host?")
    return fields["VERSION_CODENAME"]


def host_sources() -> list[str]:
    """The host's apt sources (its mirror and security updates), else mmdebstrap's default."""
    for path in (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list")):
        if path.is_file() and path.read_text().strip():
            return [str(path)]
    return []


def base_recipe() -> str:
    digest = hashlib.sha256(f"{BASE_TAG}\n{host_suite()}\n".encode())
    for item in (*BASE_OPTIONS, *BASE_CONFIG, *host_sources()):
        digest.update(f"\n{item}".encode())
    show = apt(["apt-cache", "show", "--no-all-versions", *BASE_VERSIONED]).stdout
    for package, version in re.findall(r"^Package: (.*)\n(?:.+\n)*?Version: (.*)$", show, re.M):
        digest.update(f"\n{package} {version}".encode())
    return digest.hexdigest()


def build_base(recipe: str) -> None:
    """mmdebstrap writes the root filesystem as a tar; docker import makes it the image."""
    host_binary(MMDEBSTRAP, "mmdebstrap")
    with tempfile.TemporaryDirectory(prefix="docker-grade-base-") as tmp:
        rootfs = Path(tmp) / "rootfs.tar"
        run(
            ["mmdebstrap", "--quiet", *BASE_OPTIONS, host_suite(), str(rootfs), *host_sources()],
            env=APT_ENV,
        )
        changes = [*BASE_CONFIG, f"LABEL {FIXTURE_LABEL}=1", f"LABEL {RECIPE_LABEL}={recipe}"]
        run(
            [
                "docker",
                "import",
                *(arg for change in changes for arg in ("--change", change)),
                str(rootfs),
                BASE_TAG,
            ]
        )


def ensure_base_image(quiet: bool = False) -> str:
    """Build the grader image's base if it is missing or outdated; "built" or "cached"."""
    if shutil.which("docker") is None:
        raise BuildError("docker CLI not found on PATH")
    started, recipe, state = time.monotonic(), base_recipe(), inspect(BASE_TAG)
    if state and state["recipe"] == recipe:
        result = "cached"
    else:
        build_base(recipe)
        drop_replaced(state, BASE_TAG)
        result = "built"
    if not quiet:
        print(f"{BASE_TAG}: {result} ({time.monotonic() - started:.1f}s)", flush=True)
    return result


def main() -> int:
    try:
        ensure_images()
        ensure_base_image()
    except BuildError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
