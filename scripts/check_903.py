"""Run the DfE's published 903 validation rules on the LA returns `synth returns` wrote.

Runs inside a side virtual environment that holds the public validator of the data-to-insight
community (PyPI ``csc-validator-be-903``, MIT licence; it pins pandas<2 and numpy<1.25, so it
stays out of the project's own environment): ``make check-903 RUN=<run folder>`` builds that
environment, writes the returns and calls this script. It imports nothing from ``synth``.

For each collection year folder ``<YEAR>/`` and local authority ``<LA>/`` of the returns, the
files of that year are "This year" and the same LA's files of the year before, when present,
"Prev year" (as an LA uploads them). The ruleset is the validator's for the collection year; years
it has no ruleset for (before 2023) are skipped and listed. Output: per rule, the failing rows,
the failing children per 1,000 children in the returns checked, and the returns it fails in; then
the rules that fail in every return. ``--json`` writes the same figures as a file.

Usage: python scripts/check_903.py RETURNS_DIR [--year 2024 ...] [--la E09000001 ...] [--json F]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.csv"))


def _check_one(year: int, la: Path, prev: Path | None) -> tuple[dict[str, set[str]], dict[str, int], int]:
    """One LA-year return: failing children per rule code, failing rows per rule code, children."""
    import pandas as pd
    from lac_validator import lac_validator
    from lac_validator.report import Report
    from lac_validator.rules.ruleset_utils import get_year_ruleset
    from lac_validator.utils import process_uploaded_files

    uploads = {"This year": [str(p) for p in _files(la)]}
    if prev is not None:
        uploads["Prev year"] = [str(p) for p in _files(prev)]
    registry = get_year_ruleset(str(year))
    v = lac_validator.LacValidator(metadata={"collectionYear": str(year), "localAuthority": la.name},
                                   files=process_uploaded_files(uploads), registry=registry)
    report = Report(v.ds_results, registry).report
    children = int(v.dfs["Header"]["CHILD"].nunique()) if "Header" in v.dfs else 0
    kids: dict[str, set[str]] = defaultdict(set)
    rows: dict[str, int] = {}
    for col in [c for c in report.columns if c.startswith("ERR_")]:
        hit = report[col] == True  # noqa: E712 (object column of True/NaN)
        if hit.any():
            code = col[4:]
            rows[code] = int(hit.sum())
            kids[code] = set(pd.Series(report.loc[hit, "CHILD"]).dropna().astype(str))
    return kids, rows, children


def main(argv: list[str] | None = None) -> int:
    """Check every LA-year return under RETURNS_DIR and print the failures per rule."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("returns", type=Path)
    ap.add_argument("--year", type=int, action="append", default=[])
    ap.add_argument("--la", action="append", default=[])
    ap.add_argument("--json", type=Path)
    ap.add_argument("--jobs", type=int, default=1, help="returns checked at once (processes)")
    a = ap.parse_args(argv)
    logging.disable(logging.CRITICAL)  # the validator logs every step
    try:
        from lac_validator.rules.ruleset_utils import get_year_ruleset
    except ImportError:
        print("check_903: the DfE 903 validator is not installed here; run `make check-903 RUN=<run>`",
              file=sys.stderr)
        return 2
    if not a.returns.is_dir():
        print(f"check_903: {a.returns} is not a folder of returns (write one with `synth returns`)", file=sys.stderr)
        return 2
    years = sorted(int(p.name) for p in a.returns.iterdir() if p.is_dir() and p.name.isdigit())
    years = [y for y in years if not a.year or y in a.year]
    skipped, checked = [], []
    for y in years:
        try:
            get_year_ruleset(str(y))
            checked.append(y)
        except (ModuleNotFoundError, ImportError, KeyError, ValueError):
            skipped.append(y)
    kids: dict[str, int] = defaultdict(int)
    rows: dict[str, int] = defaultdict(int)
    returns_failing: dict[str, int] = defaultdict(int)
    n_children = n_returns = 0
    todo = []
    for y in checked:
        for la in sorted(p for p in (a.returns / str(y)).iterdir() if p.is_dir()):
            if not a.la or la.name in a.la:
                prev = a.returns / str(y - 1) / la.name
                todo.append((y, la, prev if prev.is_dir() else None))
    with ProcessPoolExecutor(max(a.jobs, 1)) as pool:
        for k, r, c in pool.map(_check_one, *zip(*todo)) if todo else []:
            n_children += c
            n_returns += 1
            for code, ids in k.items():
                kids[code] += len(ids)
                rows[code] += r[code]
                returns_failing[code] += 1
            print(f"\r{n_returns}/{len(todo)} returns checked", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    messages = {str(code): str(rule.message) for code, rule in get_year_ruleset(str(checked[-1])).items()} \
        if checked else {}
    per_1000 = {c: 1000 * kids[c] / max(n_children, 1) for c in kids}
    print(f"{n_returns} returns ({', '.join(map(str, checked)) or 'none'}), {n_children:,} children"
          + (f"; no ruleset for {', '.join(map(str, skipped))}" if skipped else ""))
    print(f"{'rule':>6} {'rows':>8} {'children/1000':>14} {'returns':>8}  message")
    for code in sorted(kids, key=lambda c: -per_1000[c]):
        print(f"{code:>6} {rows[code]:>8} {per_1000[code]:>14.1f} {returns_failing[code]:>8}  "
              f"{messages.get(code, '')[:90]}")
    every = sorted(c for c in kids if returns_failing[c] == n_returns and n_returns)
    print(f"rules failing in every return: {', '.join(every) or 'none'}")
    if a.json:
        a.json.write_text(json.dumps({
            "returns": n_returns, "children": n_children, "years": checked, "skipped_years": skipped,
            "rules": {c: {"message": messages.get(c, ""), "rows": rows[c], "children": kids[c],
                          "children_per_1000": round(per_1000[c], 2), "returns": returns_failing[c]}
                      for c in sorted(kids)},
            "every_return": every}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
