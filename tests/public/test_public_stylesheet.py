"""The public pages have a stylesheet of their own, public.css (and public-plan.css on the fair page, the only one
drawing a floor plan): about a third of app.css, so a shopper's phone on a slow network fetches that much less
before it can show the product. Named by its fingerprint, compressed, kept a year; its rules shared with app.css
the same word for word; every class a public page uses that a stylesheet styles, styled for that page.

At 400 kbit/s, 2 KB is 40 ms: the budget below keeps the product page's load under a second on such a network
(bench/page_weight.py measures it)."""

from __future__ import annotations

import hashlib
import re

from tests.catalog.test_photos import make_product
from tests.conftest import ROOT

CSS = ROOT / "static" / "css"
PUBLIC_TEMPLATES = ROOT / "templates" / "public"


def static_urls(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', page)


def _squeezed(text: str) -> str:
    return " ".join(text.split())


def rules(css: str) -> dict[tuple[str, str], str]:
    """(media query, or "" outside one; selector) → its declarations, comments and spacing aside."""
    text = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = {}
    for media, inside, selector, body in re.findall(
            r"(@media[^{]+)\{((?:[^{}]*\{[^{}]*\})*)\s*\}|([^{}@]+)\{([^{}]*)\}", text):
        if media:
            for inner_selector, inner_body in re.findall(r"([^{}]+)\{([^{}]*)\}", inside):
                found[(_squeezed(media), _squeezed(inner_selector))] = _squeezed(inner_body)
        else:
            found[("", _squeezed(selector))] = _squeezed(body)
    return found


def styled_classes(css: str) -> set[str]:
    return {name for _, selector in rules(css) for name in re.findall(r"\.([A-Za-z][\w-]*)", selector)}


def test_public_pages_fetch_their_own_small_stylesheet_fingerprinted_and_compressed(login, anonymous, producer_id):
    organizer = login("organizer")
    product = make_product(organizer, producer_id)
    public = (CSS / "public.css").read_bytes()
    address = f"/static/css/public.css?v={hashlib.sha256(public).hexdigest()[:12]}"
    for path in (f"/p/{product['code']}", "/catalogue", f"/producers/{producer_id}", "/p/NO-SUCH-CODE"):
        urls = static_urls(anonymous.get(path).text)
        assert address in urls, (path, urls)
        assert not any("/css/app.css" in u for u in urls), (path, urls)
    assert any("/css/app.css?v=" in u for u in static_urls(organizer.get("/catalog/products").text))  # staff pages: app.css

    served = anonymous.get(address, headers={"accept-encoding": "br, gzip"})
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/css")
    assert served.headers["content-encoding"] == "br" and served.content == public  # httpx decodes it
    assert "immutable" in served.headers["cache-control"] and "max-age=31536000" in served.headers["cache-control"]
    assert "set-cookie" not in served.headers  # a stylesheet hands a shopper no CSRF cookie
    assert served.num_bytes_downloaded <= 2000, served.num_bytes_downloaded  # what a phone fetches: brotli's bytes
    assert anonymous.get(address, headers={"accept-encoding": "gzip"}).headers["content-encoding"] == "gzip"


def test_a_rule_the_public_stylesheets_share_with_app_css_reads_the_same_in_both():
    staff = rules((CSS / "app.css").read_text())
    for name in ("public.css", "public-plan.css"):
        shared = {key: body for key, body in rules((CSS / name).read_text()).items() if key in staff}
        assert len(shared) > 5, name  # the parser read them
        for key, body in shared.items():
            assert body == staff[key], (name, key, body, staff[key])


def test_every_class_a_public_page_uses_is_styled_by_the_stylesheets_it_links():
    every_styled = set().union(*(styled_classes(path.read_text()) for path in CSS.glob("*.css")))
    base = styled_classes((CSS / "public.css").read_text())
    macros = (ROOT / "templates" / "macros.html").read_text()
    for template in sorted(PUBLIC_TEMPLATES.glob("*.html")):
        text = template.read_text()
        if "m.pager" in text:
            text += re.search(r"\{% macro pager.*?\{% endmacro %\}", macros, re.S).group(0)
        linked = base | (styled_classes((CSS / "public-plan.css").read_text()) if "css/public-plan.css" in text else set())
        used = {name for value in re.findall(r'class="([^"]*)"', text)
                for name in re.sub(r"\{[{%].*?[%}]\}", " ", value).split()}
        missing = {name for name in used if name in every_styled and name not in linked}
        assert not missing, (template.name, missing)
    # the floor plan drawn on the fair page (fairs.plans.plan_svg) is styled there too
    fair = (PUBLIC_TEMPLATES / "fair.html").read_text()
    plan = styled_classes((CSS / "public-plan.css").read_text())
    assert "css/public-plan.css" in fair and {"floor-plan", "public", "booth", "zone-name", "plan-wrap", "public-plan"} <= plan | base
