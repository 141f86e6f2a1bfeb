"""Identifier format rules of truth/person as DuckDB SQL, with pandas judging the unusual values.

``integrity.identifier_formats`` judges NHS numbers, postcodes and LSOA codes with Python regular
expressions over the values as text. For a value of ASCII letters, digits and spaces a full match in
DuckDB (RE2) means the same as Python's anchored match, so such values (all of a well-formed run)
are judged in one SQL scan; blanks are judged as the pandas rule judges them (its text is "None");
any other value (a newline, which Python's ``$`` lets end a match, a Unicode digit) is fetched and
judged by the pandas rule itself. Counts and the first five examples are those of the pandas rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth.validate.core import MAX_EXAMPLES, CheckResult, RunData
from synth.validate.scan import Mask
from synth.validate.sqlrun import quote
from synth.world import ids

POSTCODE = r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$"
LSOA = r"^[EW]01\d{6}$"
LSOA_SQL = "[EW]01[0-9]{6}"
SIMPLE = "[A-Za-z0-9 ]*"


@dataclass(frozen=True)
class FormatRule:
    """A format rule: bad when ``bad_sql`` (over a simple value ``v``) or ``bad_pandas`` says so."""

    name: str
    column: str
    bad_sql: Callable[[str], str]
    blank_is_bad: bool
    bad_pandas: Callable[[pd.Series], np.ndarray]
    detail: str


def nhs_bad(v: str) -> str:
    """SQL: not 10 digits with a valid mod-11 check digit (synth.world.ids.is_valid_nhs)."""
    total = " + ".join(f"TRY_CAST(substr({v}, {i + 1}, 1) AS INTEGER) * {10 - i}" for i in range(9))
    return (f"NOT coalesce(regexp_full_match({v}, '[1-9][0-9]{{9}}') AND "
            f"(11 - ({total}) % 11) % 11 = TRY_CAST(substr({v}, 10, 1) AS INTEGER), false)")


def pattern_bad(pattern: str) -> Callable[[str], str]:
    """SQL: not a full match of an RE2 pattern."""
    return lambda v: f"NOT regexp_full_match({v}, '{pattern}')"


def format_results(run: RunData, table: str, key: str, rules: list[FormatRule]) -> list[CheckResult] | None:
    """One result per rule over a truth table; None when a column is not text in SQL (use pandas)."""
    src = run.source("truth", table)
    types = run.sql.describe(src)
    if key not in types or any(types.get(r.column) != "VARCHAR" for r in rules):
        return None
    out = []
    for r in rules:
        c = f"s.{quote(r.column)}"
        simple = f"regexp_full_match({c}, '{SIMPLE}')"
        bad = f"({c} IS NULL AND {str(r.blank_is_bad).lower()}) OR ({c} IS NOT NULL AND {simple} AND {r.bad_sql(c)})"
        n, hard = run.sql.rows(f"SELECT count(*) FILTER (WHERE {bad}), count(*) FILTER (WHERE {c} IS NOT NULL "
                               f"AND NOT {simple}) FROM {src} AS s")[0]
        found: list[tuple] = []
        if n:
            found += run.sql.rows(f"SELECT s._f, s._r, s.{quote(key)} FROM {src} AS s WHERE {bad} "
                                  f"ORDER BY s._f, s._r LIMIT {MAX_EXAMPLES}")
        if hard:
            rows = run.sql.rows(f"SELECT s._f, s._r, s.{quote(key)}, {c} FROM {src} AS s WHERE {c} IS NOT NULL "
                                f"AND NOT {simple} ORDER BY s._f, s._r")
            rejected = r.bad_pandas(pd.Series([x[3] for x in rows], dtype=object))
            n += int(rejected.sum())
            found += [rows[i][:3] for i in np.flatnonzero(rejected)[:MAX_EXAMPLES]]
        examples = [x[2] for x in sorted(found, key=lambda x: (x[0], x[1]))[:MAX_EXAMPLES]]
        out.append(CheckResult(group="integrity", name=r.name, table=f"truth/{table}", column=r.column,
                               passed=n == 0, violations=int(n), examples=examples, detail=r.detail))
    return out


def nhs_bad_pandas(nhs: pd.Series) -> np.ndarray:
    """Not 10 digits with a valid mod-11 check digit (the text of a blank is "None")."""
    nhs = nhs.astype(str)
    digits = nhs.str.fullmatch(r"\d{10}")
    valid = np.zeros(len(nhs), dtype=bool)
    valid[digits.to_numpy()] = ids.is_valid_nhs(nhs[digits].astype(np.int64).to_numpy())
    return ~valid


#: The format rules of truth/person judged in SQL (UPNs, whose check letter is not, run part by part).
PERSON_FORMATS = [
    FormatRule("nhs_number_format", "nhs_number", nhs_bad, True, nhs_bad_pandas,
               "10 digits with a valid mod-11 check digit"),
    FormatRule("postcode_format", "postcode", pattern_bad(r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}"), False,
               lambda v: ~v.astype(str).str.match(POSTCODE).to_numpy(bool), "postcode has the UK outward/inward shape"),
    FormatRule("lsoa_format", "lsoa_code", pattern_bad(LSOA_SQL), True,
               lambda v: ~v.astype(str).str.match(LSOA).to_numpy(bool),
               "LSOA codes look like E01/W01 followed by six digits"),
]


def upn_masks(p: pd.DataFrame) -> list[Mask]:
    """UPNs have 13 characters and a correct check letter (blanks allowed)."""
    upn = p["upn"]
    has = upn.notna()
    upn_ok = np.ones(len(p), dtype=bool)
    upn_ok[has.to_numpy()] = ids.upn_is_valid(upn[has].astype(str).to_numpy())
    return [("upn_format", "upn", ~upn_ok, "13 characters with a correct check letter")]


def format_masks(p: pd.DataFrame) -> list[Mask]:
    """Every format rule of truth/person in pandas, for a part (the path when SQL cannot read the columns)."""
    return [
        ("nhs_number_format", "nhs_number", nhs_bad_pandas(p["nhs_number"]),
         "10 digits with a valid mod-11 check digit"),
        *upn_masks(p),
        ("postcode_format", "postcode", (p["postcode"].notna() & ~p["postcode"].astype(str).str.match(POSTCODE))
         .to_numpy(), "postcode has the UK outward/inward shape"),
        ("lsoa_format", "lsoa_code", (~p["lsoa_code"].astype(str).str.match(LSOA)).to_numpy(),
         "LSOA codes look like E01/W01 followed by six digits"),
    ]
