"""Booth allocation on seeded synthetic fairs: solve time, the whole objective's bound and gap,
against first come, first served; and, for producers of several groups, booths filled against the
most any plan could fill.

    python bench/allocation.py [--seeds 3]

Sizes: a trade week (120 booths, 200 applications) and a national fair (1,000 booths, 1,500
applications), each also with every producer bringing products of two or three groups (placed by
its main group; the same fair with zones that ask for every product is shown beside it). For each
seed the engine runs once (HiGHS, 10 s limit) and the first-come-first-served assignment a clerk
would make is scored by the same objective in the same run. Prints a table and, last, one JSON
line of the figures (medians and worst cases).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fairs.allocation import Weights, allocate_booths, first_come_first_served, most_booths, score
from fairs.synthetic import synthetic_fair

SIZES = {"trade_week": (120, 200), "national": (1000, 1500)}
TARGET_S = {"trade_week": 0.3, "national": 5.0}
TARGET_GAP_PCT = 0.5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    weights = Weights(featured_provinces=frozenset({"LCI", "SLA"}))
    figures: dict[str, float] = {}
    # "first" is the integer programme's part (who, where, of which kind); "whole" adds the neighbours of
    # the layout. The whole bound is the first stage's proven bound plus the most any layout could add.
    print(f"{'fair':<12}{'seed':>5}{'booths':>7}{'apps':>6}{'solve s':>8}{'first gap %':>12}{'whole':>10}"
          f"{'bound':>10}{'gap %':>7}{'FCFS':>10}{'gain %':>7}{'filled':>7}{'FCFS':>6}{'most':>6}")
    for name, (booth_count, request_count) in SIZES.items():
        for multi in (False, True):
            label = f"{name}{'_multi' if multi else ''}"
            seconds, gaps, gains, filled_share, strict_share, fcfs_share = [], [], [], [], [], []
            for seed in range(1, args.seeds + 1):
                zones, booths, requests = synthetic_fair(booth_count, request_count, seed, multi_group=multi)
                started = time.perf_counter()
                outcome = allocate_booths(zones, booths, requests, weights, time_limit=10.0)
                elapsed = time.perf_counter() - started
                greedy = first_come_first_served(zones, booths, requests, weights)
                greedy_score = score(zones, booths, requests, greedy, weights)
                gain = 100 * (outcome.objective - greedy_score) / abs(greedy_score)
                filled = sum(len(ids) for ids in outcome.assignments.values())
                greedy_filled = sum(len(ids) for ids in greedy.values())
                most = most_booths(zones, booths, requests)
                seconds.append(elapsed)
                gaps.append(outcome.gap * 100)
                gains.append(gain)
                filled_share.append(100 * filled / most)
                fcfs_share.append(100 * greedy_filled / most)
                if multi:  # the old rule: a themed zone takes an exhibitor only if it takes every product
                    strict = [dataclasses.replace(z, every_product=True) for z in zones]
                    strict_outcome = allocate_booths(strict, booths, requests, weights, time_limit=10.0)
                    strict_share.append(100 * sum(len(ids) for ids in strict_outcome.assignments.values()) / most)
                print(f"{label:<12}{seed:>5}{len(booths):>7}{len(requests):>6}{elapsed:>8.2f}"
                      f"{outcome.first_stage_gap * 100:>12.3f}{outcome.objective:>10.0f}{outcome.bound:>10.0f}"
                      f"{outcome.gap * 100:>7.3f}{greedy_score:>10.0f}{gain:>7.1f}{filled:>7}{greedy_filled:>6}{most:>6}")
            figures[f"{label}_solve_s_median"] = round(statistics.median(seconds), 3)
            figures[f"{label}_solve_s_max"] = round(max(seconds), 3)
            figures[f"{label}_gap_pct_max"] = round(max(gaps), 3)
            figures[f"{label}_gain_over_fcfs_pct_median"] = round(statistics.median(gains), 1)
            figures[f"{label}_filled_of_most_pct_min"] = round(min(filled_share), 1)
            figures[f"{label}_fcfs_filled_of_most_pct_min"] = round(min(fcfs_share), 1)
            summary = (f"{label}: median {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s "
                       f"(target ≤ {TARGET_S[name]} s), worst whole gap {max(gaps):.3f} % (target ≤ {TARGET_GAP_PCT} %), "
                       f"median gain over first come, first served {statistics.median(gains):.1f} %, "
                       f"booths filled ≥ {min(filled_share):.1f} % of the most possible "
                       f"(first come, first served ≥ {min(fcfs_share):.1f} %)")
            if multi:
                figures[f"{label}_every_product_filled_of_most_pct_max"] = round(max(strict_share), 1)
                summary += f"; with zones asking for every product ≤ {max(strict_share):.1f} %"
            print(summary)
            print()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
