"""The two languages of the course, and text that exists in both."""

from __future__ import annotations

import os
from typing import Literal, Union

from pydantic import BaseModel, ConfigDict

Lang = Literal["en", "fr"]
LANGS: tuple[Lang, ...] = ("en", "fr")


class Localized(BaseModel):
    """A text in English and French.

    >>> Localized(en="network", fr="réseau").render("fr")
    'réseau'
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: str
    fr: str

    def render(self, lang: Lang) -> str:
        return getattr(self, lang)

    def format(self, **values: object) -> Localized:
        """Fills the placeholders of both texts; a Localized value fills each in its language."""
        def in_lang(lang: Lang) -> dict[str, object]:
            return {name: render(value, lang) for name, value in values.items()}

        return Localized(en=self.en.format(**in_lang("en")), fr=self.fr.format(**in_lang("fr")))


def t(en: str, fr: str) -> Localized:
    """Shorthand used by checks: ``t("no container", "aucun conteneur")``."""
    return Localized(en=en, fr=fr)


Text = Union[str, Localized]


def render(text: object, lang: Lang) -> str:
    """Renders a Localized, a list of texts, or any other value as a string."""
    if isinstance(text, Localized):
        return text.render(lang)
    if isinstance(text, (list, tuple)):
        return ", ".join(render(item, lang) for item in text) if text else render(NONE, lang)
    return str(text)


NONE = t("none", "aucun")


def lang_from_environment(environ: os._Environ | dict = os.environ) -> Lang:
    """French for a French locale (``fr_FR.UTF-8``, ``fr``), English otherwise, as gettext
    would read it: LC_ALL, then LC_MESSAGES, then LANG."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable)
        if value:
            return "fr" if value.split("_")[0].split(".")[0].lower() == "fr" else "en"
    return "en"
