"""Signed-in pages kept per worker while the data they show is unchanged.

A heavy page (a fair's floor plan, a report preview) is rendered once per state of its data: the
key holds the stamps of the areas it reads (core/stamps.py, read before the data), who asks (the
page differs by role and name), the address, the language and the day. The CSRF token, the one
part that differs per session, is cut out: the page is kept as UTF-8 pieces joined around the
request's token, so a hit costs one join of bytes, not a search and an encoding of the whole text.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from litestar import Request, Response
from litestar.response import Template
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState

from core import i18n, stamps
from core.formatting import vietnam_today
from core.render_cache import RenderCache
from core.tables import AuditEntry


class KeptPages:
    def __init__(self, size: int = 256) -> None:
        self._kept: RenderCache[tuple[bytes, ...]] = RenderCache(size)

    async def page(self, request: Request, template: str, areas: tuple[str, ...], who: Hashable,
                   context: Callable[[], Awaitable[dict[str, Any]]]) -> Response:
        """`template` rendered with what `context()` gives, or as kept for the same key."""
        key = (request.url.path, request.url.query, who, i18n.current_language.get(), vietnam_today(),
               await stamps.read(AuditEntry._meta.db, *areas))
        token = html.escape(value_or_default(ScopeState.from_scope(request.scope).csrf_token, "")).encode()
        kept = self._kept.get(key)
        if kept is None:
            rendered = render(request, template, await context()).encode()
            kept = self._kept.put(key, tuple(rendered.split(token)) if token else (rendered,))
        return Response(token.join(kept), media_type="text/html")  # the framework adds "; charset=utf-8"


def render(request: Request, template: str, context: dict[str, Any]) -> str:
    """`template` rendered as Litestar's Template response would render it, as text; in the request
    language's own variant of the environment when the shell gives it one (`for_language`: its texts
    compiled in)."""
    engine = request.app.template_engine
    assert engine is not None  # the app is always built with its templates
    variant = getattr(getattr(engine, "engine", None), "for_language", None)
    compiled = variant(i18n.current_language.get()).get_template(template) if variant else engine.get_template(template)
    return str(compiled.render(**Template(template, context=context).create_template_context(request)))
