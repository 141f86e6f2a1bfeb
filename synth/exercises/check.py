"""Mark a learner's answers against a pack's key: per-exercise feedback and a score.

ANSWERS is a folder of ``<id>.csv`` (a header row, then the rows) or ``<id>.sql`` (a DuckDB query,
run on the pack's run through :func:`synth.sql.query`; a first line ``-- dialect: db2`` or
``-- dialect: presto`` runs SAIL or MoJ SQL). Columns are matched by name (case and surrounding
spaces ignored; extra columns ignored). Rows are matched on the exercise's key columns; counts must
be exact, other numbers within the exercise's tolerance; text is compared trimmed, dates as ISO.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synth.errors import InputError
from synth.sql import SqlError, query

#: Examples of wrong rows shown per exercise.
SHOWN = 3
_DIALECT = re.compile(r"^\s*--\s*dialect:\s*(\w+)", re.IGNORECASE)


@dataclass
class Mark:
    """The mark of one exercise."""

    id: str
    status: str  # correct, wrong, missing
    feedback: list[str] = field(default_factory=list)


def read_pack(pack: Path) -> dict[str, Any]:
    """The pack's manifest.

    Raises:
        InputError: when ``pack`` is not a folder written by ``synth exercises``.
    """
    pack = Path(pack)
    manifest = pack / "manifest.json"
    try:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(f"{pack}: not an exercise pack (no readable manifest.json); give the folder "
                         "`synth exercises RUN --out DIR` wrote") from None
    if not isinstance(doc, dict) or doc.get("kind") != "synth exercises":
        raise InputError(f"{pack}: manifest.json is not an exercise pack's; give the folder "
                         "`synth exercises RUN --out DIR` wrote")
    return doc


def _answer_files(answers: Path, ids: list[str]) -> dict[str, Path]:
    answers = Path(answers)
    if not answers.is_dir():
        raise InputError(f"{answers}: no such folder of answers; give a folder of <exercise>.csv or .sql files")
    found: dict[str, Path] = {}
    for p in sorted(answers.iterdir()):
        if p.name.startswith(".") or p.suffix.lower() not in (".csv", ".sql") or not p.is_file():
            continue
        if p.stem not in ids:
            raise InputError(f"{p}: names no exercise of the pack; name answers <id>.csv or <id>.sql "
                             f"with an id of {', '.join(ids)}")
        if p.stem in found:
            raise InputError(f"{p}: {p.stem} is answered twice ({found[p.stem].name} too); keep one file")
        found[p.stem] = p
    if not found:
        raise InputError(f"{answers}: no answer files; save answers as <id>.csv or <id>.sql (ids: {', '.join(ids)})")
    return found


def _learner(path: Path, run: Path) -> pd.DataFrame | str:
    """The learner's rows, or the reason they could not be had (a SQL error: marked wrong)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise InputError(f"{path}: unreadable (not UTF-8 text); save it as a UTF-8 CSV or SQL file") from None
    if path.suffix.lower() == ".sql":
        m = _DIALECT.match(text)
        try:
            return query(run, text, m[1].lower() if m else "duckdb", where=path.name)
        except SqlError as e:
            return f"the query failed: {str(e).splitlines()[0]}"
    try:
        from io import StringIO

        return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (ValueError, pd.errors.ParserError) as e:
        raise InputError(f"{path}: not a CSV file ({str(e).splitlines()[0]}); save it with a header row") from None


