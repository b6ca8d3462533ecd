"""custom-bridge on a real engine: the course's solution and the typical mistakes."""

from support.cli import all_passed, grade

EXERCISE = "custom-bridge"
CHECKS = (
    "network-exists",
    "network-driver",
    "network-subnet",
    "container-attached",
    "container-detached-tty",
)


def course_network(student, subnet="192.168.0.0/24", name="mybridge"):
    return student.network(name, subnet=subnet)


def test_course_solution_gets_full_score(student):
    course_network(student)
    student.container("busybox", network="mybridge")  # docker run -itd --network=mybridge busybox

    run = grade(EXERCISE)

    assert run.exit_code == 0
    assert run.statuses(EXERCISE) == all_passed(*CHECKS)
    report = run.report
    assert report["score"] == report["max_score"] == 5.0
    assert run.check(EXERCISE, "container-attached")["evidence"]["ip"].startswith("192.168.0.")


def test_a_16_subnet_fails_the_subnet_check_only_with_a_hint_on_the_prefix(student):
    course_network(student, subnet="192.168.0.0/16")
    student.container("busybox", network="mybridge")

    run = grade(EXERCISE)

    assert run.exit_code == 1
    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "network-subnet": "failed"}
    subnet = run.check(EXERCISE, "network-subnet")
    assert "192.168.0.0/24" in subnet["message"] and "192.168.0.0/16" in subnet["message"]
    assert "prefix" in subnet["message"] and "/24" in subnet["hint"]


def test_a_container_started_without_t_fails_the_tty_check(student):
    course_network(student)
    student.container("busybox", network="mybridge", tty=False)  # docker run -id

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {**all_passed(*CHECKS), "container-detached-tty": "failed"}
    assert "-t" in run.check(EXERCISE, "container-detached-tty")["message"]


def test_run_with_it_then_left_with_ctrl_p_ctrl_q_runs_detached_with_a_tty(student):
    course_network(student)
    student.container("busybox", network="mybridge", detach=False)  # docker run -it, Ctrl-P Ctrl-Q

    assert grade(EXERCISE).statuses(EXERCISE) == all_passed(*CHECKS)


def test_created_with_it_then_started_runs_detached_with_a_tty(student):
    course_network(student)
    # docker create -it --network=mybridge busybox; docker start …
    student.container("busybox", network="mybridge", detach=False, start=False).start()

    assert grade(EXERCISE).statuses(EXERCISE) == all_passed(*CHECKS)


def test_a_container_on_the_default_network_is_not_attached(student):
    course_network(student)
    student.container("busybox")  # forgot --network=mybridge

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {
        **all_passed("network-exists", "network-driver", "network-subnet"),
        "container-attached": "failed",
        "container-detached-tty": "skipped",
    }
    assert "container-attached" in run.check(EXERCISE, "container-detached-tty")["message"]


def test_no_network_fails_the_first_check_and_skips_the_others(student):
    student.container("busybox")

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE) == {
        "network-exists": "failed",
        "network-driver": "skipped",
        "network-subnet": "skipped",
        "container-attached": "skipped",
        "container-detached-tty": "skipped",
    }


def test_a_stopped_container_does_not_count(student):
    course_network(student)
    student.container("busybox", network="mybridge", interactive=False, tty=False)  # exits

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE)["container-attached"] == "failed"


def test_another_image_on_the_network_does_not_count(student):
    course_network(student)
    student.container("nginx:alpine", network="mybridge")

    run = grade(EXERCISE)

    assert run.statuses(EXERCISE)["container-attached"] == "failed"


def test_params_name_another_network_and_subnet(student):
    course_network(student, name="labnet", subnet="10.123.0.0/24")
    student.container("busybox", network="labnet")

    run = grade(EXERCISE, settings=("network=labnet", "subnet=10.123.0.0/24"))

    assert run.statuses(EXERCISE) == all_passed(*CHECKS)


def test_messages_and_hints_in_french(student):
    course_network(student, subnet="192.168.0.0/16")
    student.container("busybox", network="mybridge")

    run = grade(EXERCISE, lang="fr")

    subnet = run.check(EXERCISE, "network-subnet")
    assert "attendu" in subnet["message"] and "préfixe" in subnet["hint"]
    assert run.report["exercises"][0]["title"].startswith("Un réseau bridge")
