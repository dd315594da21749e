"""A scan that carries JavaScript, a launch action or hidden files is refused with the reason and
nothing is stored: the office hands scans on to whoever opens them."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from core.pdf_safety import EMBEDDED, JAVASCRIPT, LAUNCH, UNREADABLE, active_content
from tests.agreements.test_followup import make_agreement, upload  # noqa: F401 (a fixture)
from tests.conftest import stored_files


def _pdf(dress=None, compress: bool = False) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if dress:
        dress(writer)
    if compress:
        writer.compress_identical_objects()
        for page in writer.pages:
            page.compress_content_streams()
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _launch(writer: PdfWriter) -> None:
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")})


def _annotation_js(writer: PdfWriter) -> None:  # hidden in a page's additional actions, not the catalogue
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")})})


CASES = [
    ("javascript at opening", lambda w: w.add_open_action(JavaScript("app.alert('x');")), [JAVASCRIPT]),
    ("javascript in a page's actions", _annotation_js, [JAVASCRIPT]),
    ("a launch action", _launch, [LAUNCH]),
    ("an embedded file", lambda w: w.add_attachment("payload.exe", b"MZ" * 50), [EMBEDDED]),
]


@pytest.mark.parametrize(("case", "dress", "expected"), CASES, ids=[c[0] for c in CASES])
def test_active_content_is_found_wherever_it_hides(case, dress, expected):
    assert active_content(_pdf(dress)) == expected
    assert active_content(_pdf(dress, compress=True)) == expected


def test_a_plain_scan_is_inert_and_a_broken_one_unreadable():
    assert active_content(_pdf()) == []
    assert active_content(b"%PDF-1.7\n" + b"\x00" * 200) == [UNREADABLE]


def test_an_upload_carrying_javascript_is_refused_with_the_reason_and_nothing_stored(organizer, make_agreement):  # noqa: F811
    agreement = make_agreement()
    before = stored_files()
    refused = upload(organizer, agreement, "bien-ban.pdf", _pdf(lambda w: w.add_open_action(JavaScript("app.alert(1);"))), "application/pdf")
    assert refused.status_code == 422
    assert "JavaScript" in refused.json()["errors"]["file"]
    assert stored_files() == before
    assert upload(organizer, agreement, "bien-ban.pdf", _pdf(), "application/pdf").status_code == 201
