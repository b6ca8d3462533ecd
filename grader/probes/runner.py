"""Runs probes concurrently in labelled containers, and removes every one of them.

>>> with ProbeRunner(engine, image="busybox") as probes:     # doctest: +SKIP
...     probes.submit(ping("192.168.0.2", netns="host"))   # starts now, in the background
...     probes.run(ping("192.168.0.2", netns="host")).succeeded   # same probe: same run
True
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import io
import os
import socket
import tarfile
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import requests
from docker.errors import APIError, NotFound
from docker.types import Mount

from grader.artifacts.folders import FolderTooLarge, extract_folder
from grader.engine.client import Engine
from grader.engine.container import PROBE_LABEL
from grader.engine.files import read_file
from grader.engine.podman import PODMAN
from grader.probes.kinds import (
    FILE_ABSENT,
    RESULTS_DIR,
    ImageFile,
    Probe,
    ProbeResult,
    container_groups,
    host_path_exists,
    side_by_side,
)
from grader.probes.resident import ResidentContainer, can_run

PROBE_WORKERS = 16  # more than a whole course's probe containers (7): all start at once
STARTED_LABEL = "docker-grade.probe.started"  # epoch seconds, by the grader's clock
OWNER_LABEL = "docker-grade.probe.owner"  # <machine>:<pid> of the grader that made it
OWNER = f"{socket.gethostname()}:{os.getpid()}"
# No probe lives this long (each has a time limit of seconds): an older one is a leftover of a
# grader that was killed outright (SIGKILL, a power cut), which could not remove it.
STALE_AFTER_S = 600
RESULT_READS = 5  # an empty archive of the results is asked for again (podman 5)
RESULT_READ_PAUSE_S = 0.2
RESIDENT_END_S = 10  # a resident container's end and removal, at most


class ProbeUnavailable(Exception):
    """The probe image is not on the engine: no behavioural check can be decided."""


class FolderUnavailable(Exception):
    """A folder of the engine's host that cannot be read; the message says why."""


_FOLDER = "/docker-grade-student"


