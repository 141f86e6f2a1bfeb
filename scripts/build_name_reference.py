"""Build synth/profiles/reference/forenames.csv from the ONS baby-name workbooks (one-off, offline).

Input: a folder holding the ONS workbooks (boys'/girls' names 1996-2024, the historic top-100
workbook), as mirrored in rossbowen/babynames ``data-raw/`` (SOURCES.md gives the commit). Needs
``openpyxl`` and ``xlrd`` (not dependencies of synth). Usage::

    python scripts/build_name_reference.py DATA_RAW_DIR synth/profiles/reference

Writes ``forenames.csv`` (columns ``year,sex,area,rank,name,count``): for each year 1996-2024 and
sex the top ``TOP_N`` names of England and Wales with their counts (area ``EW``); the top 100 of
Wales (area ``W``, 1997-2020 and 2022-2024, the years the workbooks hold it); the historic top
100 of England and Wales every ten years 1904-1994 (area ``EW``, count empty); and one row per
year, sex and area with rank 0, name ``*`` and the count of all named births in the full list
(so the share outside the shipped top names is known).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

TOP_N = 1000


def _triples(df: pd.DataFrame) -> list[tuple[int, str, int]]:
    out = []
    for r in df.to_numpy(object):
        for j in range(len(r) - 2):
            rk, nm, ct = r[j], r[j + 1], r[j + 2]
            if (isinstance(rk, (int, float, np.number)) and not pd.isna(rk) and float(rk).is_integer()
                    and isinstance(nm, str) and re.fullmatch(r"[A-Za-z][A-Za-z'\- ]*", nm.strip() or "")
                    and isinstance(ct, (int, float, np.number)) and not pd.isna(ct)):
                out.append((int(rk), nm.strip(), int(ct)))
    return out


def _title(name: str) -> str:
    return "-".join(p[:1].upper() + p[1:].lower() for p in name.split("-"))


def yearly(folder: Path) -> pd.DataFrame:
    rows = []
    for f in sorted(folder.iterdir()):
        m = re.search(r"(\d{4})", f.name)
        if not m or "histor" in f.name or f.suffix not in (".xls", ".xlsx"):
            continue
        year, sex = int(m.group(1)), 1 if "boys" in f.name else 2
        book = pd.ExcelFile(f)
        full: list = []
        wales: list | None = None
        for s in book.sheet_names:
            df = pd.read_excel(book, sheet_name=s, header=None)
            head = " ".join(v for v in df.head(4).to_numpy(object).ravel() if isinstance(v, str))
            t = _triples(df)
            if len(t) > len(full):
                full = t
            if (wales is None and re.search(r"\bWales\b", head) and 50 <= len(t) <= 120
                    and not re.search(r"England|E&W|region|month", head, re.I)):
                wales = t
        for area, t in (("EW", full), ("W", wales or [])):
            if not t:
                continue
            d = pd.DataFrame(t, columns=["rank", "name", "count"]).drop_duplicates("name")
            d = d.sort_values(["count", "name"], ascending=[False, True])
            total = int(d["count"].sum())
            d = d.head(TOP_N).assign(year=year, sex=sex, area=area)
            rows += [d, pd.DataFrame({"year": [year], "sex": [sex], "area": [area], "rank": [0], "name": ["*"],
                                      "count": [total]})]
    return pd.concat(rows)


def historic(path: Path) -> pd.DataFrame:
    rows = []
    book = pd.ExcelFile(path)
    for s, sex in (("Table_1", 2), ("Table_2", 1)):
        df = pd.read_excel(book, sheet_name=s, header=3)
        for col in df.columns[1:]:
            year = int(col)
            if year >= 1996:
                continue
            names = df[col].dropna().astype(str)
            rows.append(pd.DataFrame({"year": year, "sex": sex, "area": "EW", "rank": df["Rank"][names.index],
                                      "name": names.to_numpy(), "count": pd.NA}))
    return pd.concat(rows)


def main(src: str, out: str) -> None:
    folder = Path(src)
    t = pd.concat([yearly(folder), historic(folder / "historicalnames2024.xlsx")])
    t["name"] = [n if n == "*" else _title(n) for n in t["name"]]
    t["rank"] = t.groupby(["year", "sex", "area"]).cumcount().where(t["name"] != "*", -1) + 1
    t = t.sort_values(["area", "sex", "year", "rank"])[["year", "sex", "area", "rank", "name", "count"]]
    t.to_csv(Path(out) / "forenames.csv", index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
