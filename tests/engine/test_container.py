from datetime import datetime, timezone

from grader.engine.container import Container, parse_time


def test_docker_times_with_nanoseconds():
    # An engine gives its SystemTime in its host's local time: the zone must stay, or the
    # snapshot's time cannot be compared with a container's (always in UTC).
    assert parse_time("2023-02-15T16:47:40.019087234+01:00") == datetime(
        2023, 2, 15, 15, 47, 40, 19087, tzinfo=timezone.utc
    )
    assert parse_time("2023-02-15T16:47:40.5-05:30").utcoffset().total_seconds() == -19800
    assert parse_time("2026-11-27T20:44:58.123456789Z") == datetime(
        2026, 11, 27, 20, 44, 58, 123456, tzinfo=timezone.utc
    )


def test_a_paused_container_is_not_running():
    data = {
        "Id": "abc",
        "Name": "/x",
        "State": {"Status": "paused", "Running": True, "Paused": True},
    }
    container = Container.from_inspect(data)
    assert container.name == "x" and not container.running


def test_mount_lookup_ignores_trailing_slashes():
    data = {"Id": "abc", "Mounts": [{"Type": "bind", "Source": "/h", "Destination": "/srv/"}]}
    assert Container.from_inspect(data).mount_at("/srv").source == "/h"
