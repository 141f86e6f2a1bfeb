"""Privacy gate for anything learned from real records (``synth learn``, ``synth fit``, ``synth sample``).

Pure functions on pandas frames; no SDV needed. Each check returns a plain dict (``check``,
``table``, ``passed``, ``statistic``, ``value``, ``baseline``, ``tolerance``, ``detail``) and
:func:`run_gate` returns the list for every table. Nothing here ever puts a training value into a
result: details quote counts and shares only.

The checks, per table, on its *non-id* columns (ids are regenerated, so they never count):

``exact_copies``
    Share of synthetic rows whose whole tuple equals a training row (64-bit hash joins, as in
    :mod:`synth.validate.copies`). Baseline: the share of holdout rows (real rows kept out of
    training) that equal a training row by chance. Passes when the synthetic share is at most the
    baseline plus :data:`Z` standard errors of a pooled two-proportion test, and a handful of
    copies (``max(3, 1e-4 n) - 1``) is always allowed.

``dcr`` (distance to closest record)
    Gower distance (numbers and dates scaled by the training range, categories 0/1, blank equal
    to blank) of each synthetic row and each holdout row to its nearest training row, on at most
    :data:`DCR_SAMPLE` rows of each and :data:`DCR_REFERENCE` training rows, in numpy chunks.
    ``q`` is the 5th percentile of the holdout distances; the share of holdout rows at distance
    ``<= q`` is the baseline (5%, or more when distances tie, e.g. many exact zeros). Passes
    when the synthetic share at ``<= q`` is at most the baseline plus ``max(DCR_SLACK, Z
    standard errors)``: synthetic rows may not sit systematically closer to training rows than
    unseen real rows do.

``rare_combinations`` (singling out)
    Quasi-identifiers (sex, year of birth or age band, ethnicity, local authority, outcome...;
    :data:`QI_PATTERNS`) found among the table's columns, dates reduced to years and ages to
    bands. Combinations seen fewer than :data:`RARE` times in training are "rare". Two numbers
    are reported: the share of rare training combinations that appear in the synthetic data
    (synthetic rows subsampled to the holdout's size, so it is comparable with the holdout's own
    share), and the number of synthetic rows that copy a rare-combination training row verbatim
    on every non-id column. Passes when both are within chance: the combination share within the
    holdout's share plus ``Z`` standard errors, and verbatim copies of rare people within a
    handful (the holdout's share plus ``Z`` unpooled standard errors, at least
    ``max(3, 1e-4 n) - 1``).

Without a holdout (``synth learn``, where the synthetic sample comes from a learned profile),
the training rows are split 50/50 by a fixed hash of each row; the first half is "training" and
the second the holdout.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from synth.validate.copies import _field_hashes, _member, _mix64, _tuple_hashes

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
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_CHUNK_CELLS = 4_000_000


class PrivacyBreach(Exception):
    """The gate failed; ``results`` holds every check (failed ones have ``passed`` False)."""

    def __init__(self, results: list[dict]):
        self.results = results
        failed = [r for r in results if not r["passed"]]
        super().__init__("; ".join(f"{r['table']}: {r['check']}" for r in failed) or "privacy gate failed")


def _allowance(n: int) -> float:
    """Share of ``n`` rows always allowed (a handful of chance hits)."""
    return (math.ceil(max(3.0, 1e-4 * n)) - 1) / n if n else 0.0


def _tolerance(hits: int, n: int, baseline: float, m: int) -> float:
    """Baseline plus Z pooled standard errors (both shares are estimates), at least a handful."""
    if not n:
        return 0.0
    pooled = (hits + baseline * m) / (n + m) if n + m else 0.0
    se = math.sqrt(max(pooled * (1.0 - pooled), 0.0) * (1.0 / n + (1.0 / m if m else 0.0)))
    return max(baseline + Z * se, _allowance(n))


def _result(check: str, table: str, passed: bool, statistic: str, value: float, baseline: float,
            tolerance: float, detail: str, **extra) -> dict:
    return {"check": check, "table": table, "passed": bool(passed), "statistic": statistic,
            "value": float(value), "baseline": float(baseline), "tolerance": float(tolerance), "detail": detail,
            **extra}


def _hash_rows(df: pd.DataFrame) -> np.ndarray:
    """One 64-bit hash per row of ``df`` (normalised values, as in synth.validate.copies)."""
    full, _ = _tuple_hashes(_field_hashes(df), len(df))
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
    h = _hash_rows(df[columns] if columns else df)
    rank = pd.Series(h).groupby(h, sort=False).cumcount().to_numpy(dtype=np.uint64)
    with np.errstate(over="ignore"):
        u = _mix64(h + rank * _GOLDEN) >> np.uint64(11)
    return (u.astype(np.float64) / float(1 << 53)) < share


# --- exact copies ----------------------------------------------------------------------------


def exact_copies(train: pd.DataFrame, synthetic: pd.DataFrame, holdout: pd.DataFrame, table: str = "") -> dict:
    """Share of synthetic rows that equal a training row, against the holdout's chance share."""
    tr, sy, ho = _hash_rows(train), _hash_rows(synthetic), _hash_rows(holdout)
    hits = int(_member(sy, tr).sum())
    hold = int(_member(ho, tr).sum())
    n, m = len(sy), len(ho)
    share = hits / n if n else 0.0
    base = hold / m if m else 0.0
    tol = _tolerance(hits, n, base, m)
    passed = share <= tol
    return _result("exact_copies", table, passed, "share_exact_copies", share, base, tol,
                   f"{hits:,} of {n:,} synthetic rows ({share:.2%}) equal a training row on {train.shape[1]} "
                   f"non-id columns; holdout rows do by chance {hold:,} of {m:,} ({base:.2%}); "
                   f"{'within' if passed else 'beyond'} the tolerance {tol:.2%}.", violations=hits)


