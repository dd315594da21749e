"""Translations: English msgids, a Vietnamese catalogue (the default language) read from .po at start."""

from __future__ import annotations

import contextvars
import functools
import gettext as gettext_module
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import pass_context

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT_LANGUAGE = "vi"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LOCALES = {"vi": "vi_VN", "en": "en_US"}

current_language: contextvars.ContextVar[str] = contextvars.ContextVar("language", default=DEFAULT_LANGUAGE)


@cache
def translations(language: str) -> gettext_module.NullTranslations:
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext_module.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def gettext(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


def pick_language(requested: str | None) -> str:
    return requested if requested in LANGUAGES else DEFAULT_LANGUAGE


def per_render(function):
    """`function` as a Jinja filter that runs at each render. A plain filter applied to a constant
    ("sale" | label) is folded when the template is compiled, in whatever language its first visitor
    spoke; a filter that takes the render's context cannot be."""

    @pass_context
    @functools.wraps(function)
    def filter_(_context, *args, **kwargs):
        return function(*args, **kwargs)

    return filter_


def per_render_filters(**filters) -> dict:
    return {name: per_render(function) for name, function in filters.items()}
