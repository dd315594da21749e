"""The one-page agreement printed for signing: filled in from the record, in Vietnamese, as PDF."""

from __future__ import annotations

import asyncio

from agreements.schemas import AgreementOut
from catalog import reference
from core import i18n


async def agreement_pdf(engine, agreement: AgreementOut) -> bytes:
    """Renders templates/agreements/print.html (always Vietnamese: it is the signed document) with WeasyPrint."""
    token = i18n.current_language.set("vi")
    try:
        html = engine.get_template("agreements/print.html").render(
            agreement=agreement, province=reference.province_name)
    finally:
        i18n.current_language.reset(token)

    def render() -> bytes:
        from weasyprint import HTML

        return HTML(string=html, url_fetcher=_no_fetching).write_pdf()

    return await asyncio.to_thread(render)


def _no_fetching(url: str, *args, **kwargs):
    raise ValueError(f"the printed agreement fetches nothing ({url})")
