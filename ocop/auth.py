"""Who is asking: reads the session cookie, loads the Actor, and picks the request's language."""

from __future__ import annotations

from litestar._parsers import parse_cookie_string
from litestar.types import ASGIApp, Receive, Scope, Send

from accounts import services as accounts
from accounts.enums import Role
from catalog.tables import ProducerMember
from core.audit import Actor
from core.i18n import current_language, pick_language
from core.settings import settings

SESSION_COOKIE = settings.session_cookie  # piccolo-admin reads the same cookie, so one login serves both
LANGUAGE_COOKIE = "lang"
CSRF_COOKIE = settings.csrf_cookie
# Where the request's language stays for errors answered after this middleware has let go of it.
LANGUAGE_KEY = "ocop.language"


# token → (the session cache's user row, the Actor made from it): rebuilt whenever the session
# cache hands out a fresh row, so a logout or a role change is seen as soon as it is there.
_actors: dict[str, tuple[dict, Actor]] = {}


async def load_actor(token: str) -> Actor | None:
    user = await accounts.user_for_session(token)
    if user is None:
        _actors.pop(token, None)
        return None
    known = _actors.get(token)
    if known is not None and known[0] is user:
        return known[1]
    try:
        role = Role(user["role"])
    except ValueError:  # a role edited to nonsense in the raw-data admin grants nothing
        return None
    producer_ids: frozenset[int] = frozenset()
    if role is Role.producer:
        rows = await ProducerMember.select(ProducerMember.producer).where(ProducerMember.user == user["id"])
        producer_ids = frozenset(r["producer"] for r in rows)
    actor = Actor(
        user_id=user["id"], username=user["username"], role=role, producer_ids=producer_ids, language=user["language"]
    )
    if len(_actors) >= 10_000:
        _actors.clear()
    _actors[token] = (user, actor)
    return actor


def cookies_of(scope: Scope) -> dict[str, str]:
    # Litestar's lenient parser: one odd cookie from another app must not hide the session cookie.
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            return parse_cookie_string(value.decode("latin-1"))
    return {}


def _query_language(scope: Scope) -> str | None:
    query = scope.get("query_string", b"").decode("latin-1")
    for part in query.split("&"):
        if part.startswith("lang="):
            return part[5:]
    return None


class ActorMiddleware:
    """Sets scope['user'] to the logged-in Actor or None, and the language for gettext."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        actor, language = await identify(scope)
        scope["user"] = actor
        scope[LANGUAGE_KEY] = language  # type: ignore[literal-required]
        token = current_language.set(language)
        try:
            await self.app(scope, receive, send)
        finally:
            current_language.reset(token)


async def identify(scope: Scope, cookies: dict[str, str] | None = None) -> tuple[Actor | None, str]:
    """The logged-in Actor (or None) and the language to answer in."""
    cookies = cookies_of(scope) if cookies is None else cookies
    actor = await load_actor(cookies[SESSION_COOKIE]) if cookies.get(SESSION_COOKIE) else None
    language = pick_language(_query_language(scope) or cookies.get(LANGUAGE_COOKIE) or (actor.language if actor else None))
    return actor, language
