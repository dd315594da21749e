"""The `ocop` command: serve, migrate, demo, createuser, import, stock, scheduler, backup, restore."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import sys
from pathlib import Path

os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")


async def _with_database(coroutine_function, *args):
    from core import database
    from piccolo_conf import DB

    await database.start(DB)
    try:
        return await coroutine_function(*args)
    finally:
        await database.stop(DB)


async def migrate() -> None:
    """Applies every app's pending Piccolo migrations."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from core import database
    from piccolo_conf import DB

    if database.is_sqlite(DB):
        database.prepare_sqlite_file(DB.path)
    response = await run_forwards(app_name="all")
    if not response.success:
        raise SystemExit(f"migration failed: {response.message}")


def serve(host: str, port: int, workers: int, reload: bool = False) -> None:
    import uvicorn

    if reload:  # code and templates both read again when they change
        os.environ["OCOP_TEMPLATE_RELOAD"] = "1"
    uvicorn.run(
        "ocop.asgi:app", host=host, port=port, workers=workers, reload=reload, log_level="info", proxy_headers=True
    )


async def _load_demo() -> dict:
    from ocop.demo import load_demo

    return await load_demo()


async def _create_user(username: str, password: str, role: str, email: str) -> None:
    from accounts.enums import Role
    from accounts.services import create_user
    from core.errors import ValidationFailed

    try:
        await create_user(username, password, Role(role), email)
    except ValidationFailed as error:
        for field, message in error.errors.items():
            print(f"{field}: {message.render()}", file=sys.stderr)
        raise SystemExit(2) from None


async def _import(path: Path, answers: list[str], profile: str, unrated: str, province: str) -> None:
    """Imports a list with the preview's answers given on the command line; prints every problem by
    the file's own column names, never a traceback."""
    from catalog import list_headings, list_values
    from catalog.importing import Choices, check_sheets, import_file, read_sheets, with_profile
    from core.audit import SYSTEM
    from core.errors import ValidationFailed
    from core.settings import settings

    headings: dict[str, str] = {}
    orders: dict[str, str] = {}
    for answer in answers:
        heading, _, value = answer.partition("=")
        key = list_headings.heading_key(heading)
        if value in (list_values.DAY_FIRST, list_values.MONTH_FIRST):
            orders[key] = value
        elif value in list_headings.FIELD_NAMES:
            headings[key] = value
        else:
            print(f"--map {answer}: say HEADING=FIELD (one of {', '.join(list_headings.FIELD_NAMES)}) "
                  f"or HEADING={list_values.DAY_FIRST}|{list_values.MONTH_FIRST}", file=sys.stderr)
            raise SystemExit(2)
    choices = Choices(headings=headings, date_orders=orders, unrated=unrated, province=province, profile=profile)
    try:
        content = path.read_bytes()
    except OSError as error:
        print(f"{path}: {error.strerror}", file=sys.stderr)
        raise SystemExit(2) from None
    try:
        result = await import_file(path.name, content, SYSTEM, settings.max_upload_bytes, choices)
    except ValidationFailed as error:
        for field, message in error.errors.items():
            print(f"{field}: {message.render() if hasattr(message, 'render') else message}", file=sys.stderr)
        with contextlib.suppress(ValidationFailed):
            choices = await with_profile(choices)
            checked = await check_sheets(read_sheets(path.name, content, settings.max_upload_bytes, choices), choices)
            for question in checked.questions:
                if not question.chosen:
                    print(f"{question.sheet}: column “{question.heading}”: "
                          + ("say which field it holds (--map)" if question.kind == "heading"
                             else f"say whether dates are {list_values.DAY_FIRST} or {list_values.MONTH_FIRST} (--map)"),
                          file=sys.stderr)
            for report in checked.reports:
                for column, problem in report.errors.items():
                    print(f"{report.sheet} row {report.row}, {column}: {problem}", file=sys.stderr)
        raise SystemExit(2) from None
    skipped = f", {result.skipped} unrated rows skipped" if result.skipped else ""
    print(f"imported {result.producers} producers and {result.products} products; "
          f"{result.updated} products updated, {result.unchanged} unchanged{skipped}")


async def _rebuild_stock() -> int:
    from salespoints.services import rebuild_balances

    differences = await rebuild_balances()
    for d in differences:
        print(f"point {d['point']} product {d['product']} lot {d['lot_code'] or '-'}: "
              f"balance {d['balance']} → ledger {d['ledger']}")
    print(f"{len(differences)} balances differed from the ledger" if differences else "balances equal the ledger")
    return len(differences)


