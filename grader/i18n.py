"""The two languages of the course, and text that exists in both."""

from __future__ import annotations

import string
from typing import Union

from pydantic import BaseModel, ConfigDict

from grader.languages import LANGS, Lang, lang_from_environment  # noqa: F401 (re-exported)


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

    def fill(self, params: dict[str, object]) -> Localized:
        """Puts an exercise's params into its texts: ``host port {host_port}`` becomes
        ``host port 8181``, or the value given with ``--set``. Unknown names stay as written."""
        return Localized(en=_fill(self.en, params), fr=_fill(self.fr, params))

    def placeholders(self) -> set[str]:
        return {
            name
            for text in (self.en, self.fr)
            for _, name, _, _ in string.Formatter().parse(text)
            if name
        }

    def format(self, **values: object) -> Localized:
        """Fills the placeholders of both texts; a Localized value fills each in its language."""

        def in_lang(lang: Lang) -> dict[str, object]:
            return {name: render(value, lang) for name, value in values.items()}

        return Localized(en=self.en.format(**in_lang("en")), fr=self.fr.format(**in_lang("fr")))


class _KeepUnknown(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(text: str, params: dict[str, object]) -> str:
    return text.format_map(_KeepUnknown({k: v for k, v in params.items() if v is not None}))


def t(en: str, fr: str) -> Localized:
    """Shorthand used by checks: ``t("no container", "aucun conteneur")``."""
    return Localized(en=en, fr=fr)


Text = Union[str, Localized]


LIST_SHOWN = 8  # a crowded host lists hundreds of containers: the first ones are the newest


def render(text: object, lang: Lang) -> str:
    """Renders a Localized, a list of texts (its first LIST_SHOWN items), or any other value
    as a string.

    >>> render([f"c{n}" for n in range(10)], "en")
    'c0, c1, c2, c3, c4, c5, c6, c7, and 2 more'
    """
    if isinstance(text, Localized):
        return text.render(lang)
    if isinstance(text, (list, tuple)):
        if not text:
            return render(NONE, lang)
        shown = [render(item, lang) for item in text[:LIST_SHOWN]]
        if len(text) > LIST_SHOWN:
            shown.append(_MORE.render(lang).format(n=len(text) - LIST_SHOWN))
        return ", ".join(shown)
    return str(text)


NONE = t("none", "aucun")
_MORE = t("and {n} more", "et {n} autres")
