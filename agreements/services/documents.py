"""The articles agreements are printed with: the version in force per kind, editing (a new version
each time), and the version an agreement was signed with."""

from __future__ import annotations

from typing import Any

import msgspec

from agreements import documents
from agreements.enums import AgreementKind
from agreements.services.rights import ensure_editor
from agreements.tables import AgreementTemplate
from core.audit import Actor, record_audit
from core.errors import N_, Msg, ValidationFailed

Articles = list[tuple[str, str]]


def _decoded(text: str) -> Articles:
    return [(str(title), str(body)) for title, body in msgspec.json.decode(text or "[]")]


async def latest(kind: AgreementKind) -> dict[str, Any] | None:
    return await AgreementTemplate.select().where(AgreementTemplate.kind == kind.value).order_by(
        AgreementTemplate.version, ascending=False).first()


async def in_force(kind: AgreementKind) -> tuple[int, Articles]:
    """The version in force for a kind and its articles (0: the text the product comes with)."""
    row = await latest(kind)
    return (row["version"], _decoded(row["articles"])) if row else (0, list(documents.DEFAULT_ARTICLES[kind]))


async def version_for_new(kind: AgreementKind) -> int:
    """The id of the version a new agreement is signed with; the product's text is saved as version 1
    the first time, so an agreement never points at text that a later release could change."""
    row = await latest(kind)
    if row:
        return row["id"]
    inserted = await AgreementTemplate.insert(AgreementTemplate(
        kind=kind.value, version=1, articles=msgspec.json.encode(documents.DEFAULT_ARTICLES[kind]).decode()))
    return inserted[0]["id"]


async def articles_of(template_id: int | None, kind: AgreementKind) -> Articles:
    """The articles an agreement was signed with (the product's text for one recorded before versions)."""
    if template_id:
        row = await AgreementTemplate.select(AgreementTemplate.articles).where(AgreementTemplate.id == template_id).first()
        if row:
            return _decoded(row["articles"])
    return list(documents.DEFAULT_ARTICLES[kind])


_PROBLEM_WORDS = {"title": N_("Give the article a title (at most 255 characters)."),
                  "body": N_("Write the article's text (at most 4,000 characters)."),
                  "empty": N_("Keep at least one article."), "too_many": N_("At most 20 articles.")}


async def save_articles(kind: AgreementKind, articles: Articles, actor: Actor) -> int:
    """Saves edited articles as the kind's next version (agreements signed before keep theirs); its number."""
    ensure_editor(actor)
    articles = [(title.strip(), body.strip()) for title, body in articles if title.strip() or body.strip()]
    found = documents.problems(articles)
    if found:
        raise ValidationFailed({field: Msg(N_("Unknown placeholders: %(names)s (use {goods}, {schedule}, {term}, {copies})."),
                                           names=code.split(":", 1)[1]) if code.startswith("placeholder:")
                                else _PROBLEM_WORDS[code] for field, code in found.items()})
    async with AgreementTemplate._meta.db.transaction():
        current = await latest(kind)
        if current is None:  # the product's text becomes version 1, so what it said stays on record
            await version_for_new(kind)
            current = await latest(kind)
        assert current is not None
        if _decoded(current["articles"]) == articles:
            return current["version"]  # nothing changed: no new version
        version = current["version"] + 1
        await AgreementTemplate.insert(AgreementTemplate(kind=kind.value, version=version, created_by=actor.user_id,
                                                         articles=msgspec.json.encode(articles).decode()))
        await record_audit(actor, "template", "agreement_template", version, {"kind": kind.value},
                           {"kind": kind.value, "version": version, "articles": len(articles)})
    return version