async def _snapshot_stock() -> None:
    from salespoints.services import snapshot_month_starts

    print(f"{await snapshot_month_starts()} snapshots written")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="ocop", description="OCOP trade-fair and sales-point system")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("serve", "run the web application"), ("demo", "migrate, load demo data if empty, serve")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--host", default=os.environ.get("OCOP_HOST", "127.0.0.1"))
        command.add_argument("--port", type=int, default=int(os.environ.get("OCOP_PORT", "8000")))
        command.add_argument("--workers", type=int, default=1)
        command.add_argument("--reload", action="store_true", help="restart on code changes, reread changed templates")
    commands.add_parser("migrate", help="apply database migrations")
    create = commands.add_parser("createuser", help="create a user")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=["admin", "organizer", "salespoint_manager", "producer", "viewer"])
    create.add_argument("--email", required=True)
    create.add_argument("--password", help="read from the terminal when omitted")
    importer = commands.add_parser("import", help="import producers and products from .xlsx or .csv (all or nothing)")
    importer.add_argument("file", type=Path)
    importer.add_argument("--map", action="append", default=[], metavar="HEADING=FIELD",
                          help="what a column holds (a field name or 'ignore'), or HEADING=dmy|mdy for a date column")
    importer.add_argument("--profile", default="", help="a saved headings profile")
    importer.add_argument("--unrated", choices=["keep", "skip"], default="keep",
                          help="rows with 0 stars or none: keep as candidates, or skip")
    importer.add_argument("--province", default="", help="the list's province code, for producers whose row names none")
    stock = commands.add_parser("stock", help="stock ledger maintenance")
    stock.add_argument("action", choices=["rebuild", "snapshot"],
                       help="rebuild: recompute balances from the ledger, report differences; "
                            "snapshot: write down each point's stock at every past month start (speeds up 'stock as of')")
    commands.add_parser("scheduler", help="run the reminder scheduler alone (one of any number becomes active)")
    backup = commands.add_parser(
        "backup", help="back up the database in DATABASE_URL to a file (safe while the server runs)",
        description="Back up the database in DATABASE_URL to PATH while the server may keep running. SQLite: a copy "
                    "of the file made with SQLite's online backup API. PostgreSQL: pg_dump in its custom format, from "
                    "the newest /usr/lib/postgresql/*/bin (or OCOP_PG_BIN). The file is readable by its owner only (0600). "
                    "Uploaded files are not included.")
    backup.add_argument("path", type=Path, help="the backup file to write (replaced only once the new one is complete)")
    backup.add_argument("--without-sessions", action="store_true",
                        help="leave the login sessions out (after a restore of it, everyone logs in again)")
    restore = commands.add_parser(
        "restore", help="replace the database in DATABASE_URL with a backup (stop the server first)",
        description="Replace the database in DATABASE_URL with the backup in PATH. Stop the server and the scheduler "
                    "first: a SQLite database another process has open is refused. SQLite: the backup is copied beside "
                    "the database (readable by its owner only) and renamed over it. PostgreSQL: pg_restore --clean --if-exists in one transaction.")
    restore.add_argument("path", type=Path, help="a file written by 'ocop backup'")
    restore.add_argument("--force", action="store_true",
                         help="PostgreSQL only: restore although other sessions are connected to the database")
    args = parser.parse_args(argv)
    if args.command in ("serve", "demo"):
        # Before anything reads the settings: links in e-mails follow the address and port served on.
        os.environ["OCOP_HOST"], os.environ["OCOP_PORT"] = args.host, str(args.port)

    if args.command == "migrate":
        asyncio.run(migrate())
    elif args.command == "serve":
        serve(args.host, args.port, args.workers, args.reload)
    elif args.command == "demo":
        asyncio.run(migrate())
        loaded = asyncio.run(_with_database(_load_demo))
        if loaded:
            print(f"demo data loaded: {loaded}")
        print(f"open http://{args.host}:{args.port}/ — demo logins are listed in README.md")
        serve(args.host, args.port, args.workers, args.reload)
    elif args.command == "createuser":
        password = args.password or getpass.getpass("Password: ")
        asyncio.run(_with_database(_create_user, args.username, password, args.role, args.email))
        print(f"created {args.role} {args.username}")
    elif args.command == "import":
        asyncio.run(_with_database(_import, args.file, args.map, args.profile, args.unrated, args.province))
    elif args.command == "stock" and args.action == "rebuild":
        asyncio.run(_with_database(_rebuild_stock))
    elif args.command == "stock":
        asyncio.run(_with_database(_snapshot_stock))
    elif args.command in ("backup", "restore"):
        from ocop import backup as backups

        try:
            if args.command == "backup":
                print(backups.backup(args.path, without_sessions=args.without_sessions))
            else:
                print(backups.restore(args.path, force=args.force))
        except backups.BackupError as error:
            raise SystemExit(f"ocop {args.command}: {error}") from None
    elif args.command == "scheduler":
        import logging

        from scheduler.runner import run_forever

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run_forever())


if __name__ == "__main__":
    main()
