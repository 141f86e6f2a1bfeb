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

from collections.abc import Iterable

import pandas as pd

from synth.hashing import member
from synth.learn.gate.dcr import dcr, nearest_distances
from synth.learn.gate.singling_out import quasi_identifiers, rare_combinations
from synth.learn.gate.stats import (
    DCR_PERCENTILE,
    DCR_REFERENCE,
    DCR_SAMPLE,
    DCR_SLACK,
    MIN_COLUMNS,
    QI_PATTERNS,
    RARE,
    Z,
    hash_rows,
    result,
    split_holdout,
    tolerance,
)


class PrivacyBreach(Exception):
    """The gate failed; ``results`` holds every check (failed ones have ``passed`` False)."""

    def __init__(self, results: list[dict]) -> None:
        self.results = results
        failed = [r for r in results if not r["passed"]]
        super().__init__("; ".join(f"{r['table']}: {r['check']}" for r in failed) or "privacy gate failed")


def exact_copies(train: pd.DataFrame, synthetic: pd.DataFrame, holdout: pd.DataFrame, table: str = "") -> dict:
    """Share of synthetic rows that equal a training row, against the holdout's chance share."""
    tr, sy, ho = hash_rows(train), hash_rows(synthetic), hash_rows(holdout)
    hits = int(member(sy, tr).sum())
    hold = int(member(ho, tr).sum())
    n, m = len(sy), len(ho)
    share = hits / n if n else 0.0
    base = hold / m if m else 0.0
    tol = tolerance(hits, n, base, m)
    passed = share <= tol
    return result("exact_copies", table, passed, "share_exact_copies", share, base, tol,
                   f"{hits:,} of {n:,} synthetic rows ({share:.2%}) equal a training row on {train.shape[1]} "
                   f"non-id columns; holdout rows do by chance {hold:,} of {m:,} ({base:.2%}); "
                   f"{'within' if passed else 'beyond'} the tolerance {tol:.2%}.", violations=hits)


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
                results.append(result(chk, name, True, "", 0.0, 0.0, 0.0,
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
           "quasi_identifiers", "nearest_distances", "value_columns", "PrivacyBreach", "QI_PATTERNS", "RARE", "Z",
           "DCR_SAMPLE", "DCR_REFERENCE", "DCR_SLACK", "DCR_PERCENTILE", "MIN_COLUMNS"]
