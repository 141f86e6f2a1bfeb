"""Reference CSVs checked like the YAML: one reader for every reference table synth uses.

Each table has a declared shape (:data:`TABLES`): its columns with their type and allowed values or
range, the key that must be unique, and the extra columns it may carry (provenance notes). The
reader refuses, each problem with the file and line and what to do, and all of them at once:

* a file that is not UTF-8 (one line naming the file, the byte offset and line), holds NUL bytes,
  or is over :data:`MAX_REFERENCE_BYTES`;
* an empty file, a header without rows, rows with the wrong number of fields, broken quoting;
* a header with columns missing, unknown or given twice;
* values of the wrong type (a non-numeric weight), out of range (a negative weight, NaN, an unknown
  country), empty where required;
* a key given twice (a duplicated LA code).

Checks that need several tables or the profile (LSOAs of unknown LAs, a country with no weighted
LA, a financial year without volumes) are in :func:`check_reference_set`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from synth.errors import ProfileError
from synth.profile.mechanisms import COUNTRIES, LAW_TYPES
from synth.profile.read import read_bytes_limited

#: Largest reference table read, in bytes (lsoa.csv, the largest shipped, is under 1 MB).
MAX_REFERENCE_BYTES = 64 * 1024 * 1024

#: Rows named in one problem before "and N more".
SHOWN_LINES = 5

#: What a row of the volumes table may count (synth.world.volumes converts each to cases).
VOLUME_UNITS = ("cases", "children", "applications", "adults")

#: A problem: (file, where in it, message with the fix).
Problem = tuple[str, str, str]


@dataclass(frozen=True)
class Column:
    """One column of a reference table.

    Attributes:
        name: the header name.
        kind: ``text`` (non-empty), ``int`` (a whole number) or ``number`` (a finite number).
        values: the values allowed (text columns), or None for any.
        min: the smallest value allowed (numeric columns), or None.
        max: the largest value allowed (numeric columns), or None.
    """

    name: str
    kind: str = "text"
    values: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class TableSpec:
    """The declared shape of one reference table.

    Attributes:
        name: the table's name (the profile key, e.g. ``local_authorities``).
        columns: the columns every file must have.
        key: the columns whose values must be unique together.
        extra: further columns a file may carry (provenance, notes); any other column is refused.
        optional: checked columns a file may carry (typed like ``columns`` where present).
        needs: alternative sets of optional columns, one of which the header must hold in full.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    extra: tuple[str, ...] = ()
    optional: tuple[Column, ...] = ()
    needs: tuple[tuple[str, ...], ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        """The required column names in order."""
        return tuple(c.name for c in self.columns)


#: Every reference table synth reads.
TABLES: dict[str, TableSpec] = {
    "local_authorities": TableSpec(
        "local_authorities",
        (Column("la_code"), Column("la_name"), Column("country", values=COUNTRIES), Column("region"),
         Column("dfj_area"), Column("public_weight", "number", min=0), Column("private_weight", "number", min=0)),
        key=("la_code",), extra=("weight_basis", "source", "note")),
    "lsoas": TableSpec("lsoas", (Column("lsoa_code"), Column("la_code")), key=("lsoa_code",)),
    # Annual volumes: ``cases`` (the world's unit), or a published ``count`` with its ``unit``
    # (synth.world.volumes converts children, applications and adults to cases).
    "volumes": TableSpec(
        "volumes",
        (Column("fy", "int", min=1900, max=2200), Column("country", values=COUNTRIES),
         Column("law_type", values=LAW_TYPES)),
        key=("fy", "country", "law_type"), extra=("source", "assumption", "note"),
        optional=(Column("cases", "number", min=0), Column("count", "number", min=0),
                  Column("unit", values=VOLUME_UNITS), Column("per_case", "number", min=0.001)),
        needs=(("cases",), ("count", "unit"))),
    "nicknames": TableSpec("nicknames", (Column("name"), Column("nickname")), key=("name", "nickname"),
                           extra=("basis",)),
    "dfj_areas": TableSpec("dfj_areas", (Column("dfj_area"), Column("hmcts_region"),
                                         Column("country", values=COUNTRIES)), key=("dfj_area",)),
    # Census ethnic group by LA (synth.world.ethnicity; scripts/build_ethnicity_reference.py).
    "ethnic_population": TableSpec(
        "ethnic_population",
        (Column("la_code"), Column("age_band"),
         Column("code", values=("WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND",
                                "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH")),
         Column("count", "number", min=0)),
        key=("la_code", "age_band", "code"), extra=("source",)),
    # SAIL reference data for the Welsh LSOAs (synth.views.reference; scripts/build_sail_reference.py).
    "sail_lsoa2011_wales": TableSpec(
        "sail_lsoa2011_wales",
        (Column("lsoa_code"), Column("la_code"), Column("la_name"), Column("health_board_code"),
         Column("health_board_name"), Column("wimd2019_rank", "int", min=1, max=1909),
         Column("wimd2019_decile", "int", min=1, max=10), Column("wimd2019_quintile", "int", min=1, max=5)),
        key=("lsoa_code",)),
    # ONS mid-year child population by LA, year and single year of age (scripts/build_population.py).
    "population": TableSpec(
        "population",
        (Column("la_code"), Column("year", "int", min=1900, max=2200), Column("age", "int", min=0, max=17),
         Column("population", "number", min=0)),
        key=("la_code", "year", "age"), extra=("source",)),
}


def lines_text(lines: Iterable[int]) -> str:
    """``line 4`` or ``lines 4, 9, 12 and 30 more``."""
    ls = list(lines)
    if len(ls) == 1:
        return f"line {ls[0]}"
    shown = ", ".join(str(n) for n in ls[:SHOWN_LINES])
    return f"lines {shown}" + (f" and {len(ls) - SHOWN_LINES} more" if len(ls) > SHOWN_LINES else "")


def _decode(path: Path, data: bytes) -> tuple[str | None, list[Problem]]:
    if b"\x00" in data:
        at = data.index(b"\x00")
        line = data.count(b"\n", 0, at) + 1
        return None, [(str(path), f"line {line}", f"holds NUL bytes (first at offset {at}): "
                       "not a CSV text file; save it as UTF-8 CSV")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        return None, [(str(path), f"line {line}", f"not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start}); "
                       "save the file as UTF-8")]
    return (text[1:] if text.startswith("\ufeff") else text), []


def _rows(path: Path, text: str, spec: TableSpec) -> tuple[list[str], list[list[str]], list[int], list[Problem]]:
    """Header, rows and their line numbers; problems of structure (quoting, empty, field counts)."""
    where = str(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    header: list[str] | None = None
    try:
        for row in reader:
            if not row or row == [""]:
                continue
            if header is None:
                header = [h.strip() for h in row]
            else:
                rows.append(row)
                lines.append(reader.line_num)
    except csv.Error as e:
        return [], [], [], [(where, f"line {reader.line_num}", f"not valid CSV ({e}); fix the quoting there")]
    if header is None:
        return [], [], [], [(where, "", f"file is empty; it needs the header line {','.join(spec.column_names)} "
                             "and rows")]
    if not rows:
        return header, [], [], [(where, "", "has a header but no rows; add the table's rows")]
    width = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    bad = np.flatnonzero(width != len(header))
    if len(bad):
        return header, rows, lines, [(where, lines_text(lines[i] for i in bad),
                                      f"{width[bad[0]]} fields where the header has {len(header)}; fix the commas "
                                      "(quote a value that holds one)")]
    return header, rows, lines, []


def _header_problems(path: Path, header: list[str], spec: TableSpec) -> list[Problem]:
    out: list[Problem] = []
    twice = sorted({h for h in header if header.count(h) > 1})
    if twice:
        out.append((str(path), "line 1", f"column(s) {', '.join(twice)} given twice in the header; keep one of each"))
    missing = [c for c in spec.column_names if c not in header]
    either = " or ".join(" and ".join(alt) for alt in spec.needs)
    if missing:
        out.append((str(path), "line 1", f"missing column(s) {', '.join(missing)}; add them to the header "
                    f"(columns: {', '.join(spec.column_names)}{'; with ' + either if either else ''})"))
    if spec.needs and not any(all(c in header for c in alt) for alt in spec.needs):
        out.append((str(path), "line 1", f"needs the column(s) {either}; add them to the header"))
    optional = tuple(c.name for c in spec.optional)
    unknown = [h for h in header if h not in spec.column_names + optional + spec.extra]
    if unknown:
        allowed = ", ".join(spec.column_names + optional + spec.extra)
        out.append((str(path), "line 1", f"unknown column(s) {', '.join(unknown)}; remove or rename them "
                    f"(valid columns: {allowed})"))
    return out


def _value_problems(path: Path, frame: pd.DataFrame, line: np.ndarray, spec: TableSpec) -> list[Problem]:
    out: list[Problem] = []

    def add(mask: np.ndarray, col: str, what: str, fix: str) -> None:
        idx = np.flatnonzero(mask)
        if len(idx):
            first = frame[col].iat[idx[0]]
            shown = f" ('{first}')" if first.strip() else ""
            out.append((str(path), lines_text(line[idx]), f"{col} {what}{shown}; {fix}"))

    for c in spec.columns + tuple(o for o in spec.optional if o.name in frame.columns):
        raw = frame[c.name].str.strip()
        empty = (raw == "").to_numpy()
        add(empty, c.name, "is empty", "fill it in")
        if c.kind == "text":
            if c.values is not None:
                add(~empty & ~raw.isin(c.values).to_numpy(), c.name, "is not a known value",
                    f"use one of {', '.join(c.values)}")
            continue
        num = pd.to_numeric(raw, errors="coerce").to_numpy(float)
        bad = ~empty & ~np.isfinite(num)
        add(bad, c.name, "is not a finite number", "give a number" + (f" >= {c.min:g}" if c.min is not None else ""))
        ok = ~empty & ~bad
        if c.kind == "int":
            add(ok & (num != np.floor(np.where(ok, num, 0))), c.name, "is not a whole number", "give a whole number")
        if c.min is not None:
            add(ok & (num < c.min), c.name, f"is below {c.min:g}", f"give a value >= {c.min:g}")
        if c.max is not None:
            add(ok & (num > c.max), c.name, f"is above {c.max:g}", f"give a value <= {c.max:g}")
    if not out:
        keys = frame[list(spec.key)].apply(lambda s: s.str.strip())
        dup = keys.duplicated(keep=False).to_numpy()
        if dup.any():
            i = int(np.flatnonzero(dup)[0])
            value = ", ".join(keys.iloc[i].tolist())
            others = " (and other keys)" if keys[dup].drop_duplicates().shape[0] > 1 else ""
            out.append((str(path), lines_text(line[dup]),
                        f"{' + '.join(spec.key)} '{value}' is given more than once{others}; keep one row per "
                        f"{' + '.join(spec.key)}"))
    return out


def _check(path: Path, table: str) -> tuple[pd.DataFrame | None, np.ndarray, list[Problem]]:
    """The checked table, the line of each of its rows, and the problems found."""
    spec = TABLES[table]
    none = np.zeros(0, dtype=np.int64)
    try:
        data = read_bytes_limited(path, MAX_REFERENCE_BYTES, "a reference table")
    except ProfileError as e:
        return None, none, e.problems
    text, problems = _decode(path, data)
    if text is None:
        return None, none, problems
    header, rows, lines, problems = _rows(path, text, spec)
    if problems:
        return None, none, problems
    problems = _header_problems(path, header, spec)
    if problems:
        return None, none, problems
    line = np.asarray(lines, dtype=np.int64)
    problems = _value_problems(path, pd.DataFrame(rows, columns=header, dtype=object).astype(str), line, spec)
    if problems:
        return None, none, problems
    numeric = {c.name for c in spec.columns + spec.optional if c.kind != "text"}
    text_cols = [h for h in header if h not in numeric]
    frame = pd.read_csv(io.StringIO(text), dtype=dict.fromkeys(text_cols, str), keep_default_na=False)
    for c in text_cols:
        frame[c] = frame[c].str.strip()
    return frame, line, []


def check_table(path: Path, table: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read a reference table and check it against its declared shape.

    Args:
        path: the CSV file.
        table: a name in :data:`TABLES`.

    Returns:
        The table (text columns as ``str``, numeric columns parsed) or None, and every problem found.
    """
    frame, _, problems = _check(path, table)
    return frame, problems


def read_reference(path: str | Path, table: str) -> pd.DataFrame:
    """Read a checked reference table.

    Args:
        path: the CSV file.
        table: a name in :data:`TABLES` (``local_authorities``, ``lsoas``, ``volumes``, ``nicknames``,
            ``dfj_areas``).

    Returns:
        The table: text columns as ``str`` (empty text stays empty), numeric columns as numbers.

    Raises:
        ProfileError: every problem of the file, each with its line and the fix.
    """
    frame, problems = check_table(Path(path), table)
    if problems or frame is None:
        raise ProfileError(problems)
    return frame


def check_reference_set(paths: dict[str, Path], countries: Iterable[str], first_fy: int,
                        last_fy: int) -> list[Problem]:
    """Check a profile's reference tables, each on its own and against each other and the profile.

    Args:
        paths: table name (``local_authorities``, ``lsoas``, ``volumes``) -> its file.
        countries: the profile's countries.
        first_fy, last_fy: the financial years of the profile's period.

    Returns:
        Every problem found (empty when all is well).
    """
    frames: dict[str, pd.DataFrame] = {}
    lines: dict[str, np.ndarray] = {}
    problems: list[Problem] = []
    for name, path in paths.items():
        frame, lines[name], found = _check(path, name)
        problems += found
        if frame is not None:
            frames[name] = frame
    las, lsoas, volumes = frames.get("local_authorities"), frames.get("lsoas"), frames.get("volumes")
    if las is not None and lsoas is not None:
        unknown = ~lsoas["la_code"].isin(las["la_code"]).to_numpy()
        if unknown.any():
            first = lsoas["la_code"].to_numpy()[unknown][0]
            problems.append((str(paths["lsoas"]), lines_text(lines["lsoas"][unknown]),
                             f"la_code '{first}' is not in {paths['local_authorities'].name}; "
                             "use a la_code of that table or add the local authority"))
        has_lsoa = las["la_code"].isin(lsoas["la_code"]).to_numpy()
        for c in countries:
            for lt in LAW_TYPES:
                w = las[f"{lt}_weight"].to_numpy(float) * (las["country"].to_numpy() == c) * has_lsoa
                if not (w > 0).any():
                    problems.append((str(paths["local_authorities"]), "",
                                     f"no local authority in {c} has {lt}_weight > 0 and an LSOA; give at least "
                                     "one a positive weight"))
    if volumes is not None:
        have = set(zip(volumes["fy"].astype(int), volumes["country"], volumes["law_type"], strict=True))
        missing = [(fy, c, lt) for fy in range(first_fy, last_fy + 1) for c in countries for lt in LAW_TYPES
                   if (fy, c, lt) not in have]
        if missing:
            shown = "; ".join(f"{fy} {c} {lt}" for fy, c, lt in missing[:SHOWN_LINES])
            more = f" and {len(missing) - SHOWN_LINES} more" if len(missing) > SHOWN_LINES else ""
            problems.append((str(paths["volumes"]), "", f"no cases for fy {shown}{more} of the profile's period; "
                             "add those rows (fy, country, law_type, cases)"))
    return problems
