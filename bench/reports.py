"""Outcome-report figures: compiling the outcome report (data, charts, HTML, PDF, .xlsx) of a trade
week (120 booths, 150 agreements) and of a national fair (1,000 booths, 2,000 agreements), next to
WeasyPrint rendering one plain table of the same listing rows — the library's floor on this machine.

Usage: python bench/reports.py [--runs 3]
Uses a fresh SQLite database in a temporary folder (or DATABASE_URL when it is a PostgreSQL URL,
whose public schema is dropped). The PDF is rendered in the report workers (started and warmed
first, as the web application keeps them), so a run measures what a "compile now" costs.
Targets (issue "Outcome reports"): trade week ≤ 1.5 s, national fair ≤ 6 s, peak memory ≤ 500 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import resource
import statistics
import time
from pathlib import Path

import harness

WORKDIR = harness.scratch("ocop-bench-reports-")
os.environ.setdefault("OCOP_UPLOADS_DIR", str(WORKDIR / "uploads"))

FLOOR_CSS = """@page { size: A4; margin: 20mm 15mm 17mm; }
body { font-family: "DejaVu Sans Condensed"; font-size: 7.5pt; }
table { width: 100%; table-layout: fixed; border-collapse: collapse; }
td, th { padding: 1pt 3pt; border-bottom: 0.3pt solid #ccc; text-align: left; }"""


async def seed() -> dict[str, int]:
    from reports import synthetic

    rng = random.Random(11)
    today = dt.date.today()
    parties = await synthetic.seed_parties(rng, producers=1300, buyers=60)
    series = "Tuần hàng OCOP Hà Nội"
    await synthetic.seed_fair(rng, parties, name=f"{series} {today.year - 1}", booths=120, agreements=120,
                              starts_on=today - dt.timedelta(days=370), series=series, edition=today.year - 1)
    week = await synthetic.seed_fair(rng, parties, name=f"{series} {today.year}", booths=120, agreements=150,
                                     starts_on=today - dt.timedelta(days=6), series=series, edition=today.year)
    national = await synthetic.seed_fair(rng, parties, name=f"Hội chợ OCOP toàn quốc {today.year}", booths=1000,
                                         agreements=2000, starts_on=today - dt.timedelta(days=8), kind="trade_fair")
    return {"trade_week": week, "national": national}


def worker_peaks_mb() -> list[float]:
    """The peak resident memory of each live report worker (Linux)."""
    from reports import pdf

    peaks = []
    for process in list(getattr(pdf.pool(), "_processes", {}).values()):
        try:
            status = Path(f"/proc/{process.pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return peaks


async def compile_once(fair_id: int) -> dict:
    from reports import services

    started = time.perf_counter()
    compiled = await services.compile_fair_outcome(fair_id, "vi")
    data = compiled.subject.data
    return {"seconds": time.perf_counter() - started, "pages": compiled.pages, "timings": compiled.timings,
            "rows": len(data.exhibitors) + len(data.agreements.entries)}


async def floor_once(fair_id: int) -> dict:
    """WeasyPrint alone on one plain table holding the report's listing rows (booths and agreements)."""
    from html import escape

    from reports import outcome, pdf, render
    from reports.data import fair_outcome

    document = outcome.build(await fair_outcome(fair_id))
    rows, widths = [], 0
    for table in document.tables:
        if table.listing:
            widths = max(widths, len(table.columns))
            rows += [[render.cell(v, c) for v, c in zip(values, table.columns, strict=True)] for values in table.rows]
    body = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>" for row in rows)
    html = (f'<!doctype html><html><head><meta charset="utf-8"><style>{FLOOR_CSS}</style></head><body><table>'
            f"<tbody>{body}</tbody></table></body></html>")
    started = time.perf_counter()
    rendered = await pdf.render(html)
    return {"seconds": time.perf_counter() - started, "pages": rendered.pages, "rows": len(rows)}


async def measure(runs: int) -> dict:
    from reports import pdf

    try:
        async with harness.fresh_database():
            started = time.perf_counter()
            fairs = await seed()
            seed_s = time.perf_counter() - started
            await asyncio.get_running_loop().run_in_executor(None, pdf.warm_up)
            results: dict = {}
            for name, fair_id in fairs.items():
                await compile_once(fair_id)  # first compile of the kind: templates and font metrics loaded
                results[name] = {"compiles": [await compile_once(fair_id) for _ in range(runs)]}
            # The workers' peak memory while compiling reports, before the floor's one huge table raises it.
            results["worker_peaks_mb"] = worker_peaks_mb()
            for name, fair_id in fairs.items():
                results[name]["floors"] = [await floor_once(fair_id) for _ in range(runs)]
            results["floor_peaks_mb"] = worker_peaks_mb()
            results["seed_s"] = seed_s
    finally:
        pdf.shutdown()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    engine = "postgresql" if os.environ["DATABASE_URL"].startswith("postgres") else "sqlite"
    results = asyncio.run(measure(args.runs))
    main_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = results["worker_peaks_mb"]
    print(f"engine: {engine}, work folder {WORKDIR}, seeding {results['seed_s']:.1f} s, {os.cpu_count()} cores")
    figures: dict = {"engine": engine}
    targets = {"trade_week": 1.5, "national": 6.0}
    labels = {"trade_week": "trade week (120 booths, 150 agreements)", "national": "national fair (1,000 booths, 2,000 agreements)"}
    for name in ("trade_week", "national"):
        compiles, floors = results[name]["compiles"], results[name]["floors"]
        seconds = statistics.median(c["seconds"] for c in compiles)
        pages = compiles[0]["pages"]
        floor_s = statistics.median(f["seconds"] for f in floors)
        parts = {k: statistics.median(c["timings"][k] for c in compiles) for k in compiles[0]["timings"]}
        print(f"{labels[name]:<48}{seconds:>6.2f} s  {pages:>3} pages  {pages / seconds:5.1f} pages/s  "
              f"(median of {len(compiles)}; best {min(c['seconds'] for c in compiles):.2f} s; "
              + ", ".join(f"{k} {v:.2f}" for k, v in parts.items()) + f"; target ≤ {targets[name]} s)")
        print(f"{'  floor: one plain WeasyPrint table of the ' + str(floors[0]['rows']) + ' listing rows':<48}{floor_s:>6.2f} s  "
              f"{floors[0]['pages']:>3} pages  {floors[0]['pages'] / floor_s:5.1f} pages/s  ({1000 * floor_s / max(floors[0]['rows'], 1):.1f} ms a row)")
        figures[f"{name}_s"] = round(seconds, 2)
        figures[f"{name}_pages"] = pages
        figures[f"{name}_pages_per_s"] = round(pages / seconds, 1)
        figures[f"{name}_floor_s"] = round(floor_s, 2)
        figures[f"{name}_floor_pages"] = floors[0]["pages"]
    peak = max([main_peak, *workers])
    print(f"{'peak memory compiling':<48}{peak:>6.0f} MB  (this process {main_peak:.0f} MB, each report worker "
          + ", ".join(f"{w:.0f}" for w in workers) + " MB; target ≤ 500 MB)")
    floor_peak = max(results["floor_peaks_mb"], default=0)
    print(f"{'  worker peak after the floor runs':<48}{floor_peak:>6.0f} MB  (WeasyPrint on one plain table of every row)")
    figures["floor_worker_peak_mb"] = round(floor_peak)
    figures["peak_mb"] = round(peak)
    figures["main_peak_mb"] = round(main_peak)
    figures["worker_peak_mb"] = round(max(workers, default=0))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
