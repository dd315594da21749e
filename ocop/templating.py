"""The Jinja2 environment: gettext, Vietnamese formatting filters, reference data for forms."""

from __future__ import annotations

import enum
import functools
import hashlib
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup

from accounts.enums import ACTION_LABELS, Role
from accounts.enums import LABELS as ROLE_LABELS
from agreements.enums import LABELS as AGREEMENT_LABELS
from agreements.enums import AgreementKind, AgreementStatus
from catalog import reference
from catalog.enums import LABELS as CATALOG_LABELS
from catalog.enums import BuyerKind, CertificateStatus, CertifyingLevel, ProducerKind
from core import formatting, i18n
from core.errors import render
from core.settings import settings
from fairs.enums import LABELS as FAIR_LABELS
from fairs.enums import Amenity, ApplicationStatus, BoothKind, FairKind, FairStatus, FeePolicy, ZoneTheme
from matchmaking.enums import LABELS as MATCHMAKING_LABELS
from ocop import audit_display
from reports.enums import LABELS as REPORT_LABELS
from salespoints.enums import LABELS as SALESPOINT_LABELS
from salespoints.enums import MovementKind, PointKind, Policy
from scheduler.enums import LABELS as SCHEDULER_LABELS


def static_url(path: str) -> str:
    """/static/<path>?v=<its SHA-256, first 12 hex>: the address changes whenever the file does, so browsers
    keep static files for a year without asking again (ocop.app serves them immutable)."""
    return f"/static/{path}?v={_fingerprint(path) if not settings.template_reload else _digest(path)}"


def _digest(path: str) -> str:
    return hashlib.sha256((settings.static_dir / path).read_bytes()).hexdigest()[:12]


_fingerprint = functools.cache(_digest)  # read once per worker: files change with a release


def _message(value) -> str:
    return render(value, i18n.gettext) if value else ""


_LABEL_SETS = (MATCHMAKING_LABELS, SCHEDULER_LABELS, AGREEMENT_LABELS, FAIR_LABELS, ROLE_LABELS, CATALOG_LABELS, SALESPOINT_LABELS,
               REPORT_LABELS)
_LABELS = {**{member.value: text for labels in _LABEL_SETS for member, text in labels}, **ACTION_LABELS}
# Two enums may share a value ("open" counts and "open" fairs, "free" fees and "free" booths): a member
# finds its own label. The sets are pairs, not dicts: str enum members of equal value are equal keys.
_MEMBER_LABELS: dict[tuple[type[enum.Enum], Any], str] = {(type(member), member.value): text for labels in _LABEL_SETS for member, text in labels}


def label(code) -> str:
    """The translated label of an enum member or code (role, producer kind, status, ...)."""
    if isinstance(code, enum.Enum) and (type(code), code.value) in _MEMBER_LABELS:
        return i18n.gettext(_MEMBER_LABELS[(type(code), code.value)])
    code = getattr(code, "value", code)
    return i18n.gettext(_LABELS.get(code, code)) if code else ""


def options(enum_class) -> list[tuple[str, str]]:
    return [(member.value, label(member)) for member in enum_class]


def _localised(item) -> str:
    return item.name_vi if i18n.current_language.get() == "vi" else item.name_en


def group_options() -> list[tuple[str, str]]:
    return [(g.code, _localised(g)) for g in reference.rules().groups]


def subgroup_options() -> list[tuple[str, str]]:
    return [(s.code, f"{_localised(g)} · {_localised(s)}") for g in reference.rules().groups for s in g.subgroups]


def province_options() -> list[tuple[str, str]]:
    return [(p.code, p.name) for p in reference.provinces_by_name()]


def producer_options(producers) -> list[tuple[int, str]]:
    return [(p["id"], p["name"]) for p in producers]


def stars(count: int, shown: bool = False) -> Markup:
    """A product's OCOP stars, `{{ p.stars | stars }}`: the ★ glyphs for the eye and the rating in words
    ("3 sao") for a screen reader, or for everyone with `shown` where the page has room. A Python filter,
    not a macro: pages list dozens, and a macro call cost more than the rest of a product page's rendering."""
    count = int(count)
    key = (i18n.current_language.get(), count, shown)
    markup = _STARS.get(key)
    if markup is None:
        words = i18n.ngettext("%(n)s star", "%(n)s stars", count) % {"n": count}
        text_class = "stars-text" if shown else "visually-hidden"
        markup = Markup('<span class="stars"><span class="stars-glyphs" aria-hidden="true">{}</span> '
                        '<span class="{}">{}</span></span>').format("★" * count, text_class, words)
        if len(_STARS) < 200:  # built once per language: the lists show a dozen per page
            _STARS[key] = markup
    return markup


_STARS: dict[tuple[str, int, bool], Markup] = {}


