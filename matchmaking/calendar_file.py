"""A participant's meetings as an iCalendar file (RFC 5545) its phone's calendar opens. Pure: plain data in, text out.

Times are written in UTC (the calendar shows them in the reader's zone); each meeting keeps its UID, so a schedule
sent again after a change updates the events it already holds instead of doubling them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    uid: str
    starts: dt.datetime
    ends: dt.datetime
    summary: str
    location: str = ""
    description: str = ""


def _text(value: str) -> str:
    """A TEXT value escaped: backslash, semicolon, comma and line breaks."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Lines longer than 75 octets folded with CRLF and a space, never inside a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    start = 0
    while start < len(encoded):
        end = min(start + (75 if not parts else 74), len(encoded))
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:  # a continuation byte: step back
            end -= 1
        parts.append(encoded[start:end].decode("utf-8"))
        start = end
    return "\r\n ".join(parts)


def _moment(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(name: str, events: Iterable[Event], stamp: dt.datetime) -> str:
    """The VCALENDAR text, CRLF line ends."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//OCOP//Connection conference//VI", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_text(name)}"]
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{_moment(stamp)}", f"DTSTART:{_moment(event.starts)}",
                  f"DTEND:{_moment(event.ends)}", f"SUMMARY:{_text(event.summary)}"]
        if event.location:
            lines.append(f"LOCATION:{_text(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{_text(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
