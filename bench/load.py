"""Mixed load on the whole product, at rising concurrency until p99 passes 200 ms.

    python bench/load.py [--seconds 8] [--postgres postgresql://…]

On the demo programme (loaded into a fresh database), wrk sends a mix of what a working day
looks like, each request as the user who makes it:
  counter sales (the demo manager, POST one movement with an Idempotency-Key)   45 %
  stock queries (the manager, a point's balances)                               25 %
  the floor-plan page of the running fair (the organizer)                       15 %
  agreement entry (the organizer, POST a two-line agreement)                    10 %
  the outcome-report preview of the running fair (the organizer)                 5 %
Concurrency doubles from 1 connection to 64; a step runs `--seconds`, and the run stops at the
first step from 16 connections on whose p99 is over 200 ms. Sustained = the best requests/s among the steps under it.
Done for 1 and 2 uvicorn workers on SQLite, and on PostgreSQL too when --postgres is given (its
public schema is dropped first). On PostgreSQL it is also done for 2 application servers (two uvicorn
processes of one worker each, on ports of their own, sharing only the database and the secret key), the
connections split between them as a load balancer would, next to 1 server.
Bounded: at most 7 steps × 3 set-ups × 2 engines.
The same run measures the framework's ceiling: bare Litestar validating a movement body
(bench/bare_app.py) with as many workers, at 16 connections; the mix at 16 connections is set
against it (target: 2 workers on SQLite ≥ 15 % of it, p99 ≤ 100 ms, no error).
Prints a table, then one JSON line of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import harness

WORKDIR = harness.scratch("ocop-load-", database=None)
SECRET_KEY = secrets.token_urlsafe(48)  # the same on every server: each checks the CSRF tokens the others issue

P99_LIMIT_MS = 200
CONCURRENCY = (1, 2, 4, 8, 16, 32, 64)
MIX = (("sale", 45), ("stock", 25), ("plan", 15), ("agreement", 10), ("report", 5))

WRK_SCRIPT = """
local counter = 0
local tag = "%(tag)s"
local products = {%(products)s}
local manager = {["Cookie"] = "%(manager_cookie)s", ["x-csrftoken"] = "%(manager_csrf)s", ["Content-Type"] = "application/json"}
local organizer = {["Cookie"] = "%(organizer_cookie)s", ["x-csrftoken"] = "%(organizer_csrf)s", ["Content-Type"] = "application/json"}
local organizer_page = {["Cookie"] = "%(organizer_cookie)s"}
local manager_get = {["Cookie"] = "%(manager_cookie)s"}
local agreement = '%(agreement)s'
local mix = {%(mix)s}
local thread_id = 0
function setup(thread)
  thread:set("id", math.random(1, 1000000000))
end
function init(args)
  thread_id = id or math.random(1, 1000000000)
  math.randomseed(thread_id)
