from grader.exporters import exporter_named
from grader.exporters.text import Detail, TextExporter
from support.reports import sample_report


def test_verbose_text_shows_every_check_its_status_points_and_hints():
    text = TextExporter(Detail.FULL).render(sample_report(), lang="en")
    for expected in (
        "custom-bridge",
        "network-subnet",
        "failed",
        "skipped",
        "error",
        "0/1",
        "hint: hint for network-subnet",
        "Total: 2 / 6",
    ):
        assert expected in text
    assert "hint for network-exists" not in text  # no hint for a passed check
    assert "\x1b[" not in text  # no colour codes outside a terminal


def test_verbose_text_in_french():
    text = TextExporter(Detail.FULL).render(sample_report(), lang="fr")
    assert "échoué" in text and "ignoré" in text and "conseil" in text


def test_the_text_format_is_the_short_layout_by_default():
    text = exporter_named("text").render(sample_report(), lang="en")
    assert "  ✗ network-subnet: message of network-subnet\n" in text
    assert "network-exists" not in text  # a passed check is not listed
    assert text.endswith(
        "Total: 2 / 6\nNext: custom-bridge/network-subnet: hint for network-subnet\n"
    )
