"""Distance to closest record: synthetic rows may not sit closer to training rows than unseen real rows."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from synth.learn.gate.stats import DCR_PERCENTILE, DCR_REFERENCE, DCR_SAMPLE, DCR_SLACK, Z, result

_CHUNK_CELLS = 4_000_000


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
        return result("dcr", table, True, "share_closer_than_holdout_p5", 0.0, 0.0, 0.0,
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
    return result("dcr", table, passed, "share_closer_than_holdout_p5", share, base, tol,
                   f"{hits:,} of {n:,} sampled synthetic rows ({share:.2%}) are at most {q:.4f} (Gower) from their "
                   f"nearest training row, the {DCR_PERCENTILE:g}th percentile of holdout rows ({base:.2%} of "
                   f"{m:,} holdout rows); median distance synthetic {float(np.median(d_sy)):.4f}, holdout "
                   f"{float(np.median(d_ho)):.4f}; {'within' if passed else 'beyond'} the tolerance {tol:.2%}.",
                   violations=hits, threshold_distance=q)
