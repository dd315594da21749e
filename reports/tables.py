"""Compiled reports (báo cáo đã lập): each compilation a numbered version of its subject, with who
compiled it, when, a digest of the data it was built from, and its PDF and .xlsx files.

Versions are unique per kind and subject (a raw index in the migration: Piccolo's composite
constraints fail on SQLite). Files are stored in the database by their SHA-256 (core.uploads).
"""

from piccolo.columns import BigInt, Float, ForeignKey, Integer, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import User
from fairs.tables import Fair
from reports.enums import ReportKind


class ReportArtifact(Table):
    id: Serial
    kind = Varchar(length=32, choices=ReportKind, index=True)
    subject = Varchar(length=120, index=True)  # what it reports on: "fair:12", "salespoints:2026-10:3", …
    fair = ForeignKey(references=Fair, null=True, default=None, index=True)  # listed on the fair's page
    version = Integer()  # 1, 2, … per kind and subject
    language = Varchar(length=8, default="vi")
    title = Varchar(length=255)
    digest = Varchar(length=64)  # SHA-256 of the data it was built from
    pages = Integer(default=0)
    pdf_path = Varchar(length=255)  # its stored name (core.uploads)
    pdf_sha256 = Varchar(length=64)
    pdf_size = BigInt(default=0)
    xlsx_path = Varchar(length=255)
    xlsx_sha256 = Varchar(length=64)
    xlsx_size = BigInt(default=0)
    compiled_by = ForeignKey(references=User, null=True, default=None, on_delete=OnDelete.set_null)  # none: the scheduler
    compiled_by_name = Varchar(length=150, default="")
    compiled_at = Timestamptz(default=TimestamptzNow())
    seconds = Float(default=0.0)  # how long the compilation took