# --- distance to closest record --------------------------------------------------------------


def _encode(frames: list[pd.DataFrame]) -> list[tuple[str, list[np.ndarray]]]:
    """Per column: ``("num", [scaled values per frame])`` or ``("cat", [codes per frame])``; NaN = blank."""
    out = []
    for col in frames[0].columns:
        series = [f[col].reset_index(drop=True) for f in frames]
        s0 = series[0]
        kind = "cat"
        if pd.api.types.is_bool_dtype(s0) or isinstance(s0.dtype, pd.CategoricalDtype):
            kind = "cat"
        elif pd.api.types.is_datetime64_any_dtype(s0):
            kind = "num"
            series = [(pd.to_datetime(s, errors="coerce") - pd.Timestamp("1970-01-01")).dt.days.astype(float)
                      for s in series]
        elif pd.api.types.is_numeric_dtype(s0):
            kind = "num"
        elif _iso_dates(s0):
            kind = "num"
            series = [(pd.to_datetime(s, errors="coerce", format="ISO8601") - pd.Timestamp("1970-01-01"))
                      .dt.days.astype(float) for s in series]
        if kind == "num":
            vals = [pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan) for s in series]
            ref = vals[0][np.isfinite(vals[0])]
            span = float(ref.max() - ref.min()) if len(ref) else 1.0
            span = span if span > 0 else 1.0
            out.append(("num", [v / span for v in vals]))
        else:
            text = [s.astype("string").str.strip().str.upper() for s in series]
            cats = pd.Index(pd.unique(pd.concat(text, ignore_index=True).dropna()))
            out.append(("cat", [cats.get_indexer(t.fillna("\x00")).astype(np.int64) for t in text]))
    return out


def _iso_dates(s: pd.Series) -> bool:
    """Whether a text column holds ISO dates (as agency files often do)."""
    head = s.dropna().astype(str).head(200)
    return len(head) > 0 and bool(head.str.fullmatch(r"\d{4}-\d{2}-\d{2}([ T][\d:.]+)?").all())


