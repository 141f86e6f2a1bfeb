"""Build synth/profiles/reference/bank_holidays.csv: England and Wales bank holidays, 2000-2035.

Columns: date (ISO), name, source. One row per bank holiday of England and Wales (the two nations
share one list), including the substitute days ("(observed)") when a holiday falls on a weekend and
the one-off holidays (royal wedding 2011, jubilees 2012 and 2022, the state funeral of 19 September
2022, the coronation of 8 May 2023, the moved May Day of 8 May 2020).

Source: the ``holidays`` package (MIT licence, https://github.com/vacanza/holidays), country ``GB``,
subdivision ``ENG`` (checked identical to ``WLS`` for every year written), which transcribes the
Banking and Financial Dealings Act 1971 and the royal proclamations as listed by GOV.UK
(https://www.gov.uk/bank-holidays). The package is only needed to run this script; the generator
reads the checked-in CSV, so it has no runtime dependency on it.

Run:  pip install holidays==0.108 && python scripts/build_bank_holidays.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import holidays  # type: ignore[import-not-found]

OUT = Path(__file__).resolve().parents[1] / "synth" / "profiles" / "reference" / "bank_holidays.csv"
FIRST, LAST = 2000, 2035


def main() -> None:
    """Write the CSV (sorted by date) and check England and Wales agree."""
    years = range(FIRST, LAST + 1)
    eng = holidays.country_holidays("GB", subdiv="ENG", years=years)
    wls = holidays.country_holidays("GB", subdiv="WLS", years=years)
    if dict(eng) != dict(wls):
        raise SystemExit("England and Wales bank holidays differ; the CSV assumes one list")
    source = f"holidays {holidays.__version__} (GB, ENG = WLS); GOV.UK bank holidays"
    with OUT.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["date", "name", "source"])
        for day in sorted(eng):
            w.writerow([day.isoformat(), eng[day], source])
    print(f"wrote {OUT} ({len(eng)} rows, {FIRST}-{LAST})")


if __name__ == "__main__":
    main()
