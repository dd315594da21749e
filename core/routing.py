"""Litestar's route decorators, with one cost taken off every guarded request, and the OPTIONS answers
of the finished application.

Litestar hands each guard `copy(handler)` so that a guard cannot change the handler; that copy of a
large object was a measurable share of every API write. The guards here only read the connection, so
the handler itself is passed. Everything else is Litestar's own.
"""

from __future__ import annotations

from typing import Any

import litestar
from litestar.connection import ASGIConnection
from litestar.routes import HTTPRoute


class _GuardedOnce:
    async def authorize_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        for guard in self.resolve_guards():  # type: ignore[attr-defined]
            await guard(connection, self)


class get(_GuardedOnce, litestar.get):
    pass


class post(_GuardedOnce, litestar.post):
    pass


class put(_GuardedOnce, litestar.put):
    pass


class patch(_GuardedOnce, litestar.patch):
    pass


class delete(_GuardedOnce, litestar.delete):
    pass


def answer_options_with_every_method(app: litestar.Litestar) -> None:
    """Litestar 2 makes a path's OPTIONS handler when the path's first handler is registered, bound to the
    route as it stood then: a controller registers its handlers one by one, so `Allow` named only the first
    one's method (litestar#4169, fixed in 3). Each path's OPTIONS handler is made again, once every handler
    is in, as 3 does."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "OPTIONS" not in route.route_handler_map:
            continue
        stale = route.route_handler_map["OPTIONS"][0]
        if stale.fn.__qualname__ != HTTPRoute.create_options_handler.__qualname__ + ".<locals>.options_handler":
            continue  # an OPTIONS handler of the application's own
        handler = route.create_options_handler(route.path)
        handler.owner = stale.owner
        handler.on_registration(app)
        route.route_handlers[route.route_handlers.index(stale)] = handler
        route.route_handler_map["OPTIONS"] = (handler, handler.create_kwargs_model(path_parameters=route.path_parameters))
    app.asgi_router.construct_routing_trie()