class ProbeRunner:
    """Runs probes; with ``resident`` (the default), those it can in one resident container
    that enters each namespace (grader.probes.resident), the others in containers of their
    own."""

    def __init__(
        self,
        engine: Engine,
        *,
        image: str = "busybox",
        workers: int = PROBE_WORKERS,
        resident: bool = True,
    ):
        self.api = engine.api
        self.userns_remap = engine.userns_remap
        self.product = engine.host.product
        self.image = image
        self.run_id = uuid.uuid4().hex[:12]
        # each probe makes its own API calls, beside the checks' (the main thread's)
        workers = min(workers, max(1, engine.parallel_calls - 1))
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="probe")
        self._futures: dict[Probe, Future] = {}
        self._lock = threading.Lock()
        self._image_id: str | None = None
        self._image_files: dict[ImageFile, Future] = {}
        self._resident_ending = False
        # Over ssh://, docker-py's transport breaks an exec's stream (BrokenPipeError): there,
        # every probe goes in containers of its own.
        resident = resident and not engine.host.docker_host.startswith("ssh://")
        self._resident = ResidentContainer(self.api, self._start_resident) if resident else None

    def __enter__(self) -> ProbeRunner:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def start_resident(self) -> None:
        """Starts the resident container now, in the background, for a grading about to plan
        probes (it is ready when they come); the end of the checks ends it, used or not."""
        if self._resident is not None:
            self._pool.submit(self._resident_started)

    def submit(self, probe: Probe) -> Future:
        """Starts ``probe`` unless it already ran or runs: each distinct probe runs once."""
        self.submit_all([probe])
        with self._lock:
            return self._futures[probe]

    def submit_all(self, probes) -> None:
        """Starts planned probes at once: side by side in the resident container those it can
        run, the others in as few containers as can run them side by side."""
        probes = list(probes)
        for image_file in [p for p in probes if isinstance(p, ImageFile)]:
            self._image_file(image_file)
        probes = [p for p in probes if not isinstance(p, ImageFile)]
        # started for a probe it can run, never for a grading with none
        resident = any(can_run(p) for p in probes) and self._resident_started()
        with self._lock:
            fresh = [p for p in dict.fromkeys(probes) if p not in self._futures]
            futures = {probe: Future() for probe in fresh}
            self._futures.update(futures)
        entered = [p for p in fresh if resident and can_run(p)]
        if entered:
            self._pool.submit(self._execute_entered, entered, futures)
        self._start_in_containers([p for p in fresh if p not in entered], futures)

    def _start_in_containers(self, probes: list[Probe], futures: dict[Probe, Future]) -> None:
        for group in container_groups(probes):
            self._pool.submit(self._execute_group, group, {p: futures[p] for p in group})

    def run(self, probe: Probe) -> ProbeResult:
        """The probe's result; raises ProbeUnavailable when the probe image is missing."""
        return self.submit(probe).result()

    @property
    def image_id(self) -> str:
        with self._lock:
            if self._image_id is None:
                try:
                    self._image_id = self.api.inspect_image(self.image)["Id"]
                except NotFound:
                    raise ProbeUnavailable(
                        f"the probe image '{self.image}' is not on the engine "
                        f"(docker pull {self.image}, or choose one with --probe-image)"
                    ) from None
            return self._image_id

    def identity(self) -> dict | None:
        """The probe image's reference, id and registry digests; None if it is not there."""
        try:
            data = self.api.inspect_image(self.image)
        except NotFound:
            return None
        return {"reference": self.image, "id": data["Id"], "digests": data.get("RepoDigests") or []}

    def read_from_image(self, image: str, path: str) -> bytes | None:
        """The file at ``path`` in ``image`` itself (what a bind mount hides), read from a
        labelled container that is created, never started, and removed; None if absent. Read
        once: a plan that held it has it read already."""
        return self._image_file(ImageFile(image, path)).result()

    def _image_file(self, image_file: ImageFile) -> Future:
        with self._lock:
            if image_file not in self._image_files:
                self._image_files[image_file] = self._pool.submit(
                    self._read_image_file, image_file.image, image_file.path
                )
            return self._image_files[image_file]

    def _read_image_file(self, image: str, path: str) -> bytes | None:
        container_id = self.api.create_container(image, command=["true"], labels=self._labels())[
            "Id"
        ]
        try:
            found = read_file(self.api, container_id, path)
            return found.content if found else None
        finally:
            self._remove(container_id)

    def copy_host_folder(self, source: str, into: Path) -> int:
        """Copies the engine host's folder ``source`` to ``into``, through a labelled container
        that mounts it read-only the way ``--mount`` does (a missing folder is refused, never
        created), is never started, and is removed. Returns the number of files copied;
        raises FolderUnavailable with the reason."""
        host_config = self.api.create_host_config(
            mounts=[Mount(_FOLDER, source, type="bind", read_only=True)],
            userns_mode="host" if self.userns_remap else None,
        )
        try:
            image_id = self.image_id
        except ProbeUnavailable as error:
            raise FolderUnavailable(f"engine:{source} could not be read: {error}") from None
        try:
            self._refuse_a_missing_source(source)
            container_id = self.api.create_container(
                image_id, command=["true"], labels=self._labels(), host_config=host_config
            )["Id"]
        except APIError as error:
            raise FolderUnavailable(
                f"engine:{source}: no such folder on the engine's host "
                f"({error.explanation or error})"
            ) from None
        try:
            stream, _ = self.api.get_archive(container_id, _FOLDER)
            return extract_folder(stream, into)
        except (APIError, FolderTooLarge, tarfile.TarError) as error:
            raise FolderUnavailable(f"engine:{source} could not be read: {error}") from None
        finally:
            self._remove(container_id)

    def _labels(self) -> dict[str, str]:
        return {PROBE_LABEL: self.run_id, STARTED_LABEL: str(int(time.time())), OWNER_LABEL: OWNER}

    def remove_stale(self) -> int:
        """Removes the probe containers that killed graders left behind; how many. A probe is
        a leftover when the grader that made it on this machine is no longer running, or when
        it is older than any probe lives (one made elsewhere)."""
        summaries = self.api.containers(all=True, filters={"label": PROBE_LABEL})
        stale = [
            summary["Id"]
            for summary in summaries
            if _owner_gone(summary) or _started(summary) < time.time() - STALE_AFTER_S
        ]
        for container_id in stale:
            self._remove(container_id)
        return len(stale)

    def wait(self) -> None:
        """Returns once every probe submitted so far has ended."""
        with self._lock:
            futures = list(self._futures.values())
        concurrent.futures.wait(futures)

    def no_more_probes(self) -> None:
        """The checks have run: once the probes under way have ended, the resident container
        is asked to end, so that the engine removes it while the report is written (close
        then waits until it is gone). A probe asked for after this runs in a container of its
        own."""
        self.wait()
        resident = self._resident.retire() if self._resident else None
        if resident:
            with contextlib.suppress(APIError, requests.RequestException):
                self.api.kill(resident, signal="SIGTERM")
                self._resident_ending = True

    def close(self) -> None:
        """Waits for the probes under way, then removes any probe container left behind."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        resident = self._resident.container_id if self._resident else None
        if resident:
            self._end_resident(resident)
        for summary in self.api.containers(all=True, filters={"label": self._label()}):
            if summary["Id"] != resident:
                self._remove(summary["Id"])

    def _end_resident(self, container_id: str) -> None:
        """Ends the resident container and waits until the engine removed it (made with
        auto_remove); removes it when it cannot be ended so. SIGTERM: its sleep is not a pid 1
        (it lives in the host's pid namespace), so it dies of it; a SIGKILL or a forced removal
        waits longer."""
        try:
            if not self._resident_ending:
                self.api.kill(container_id, signal="SIGTERM")
            self.api.wait(container_id, timeout=RESIDENT_END_S, condition="removed")
        except NotFound:  # removed already
            pass
        except (APIError, requests.RequestException):
            self._remove(container_id)

    def _label(self) -> str:
        return f"{PROBE_LABEL}={self.run_id}"

    def _resident_started(self) -> bool:
        """Whether the resident container runs (started on the first call)."""
        if self._resident is None:
            return False
        try:
            self.image_id  # noqa: B018  (a missing image is said by the probes themselves)
        except ProbeUnavailable:
            return False
        return self._resident.start() is not None

    def _start_resident(self, settings: Probe) -> str:
        # podman labels each container for SELinux: entering another's namespaces needs none
        options = ["label=disable"] if self.product == PODMAN else None
        # auto_remove: at the end it is killed, and the engine removes it beside the report
        container_id = self._create(settings, self.image_id, security_opt=options, auto_remove=True)
        try:
            self.api.start(container_id)
        except APIError:
            self._remove(container_id)
            raise
        return container_id

    def _execute_entered(self, probes: list[Probe], futures: dict[Probe, Future]) -> None:
        """Runs ``probes`` in the resident container; those it gives no result for start
        in containers of their own. Settles every future, whatever happens."""
        try:
            image_id = self.image_id
            results = self._resident.run_all(probes)
            for probe, result in results.items():
                futures[probe].set_result(dataclasses.replace(result, image_id=image_id))
            self._start_in_containers([p for p in probes if p not in results], futures)
        except BaseException as error:  # ProbeUnavailable, or anything: no caller may hang
            _settle(futures, error)

    def _execute(self, probe: Probe) -> ProbeResult:
        started = time.monotonic()
        image_id = self.image_id
        container_id = None
        try:
            container_id = self._create(probe, image_id)
            self.api.start(container_id)
            exit_code = self.api.wait(container_id, timeout=probe.timeout_s)["StatusCode"]
            stdout, stderr = (self._logs(container_id, out) for out in (True, False))
            return ProbeResult(
                probe, exit_code, stdout, stderr, time.monotonic() - started, image_id
            )
        except (requests.ReadTimeout, requests.ConnectionError):
            return self._failed(probe, started, f"no answer within {probe.timeout_s:.0f} s")
        except APIError as error:
            return self._failed(probe, started, error.explanation or str(error))
        finally:
            if container_id:
                self._remove(container_id)

    def _execute_group(self, group: list[Probe], futures: dict[Probe, Future]) -> None:
        """Runs ``group`` side by side in one container; settles every future, whatever
        happens."""
        try:
            results = None
            if len(group) > 1:
                combined = side_by_side(group)
                started = time.monotonic()
                image_id = self.image_id
                results = self._run_side_by_side(combined, group, image_id, started)
            if results is None:  # alone, or the engine refused the shared container
                results = {probe: self._execute(probe) for probe in group}
            for probe in group:
                futures[probe].set_result(results[probe])
        except BaseException as error:  # ProbeUnavailable, or anything: no caller may hang
            _settle(futures, error)

    def _run_side_by_side(
        self, combined: Probe, group: list[Probe], image_id: str, started: float
    ) -> dict[Probe, ProbeResult] | None:
        """Each probe's result; None when the engine would not make or start the shared
        container (a setting one of them brought), so that none fails for another's."""
        container_id = None
        try:
            container_id = self._create(combined, image_id)
            self.api.start(container_id)
        except APIError:
            if container_id:
                self._remove(container_id)
            return None
        try:
            self.api.wait(container_id, timeout=combined.timeout_s)
            files = self._results(container_id)
        except (requests.ReadTimeout, requests.ConnectionError):
            # the probes that ended keep their results; the others ran out of time
            files, problem = (
                self._results_so_far(container_id),
                (f"no answer within {combined.timeout_s:.0f} s"),
            )
        except APIError as error:
            files, problem = {}, error.explanation or str(error)
        except tarfile.TarError as error:
            files, problem = (
                {},
                f"the engine gave no readable copy of the probe's results ({error})",
            )
        else:
            problem = "the probe left no result"
        finally:
            self._remove(container_id)
        duration = time.monotonic() - started
        results = {}
        for n, probe in enumerate(group):
            code = files.get(f"{n}.rc", "").strip()
            results[probe] = (
                ProbeResult(
                    probe,
                    int(code),
                    files.get(f"{n}.out", ""),
                    files.get(f"{n}.err", ""),
                    duration,
                    image_id,
                )
                if code.isdigit()
                else ProbeResult(probe, None, "", "", duration, image_id, problem=problem)
            )
        return results

    def _results_so_far(self, container_id: str) -> dict[str, str]:
        try:
            return self._results(container_id)
        except (APIError, requests.RequestException, tarfile.TarError):
            return {}

    def _results(self, container_id: str) -> dict[str, str]:
        """The files the side-by-side probe wrote, by name. podman 5 has answered an empty
        archive for a container that had just ended: it is asked again, a few times."""
        for _ in range(RESULT_READS):
            stream, _ = self.api.get_archive(container_id, RESULTS_DIR)
            raw = b"".join(stream)
            if raw:
                break
            time.sleep(RESULT_READ_PAUSE_S)
        else:
            raise tarfile.ReadError(f"an empty archive, {RESULT_READS} times")
        with tarfile.open(fileobj=io.BytesIO(raw)) as archive:
            return {
                Path(member.name).name: archive.extractfile(member)
                .read()
                .decode("utf-8", errors="replace")
                for member in archive.getmembers()
                if member.isfile()
            }

    def _refuse_a_missing_source(self, source: str) -> None:
        """Raises APIError, as Docker's ``--mount`` would, when the engine host has no
        ``source``. Asked only of podman, which would make the folder instead: a student's
        removed folder is never made again (nor judged empty)."""
        if self.product != PODMAN or source == "/":
            return
        found = self._execute(host_path_exists(source))
        if found.exit_code == FILE_ABSENT:
            raise APIError(f"bind source path does not exist: {source}")
        if not found.succeeded:
            raise APIError(
                f"whether {source} exists on the engine's host could not be told: "
                f"{found.problem or found.stderr.strip() or found.exit_code}"
            )

    def _create(self, probe: Probe, image_id: str, **host_options) -> str:
        if probe.bind:
            self._refuse_a_missing_source(probe.bind[0])
        host_config = self.api.create_host_config(
            network_mode=probe.netns,
            pid_mode=probe.pid,
            mounts=[Mount(probe.bind[1], probe.bind[0], type="bind", read_only=probe.bind[2])]
            if probe.bind
            else None,
            cap_add=_capabilities(probe) or None,
            tmpfs={probe.tmpfs: ""} if probe.tmpfs else None,
            # With remapped uids, an engine refuses the host's pid namespace (and a student's
            # network namespace from another user namespace) unless the probe opts out.
            userns_mode="host" if self.userns_remap else None,
            **host_options,
        )
        created = self.api.create_container(
            image_id,
            command=list(probe.command),
            labels=self._labels(),
            host_config=host_config,
        )
        return created["Id"]

    def _logs(self, container_id: str, stdout: bool) -> str:
        raw = self.api.logs(container_id, stdout=stdout, stderr=not stdout)
        return raw.decode("utf-8", errors="replace")

    def _remove(self, container_id: str) -> None:
        if self.product == PODMAN:  # its forced removal stops gently: 10 s for a shell
            try:
                self.api.kill(container_id)
            except (NotFound, APIError):  # ended already
                pass
        try:
            # v=True: a container made from an image that declares VOLUMEs got anonymous
            # volumes of its own; they go with it (a probe never has a named one).
            self.api.remove_container(container_id, force=True, v=True)
        except (NotFound, APIError):  # gone already, or its removal is under way
            pass

    @staticmethod
    def _failed(probe: Probe, started: float, problem: str) -> ProbeResult:
        return ProbeResult(probe, None, "", "", time.monotonic() - started, problem=problem)


def _settle(futures: dict[Probe, Future], error: BaseException) -> None:
    for future in futures.values():
        if not future.done():
            future.set_exception(error)


def _owner_gone(summary: dict) -> bool:
    machine, _, pid = (summary.get("Labels") or {}).get(OWNER_LABEL, "").rpartition(":")
    if machine != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, another user's
        return False
    return False


def _started(summary: dict) -> float:
    try:
        return float((summary.get("Labels") or {}).get(STARTED_LABEL, ""))
    except ValueError:
        return 0.0  # a probe label without a time: not from this version, and old


def _capabilities(probe: Probe) -> list[str]:
    """What the probe asks for, and SYS_PTRACE to read another process's root folder
    (/proc/1/root) when its uid differs from the probe's (a container run with --user, a
    remapped engine)."""
    wanted = set(probe.capabilities)
    if (probe.pid or "").startswith("container:"):
        wanted.add("SYS_PTRACE")
    return sorted(wanted)
