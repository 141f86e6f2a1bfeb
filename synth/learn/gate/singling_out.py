"""Singling out: rare quasi-identifier combinations of training reproduced, rare people copied verbatim."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from synth.hashing import member
from synth.learn.gate.stats import ALPHA, QI_PATTERNS, RARE, Z, allowance, hash_rows, result, tail_p, tolerance


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
            top = v.max(skipna=True)  # NaN or pd.NA when the column is empty or all missing
            years = v / 365.25 if pd.notna(top) and float(top) > 120 else v
            s = pd.cut(years, [-np.inf, 1, 5, 10, 16, 18, 25, 35, 50, np.inf], right=False).astype(str)
        out[c] = s
    return pd.DataFrame(out)


def rare_combinations(train: pd.DataFrame, synthetic: pd.DataFrame, holdout: pd.DataFrame, table: str = "",
                      qi: dict[str, str] | None = None) -> dict:
    """Rare training quasi-identifier combinations reproduced, and rare people copied verbatim."""
    qi = quasi_identifiers(train.columns) if qi is None else qi
    qi = {c: h for c, h in qi.items() if c in synthetic.columns and c in holdout.columns}
    if len(qi) < 2:
        return result("rare_combinations", table, True, "share_rare_reproduced", 0.0, 0.0, 0.0,
                       f"fewer than two quasi-identifiers among the columns ({', '.join(qi) or 'none'}); not checked",
                       quasi_identifiers=list(qi))
    ct, cs, ch = (hash_rows(_coarsen(f, qi)) for f in (train, synthetic, holdout))
    counts = pd.Series(ct).value_counts()
    rare = counts.index[counts < RARE].to_numpy(dtype=np.uint64)
    n_rare = len(rare)
    m = len(holdout)
    sy_sub = cs
    if m and len(cs) > m:
        sy_sub = cs[np.sort(np.random.default_rng(4).choice(len(cs), m, replace=False))]
    rep_sy = int(member(rare, sy_sub).sum())
    rep_ho = int(member(rare, ch).sum()) if m else 0
    share_sy = rep_sy / n_rare if n_rare else 0.0
    share_ho = rep_ho / n_rare if n_rare else 0.0
    tol_combo = tolerance(rep_sy, n_rare, share_ho, n_rare) if n_rare else 0.0
    # Verbatim copies of rare people: whole non-id rows of rare-combination training rows.
    rare_rows = member(ct, rare)
    full_train = hash_rows(train)[rare_rows]
    copies_sy = int(member(hash_rows(synthetic), full_train).sum())
    copies_ho = int(member(hash_rows(holdout), full_train).sum()) if m else 0
    n = len(synthetic)
    base_rows = copies_ho / m if m else 0.0
    # Unpooled: with no chance copies in the holdout, only a handful is allowed.
    se_rows = math.sqrt(base_rows * (1 - base_rows) * (1 / n + (1 / m if m else 0.0))) if n else 0.0
    tol_rows = max(base_rows + Z * se_rows, allowance(n))
    ok_combo = share_sy <= tol_combo or n_rare == 0
    # With a holdout, copies are judged against the holdout's chance copies by an exact test (a
    # handful more than a holdout with none is chance); without one, by the allowance.
    p_rows = tail_p(copies_sy, n, copies_ho, m) if m else 1.0
    ok_rows = p_rows >= ALPHA if m and copies_ho + copies_sy else (copies_sy / n if n else 0.0) <= tol_rows
    passed = ok_combo and ok_rows
    detail = (f"{n_rare:,} quasi-identifier combinations ({', '.join(qi)}) occur fewer than {RARE} times in "
              f"training; {rep_sy:,} ({share_sy:.2%}) appear in {len(sy_sub):,} synthetic rows, against "
              f"{rep_ho:,} ({share_ho:.2%}) in {m:,} holdout rows (tolerance {tol_combo:.2%}); "
              f"{copies_sy:,} synthetic rows copy a rare-combination training row verbatim "
              f"(holdout by chance: {copies_ho:,}"
              + (f"; exact test p = {p_rows:.3g}, limit {ALPHA:.2g})" if m
                 else f"; tolerance {tol_rows:.2%} of {n:,} rows)")
              + ("" if passed else "; " + " and ".join(
                  w for w, ok in (("too many rare combinations reproduced", ok_combo),
                                  ("rare people copied verbatim", ok_rows)) if not ok)) + ".")
    return result("rare_combinations", table, passed, "share_rare_reproduced", share_sy, share_ho, tol_combo, detail,
                   rare_combinations=n_rare, reproduced=rep_sy, holdout_reproduced=rep_ho,
                   rare_rows_copied=copies_sy, holdout_rare_rows_copied=copies_ho, quasi_identifiers=list(qi),
                   violations=copies_sy)