def _canon_text(s: pd.Series) -> pd.Series:
    """Text as compared: trimmed, ISO dates, '' for null, whole numbers without '.0'."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.strftime("%Y-%m-%d").fillna("")
    out = s.astype(object).map(lambda v: "" if v is None or v is pd.NaT or v is pd.NA or
                               (isinstance(v, float) and np.isnan(v)) else v)
    out = out.map(lambda v: str(v.date()) if isinstance(v, pd.Timestamp) else v)
    out = out.map(lambda v: str(int(v)) if isinstance(v, (float, np.floating)) and float(v).is_integer() else str(v))
    return out.str.strip().str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00$", r"\1", regex=True)


def _numeric(s: pd.Series) -> pd.Series | None:
    t = _canon_text(s)
    num = pd.to_numeric(t.where(t != ""), errors="coerce")
    return num if (num.notna() | (t == "")).all() else None


def _norm_columns(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df.columns = [str(c).strip().lower() for c in df.columns]
    return df


def compare(key: pd.DataFrame, got: pd.DataFrame, key_cols: list[str], tolerance: float,
            unmarked: list[str], floats: list[str]) -> list[str]:
    """Differences between a learner's rows and the key (empty when correct).

    Args:
        key: the key's rows (text, as read from its CSV).
        got: the learner's rows.
        key_cols: columns identifying a row (none: rows are compared in sorted order).
        tolerance: absolute tolerance of the ``floats`` columns; other numbers must be exact.
        unmarked: key columns not marked.
        floats: the key's float columns.
    """
    key, got = _norm_columns(key), _norm_columns(got)
    cols = [c for c in key.columns if c not in unmarked]
    missing = [c for c in cols if c not in got.columns]
    if missing:
        return [f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} (expected {', '.join(cols)})"]
    if got.columns.duplicated().any():
        return [f"column {got.columns[got.columns.duplicated()][0]} appears twice"]
    k = {c: _canon_text(key[c]) for c in cols}
    g = {c: _canon_text(got[c]) for c in cols}
    ids = key_cols or []
    if not ids:  # no key columns: rows compared in sorted order
        if len(got) != len(key):
            return [f"{len(got)} rows; expected {len(key)}"]
        kk = pd.DataFrame(k).sort_values(cols).reset_index(drop=True)
        gg = pd.DataFrame(g).sort_values(cols).reset_index(drop=True)
        k, g = {c: kk[c] for c in cols}, {c: gg[c] for c in cols}
        row_id = pd.Series([f"row {i + 1}" for i in range(len(kk))])
        g_id = row_id
    else:
        row_id = pd.Series([", ".join(f"{c}={v}" for c, v in zip(ids, vals)) for vals in zip(*(k[c] for c in ids))])
        g_id = pd.Series([", ".join(f"{c}={v}" for c, v in zip(ids, vals)) for vals in zip(*(g[c] for c in ids))])
    out: list[str] = []
    dup = g_id[g_id.duplicated()]
    if len(dup):
        return [f"row {dup.iloc[0]} appears {int((g_id == dup.iloc[0]).sum())} times; give each once"]
    absent = sorted(set(row_id) - set(g_id))
    extra = sorted(set(g_id) - set(row_id))
    if absent:
        out.append(f"{len(absent)} row{'s' if len(absent) > 1 else ''} missing, e.g. {'; '.join(absent[:SHOWN])}")
    if extra:
        out.append(f"{len(extra)} row{'s' if len(extra) > 1 else ''} that should not be there, e.g. "
                   f"{'; '.join(extra[:SHOWN])}")
    pos = pd.Series(range(len(g_id)), index=g_id.to_numpy())
    both = [i for i, r in enumerate(row_id) if r in pos.index]
    at = [int(pos[row_id[i]]) for i in both]
    wrong: list[str] = []
    for c in cols:
        if c in ids:
            continue
        kv = k[c].iloc[both].reset_index(drop=True)
        gv = g[c].iloc[at].reset_index(drop=True)
        kn, gn = _numeric(k[c]), _numeric(g[c])
        if kn is not None and gn is not None:
            a, b = kn.iloc[both].to_numpy(float), gn.iloc[at].to_numpy(float)
            tol = tolerance if c in floats else 0.0
            ok = (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= tol + 1e-9 * np.abs(a))
        else:
            ok = (kv == gv).to_numpy()
        for i in np.flatnonzero(~ok):
            wrong.append(f"{row_id[both[i]]}: {c} = {gv.iloc[i] or '(empty)'}")
    if wrong:
        out.append(f"{len(wrong)} value{'s' if len(wrong) > 1 else ''} wrong, e.g. {'; '.join(wrong[:SHOWN])}")
    return out


def check_answers(pack: Path, answers: Path) -> tuple[list[Mark], dict[str, Any]]:
    """Mark every answer in ``answers`` against the key of ``pack``.

    Returns:
        One mark per exercise of the pack (``missing`` when not answered), and the pack's manifest.

    Raises:
        InputError: a folder that is not a pack, no answers folder, an answer file naming no exercise,
            an unreadable file or a CSV that does not parse, a pack whose run is gone (for SQL answers).
    """
    doc = read_pack(pack)
    exercises = doc["exercises"]
    files = _answer_files(answers, [e["id"] for e in exercises])
    run = Path(doc["run"])
    marks: list[Mark] = []
    for e in exercises:
        path = files.get(e["id"])
        if path is None:
            marks.append(Mark(e["id"], "missing", ["no answer"]))
            continue
        if path.suffix.lower() == ".sql" and not (run / "manifest.json").is_file():
            raise InputError(f"{path}: the pack's run {run} is gone, so SQL answers cannot run; regenerate it "
                             "or answer with a CSV")
        key_path = Path(pack) / e["answer"]
        try:
            key = pd.read_csv(key_path, dtype=str, keep_default_na=False)
        except (OSError, ValueError):
            raise InputError(f"{key_path}: the pack's key is missing or damaged; write the pack again") from None
        got = _learner(path, run)
        if isinstance(got, str):
            marks.append(Mark(e["id"], "wrong", [got]))
            continue
        problems = compare(key, got, list(e["key"]), float(e["tolerance"]), list(e.get("unmarked", [])),
                           list(e.get("floats", [])))
        marks.append(Mark(e["id"], "wrong" if problems else "correct",
                          problems or [f"{len(key)} row{'s' if len(key) != 1 else ''}"]))
    return marks, doc
