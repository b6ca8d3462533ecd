"""`docker-grade batch` over three real engines (one through ssh://) and one that is not
there: every student gets their own scores; the unreachable one is a row that says why."""

import csv
import json
import os
import signal
import subprocess
import time

from support.cli import EXECUTABLE, docker_grade
from support.sockets import silent_engine

EXERCISES = ("custom-bridge", "two-containers-ping", "nginx-ro-volume")
MAX = {"custom-bridge": 5, "two-containers-ping": 5, "nginx-ro-volume": 6}


def full_solution(host, site):
    host.network("mybridge", subnet="192.168.0.0/24")
    host.container("busybox", network="mybridge")
    host.container("busybox")
    host.container("busybox")
    host.wait_running(
        host.container("nginx:alpine", name="mynginx", binds=[f"{site}:/usr/share/nginx/html:ro"])
    )


def partial_solution(host):
    host.network("mybridge", subnet="192.168.0.0/16")  # the /16 mistake
    host.container("busybox", network="mybridge", tty=False)  # and no -t


def write_roster(path, rows):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "name", "docker_host"])
        writer.writerows(rows)
    return path


def read_gradebook(out):
    with (out / "gradebook.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_class_on_three_engines_and_one_unreachable(
    students, class_engines, ssh_access, tmp_path
):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>alice's page</p>")
    full_solution(students[0], site)
    partial_solution(students[1])  # reached over ssh://
    roster = write_roster(
        tmp_path / "roster.csv",
        [
            ("alice", "Alice Martin", class_engines[0].docker_host),
            ("bob", "Bob Durand", ssh_access["docker_host"]),
            ("chloe", "Chloé Petit", class_engines[2].docker_host),  # nothing done
            ("dan", "Dan Ghost", f"unix://{tmp_path}/no-engine.sock"),
        ],
    )
    out = tmp_path / "out"

    run = docker_grade(
        "batch", str(roster), *EXERCISES, "--out", str(out), "--lang", "en", env=ssh_access["env"]
    )

    assert run.exit_code == 3, run.stderr  # one student could not be graded
    rows = read_gradebook(out)
    assert [r["student_id"] for r in rows] == ["alice", "bob", "chloe", "dan"]  # roster order
    assert list(rows[0]) == ["student_id", "name", "score", "max_score", *EXERCISES, "status"]
    alice, bob, chloe, dan = rows
    assert (alice["score"], alice["max_score"], alice["status"]) == ("16", "16", "graded")
    assert alice["name"] == "Alice Martin" and chloe["name"] == "Chloé Petit"
    assert (bob["custom-bridge"], bob["two-containers-ping"], bob["nginx-ro-volume"]) == (
        "3",
        "0",
        "0",
    )
    assert (chloe["score"], chloe["status"]) == ("0", "graded")
    assert dan["score"] == "" and dan["status"].startswith("ungradable: ")
    assert "no engine answers there" in dan["status"]

    reports = {
        sid: json.loads((out / f"{sid}.json").read_text()) for sid in ("alice", "bob", "chloe")
    }
    assert reports["alice"]["student"]["id"] == "alice"
    assert reports["bob"]["host"]["docker_host"] == ssh_access["docker_host"]
    assert reports["alice"]["host"]["docker_host"] == class_engines[0].docker_host
    bob_checks = {c["id"]: c["status"] for c in reports["bob"]["exercises"][0]["checks"]}
    assert (
        bob_checks["network-subnet"] == "failed"
        and bob_checks["container-detached-tty"] == "failed"
    )
    assert not (out / "dan.json").exists()
    assert (out / "summary.html").is_file()
    assert "alice" in run.stdout and "ungradable" in run.stdout  # the summary table
    leftovers = [f.name for f in out.iterdir() if f.name.endswith(".tmp")]
    assert leftovers == []


def test_rerunning_regrades_and_drops_a_stale_report(students, class_engines, tmp_path):
    roster = write_roster(tmp_path / "roster.csv", [("erin", "", class_engines[2].docker_host)])
    out = tmp_path / "out"
    assert docker_grade("batch", str(roster), "custom-bridge", "--out", str(out)).exit_code == 0
    assert json.loads((out / "erin.json").read_text())["score"] == 0

    students[2].network("mybridge", subnet="192.168.0.0/24")
    assert docker_grade("batch", str(roster), "custom-bridge", "--out", str(out)).exit_code == 0
    assert json.loads((out / "erin.json").read_text())["score"] == 3  # all but the container checks
    write_roster(roster, [("erin", "", f"unix://{tmp_path}/gone.sock")])
    assert docker_grade("batch", str(roster), "custom-bridge", "--out", str(out)).exit_code == 3
    assert not (out / "erin.json").exists()


