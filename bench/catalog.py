"""Catalog figures: importing 10,000 products from .xlsx, a national list of 18,000 products in one
sheet with its producers in it, and the product list API on 20,000 products.

Usage: python bench/catalog.py [--requests 1500] [--concurrency 4]
Uses a fresh database in a temporary folder (SQLite by default, or DATABASE_URL when it is
a PostgreSQL URL, whose public schema is dropped). On SQLite the list API is measured twice
in the same run: with this project's pooled engine and with Piccolo's engine as shipped.
Targets: import ≤ 10 s, list p99 ≤ 30 ms ("Foundation"); one-sheet list: preview ≤ 10 s, commit ≤ 20 s
("Real lists in").
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
import statistics
import time

import harness
import httpx
from openpyxl import Workbook

WORKDIR = harness.scratch("ocop-bench-")

PRODUCT_HEADERS = ["Tên sản phẩm", "Mã số thuế", "Nhóm", "Phân nhóm", "Số sao", "Điểm", "Số giấy chứng nhận",
                   "Ngày công nhận", "Đơn vị tính", "Giá"]
PRODUCER_HEADERS = ["Tên chủ thể", "Loại hình", "Mã số thuế", "Tỉnh", "Xã/phường"]


def import_workbook(products: int, producers: int, seed: int = 7) -> bytes:
    """A provincial list: a producers sheet and a products sheet naming producers by tax code."""
    from catalog import reference

    rng = random.Random(seed)
    provinces = [p.name for p in reference.provinces().values()]
    subgroups = list(reference.subgroups().values())
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Chủ thể")
    sheet.append(PRODUCER_HEADERS)
    for i in range(producers):
        sheet.append([f"Hợp tác xã Bench {i}", "Hợp tác xã", f"BM{i:07d}", rng.choice(provinces), "Xã Bench"])
    sheet = book.create_sheet("Sản phẩm")
    sheet.append(PRODUCT_HEADERS)
    for i in range(products):
        stars = rng.choice([3, 3, 4, 4, 4])
        score = rng.randint(50, 69) if stars == 3 else rng.randint(70, 89)
        subgroup = rng.choice(subgroups)
        sheet.append([f"Sản phẩm nhập {i} mật ong", f"BM{rng.randrange(producers):07d}", subgroup.group_code,
                      subgroup.code, stars, score, f"BENCH-{i:06d}", "15/03/2025", "hộp", 100000])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def timed_import(filename: str, content: bytes, products: int) -> dict:
    """The preview's reading and checking, then the commit (which checks again and writes), timed apart."""
    from catalog.importing import check_sheets, import_file, read_sheets
    from core.audit import SYSTEM

    started = time.perf_counter()
    checked = await check_sheets(read_sheets(filename, content, 50 * 1024 * 1024))
    preview_s = time.perf_counter() - started
    assert checked.error_rows == 0 and not checked.questions, [r.errors for r in checked.reports if r.errors][:3]
    started = time.perf_counter()
    result = await import_file(filename, content, SYSTEM, 50 * 1024 * 1024)
    commit_s = time.perf_counter() - started
    assert result.products == products, result
    return {"bytes": len(content), "preview_s": preview_s, "commit_s": commit_s, "producers": result.producers}