def nearest_distances(query: list[np.ndarray], reference: list[np.ndarray], kinds: list[str]) -> np.ndarray:
    """Gower distance of each query row to its nearest reference row (chunked numpy)."""
    nq = len(query[0]) if query else 0
    nr = len(reference[0]) if reference else 0
    k = max(len(kinds), 1)
    if nq == 0:
        return np.zeros(0)
    if nr == 0:
        return np.full(nq, np.inf)
    step = max(1, _CHUNK_CELLS // nr)
    out = np.empty(nq)
    for start in range(0, nq, step):
        stop = min(nq, start + step)
        d = np.zeros((stop - start, nr), dtype=np.float32)
        for kind, q, r in zip(kinds, query, reference):
            a, b = q[start:stop, None], r[None, :]
            if kind == "num":
                diff = np.abs(a - b)
                both = np.isnan(a) & np.isnan(b)
                one = np.isnan(a) ^ np.isnan(b)
                diff = np.where(both, 0.0, np.where(one, 1.0, np.minimum(diff, 1.0)))
                d += diff.astype(np.float32)
            else:
                d += (a != b).astype(np.float32)
        out[start:stop] = d.min(axis=1) / k
    return out


def _sample_rows(df: pd.DataFrame, n: int, salt: int) -> pd.DataFrame:
    if len(df) <= n:
        return df
    rng = np.random.default_rng(salt)
    return df.iloc[np.sort(rng.choice(len(df), n, replace=False))]


def dcr(train: pd.DataFrame, synthetic: pd.DataFrame, holdout: pd.DataFrame, table: str = "") -> dict:
    """Synthetic rows may not be closer to training rows than holdout rows are (see module doc)."""
    tr = _sample_rows(train, DCR_REFERENCE, 1)
    sy = _sample_rows(synthetic, DCR_SAMPLE, 2)
    ho = _sample_rows(holdout, DCR_SAMPLE, 3)
    enc = _encode([tr, sy, ho])
    kinds = [k for k, _ in enc]
    d_sy = nearest_distances([v[1] for _, v in enc], [v[0] for _, v in enc], kinds)
    d_ho = nearest_distances([v[2] for _, v in enc], [v[0] for _, v in enc], kinds)
    if len(d_ho) == 0 or len(d_sy) == 0:
        return _result("dcr", table, True, "share_closer_than_holdout_p5", 0.0, 0.0, 0.0,
                       "no holdout or synthetic rows to compare")
    q = float(np.percentile(d_ho, DCR_PERCENTILE))
    base = float((d_ho <= q).mean())
    n, m = len(d_sy), len(d_ho)
    hits = int((d_sy <= q).sum())
    share = hits / n
    pooled = (hits + base * m) / (n + m)
    se = math.sqrt(max(pooled * (1 - pooled), 0.0) * (1 / n + 1 / m))
    tol = base + max(DCR_SLACK, Z * se)
    passed = share <= tol
    return _result("dcr", table, passed, "share_closer_than_holdout_p5", share, base, tol,
                   f"{hits:,} of {n:,} sampled synthetic rows ({share:.2%}) are at most {q:.4f} (Gower) from their "
                   f"nearest training row, the {DCR_PERCENTILE:g}th percentile of holdout rows ({base:.2%} of "
                   f"{m:,} holdout rows); median distance synthetic {float(np.median(d_sy)):.4f}, holdout "
                   f"{float(np.median(d_ho)):.4f}; {'within' if passed else 'beyond'} the tolerance {tol:.2%}.",
                   violations=hits, threshold_distance=q)


# --- singling out ----------------------------------------------------------------------------


def quasi_identifiers(columns: Iterable[str]) -> dict[str, str]:
    """Column -> coarsening (``code``, ``year``, ``age_band``) for the quasi-identifiers among ``columns``."""
    out: dict[str, str] = {}
    for c in columns:
        low = str(c).lower()
        for pattern, how in QI_PATTERNS:
            if re.search(pattern, low):
                out[c] = how
                break
    return out


def _coarsen(df: pd.DataFrame, qi: dict[str, str]) -> pd.DataFrame:
    out = {}
    for c, how in qi.items():
        s = df[c].reset_index(drop=True)
        if how == "year":
            if pd.api.types.is_datetime64_any_dtype(s) or s.dtype == object:
                d = pd.to_datetime(s, errors="coerce")
                if d.notna().sum() >= 0.5 * s.notna().sum() and s.notna().any():
                    s = d.dt.year.astype("Int64")
        elif how == "age_band" and pd.api.types.is_numeric_dtype(s):
            v = pd.to_numeric(s, errors="coerce")
            years = v / 365.25 if float(v.max(skipna=True) or 0) > 120 else v
            s = pd.cut(years, [-np.inf, 1, 5, 10, 16, 18, 25, 35, 50, np.inf], right=False).astype(str)
        out[c] = s
    return pd.DataFrame(out)


def rare_combinations(train: pd.DataFrame, synthetic: pd.DataFrame, holdout: pd.DataFrame, table: str = "",
                      qi: dict[str, str] | None = None) -> dict:
    """Rare training quasi-identifier combinations reproduced, and rare people copied verbatim."""
    qi = quasi_identifiers(train.columns) if qi is None else qi
    qi = {c: h for c, h in qi.items() if c in synthetic.columns and c in holdout.columns}
    if len(qi) < 2:
        return _result("rare_combinations", table, True, "share_rare_reproduced", 0.0, 0.0, 0.0,
                       f"fewer than two quasi-identifiers among the columns ({', '.join(qi) or 'none'}); not checked",
                       quasi_identifiers=list(qi))
    ct, cs, ch = (_hash_rows(_coarsen(f, qi)) for f in (train, synthetic, holdout))
    counts = pd.Series(ct).value_counts()
    rare = counts.index[counts < RARE].to_numpy(dtype=np.uint64)
    n_rare = len(rare)
    m = len(holdout)
    sy_sub = cs
    if m and len(cs) > m:
        sy_sub = cs[np.sort(np.random.default_rng(4).choice(len(cs), m, replace=False))]
    rep_sy = int(_member(rare, sy_sub).sum())
    rep_ho = int(_member(rare, ch).sum()) if m else 0
    share_sy = rep_sy / n_rare if n_rare else 0.0
    share_ho = rep_ho / n_rare if n_rare else 0.0
    tol_combo = _tolerance(rep_sy, n_rare, share_ho, n_rare) if n_rare else 0.0
    # Verbatim copies of rare people: whole non-id rows of rare-combination training rows.
    rare_rows = _member(ct, rare)
    full_train = _hash_rows(train)[rare_rows]
    copies_sy = int(_member(_hash_rows(synthetic), full_train).sum())
    copies_ho = int(_member(_hash_rows(holdout), full_train).sum()) if m else 0
    n = len(synthetic)
    base_rows = copies_ho / m if m else 0.0
    # Unpooled: with no chance copies in the holdout, only a handful is allowed.
    se_rows = math.sqrt(base_rows * (1 - base_rows) * (1 / n + (1 / m if m else 0.0))) if n else 0.0
    tol_rows = max(base_rows + Z * se_rows, _allowance(n))
    ok_combo = share_sy <= tol_combo or n_rare == 0
    ok_rows = (copies_sy / n if n else 0.0) <= tol_rows
    passed = ok_combo and ok_rows
    detail = (f"{n_rare:,} quasi-identifier combinations ({', '.join(qi)}) occur fewer than {RARE} times in "
              f"training; {rep_sy:,} ({share_sy:.2%}) appear in {len(sy_sub):,} synthetic rows, against "
              f"{rep_ho:,} ({share_ho:.2%}) in {m:,} holdout rows (tolerance {tol_combo:.2%}); "
              f"{copies_sy:,} synthetic rows copy a rare-combination training row verbatim "
              f"(holdout by chance: {copies_ho:,}; tolerance {tol_rows:.2%} of {n:,} rows)"
              + ("" if passed else "; " + " and ".join(
                  w for w, ok in (("too many rare combinations reproduced", ok_combo),
                                  ("rare people copied verbatim", ok_rows)) if not ok)) + ".")
    return _result("rare_combinations", table, passed, "share_rare_reproduced", share_sy, share_ho, tol_combo, detail,
                   rare_combinations=n_rare, reproduced=rep_sy, holdout_reproduced=rep_ho,
                   rare_rows_copied=copies_sy, holdout_rare_rows_copied=copies_ho, quasi_identifiers=list(qi),
                   violations=copies_sy)


# --- the gate --------------------------------------------------------------------------------


def value_columns(df: pd.DataFrame, id_columns: Iterable[str]) -> list[str]:
    """Columns of ``df`` that are not ids."""
    ids = {str(c) for c in id_columns}
    return [c for c in df.columns if str(c) not in ids]


def run_gate(train: dict[str, pd.DataFrame], synthetic: dict[str, pd.DataFrame],
             holdout: dict[str, pd.DataFrame] | None = None, id_columns: dict[str, list[str]] | None = None,
             checks: tuple[str, ...] = ("exact_copies", "dcr", "rare_combinations")) -> list[dict]:
    """Run the checks on every table present in both ``train`` and ``synthetic``.

    Args:
        train: training rows per table name.
        synthetic: synthetic rows per table name.
        holdout: real rows kept out of training, per table name; None splits each training table
            50/50 by a fixed row hash.
        id_columns: per table, columns left out of every comparison (ids are regenerated).
        checks: which checks to run.

    Returns:
        One dict per (table, check); see the module doc.
    """
    id_columns = id_columns or {}
    results: list[dict] = []
    for name, tr in train.items():
        if name not in synthetic:
            continue
        cols = [c for c in value_columns(tr, id_columns.get(name, ())) if c in synthetic[name].columns]
        if len(cols) < MIN_COLUMNS:
            for chk in checks:
                results.append(_result(chk, name, True, "", 0.0, 0.0, 0.0,
                                       f"{len(cols)} non-id column(s); nothing about a person to copy"))
            continue
        t = tr[cols].reset_index(drop=True)
        if holdout is not None and name in holdout:
            h = holdout[name][cols].reset_index(drop=True)
        else:
            mask = split_holdout(t, 0.5)
            t, h = t[~mask].reset_index(drop=True), t[mask].reset_index(drop=True)
        s = synthetic[name][cols].reset_index(drop=True)
        if "exact_copies" in checks:
            results.append(exact_copies(t, s, h, name))
        if "dcr" in checks:
            results.append(dcr(t, s, h, name))
        if "rare_combinations" in checks:
            results.append(rare_combinations(t, s, h, name))
    return results


def passed(results: list[dict]) -> bool:
    """Whether every check passed."""
    return all(r["passed"] for r in results)


def describe(results: list[dict], failed_only: bool = False) -> list[str]:
    """One line per check: ``table: check: PASS|FAIL: detail``."""
    return [f"{r['table']}: {r['check']}: {'PASS' if r['passed'] else 'FAIL'}: {r['detail']}"
            for r in results if not (failed_only and r["passed"])]


__all__ = ["run_gate", "passed", "describe", "split_holdout", "exact_copies", "dcr", "rare_combinations",
           "quasi_identifiers", "PrivacyBreach", "RARE", "Z", "DCR_SAMPLE"]