def translated(message: str, /, **variables: Any) -> Markup:
    """`_()` in the pages: what Jinja's newstyle gettext gives (the variables escaped, the text always
    %-formatted), but a plain function: the extension's own goes through two context lookups and
    calls, which cost ten times the translation and were a third of a public page's rendering."""
    return Markup(i18n.gettext(message)) % variables


_DICT_ATTRIBUTES = frozenset(dir(dict))


def _key_first_for_dicts(env: Environment) -> Callable[[Any, str], Any]:
    """Jinja's `obj.name`, the same answers, without raising AttributeError for every key of a dict row: Jinja
    tries the attribute first, and a page of rows (the product page's sales points and other products) paid
    dozens of raised exceptions for it. A dict's own methods (`.items()`) are still found as attributes."""
    fallback = Environment.getattr

    def getattr_(obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return fallback(env, obj, attribute)

    return getattr_


class FoldedTranslations(Extension):
    """In a language's own variant of the environment (`for_language`), `_("text")` without variables and
    `language()` are compiled to their values: a page rendered in that language then calls neither. The
    text keeps what `translated` gives it (trusted markup, %-formatted)."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        language = getattr(self.environment, "folded_language", None)
        if language is None:
            yield from stream
            return
        tokens = list(stream)
        index = 0
        while index < len(tokens):
            token, ahead = tokens[index], [t.type for t in tokens[index + 1 : index + 4]]
            if token.type == "name" and token.value in ("_", "gettext") and ahead == ["lparen", "string", "rparen"]:
                text = i18n.translations(language).gettext(tokens[index + 2].value) % {}
                yield from (Token(token.lineno, "string", text), Token(token.lineno, "pipe", "|"),
                            Token(token.lineno, "name", "safe"))
                index += 4
            elif token.type == "name" and token.value == "language" and ahead[:2] == ["lparen", "rparen"]:
                yield Token(token.lineno, "string", language)
                index += 3
            else:
                yield token
                index += 1


class PageEnvironment(Environment):
    """Jinja's environment with each template's globals as one flat dict. Jinja chains them
    (ChainMap), and every render copies the chain into its context key by key in Python: 3 % of a
    product page. All globals are set at start-up (`configure_environment`), before a template loads."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def page_environment(directory: Path | list[Path]) -> PageEnvironment:
    return PageEnvironment(loader=FileSystemLoader(directory), autoescape=True)


def _folded(env: Environment, language: str) -> Environment:
    variant = env.overlay()
    variant.folded_language = language  # type: ignore[attr-defined]
    return variant


def configure_environment(env: Environment) -> None:
    env.getattr = _key_first_for_dicts(env)  # type: ignore[method-assign,assignment]
    env.add_extension(FoldedTranslations)
    # Each language's variant compiles its own templates (its own cache), with its texts folded in.
    env.for_language = functools.cache(lambda language: _folded(env, language))  # type: ignore[attr-defined]
    # Checking each template file's time at every render cost more than some pages' queries.
    env.auto_reload = settings.template_reload
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(_=translated, gettext=translated)  # the pages autoescape, as newstyle assumes
    env.filters.update(i18n.per_render_filters(
        vnd=formatting.vnd,
        date=formatting.date,
        datetime=formatting.datetime,
        clock=formatting.clock,
        number=formatting.number,
        percent=formatting.percent,
        message=_message,
        province=reference.province_name,
        label=label,
        changes=lambda entry: audit_display.changes(entry, label),
    ))
    # A filter, not a global function: Jinja compiles a filter into a direct call, a function into a
    # checked `context.call` (pages list dozens of products, each with its stars).
    env.filters["stars"] = stars
    env.globals.update(
        LANGUAGES=i18n.LANGUAGES,
        language=i18n.current_language.get,
        provinces=reference.provinces_by_name,
        ocop_groups=lambda: reference.rules().groups,
        ocop_group=lambda code: reference.groups().get(code),
        ocop_subgroup=lambda code: reference.subgroups().get(code),
        ProducerKind=ProducerKind,
        BuyerKind=BuyerKind,
        CertifyingLevel=CertifyingLevel,
        CertificateStatus=CertificateStatus,
        Role=Role,
        MovementKind=MovementKind,
        PointKind=PointKind,
        Policy=Policy,
        FairKind=FairKind,
        FairStatus=FairStatus,
        FeePolicy=FeePolicy,
        ZoneTheme=ZoneTheme,
        BoothKind=BoothKind,
        Amenity=Amenity,
        ApplicationStatus=ApplicationStatus,
        AgreementKind=AgreementKind,
        AgreementStatus=AgreementStatus,
        options=options,
        group_options=group_options,
        subgroup_options=subgroup_options,
        producer_options=producer_options,
        province_options=province_options,
        localised=_localised,
        static_url=static_url,
    )
    env.trim_blocks = True
    env.lstrip_blocks = True