def test_each_student_is_graded_with_their_own_set_column(students, class_engines, tmp_path):
    """grace was given 192.168.7.0/24 in the roster's set column; hugo the default."""
    for host, subnet in zip(students, ("192.168.7.0/24", "192.168.7.0/24")):
        host.network("mybridge", subnet=subnet)
        host.container("busybox", network="mybridge")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student_id,docker_host,set\n"
        f"grace,{class_engines[0].docker_host},subnet=192.168.7.0/24\n"
        f"hugo,{class_engines[1].docker_host},\n"
    )
    out = tmp_path / "out"
    assert docker_grade("batch", str(roster), "custom-bridge", "--out", str(out)).exit_code == 0
    statuses = {
        student: {
            c["id"]: c["status"]
            for c in json.loads((out / f"{student}.json").read_text())["exercises"][0]["checks"]
        }
        for student in ("grace", "hugo")
    }
    assert statuses["grace"]["network-subnet"] == "passed"
    assert statuses["hugo"]["network-subnet"] == "failed"  # the default asks for 192.168.0.0/24


def test_a_host_that_hangs_is_cut_at_the_time_limit(tmp_path):
    with silent_engine(tmp_path / "silent.sock") as url:
        roster = write_roster(tmp_path / "roster.csv", [("frank", "", url)])
        run = docker_grade("batch", str(roster), "--out", str(tmp_path / "out"), "--timeout", "2")
    (row,) = read_gradebook(tmp_path / "out")
    assert run.exit_code == 3
    assert row["status"] == "ungradable: grading took longer than 2 s"


def test_a_student_who_hangs_is_stopped_alone_and_the_next_one_graded(
    students, class_engines, tmp_path
):
    """One worker (--jobs 1): the hanging student's worker is stopped and replaced, and the
    next student is graded exactly as a lone check grades them."""
    partial_solution(students[0])
    with silent_engine(tmp_path / "silent.sock") as url:
        roster = write_roster(
            tmp_path / "roster.csv",
            [("gus", "", url), ("ida", "", class_engines[0].docker_host)],
        )
        run = docker_grade(
            "batch",
            str(roster),
            "custom-bridge",
            "--out",
            str(tmp_path / "out"),
            "--timeout",
            "3",
            "--jobs",
            "1",
        )
    gus, ida = read_gradebook(tmp_path / "out")
    assert run.exit_code == 3
    assert gus["status"] == "ungradable: grading took longer than 3 s"
    assert (ida["status"], ida["custom-bridge"]) == ("graded", "3")
    lone = docker_grade(
        "check", "custom-bridge", "--docker-host", class_engines[0].docker_host, "--format", "json"
    )
    batch_report = json.loads((tmp_path / "out" / "ida.json").read_text())
    assert [
        (c["id"], c["status"], c["message"]) for c in batch_report["exercises"][0]["checks"]
    ] == [(c["id"], c["status"], c["message"]) for c in lone.report["exercises"][0]["checks"]]


def test_ctrl_c_leaves_no_half_written_file_and_no_probe(students, class_engines, tmp_path):
    full_solution(students[0], tmp_path)
    out = tmp_path / "out"
    with silent_engine(tmp_path / "silent.sock") as url:
        roster = write_roster(
            tmp_path / "roster.csv", [("gina", "", class_engines[0].docker_host), ("hugo", "", url)]
        )
        batch = subprocess.Popen(
            [EXECUTABLE, "batch", str(roster), *EXERCISES, "--out", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        probes = {"label": "docker-grade.probe"}
        deadline = time.monotonic() + 30
        while not students[0].api.containers(all=True, filters=probes):
            assert time.monotonic() < deadline, "no probe was ever started"
            time.sleep(0.02)
        os.killpg(batch.pid, signal.SIGINT)  # what Ctrl-C sends: the whole process group
        _, stderr = batch.communicate(timeout=60)

    assert batch.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert [f.name for f in out.iterdir() if f.name.startswith(".") or f.suffix == ".tmp"] == []
    assert not (out / "gradebook.csv").exists() and not (out / "summary.html").exists()
    assert students[0].api.containers(all=True, filters=probes) == []
