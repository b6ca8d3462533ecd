import pytest

from grader.i18n import lang_from_environment, render, t


@pytest.mark.parametrize(
    "environ, lang",
    [
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "fr"}, "fr"),
        ({"LANG": "fr_CA.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
        ({"LC_MESSAGES": "fr_BE", "LANG": "en_GB.UTF-8"}, "fr"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_language_follows_the_locale(environ, lang):
    assert lang_from_environment(environ) == lang


def test_render_lists_and_texts():
    assert render([t("a", "b"), "c"], "fr") == "b, c"
    assert render([], "fr") == "aucun"


def test_format_fills_each_language_with_its_own_text():
    text = t("{who} cannot ping {n}", "{who} ne peut pas pinguer {n}").format(
        who=t("the host", "l'hôte"), n="A"
    )
    assert (text.en, text.fr) == ("the host cannot ping A", "l'hôte ne peut pas pinguer A")
