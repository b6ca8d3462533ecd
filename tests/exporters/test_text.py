from grader.exporters import exporter_named
from support.reports import sample_report


def test_text_shows_every_check_its_status_points_and_hints():
    text = exporter_named("text").render(sample_report(), lang="en")
    for expected in ("custom-bridge", "network-subnet", "failed", "skipped", "error", "0/1",
                     "hint: hint for network-subnet", "Total: 2 / 6"):
        assert expected in text
    assert "hint for network-exists" not in text  # no hint for a passed check
    assert "\x1b[" not in text  # no colour codes outside a terminal


def test_text_in_french():
    text = exporter_named("text").render(sample_report(), lang="fr")
    assert "échoué" in text and "ignoré" in text and "conseil" in text
