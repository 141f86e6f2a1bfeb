"""Safe-range identifier rules as DuckDB SQL over the parts, with pandas judging the unusual values.

The privacy rules (synth.validate.privacy) judge a value after normalising it: stripped, upper
case, spaces or hyphens removed, then matched against a pattern (and, for NHS numbers in the truth,
the mod-11 check digit). For a value made only of ASCII letters, digits, spaces and hyphens every
step means the same in DuckDB as in Python, so such values (all of a well-formed run) are counted
in one SQL scan of the column; any other value (a tab, an accented letter, a Unicode digit) is
fetched and judged by the pandas rule itself, so the counts and the first five examples are those of
the pandas rules over the whole table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from synth.validate.core import MAX_EXAMPLES, RunData
from synth.validate.scan import cols
from synth.validate.sqlrun import quote

#: Values whose normalisation means the same in SQL and in Python.
SIMPLE = "[A-Za-z0-9 -]*"
#: Column types read as text in SQL exactly as the pandas rules read them.
TEXT_TYPES = ("VARCHAR", "BIGINT", "INTEGER", "SMALLINT", "HUGEINT", "UBIGINT", "UINTEGER", "USMALLINT")


def _nhs_check(d: str) -> str:
    """SQL: the mod-11 check digit of 10-digit text ``d`` is right (synth.world.ids.is_valid_nhs)."""
    total = " + ".join(f"TRY_CAST(substr({d}, {i + 1}, 1) AS INTEGER) * {10 - i}" for i in range(9))
    return f"((11 - ({total}) % 11) % 11 = TRY_CAST(substr({d}, 10, 1) AS INTEGER))"


def nhs_digits(u: str) -> str:
    """SQL: the value without spaces and hyphens."""
    return f"regexp_replace({u}, '[ -]', '', 'g')"


def nhs_truth_ok(u: str) -> str:
    """SQL form of ``privacy._nhs_ok`` for a simple value ``u``: 10 digits, 999 range, valid check digit."""
    d = nhs_digits(u)
    return (f"(regexp_full_match({d}, '[0-9]{{10}}') AND {d} >= '9990000000' AND {_nhs_check(d)})")


def nhs_recorded_ok(u: str) -> str:
    """SQL form of ``privacy._nhs_recorded_ok``: ten digits starting 999."""
    return f"regexp_full_match({nhs_digits(u)}, '999[0-9]{{7}}')"


def postcode_ok(pattern: str, pseudo: tuple[str, ...]) -> Callable[[str], str]:
    """SQL form of ``privacy._postcode_ok``: the pattern or an NHS pseudo-postcode, spaces collapsed."""
    listed = ", ".join(f"'{p}'" for p in pseudo)

    def rule(u: str) -> str:
        v = f"regexp_replace({u}, ' +', ' ', 'g')"
        return f"(regexp_full_match({v}, '{pattern}') OR {v} IN ({listed}))"

    return rule


def judge_sql(run: RunData, src: str, col: str, key: list[str], sql_ok: Callable[[str], str],
              text: Callable[[pd.Series], pd.Series], ok: Callable[[pd.Series], np.ndarray]
              ) -> tuple[int, int, list[Any]] | None:
    """Present values, rejected values and up to five example keys of one column; None to use pandas.

    Args:
        run: the run.
        src: the table's SQL source.
        col: the column.
        key: the key columns naming a row in examples (all present in the table).
        sql_ok: the rule in SQL over a normalised simple value.
        text: the pandas normalisation (``privacy._text``).
        ok: the pandas rule over normalised present values.

    Returns:
        ``(present, rejected, examples)``, or None when the column's type is not read as text in SQL.
    """
    typ = run.sql.describe(src).get(col)
    if typ not in TEXT_TYPES:
        return None
    v = f"CAST(s.{quote(col)} AS VARCHAR)"
    base = (f"(SELECT {cols(key, 's')}, s._f, s._r, {v} AS _v, regexp_full_match({v}, '{SIMPLE}') AS _simple, "
            f"upper(trim({v})) AS _u FROM {src} AS s WHERE s.{quote(col)} IS NOT NULL)")
    bad = f"_simple AND _u <> '' AND NOT coalesce({sql_ok('_u')}, false)"
    n, v_bad, hard = run.sql.rows(f"SELECT count(*) FILTER (WHERE _simple AND _u <> ''), count(*) FILTER "
                                  f"(WHERE {bad}), count(*) FILTER (WHERE NOT _simple) FROM {base}")[0]
    found: list[tuple] = []  # (_f, _r, example)
    if v_bad:
        rows = run.sql.rows(f"SELECT _f, _r, {cols(key)} FROM {base} WHERE {bad} ORDER BY _f, _r LIMIT {MAX_EXAMPLES}")
        found += [(r[0], r[1], r[2] if len(key) == 1 else tuple(r[2:])) for r in rows]
    if hard:
        # As tuples: key values keep their Python types (a date stays a date, as pandas reads Parquet).
        rows = run.sql.rows(f"SELECT _f, _r, _v, {cols(key)} FROM {base} WHERE NOT _simple ORDER BY _f, _r")
        values = text(pd.Series([r[2] for r in rows], dtype=object))
        present = values.notna().to_numpy(dtype=bool)
        rejected = present.copy()
        rejected[present] = ~ok(values[present])
        n, v_bad = n + int(present.sum()), v_bad + int(rejected.sum())
        for i in np.flatnonzero(rejected)[:MAX_EXAMPLES]:
            r = rows[i]
            found.append((r[0], r[1], r[3] if len(key) == 1 else tuple(r[3:])))
    examples = [x[2] for x in sorted(found, key=lambda x: (x[0], x[1]))[:MAX_EXAMPLES]]
    return int(n), int(v_bad), examples
