"""Template filters speak the language of each render, not of the render that compiled the template."""

from __future__ import annotations

from jinja2 import Environment

from core import i18n
from ocop.templating import configure_environment
from scheduler import mail


def _in(language: str, render):
    token = i18n.current_language.set(language)
    try:
        return render()
    finally:
        i18n.current_language.reset(token)


def test_a_filter_on_a_constant_is_translated_at_each_render_not_once_when_compiled():
    env = Environment(autoescape=True)
    configure_environment(env)
    # compiled while a Vietnamese page is served: the first visitor after a start
    template = _in("vi", lambda: env.from_string('{{ "sale" | label }} · {{ 1234.5 | number }}'))
    assert _in("en", template.render) == "Sale · 1,234.5"
    assert _in("vi", template.render) == "Bán hàng · 1.234,5"


def test_the_mail_templates_format_numbers_at_each_render_too():
    template = _in("en", lambda: mail.environment().from_string("{{ 1234.5 | number }}"))
    assert _in("vi", template.render) == "1.234,5"


def test_a_percentage_is_written_with_the_decimal_comma_in_vietnamese():
    env = Environment(autoescape=True)
    configure_environment(env)
    template = env.from_string("{{ 38.26 | percent }} · {{ 100.0 | percent }} · {{ 1234.5 | round(1) | number }}")
    assert _in("vi", template.render) == "38,3\u00a0% · 100\u00a0% · 1.234,5"
    assert _in("en", template.render) == "38.3\u00a0% · 100\u00a0% · 1,234.5"


def test_members_of_equal_value_in_two_enums_keep_their_own_labels():
    from fairs.enums import BoothState, FeePolicy
    from ocop.templating import label

    assert _in("vi", lambda: (label(FeePolicy.free), label(BoothState.free))) == ("Miễn phí", "Còn trống")
    assert _in("en", lambda: (label(FeePolicy.free), label(BoothState.free))) == ("Free of charge", "Free")


def test_a_language_variant_renders_what_runtime_translation_renders_with_its_texts_compiled_in():
    env = Environment(autoescape=True)
    configure_environment(env)
    source = ('<html lang="{{ language() }}"><b>{{ _("Producer") }}</b> {{ _("Only %(n)s left", n=count) }} '
              '{{ _("Search") if hit else _("Map") }} {{ row.name }} {{ row.items() | list | length }} {{ 4 | stars }}</html>')
    context = {"count": "<3>", "hit": True, "row": {"name": "Mật ong & chè", "items": "a key named like a method"}}
    for language in ("vi", "en"):
        runtime = _in(language, lambda: env.from_string(source).render(**context))
        variant = env.for_language(language)
        folded = _in(language, lambda variant=variant: variant.from_string(source).render(**context))
        assert folded == runtime
        assert f'lang="{language}"' in folded and "&lt;3&gt;" in folded and "Mật ong &amp; chè" in folded
        # Compiled in: the variant's code holds the text itself and looks up no `language` to call.
        code = variant.compile(source, raw=True)
        assert ("Chủ thể OCOP" if language == "vi" else "<b>Producer</b>") in code
        assert "resolve('language')" not in code and "resolve('language')" in env.compile(source, raw=True)