end
request = function()
  counter = counter + 1
  local pick = math.random(1, 100)
  local kind = mix[pick]
  if kind == "sale" then
    local product = products[math.random(1, #products)]
    manager["Idempotency-Key"] = tag .. "-" .. thread_id .. "-" .. counter
    return wrk.format("POST", "%(movements)s", manager, '{"product_id":' .. product .. ',"kind":"sale","quantity":1}')
  elseif kind == "stock" then
    return wrk.format("GET", "%(balances)s", manager_get, nil)
  elseif kind == "plan" then
    return wrk.format("GET", "%(plan)s", organizer_page, nil)
  elseif kind == "agreement" then
    return wrk.format("POST", "/api/v1/agreements", organizer, agreement)
  else
    return wrk.format("GET", "%(report)s", organizer_page, nil)
  end
end
"""


async def prepare(url: str) -> None:
    """A fresh database with the demo programme."""
    os.environ["DATABASE_URL"] = url
    from core import database
    from ocop.demo import load_demo
    from piccolo_conf import DB

    async with harness.fresh_database():
        await load_demo()
        await database.refresh_statistics(DB)


def targets(base: str) -> dict:
    """What the mix works on, found through the product's own API, with stock received for the sales."""
    manager, manager_cookie, manager_csrf = harness.log_in(base, "manager", "ocop-manager-demo")
    organizer, organizer_cookie, organizer_csrf = harness.log_in(base, "organizer", "ocop-organizer-demo")
    points = manager.get("/api/v1/salespoints").json()
    point = points[0]["id"]
    on_hand = manager.get(f"/api/v1/salespoints/{point}/balances").json()
    products = sorted({row["product_id"] for row in on_hand})[:60]
    receipts = [{"product_id": p, "kind": "receipt", "quantity": 100_000, "idempotency_key": f"load-{p}"} for p in products]
    response = manager.post(f"/api/v1/salespoints/{point}/movements/batch", json={"movements": receipts},
                            headers={"x-csrftoken": manager_csrf})
    assert response.status_code == 201, response.text[:500]
    fairs = organizer.get("/api/v1/fairs").json()
    fairs = fairs["items"] if isinstance(fairs, dict) else fairs
    running = next(f for f in fairs if f["status"] == "running")["id"]
    catalogue = organizer.get("/api/v1/products", params={"status": "valid", "page_size": 2}).json()["items"]
    buyer = organizer.get("/api/v1/buyers").json()
    buyer = (buyer["items"] if isinstance(buyer, dict) else buyer)[0]["id"]
    today = time.strftime("%Y-%m-%d")
    agreement = {
        "buyer_id": buyer, "producer_ids": [catalogue[0]["producer_id"]], "signed_on": today, "kind": "offtake",
        "lines": [{"product_id": catalogue[0]["id"], "quantity": 100, "unit": "hộp", "unit_price": 50_000}],
        "signatories": [{"party": "buyer", "name": "Nguyễn Văn An", "title": "Giám đốc"},
                        {"party": "producer", "name": "Lò Thị Mai", "title": "Chủ nhiệm HTX"}],
    }
    check = organizer.post("/api/v1/agreements", json=agreement, headers={"x-csrftoken": organizer_csrf})
    assert check.status_code == 201, check.text[:500]
    for path in (f"/fairs/{running}/plan", f"/fairs/{running}/reports/outcome"):
        assert organizer.get(path).status_code == 200, path
    return {
        "products": products, "manager_cookie": manager_cookie, "manager_csrf": manager_csrf,
        "organizer_cookie": organizer_cookie, "organizer_csrf": organizer_csrf,
        "movements": f"/api/v1/salespoints/{point}/movements", "balances": f"/api/v1/salespoints/{point}/balances",
        "plan": f"/fairs/{running}/plan", "report": f"/fairs/{running}/reports/outcome",
        "agreement": json.dumps(agreement, ensure_ascii=False),
    }


def run_step(base: str, found: dict, connections: int, seconds: int) -> dict:
    mix = []
    for kind, weight in MIX:
        mix += [kind] * weight
    script = WORKDIR / f"load-{random.randrange(10**9)}.lua"
    script.write_text(WRK_SCRIPT % {
        **found, "tag": f"l{random.randrange(10**9)}", "products": ",".join(map(str, found["products"])),
        "mix": ",".join(f'"{k}"' for k in mix), "agreement": found["agreement"].replace("'", "\\'"),
    })
    return {"connections": connections, **harness.run_wrk(script, base, connections, seconds, timeout_s=10)}


BARE_SCRIPT = """
request = function()
  return wrk.format("POST", "/api/v1/salespoints/1/movements", {["Content-Type"] = "application/json"},
                    '{"product_id":1,"kind":"sale","quantity":1}')
end
"""


def bare_ceiling(workers: int, seconds: int) -> dict:
    """Bare Litestar with `workers` workers at 16 connections: what the framework alone can answer here."""
    process, base = harness.start_server("bare_app:app", WORKDIR, workers=workers)
    script = WORKDIR / "bare.lua"
    script.write_text(BARE_SCRIPT)
    try:
        harness.run_wrk(script, base, 16, 2)  # warm-up
        return harness.run_wrk(script, base, 16, seconds)
    finally:
        harness.stop(process)


def run_spread(bases: list[str], found: dict, connections: int, seconds: int) -> dict:
    """One step with the connections spread over the servers (one wrk each, at once), as a load balancer
    would: requests/s added up, the worst p50 and p99 of them."""
    shares = [connections // len(bases) + (i < connections % len(bases)) for i in range(len(bases))]
    with ThreadPoolExecutor(len(bases)) as pool:
        steps = list(pool.map(lambda pair: run_step(pair[0], found, pair[1], seconds), [
            (base, share) for base, share in zip(bases, shares, strict=True) if share]))
    return {"connections": connections, "rps": sum(s["rps"] for s in steps), "p50_ms": max(s["p50_ms"] for s in steps),
            "p99_ms": max(s["p99_ms"] for s in steps), "non_2xx": sum(s["non_2xx"] for s in steps),
            "socket_errors": sum(s["socket_errors"] for s in steps), "requests": sum(s["requests"] for s in steps)}


def ramp(url: str, workers: int, seconds: int, servers: int = 1) -> dict:
    env = {"DATABASE_URL": url, "OCOP_SCHEDULER_IN_WEB": "0", "OCOP_SECRET_KEY": SECRET_KEY}
    started = [harness.start_server("ocop.asgi:app", WORKDIR, env, workers=workers) for _ in range(servers)]
    bases = [base for _, base in started]
    label = f"{servers} servers" if servers > 1 else f"{workers} worker(s)"
    try:
        found = targets(bases[0])  # logged in on the first: the others share its sessions
        run_spread(bases, found, 4, 2)  # warm-up: templates, caches, every worker's connections
        steps = []
        for connections in CONCURRENCY:
            step = run_spread(bases, found, connections, seconds)
            steps.append(step)
            print(f"  {label} {connections:>3} conns  {step['rps']:>7.0f} req/s  p50 {step['p50_ms']:6.1f} ms  "
                  f"p99 {step['p99_ms']:7.1f} ms  non-2xx {step['non_2xx']}  socket errors {step['socket_errors']}",
                  flush=True)
            if step["p99_ms"] > P99_LIMIT_MS and connections >= 16:  # 16 connections are always measured
                break
    finally:
        for process, _ in started:
            harness.stop(process)
    under = [s for s in steps if s["p99_ms"] <= P99_LIMIT_MS]
    best = max(under, key=lambda s: s["rps"]) if under else None
    broke = next((s for s in steps if s["p99_ms"] > P99_LIMIT_MS), None)
    at16 = next((s for s in steps if s["connections"] == 16), None)
    return {"at16_rps": round(at16["rps"]) if at16 else 0, "at16_p99_ms": at16["p99_ms"] if at16 else None,
            "at16_errors": at16["non_2xx"] + at16["socket_errors"] if at16 else None,
            "sustained_rps": round(best["rps"]) if best else 0, "at_connections": best["connections"] if best else 0,
            "p99_ms_there": best["p99_ms"] if best else None, "broke_at_connections": broke["connections"] if broke else None,
            "errors": sum(s["non_2xx"] + s["socket_errors"] for s in steps)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL whose database may be emptied")
    parser.add_argument("--prepare", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:  # in a process of its own: the engine is chosen once, when piccolo_conf is imported
        asyncio.run(prepare(args.prepare))
        return
    engines = {"sqlite": f"sqlite:///{WORKDIR / 'load.db'}"}
    if args.postgres:
        engines["postgresql"] = args.postgres
    figures = {}
    bare = {workers: bare_ceiling(workers, args.seconds) for workers in (1, 2)}
    print(f"mixed load, wrk, {os.cpu_count()} cores, {args.seconds} s a step, stop at p99 > {P99_LIMIT_MS} ms")
    print("mix: " + ", ".join(f"{kind} {weight} %" for kind, weight in MIX))
    for workers, ceiling in bare.items():
        print(f"bare Litestar, {workers} worker(s), 16 connections: {ceiling['rps']:.0f} req/s, p99 {ceiling['p99_ms']:.1f} ms")
    for engine, url in engines.items():
        started = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--prepare", url], check=True, stdout=subprocess.DEVNULL)
        print(f"{engine}: demo loaded in {time.perf_counter() - started:.0f} s")
        setups = [(1, 1), (2, 1)] + ([(1, 2)] if engine == "postgresql" else [])  # (workers, servers)
        for workers, servers in setups:
            result = ramp(url, workers, args.seconds, servers)
            key = f"{engine}_{servers}servers" if servers > 1 else f"{engine}_{workers}w"
            figures[key] = result
            label = f"{servers} servers" if servers > 1 else f"{workers} worker(s)"
            broke = result["broke_at_connections"]
            share = result["at16_rps"] / bare[workers * servers]["rps"] * 100
            print(f"{engine}, {label} at 16 connections: {result['at16_rps']} req/s = {share:.1f} % of bare "
                  f"Litestar, p99 {result['at16_p99_ms']} ms, {result['at16_errors']} errors")
            print(f"{engine}, {label}: sustained {result['sustained_rps']} req/s at {result['at_connections']} "
                  f"connections (p99 {result['p99_ms_there']} ms); "
                  + (f"p99 over {P99_LIMIT_MS} ms at {broke} connections" if broke else "never over the limit up to 64"))
        if engine == "postgresql":
            one, two = figures["postgresql_1w"]["sustained_rps"], figures["postgresql_2servers"]["sustained_rps"]
            print(f"postgresql: 2 application servers sustain {two} req/s, 1 server {one} req/s "
                  f"({two / one if one else 0:.2f}x)")
    flat: dict = {f"bare_{workers}w_rps": round(ceiling["rps"]) for workers, ceiling in bare.items()}
    for key, result in figures.items():
        workers = 2 if key.endswith(("2w", "2servers")) else 1
        flat[f"{key}_at16_rps"] = result["at16_rps"]
        flat[f"{key}_at16_p99_ms"] = result["at16_p99_ms"]
        flat[f"{key}_at16_errors"] = result["at16_errors"]
        flat[f"{key}_at16_share_of_bare_pct"] = round(result["at16_rps"] / bare[workers]["rps"] * 100, 1)
        flat[f"{key}_sustained_rps"] = result["sustained_rps"]
        flat[f"{key}_at_connections"] = result["at_connections"]
        flat[f"{key}_broke_at_connections"] = result["broke_at_connections"]
        flat[f"{key}_errors"] = result["errors"]
    print(json.dumps(flat))


if __name__ == "__main__":
    main()
