"""Row rules over whole tables without loading them: SQL queries and streamed batches.

Three ways a check judges rows at any run size:

* :func:`sql_result`: a SELECT of the offending rows (DuckDB over the Parquet parts); the result
  counts them and keeps the first five in file order as examples, as :func:`~synth.validate.core.mask_result`
  does for a frame;
* :func:`sql_rules`: many per-row rules of one table in one scan (``count(*) FILTER (WHERE ...)``),
  examples fetched only for the rules that failed;
* :func:`streamed_results`: rules written with numpy/pandas (NHS check digits, UPN check letters)
  applied part by part to only the columns they read, the counts and examples accumulated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from synth.layout import is_csv_dir, parquet_parts
from synth.validate.core import MAX_EXAMPLES, CannotRun, CheckResult, RunData, examples_of, one_line
from synth.validate.sqlrun import quote


def cols(names: Iterable[str], alias: str = "") -> str:
    """Quoted column names, comma-separated (each prefixed by ``alias.`` when given)."""
    pre = f"{alias}." if alias else ""
    return ", ".join(pre + quote(n) for n in names)


def sql_result(run: RunData, name: str, table: str | None, column: str | None, offending: str, key: list[str],
               detail: str, group: str = "integrity") -> CheckResult:
    """The result of a row rule written in SQL: passed when ``offending`` returns no row.

    Args:
        run: the run (its DuckDB connection runs the query).
        name: the result's name.
        table: ``agency/table`` or ``truth/table``.
        column: the column judged, if one.
        offending: a SELECT of the offending rows with the ``key`` columns and ``_f``, ``_r`` (the row's
            place in the run, from :meth:`RunData.source`), so examples are the first in file order.
        key: the columns naming a row in the examples.
        detail: the rule, in a sentence.
        group: the check group.

    Returns:
        The result, with the number of offending rows and up to five example keys.
    """
    rows = run.sql.rows(f"SELECT count(*) OVER () AS _n, {cols(key)} FROM ({offending}) AS _o "
                        f"ORDER BY _f, _r LIMIT {MAX_EXAMPLES}")
    n = int(rows[0][0]) if rows else 0
    examples = [r[1] if len(key) == 1 else tuple(r[1:]) for r in rows]
    return CheckResult(group=group, name=name, table=table, column=column, passed=n == 0, violations=n,
                       examples=examples, detail=detail)


@dataclass(frozen=True)
class Rule:
    """One per-row rule of a table: rows where ``bad`` (SQL) is true break it."""

    name: str
    column: str | None
    bad: str
    key: list[str]
    detail: str


def sql_rules(run: RunData, source: str, table: str, rules: list[Rule], group: str = "integrity") -> list[CheckResult]:
    """Many per-row rules of one table in one scan; examples are fetched only for rules that fail."""
    if not rules:
        return []
    counts = run.sql.rows("SELECT " + ", ".join(f"count(*) FILTER (WHERE {r.bad})" for r in rules)
                          + f" FROM {source} AS s")[0]
    out = []
    for rule, n in zip(rules, counts, strict=True):
        if not n:
            out.append(CheckResult(group=group, name=rule.name, table=table, column=rule.column, passed=True,
                                   detail=rule.detail))
            continue
        out.append(sql_result(run, rule.name, table, rule.column,
                              f"SELECT {cols(rule.key, 's')}, s._f, s._r FROM {source} AS s WHERE {rule.bad}",
                              rule.key, rule.detail, group))
    return out


@dataclass
class _Tally:
    column: str | None
    detail: str
    n: int = 0
    present: int = 0
    examples: list[Any] = field(default_factory=list)


def batches(run: RunData, folder: str, name: str, columns: list[str]) -> Iterator[pd.DataFrame]:
    """A table part by part (only ``columns``); a CSV-only run's table in one piece.

    Raises:
        CannotRun: when it is missing or unreadable.
    """
    path = run.file(folder, name)
    if path is None or is_csv_dir(path):
        yield run.columns(folder, name, columns)
        return
    run.source(folder, name)  # a missing or unreadable part: CannotRun
    for part in parquet_parts(path):
        try:
            table = pq.read_table(part, columns=columns)
        except KeyError:
            raise
        except Exception as e:  # noqa: BLE001 - any reader failure means the file is unreadable
            raise CannotRun(f"{folder}/{name} is unreadable ({type(e).__name__}: {one_line(e, 160)})") from None
        yield table.to_pandas()


#: What a streamed rule gives for one batch: (result name, column, bad rows, detail).
Mask = tuple[str, str | None, np.ndarray, str]


def streamed_results(run: RunData, folder: str, name: str, columns: list[str], key: list[str],
                     rules: Callable[[pd.DataFrame], list[Mask]], group: str = "integrity") -> list[CheckResult]:
    """Apply numpy/pandas row rules part by part; one result per rule, as one pass over a frame would give."""
    tallies: dict[str, _Tally] = {}
    for df in batches(run, folder, name, columns):
        df = df.reset_index(drop=True)
        for rname, column, bad, detail in rules(df):
            tally = tallies.setdefault(rname, _Tally(column, detail))
            bad = np.asarray(bad, dtype=bool)
            tally.n += int(bad.sum())
            if bad.any() and len(tally.examples) < MAX_EXAMPLES:
                tally.examples += examples_of(df, bad, key)[: MAX_EXAMPLES - len(tally.examples)]
    return [CheckResult(group=group, name=rname, table=f"{folder}/{name}", column=t.column, passed=t.n == 0,
                        violations=t.n, examples=t.examples, detail=t.detail) for rname, t in tallies.items()]


#: A table read part by part: (folder, name, columns or None for all).
Part = tuple[str, str, "list[str] | None"]


def aligned_parts(run: RunData, tables: list[Part]) -> Iterator[list[pd.DataFrame]]:
    """The same shard of several tables at a time (parts share file names), only the columns asked for.

    Rules local to a family (a person's episodes, a proceeding's hearings) hold on the whole run when
    they hold on each shard, since a family's rows are all in one shard. A CSV-only run yields its
    whole tables once.

    Raises:
        CannotRun: when a table is missing or unreadable.
    """
    paths = []
    for folder, name, _ in tables:
        run.source(folder, name)  # missing or unreadable: CannotRun
        paths.append(run.file(folder, name))
    if any(p is None or is_csv_dir(p) for p in paths):
        yield [run.read(f, n) if c is None else run.columns(f, n, c) for f, n, c in tables]
        return
    names = sorted({p.name for path in paths if path is not None for p in parquet_parts(path)})
    for part in names:
        frames = []
        for (folder, name, columns), path in zip(tables, paths, strict=True):
            assert path is not None
            file = path / part
            try:
                t = (pq.read_table(file, columns=columns) if file.exists()
                     else pq.read_schema(parquet_parts(path)[0]).empty_table().select(columns or slice(None)))
            except (KeyError, pa.ArrowInvalid) as e:
                if "No match for FieldRef" in str(e) or isinstance(e, KeyError):
                    raise KeyError(one_line(e, 120)) from None
                raise CannotRun(f"{folder}/{name} is unreadable ({type(e).__name__}: {one_line(e, 160)})") from None
            except Exception as e:  # noqa: BLE001 - any reader failure means the file is unreadable
                raise CannotRun(f"{folder}/{name} is unreadable ({type(e).__name__}: {one_line(e, 160)})") from None
            # Truth dates as datetime64 (the rules compare them; parsing date objects is slow).
            frames.append(t.to_pandas(date_as_object=folder != "truth"))
        yield frames


def merge_results(per_part: Iterable[list[CheckResult]]) -> list[CheckResult]:
    """One list of results from the same rules applied to each part: counts summed, first examples kept."""
    out: list[CheckResult] = []
    for results in per_part:
        if not out:
            out = results
            continue
        for acc, r in zip(out, results, strict=True):
            acc.violations += r.violations
            acc.examples = (acc.examples + r.examples)[:MAX_EXAMPLES]
            if acc.status == "passed" and r.status != "passed":
                acc.status, acc.passed = r.status, r.passed
    return out


def per_part(run: RunData, tables: list[Part], rules: Callable[..., list[CheckResult]]) -> list[CheckResult]:
    """Apply frame rules (local to a family) shard by shard and merge their results (:func:`merge_results`)."""
    return merge_results(rules(*frames) for frames in aligned_parts(run, tables))