async def measure_import(products: int) -> dict:
    content = import_workbook(products, producers=max(50, products // 20))
    timed = await timed_import("bench.xlsx", content, products)
    return {"xlsx_bytes": timed["bytes"], "preview_s": timed["preview_s"], "import_s": timed["commit_s"]}


def one_sheet_workbook(products: int, producers: int, seed: int = 11) -> bytes:
    """A list as provinces publish it: title rows, one sheet, each product with its producer's name
    (its commune appended) and address, stars as "4 sao", decisions shared, no score."""
    from catalog import reference

    rng = random.Random(seed)
    provinces = [p.name for p in reference.provinces().values()] + ["Thừa Thiên Huế", "Trà Vinh", "Đắk Nông"]
    groups = ["Thực phẩm", "Đồ uống", "Thảo dược", "Thủ công mỹ nghệ", "Sinh vật cảnh"]
    makers = [(f"HTX Nông sản số {i}", f"xã Bench {i % 97}", rng.choice(provinces)) for i in range(producers)]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Danh sách")
    sheet.append(["DANH SÁCH SẢN PHẨM OCOP TOÀN QUỐC ĐẾN 31/12/2025"])
    sheet.append([])
    sheet.append(["STT", "Tên sản phẩm", "Chủ thể", "Địa chỉ", "Tỉnh", "Nhóm", "Hạng sao", "Số QĐ", "Ngày công nhận"])
    for i in range(products):
        name, commune, province = rng.choice(makers)
        day = 13 + i % 15  # day first, and some day over 12 says so
        sheet.append([i + 1, f"Sản phẩm {i} trà mật ong", f"{name}, {commune}", f"thôn 2, {commune}", province,
                      rng.choice(groups), f"{rng.choice([3, 3, 4, 4, 5])} sao", f"{100 + i // 40}/QĐ-UBND",
                      f"{day}/{1 + i % 12}/2024"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def measure_one_sheet(products: int) -> dict:
    return await timed_import("national.xlsx", one_sheet_workbook(products, producers=max(50, products // 7)), products)


async def seed_catalogue(total_products: int) -> None:
    from accounts.enums import Role
    from accounts.services import create_user
    from catalog.tables import Product
    from ocop.demo import DemoSize, seed_programme

    existing = await Product.count()
    await seed_programme(11, DemoSize(producers=2000, products=max(0, total_products - existing), buyers=30))
    await create_user("bench", "bench-password", Role.viewer, "bench@bench.vn")


def _queries(rng: random.Random) -> dict:
    from catalog import reference

    choice = rng.randrange(6)
    provinces = list(reference.provinces())
    groups = list(reference.groups())
    if choice == 0:
        return {"q": rng.choice(["mat ong", "che", "gao", "nuoc mam", "ruou", "tra"])}
    if choice == 1:
        return {"province": rng.choice(provinces), "stars": rng.choice([3, 4, 5])}
    if choice == 2:
        return {"group": rng.choice(groups), "status": rng.choice(["valid", "expiring", "expired"])}
    if choice == 3:
        return {"q": rng.choice(["mat ong", "che"]), "province": rng.choice(provinces), "page": 2}
    if choice == 4:
        return {"page": rng.randint(1, 200)}
    return {"stars": 4, "group": rng.choice(groups), "province": rng.choice(provinces)}


async def measure_list_api(base: str, requests: int, concurrency: int) -> dict:
    rng = random.Random(3)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await harness.log_in_async(client, "bench", "bench-password")
        for _ in range(50):  # warm-up
            await client.get("/api/v1/products", params=_queries(rng))
        latencies: list[float] = []
        queue = [_queries(rng) for _ in range(requests)]

        async def worker() -> None:
            while queue:
                params = queue.pop()
                started = time.perf_counter()
                response = await client.get("/api/v1/products", params=params)
                latencies.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "p50_ms": statistics.median(latencies),
        "p99_ms": harness.percentile(latencies, 0.99),
        "rps": len(latencies) / elapsed,
    }


def run_server(extra_env: dict):
    # The scheduler's rules would scan the data while it is measured: the bench server runs without it.
    return harness.start_server("ocop.asgi:app", WORKDIR, {"OCOP_SCHEDULER_IN_WEB": "0", **extra_env})


async def prepare(products_to_import: int, catalogue: int, one_sheet: int) -> dict:
    from core import database
    from piccolo_conf import DB

    async with harness.fresh_database():
        figures = await measure_import(products_to_import)
        figures["one_sheet"] = await measure_one_sheet(one_sheet)
        await seed_catalogue(catalogue)
        await database.refresh_statistics(DB)  # as the scheduler or autovacuum would after a bulk load
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import-products", type=int, default=10_000)
    parser.add_argument("--catalogue", type=int, default=20_000)
    parser.add_argument("--one-sheet-products", type=int, default=18_000)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    engine = "postgresql" if os.environ["DATABASE_URL"].startswith("postgres") else "sqlite"

    imported = asyncio.run(prepare(args.import_products, args.catalogue, args.one_sheet_products))
    national = imported["one_sheet"]
    variants = [("pooled", {})] if engine == "postgresql" else [("pooled", {}), ("piccolo_shipped", {"OCOP_SQLITE_POOL": "0"})]
    lists, loaded = {}, {}
    for name, env in variants:
        process, base = run_server(env)
        try:
            lists[name] = asyncio.run(measure_list_api(base, args.requests, 1))
            loaded[name] = asyncio.run(measure_list_api(base, args.requests, args.concurrency))
        finally:
            harness.stop(process)

    print(f"catalog bench on {engine} ({os.cpu_count()} cores), catalogue of {args.catalogue:,} products")
    print(f"{'import of ' + format(args.import_products, ',') + ' products (.xlsx, ' + str(imported['xlsx_bytes'] // 1024) + ' KB)':<48}"
          f"check {imported['preview_s']:.2f} s   check+write {imported['import_s']:.2f} s   (target ≤ 10 s)")
    print(f"{'one sheet of ' + format(args.one_sheet_products, ',') + ' products, ' + format(national['producers'], ',') + ' producers in it':<48} "
          f"preview {national['preview_s']:.2f} s   commit {national['commit_s']:.2f} s   (targets ≤ 10 s, ≤ 20 s)")
    for name in lists:
        for clients, figures in ((1, lists[name]), (args.concurrency, loaded[name])):
            print(f"{'list API, ' + name + ' engine, ' + str(clients) + ' client(s)':<48}"
                  f"p50 {figures['p50_ms']:.1f} ms   p99 {figures['p99_ms']:.1f} ms   {figures['rps']:.0f} req/s")
    print("target: list p99 ≤ 30 ms (one client: a user's wait)")
    summary = {
        "engine": engine,
        "import_products": args.import_products,
        "import_check_s": round(imported["preview_s"], 2),
        "import_s": round(imported["import_s"], 2),
        "one_sheet_products": args.one_sheet_products,
        "one_sheet_preview_s": round(national["preview_s"], 2),
        "one_sheet_commit_s": round(national["commit_s"], 2),
        "catalogue_products": args.catalogue,
        "list_p50_ms": round(lists["pooled"]["p50_ms"], 1),
        "list_p99_ms": round(lists["pooled"]["p99_ms"], 1),
        "list_rps": round(lists["pooled"]["rps"]),
        "loaded_clients": args.concurrency,
        "loaded_list_p50_ms": round(loaded["pooled"]["p50_ms"], 1),
        "loaded_list_p99_ms": round(loaded["pooled"]["p99_ms"], 1),
        "loaded_list_rps": round(loaded["pooled"]["rps"]),
    }
    if "piccolo_shipped" in lists:
        summary.update(
            baseline_list_p50_ms=round(lists["piccolo_shipped"]["p50_ms"], 1),
            baseline_list_p99_ms=round(lists["piccolo_shipped"]["p99_ms"], 1),
            baseline_list_rps=round(lists["piccolo_shipped"]["rps"]),
            baseline_loaded_list_p99_ms=round(loaded["piccolo_shipped"]["p99_ms"], 1),
            baseline_loaded_list_rps=round(loaded["piccolo_shipped"]["rps"]),
        )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
