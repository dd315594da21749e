"""Writes catalog/data/districts_2024.csv: every district (huyện, quận, thị xã, thành phố thuộc tỉnh) as
it stood before the July 2025 reorganisation abolished the district level, with its province of the time.

The list comes from the `vietnam-provinces` package at 0.6.0 (data version 2025-01-04, the last with
districts; its later releases hold the 2025 divisions only). Run it in a throwaway environment:

    python -m venv /tmp/vp && /tmp/vp/bin/pip install vietnam-provinces==0.6.0
    /tmp/vp/bin/python scripts/districts_2024.py
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import vietnam_provinces

TARGET = Path(__file__).resolve().parent.parent / "catalog" / "data" / "districts_2024.csv"
PROVINCE_WORDS = ("Tỉnh ", "Thành phố ")


def main() -> None:
    assert vietnam_provinces.__data_version__ < "2025-07-01", "a release with the 2025 divisions has no districts"
    divisions = json.loads(Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8"))
    rows = []
    for province in divisions:
        name = province["name"]
        for word in PROVINCE_WORDS:
            name = name.removeprefix(word)
        rows += [(name, district["name"]) for district in province["districts"]]
    with open(TARGET, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["province", "district"])
        writer.writerows(sorted(rows))
    print(f"{len(rows)} districts of {len(divisions)} provinces (data version {vietnam_provinces.__data_version__})")


if __name__ == "__main__":
    main()
