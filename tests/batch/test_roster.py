"""A malformed roster is refused before anything runs, with the line at fault."""

import pytest

from grader.batch.roster import load_roster
from grader.errors import UsageError
from support.cli import docker_grade


def roster(tmp_path, text):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    return path


def test_a_valid_roster_with_optional_columns(tmp_path):
    entries = load_roster(
        roster(
            tmp_path,
            "student_id,name,docker_host,tls_dir\n"
            "s1, Ana ,tcp://lab-1:2376,/certs/s1\n"
            "s2,,ssh://s2@lab-2,\n",
        )
    )
    assert [(e.student_id, e.name, e.docker_host) for e in entries] == [
        ("s1", "Ana", "tcp://lab-1:2376"),
        ("s2", "", "ssh://s2@lab-2"),
    ]
    assert str(entries[0].tls_dir) == "/certs/s1" and entries[1].tls_dir is None


@pytest.mark.parametrize(
    "text, where, reason",
    [
        ("student_id,name\ns1,Ana\n", ":1:", "lacks docker_host"),
        ("student_id,docker_host,email\ns1,unix:///x,a@b\n", ":1:", "unknown column(s) email"),
        ("student_id,docker_host\ns1,unix:///x\ns2,lab-2:2376\n", ":3:", "not an engine address"),
        ("student_id,docker_host\ns1,unix:///x\ns1,unix:///y\n", ":3:", "already on line 2"),
        ("student_id,docker_host\n../etc,unix:///x\n", ":2:", "student_id"),
        ("student_id,docker_host\ns1,unix:///x,extra\n", ":2:", "found another number"),
        ("student_id,docker_host\n", "", "has no student"),
    ],
)
def test_malformed_rosters(tmp_path, text, where, reason):
    path = roster(tmp_path, text)
    with pytest.raises(UsageError) as raised:
        load_roster(path)
    assert raised.value.message.startswith(f"{path}{where}") and reason in raised.value.message


def test_the_cli_refuses_a_malformed_roster_before_grading(tmp_path):
    path = roster(tmp_path, "student_id,docker_host\ns1,nowhere\n")
    run = docker_grade("batch", str(path), "--out", str(tmp_path / "out"))
    assert run.exit_code == 2 and f"{path}:2:" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()


def test_a_set_column_gives_a_student_their_own_params(tmp_path):
    entries = load_roster(
        roster(
            tmp_path,
            "student_id,docker_host,set\n"
            "s1,unix:///x,host_port=8183; subnet=192.168.7.0/24\n"
            "s2,unix:///y,\n",
        )
    )
    assert entries[0].settings == ("host_port=8183", "subnet=192.168.7.0/24")
    assert entries[1].settings == ()


def test_a_bad_set_value_is_refused_with_its_line_before_grading(tmp_path):
    path = roster(
        tmp_path, "student_id,docker_host,set\ns1,unix:///x,\ns2,unix:///y,subnet=192.168.7.0/33\n"
    )
    run = docker_grade("batch", str(path), "--out", str(tmp_path / "out"))
    assert run.exit_code == 2 and "Traceback" not in run.stderr
    assert f"{path}:3: set: --set 'subnet=192.168.7.0/33'" in run.stderr
    assert not (tmp_path / "out").exists()
