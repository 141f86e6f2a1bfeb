"""The privacy gate's shared pieces: thresholds, chance allowances, result records, row hashes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from synth.hashing import field_hashes, tuple_hashes
from synth.keys import GOLDEN, mix64

#: Standard errors allowed above a baseline.
Z = 3.0
#: Rows of synthetic and holdout data used for DCR.
DCR_SAMPLE = 5000
#: Training rows DCR measures distances to.
DCR_REFERENCE = 20000
#: DCR: allowed excess of the synthetic share at or below the holdout's 5th percentile.
DCR_SLACK = 0.02
#: DCR: the holdout percentile that defines "too close".
DCR_PERCENTILE = 5.0
#: Training frequency below which a quasi-identifier combination is rare.
RARE = 10
#: Fewest non-id columns for a table to be checked (a link table holds nothing to copy).
MIN_COLUMNS = 2
#: Column-name patterns of quasi-identifiers, and how to coarsen them.
QI_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"(^|_)(sex|gender|gndr)(_|$)", "code"),
    (r"(dob|wob|birth|_y$|dob_y)", "year"),
    (r"age", "age_band"),
    (r"ethnic", "code"),
    (r"(^la$|la_code|local_?authority|lsoa)", "code"),
    (r"outcome", "code"),
)


def allowance(n: int) -> float:
    """Share of ``n`` rows always allowed (a handful of chance hits)."""
    return (math.ceil(max(3.0, 1e-4 * n)) - 1) / n if n else 0.0


def tolerance(hits: int, n: int, baseline: float, m: int) -> float:
    """Baseline plus Z pooled standard errors (both shares are estimates), at least a handful."""
    if not n:
        return 0.0
    pooled = (hits + baseline * m) / (n + m) if n + m else 0.0
    se = math.sqrt(max(pooled * (1.0 - pooled), 0.0) * (1.0 / n + (1.0 / m if m else 0.0)))
    return max(baseline + Z * se, allowance(n))


def tail_p(hits: int, n: int, base_hits: int, m: int) -> float:
    """One-sided p-value that ``hits`` in ``n`` rows exceed chance, given ``base_hits`` in ``m``.

    The exact conditional test of two Poisson rates: given the total of both counts, the synthetic
    count is binomial with probability n / (n + m) when both samples hit training rows by chance
    alone. Small counts (three copies against none) are not evidence; a planted batch is.
    """
    total = hits + base_hits
    if not total or not n or not m:
        return 1.0
    q = n / (n + m)
    logs = [math.lgamma(total + 1) - math.lgamma(k + 1) - math.lgamma(total - k + 1)
            + k * math.log(q) + (total - k) * math.log1p(-q) for k in range(hits, total + 1)]
    top = max(logs)
    return min(1.0, math.exp(top) * sum(math.exp(v - top) for v in logs))


#: One-sided significance of the exact test on verbatim copies of rare rows. Looser than Z
#: standard errors (0.00135) on purpose: the holdout is often a fifth of the synthetic sample, and
#: a privacy gate should rather stop a chance excess than let a planted batch through.
ALPHA = 0.01


def result(check: str, table: str, passed: bool, statistic: str, value: float, baseline: float,
            tolerance: float, detail: str, **extra: object) -> dict:
    """One check's result record (see the ``synth.learn.gate`` module doc)."""
    return {"check": check, "table": table, "passed": bool(passed), "statistic": statistic,
            "value": float(value), "baseline": float(baseline), "tolerance": float(tolerance), "detail": detail,
            **extra}


def hash_rows(df: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row of ``df`` (normalised values, ``synth.hashing``)."""
    full, _ = tuple_hashes(field_hashes(df), len(df))
    return full


def split_holdout(df: pd.DataFrame, share: float = 0.2, columns: list[str] | None = None) -> np.ndarray:
    """Boolean mask of holdout rows: a fixed hash of each row (its values and its rank among equal rows).

    Args:
        df: the rows.
        share: the holdout's expected share.
        columns: hash these columns only (default: all).
    """
    if len(df) == 0:
        return np.zeros(0, dtype=bool)
    h = hash_rows(df[columns] if columns else df)
    rank = pd.Series(h).groupby(h, sort=False).cumcount().to_numpy(dtype=np.uint64)
    with np.errstate(over="ignore"):
        u = mix64(h + rank * GOLDEN) >> np.uint64(11)
    return (u.astype(np.float64) / float(1 << 53)) < share
